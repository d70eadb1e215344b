//! DNS name patterns, parsed once and matched in one place: firewall application-rule targets
//! (F-9), audit destinations, service names with a wildcard (`*.eastus.instances.azureml.ms`) and
//! private DNS zone records (D-9: `*.b` answers `a.b`, `*` answers every name of the zone).
//!
//! The forms are an exact name, `*.parent` (one or more labels before `parent`), `*` (every name)
//! and `*suffix` (every name ending in `suffix`, F-9's field note: Azure accepts `*pytorch.org`).
//! Which forms a file may use is the caller's rule: firewall targets and audit destinations take
//! all four, zone records and service names no `*suffix`.

/// A parsed pattern; `S` is `&str` while it borrows the text, `String` once owned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamePattern<S = String> {
    /// A name without `*`: matches itself.
    Exact(S),
    /// `*.parent`: any name under `parent`, at any depth (F-9); the apex `parent` itself only
    /// when asked to (F-9's unconfirmed reading, `fw_wildcard_matches_apex`).
    Wildcard { parent: S },
    /// `*suffix` (no dot after the `*`): any name ending in `suffix`, the suffix itself included
    /// and across labels (`*pytorch.org` matches `evilpytorch.org`, F-9).
    Suffix(S),
    /// `*`: every name.
    Any,
}

/// Why a text is no pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// The text is empty.
    Empty,
    /// A `*` other than the leading one, or nothing after `*.`.
    MisplacedStar,
}

impl<'a> NamePattern<&'a str> {
    /// Classifies a pattern's text without copying it. Labels are not checked here; callers that
    /// validate names check the name or parent themselves.
    pub fn parse(text: &'a str) -> Result<NamePattern<&'a str>, PatternError> {
        let pattern = match text.strip_prefix('*') {
            None if text.is_empty() => return Err(PatternError::Empty),
            None => NamePattern::Exact(text),
            Some("") => NamePattern::Any,
            Some(rest) => match rest.strip_prefix('.') {
                Some(parent) if !parent.is_empty() => NamePattern::Wildcard { parent },
                Some(_) => return Err(PatternError::MisplacedStar),
                None => NamePattern::Suffix(rest),
            },
        };
        match pattern {
            NamePattern::Exact(s) | NamePattern::Wildcard { parent: s } | NamePattern::Suffix(s) if s.contains('*') => {
                Err(PatternError::MisplacedStar)
            }
            p => Ok(p),
        }
    }

    pub fn to_owned(self) -> NamePattern {
        match self {
            NamePattern::Exact(s) => NamePattern::Exact(s.to_string()),
            NamePattern::Wildcard { parent } => NamePattern::Wildcard { parent: parent.to_string() },
            NamePattern::Suffix(s) => NamePattern::Suffix(s.to_string()),
            NamePattern::Any => NamePattern::Any,
        }
    }
}

impl<S: AsRef<str>> NamePattern<S> {
    /// Whether two patterns are the same, without case (D-1): one zone record replaces another
    /// written in other case (D-9).
    pub fn same_as<T: AsRef<str>>(&self, other: &NamePattern<T>) -> bool {
        match (self, other) {
            (NamePattern::Exact(a), NamePattern::Exact(b))
            | (NamePattern::Wildcard { parent: a }, NamePattern::Wildcard { parent: b })
            | (NamePattern::Suffix(a), NamePattern::Suffix(b)) => a.as_ref().eq_ignore_ascii_case(b.as_ref()),
            (NamePattern::Any, NamePattern::Any) => true,
            _ => false,
        }
    }

    /// Whether this is `*.parent`.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, NamePattern::Wildcard { .. })
    }

    /// Whether the pattern matches `name`, without case and ignoring a trailing dot. `apex` lets
    /// `*.parent` match `parent` itself (F-9, unconfirmed; off by default).
    pub fn matches(&self, name: &str, apex: bool) -> bool {
        let name = name.trim_end_matches('.').as_bytes();
        match self {
            NamePattern::Any => true,
            NamePattern::Exact(s) => s.as_ref().as_bytes().eq_ignore_ascii_case(name),
            NamePattern::Suffix(s) => {
                let s = s.as_ref().as_bytes();
                name.len() >= s.len() && name[name.len() - s.len()..].eq_ignore_ascii_case(s)
            }
            NamePattern::Wildcard { parent } => {
                let parent = parent.as_ref().as_bytes();
                (apex && parent.eq_ignore_ascii_case(name))
                    || name.len() > parent.len() + 1 && {
                        let (head, tail) = name.split_at(name.len() - parent.len());
                        head.ends_with(b".") && tail.eq_ignore_ascii_case(parent)
                    }
            }
        }
    }

    /// Whether the pattern matches some name under `domain` (a name with labels before it):
    /// `*`, a wildcard over the domain, an ancestor or a descendant of it, a suffix the domain
    /// ends with or one that ends in `.domain`, a name under it. A-15 asks it of storage domains.
    pub fn covers_names_under(&self, domain: &str) -> bool {
        match self {
            NamePattern::Any => true,
            NamePattern::Exact(name) => relative_to(name.as_ref(), domain).is_some_and(|r| r != "@"),
            NamePattern::Wildcard { parent } => {
                name_in_zone(domain, parent.as_ref()) || name_in_zone(parent.as_ref(), domain)
            }
            NamePattern::Suffix(suffix) => {
                let (suffix, domain) = (suffix.as_ref().as_bytes(), domain.as_bytes());
                let ends = |a: &[u8], b: &[u8]| a.len() >= b.len() && a[a.len() - b.len()..].eq_ignore_ascii_case(b);
                ends(domain, suffix)
                    || suffix.len() > domain.len()
                        && ends(suffix, domain)
                        && suffix[suffix.len() - domain.len() - 1] == b'.'
            }
        }
    }

    /// The labels `*.parent` stands for in `name` (`ci1` for `ci1.eastus.x` under `*.eastus.x`),
    /// compared with case; `None` for other patterns or names outside the parent.
    pub fn wildcard_head<'n>(&self, name: &'n str) -> Option<&'n str> {
        let NamePattern::Wildcard { parent } = self else { return None };
        name.strip_suffix(parent.as_ref())?.strip_suffix('.').filter(|head| !head.is_empty())
    }
}

/// Whether `text` parses as `*.parent` (a wildcard service name or record, not a plain name).
pub fn is_wildcard(text: &str) -> bool {
    NamePattern::parse(text).is_ok_and(|p| p.is_wildcard())
}

/// `name` relative to `zone`, without case (D-1: DNS names are case-insensitive): the labels
/// before the zone (`a.b` for `a.b.zone`), `@` for the apex, `None` when the name is not in the
/// zone (`xzone` is not in `zone`). The labels keep the name's case.
pub fn relative_to<'n>(name: &'n str, zone: &str) -> Option<&'n str> {
    if name.eq_ignore_ascii_case(zone) {
        return Some("@");
    }
    let cut = name.len().checked_sub(zone.len() + 1)?;
    let tail = &name.as_bytes()[cut..];
    // `tail` starts with an ASCII dot, so `cut` is a character boundary.
    (tail[0] == b'.' && tail[1..].eq_ignore_ascii_case(zone.as_bytes())).then(|| &name[..cut])
}

/// Whether `name` is `zone` or a name inside it, without case (D-1).
pub fn name_in_zone(name: &str, zone: &str) -> bool {
    relative_to(name, zone).is_some()
}

/// The wildcard parents a name can fall under, nearest first: for `a.b.c`, `("a", "b.c")` then
/// `("a.b", "c")`, each with the labels before the parent. An index of `*.parent` patterns
/// looks these up instead of scanning its patterns.
pub fn parents(name: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = name;
    std::iter::from_fn(move || {
        let (_, parent) = rest.split_once('.')?;
        rest = parent;
        Some((&name[..name.len() - parent.len() - 1], parent))
    })
}

#[cfg(test)]
mod tests {
    use super::NamePattern::{self, *};
    use super::*;

    #[test]
    fn patterns_parse_into_their_forms() {
        let cases: &[(&str, Result<NamePattern<&str>, PatternError>)] = &[
            ("pypi.org", Ok(Exact("pypi.org"))),
            ("*.contoso.com", Ok(Wildcard { parent: "contoso.com" })),
            ("*", Ok(Any)),
            ("*pytorch.org", Ok(Suffix("pytorch.org"))),
            ("", Err(PatternError::Empty)),
            ("*.", Err(PatternError::MisplacedStar)),
            ("py*.org", Err(PatternError::MisplacedStar)),
            ("a.*.com", Err(PatternError::MisplacedStar)),
            ("*.*.com", Err(PatternError::MisplacedStar)),
            ("**", Err(PatternError::MisplacedStar)),
        ];
        for (text, expected) in cases {
            assert_eq!(&NamePattern::parse(text), expected, "{text:?}");
        }
    }

    /// `(pattern, name, apex, matches)`.
    #[test]
    fn f9_d9_matching_table() {
        let cases: &[(&str, &str, bool, bool)] = &[
            // Exact names, without case or trailing dot.
            ("pypi.org", "pypi.org", false, true),
            ("pypi.org", "PyPI.org.", false, true),
            ("pypi.org", "files.pypi.org", false, false),
            // F-9: `*.x` at any depth, not the apex unless asked, never across a label.
            ("*.contoso.com", "a.contoso.com", false, true),
            ("*.contoso.com", "a.b.CONTOSO.com", false, true),
            ("*.contoso.com", "contoso.com", false, false),
            ("*.contoso.com", "contoso.com", true, true),
            ("*.contoso.com", "evilcontoso.com", true, false),
            ("*.contoso.com", ".contoso.com", false, false),
            // F-9 field note: `*x` is a plain suffix, labels or not.
            ("*pytorch.org", "pytorch.org", false, true),
            ("*pytorch.org", "download.pytorch.org", false, true),
            ("*pytorch.org", "evilPyTorch.org", false, true),
            ("*pytorch.org", "pytorch.org.evil", false, false),
            // `*` matches everything.
            ("*", "anything.example", false, true),
            ("*", "", false, true),
        ];
        for &(pattern, name, apex, expected) in cases {
            let p = NamePattern::parse(pattern).unwrap();
            assert_eq!(p.matches(name, apex), expected, "{pattern} ~ {name} (apex {apex})");
            assert_eq!(p.to_owned().matches(name, apex), expected, "owned {pattern} ~ {name}");
        }
    }

    /// D-1: DNS names are case-insensitive, so zone membership ignores case; the apex is `@`.
    #[test]
    fn d1_zone_membership_ignores_case() {
        let zone = "privatelink.blob.core.windows.net";
        assert_eq!(relative_to("acct.privatelink.blob.core.windows.net", zone), Some("acct"));
        assert_eq!(relative_to("Acct.PrivateLink.Blob.Core.Windows.Net", zone), Some("Acct"));
        assert_eq!(relative_to("a.b.PRIVATELINK.blob.core.windows.net", zone), Some("a.b"));
        assert_eq!(relative_to("PrivateLink.Blob.Core.Windows.Net", zone), Some("@"));
        assert_eq!(relative_to("xprivatelink.blob.core.windows.net", zone), None);
        assert_eq!(relative_to("blob.core.windows.net", zone), None);
        assert_eq!(relative_to("é.privatelink.blob.core.windows.net", zone), Some("é"));
        assert!(name_in_zone("Corp.Contoso.com", "contoso.com"));
        assert!(name_in_zone("contoso.com", "CONTOSO.COM"));
        assert!(!name_in_zone("evilcontoso.com", "contoso.com"));
        assert!(is_wildcard("*.eastus.x") && !is_wildcard("eastus.x") && !is_wildcard("*"));
        let p = NamePattern::parse("*.WS1.eastus").unwrap();
        assert!(p.same_as(&Wildcard { parent: "ws1.EastUS" }) && !p.same_as(&Exact("ws1.eastus")));
        assert!(Any::<&str>.same_as(&Any::<String>));
    }

    /// which patterns open some storage host. The old check looked only at patterns
    /// ending in `.blob.core.windows.net`, so `*`, `*.windows.net`, `*.core.windows.net` and
    /// `*windows.net` were missed.
    #[test]
    fn a15_patterns_covering_names_under_a_domain() {
        let blob = "blob.core.windows.net";
        let cases: &[(&str, bool)] = &[
            ("*", true),
            ("*.core.windows.net", true),
            ("*.windows.net", true),
            ("*.Blob.core.windows.net", true),
            ("*.x.blob.core.windows.net", true),
            ("*windows.net", true),
            ("*ob.core.windows.net", true),
            ("*acct.blob.core.windows.net", true),
            ("*.acct.blob.core.windows.net", true),
            ("acct.blob.core.windows.net", true),
            ("blob.core.windows.net", false),
            ("*.file.core.windows.net", false),
            ("*xblob.core.windows.net", false),
            ("*.net", true),
            ("*.azurewebsites.net", false),
            ("pypi.org", false),
        ];
        for &(pattern, expected) in cases {
            assert_eq!(NamePattern::parse(pattern).unwrap().covers_names_under(blob), expected, "{pattern}");
        }
    }

    #[test]
    fn wildcard_heads_and_parents() {
        let w = NamePattern::parse("*.eastus.x").unwrap();
        assert_eq!(w.wildcard_head("ci1.eastus.x"), Some("ci1"));
        assert_eq!(w.wildcard_head("a.b.eastus.x"), Some("a.b"));
        assert_eq!(w.wildcard_head("eastus.x"), None);
        assert_eq!(NamePattern::parse("eastus.x").unwrap().wildcard_head("a.eastus.x"), None);
        assert_eq!(parents("a.b.c").collect::<Vec<_>>(), [("a", "b.c"), ("a.b", "c")]);
        assert_eq!(parents("c").count(), 0);
    }
}
