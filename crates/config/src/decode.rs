//! Typed reading of located YAML nodes, collecting every problem as a diagnostic.
//!
//! Readers return `Option`: `None` means "a diagnostic was recorded", so callers carry on and
//! later problems are still found.

use crate::diagnostic::{Diagnostics, Loc, did_you_mean};
use crate::yaml::{Node, NodeKind};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use vnetsim_model::{IpAddr, IpNet, PortRange, PortSet};

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub loc: Loc,
}

/// The most keys a mapping may have for its duplicate check to compare them pairwise.
const SMALL_MAPPING: usize = 16;

/// The keys of one mapping, handed out one by one; whatever is left at [`Fields::finish`] is an
/// unknown key.
pub struct Fields<'n> {
    what: &'static str,
    loc: Loc,
    entries: &'n [(Node<'n>, Node<'n>)],
    used: Vec<bool>,
    known: Vec<&'static str>,
}

impl<'n> Fields<'n> {
    /// Opens `node` as the mapping of a `what` (e.g. "subnet"), reporting duplicate keys.
    pub fn open(node: &'n Node<'n>, what: &'static str, d: &mut Diagnostics) -> Option<Fields<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            d.error(node.loc, format!("expected a mapping for {what}, found {}", node.describe()));
            return None;
        };
        // Scenario mappings are small, and comparing their keys pairwise is cheaper than hashing
        // them; a large one is hashed.
        let mut seen: HashMap<&str, Loc> = HashMap::new();
        for (i, (k, _)) in entries.iter().enumerate() {
            let Some(key) = k.as_scalar() else { continue };
            let first = if entries.len() <= SMALL_MAPPING {
                entries[..i].iter().find(|(f, _)| f.as_scalar() == Some(key)).map(|(f, _)| f.loc)
            } else {
                match seen.entry(key) {
                    Entry::Occupied(e) => Some(*e.get()),
                    Entry::Vacant(e) => {
                        e.insert(k.loc);
                        None
                    }
                }
            };
            if let Some(first) = first {
                d.error(k.loc, format!("duplicate key `{key}` in {what} (first at line {})", first.line));
            }
        }
        Some(Fields { what, loc: node.loc, entries, used: vec![false; entries.len()], known: Vec::new() })
    }

    pub fn loc(&self) -> Loc {
        self.loc
    }

    /// The value of `key`, if present and not null.
    pub fn get(&mut self, key: &'static str) -> Option<&'n Node<'n>> {
        self.known.push(key);
        let i = self.entries.iter().position(|(k, _)| k.as_scalar() == Some(key))?;
        self.used[i] = true;
        let value = &self.entries[i].1;
        (!value.is_null()).then_some(value)
    }

    /// Whether `key` is written (even as null).
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.as_scalar() == Some(key))
    }

    /// The value of a key that must be present.
    pub fn require(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<&'n Node<'n>> {
        let value = self.get(key);
        if value.is_none() {
            d.error(self.loc, format!("missing key `{key}` in {}", self.what));
        }
        value
    }

    /// Reports every key that no reader asked for.
    pub fn finish(self, d: &mut Diagnostics) {
        for ((key, _), used) in self.entries.iter().zip(&self.used) {
            let name = key.as_scalar().unwrap_or("?");
            // A second copy of a known key was already reported as a duplicate.
            if *used || self.known.contains(&name) {
                continue;
            }
            let expected = self.known.join(", ");
            match did_you_mean(name, self.known.iter().copied()) {
                Some(s) => d.error_with_help(
                    key.loc,
                    format!("unknown key `{name}` in {}", self.what),
                    format!("did you mean `{s}`? expected one of: {expected}"),
                ),
                None => d.error_with_help(
                    key.loc,
                    format!("unknown key `{name}` in {}", self.what),
                    format!("expected one of: {expected}"),
                ),
            }
        }
    }
}

/// A non-empty string scalar on one line. Names, labels and values reach every report, so a
/// control character (a newline, ESC, BEL, NUL) would split a report's lines or drive the
/// terminal: refused here, where the file can say where it is.
pub fn string(node: &Node, what: &str, d: &mut Diagnostics) -> Option<Sp<String>> {
    let s = text(node, what, d)?;
    if let Some(c) = s.value.chars().find(|c| c.is_control()) {
        d.error_with_help(
            s.loc,
            format!("{what} holds the control character {}", c.escape_debug()),
            "write it on one line, in printable characters",
        );
        return None;
    }
    Some(s)
}

/// A non-empty string scalar that may span lines (a description).
pub fn text(node: &Node, what: &str, d: &mut Diagnostics) -> Option<Sp<String>> {
    match &node.kind {
        NodeKind::Scalar { text, .. } if !text.trim().is_empty() => {
            Some(Sp { value: text.trim().to_string(), loc: node.loc })
        }
        NodeKind::Scalar { .. } if !node.is_null() => {
            d.error_with_help(
                node.loc,
                format!("{what} is empty"),
                "write a value between the quotes, or leave the key out",
            );
            None
        }
        _ => {
            d.error(node.loc, format!("expected a string for {what}, found {}", node.describe()));
            None
        }
    }
}

/// A resource name: Azure's 1–80 characters of letters, digits, `-`, `_` and `.`.
pub fn name(node: &Node, what: &str, d: &mut Diagnostics) -> Option<Sp<String>> {
    let s = string(node, what, d)?;
    let ok = s.value.len() <= 80 && s.value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !ok {
        d.error(s.loc, format!("invalid {what} `{}`: use up to 80 letters, digits, `-`, `_` and `.`", s.value));
        return None;
    }
    Some(s)
}

pub fn boolean(node: &Node, what: &str, d: &mut Diagnostics) -> Option<bool> {
    match &node.kind {
        NodeKind::Scalar { text, plain: true } if text == "true" => Some(true),
        NodeKind::Scalar { text, plain: true } if text == "false" => Some(false),
        _ => {
            d.error(
                node.loc,
                format!("expected true or false for {what}, found `{}`", node.as_scalar().unwrap_or(node.describe())),
            );
            None
        }
    }
}

/// An integer in `min..=max`.
pub fn integer(node: &Node, what: &str, min: u64, max: u64, d: &mut Diagnostics) -> Option<Sp<u64>> {
    // Read wide, so `-1` or a 30-digit number is out of range rather than "not a number".
    let parsed = node.as_scalar().and_then(|t| t.trim().parse::<i128>().ok());
    match parsed {
        Some(v) if (i128::from(min)..=i128::from(max)).contains(&v) => Some(Sp { value: v as u64, loc: node.loc }),
        Some(v) => {
            d.error(node.loc, format!("{what} {v} is out of range {min}..={max}"));
            None
        }
        None => {
            d.error(
                node.loc,
                format!("expected a whole number for {what}, found `{}`", node.as_scalar().unwrap_or(node.describe())),
            );
            None
        }
    }
}

/// One of a fixed set of words (case-insensitive), returning the value `choices` gives it.
pub fn choice<T: Copy>(node: &Node, what: &str, choices: &[(&str, T)], d: &mut Diagnostics) -> Option<Sp<T>> {
    let text = string(node, what, d)?;
    match choices.iter().find(|(word, _)| word.eq_ignore_ascii_case(&text.value)) {
        Some((_, value)) => Some(Sp { value: *value, loc: text.loc }),
        None => {
            let words: Vec<&str> = choices.iter().map(|(word, _)| *word).collect();
            d.error_with_help(
                text.loc,
                format!("invalid {what} `{}`", text.value),
                format!("expected one of: {}", words.join(", ")),
            );
            None
        }
    }
}

pub fn ip(node: &Node, what: &str, d: &mut Diagnostics) -> Option<Sp<IpAddr>> {
    let text = string(node, what, d)?;
    match parse_ip(&text.value) {
        Ok(ip) => Some(Sp { value: ip, loc: text.loc }),
        Err(message) => {
            d.error(text.loc, format!("{what}: {message}"));
            None
        }
    }
}

/// [`ip`] for a place of the IPv4-only model: an IPv6 address is refused.
pub fn ipv4(node: &Node, what: &str, d: &mut Diagnostics) -> Option<Sp<IpAddr>> {
    let text = string(node, what, d)?;
    match parse_ipv4(&text.value) {
        Ok(ip) => Some(Sp { value: ip, loc: text.loc }),
        Err(message) => {
            d.error(text.loc, format!("{what}: {message}"));
            None
        }
    }
}

/// What the messages about an IPv6 value in the IPv4-only model say.
pub const IPV6_NOT_MODELLED: &str = "IPv6 is not modelled yet";

/// An IPv4 or IPv6 address, refusing IPv4 octets with leading zeros.
pub fn parse_ip(text: &str) -> Result<IpAddr, String> {
    if let Some(message) = leading_zeros(text, "IP address") {
        return Err(message);
    }
    text.parse::<IpAddr>().map_err(|_| format!("invalid IP address `{text}`"))
}

/// [`parse_ip`] for a place of the IPv4-only model (a next hop, a packet's address).
pub fn parse_ipv4(text: &str) -> Result<IpAddr, String> {
    match parse_ip(text)? {
        IpAddr::V6(_) => Err(format!("`{text}` is an IPv6 address: {IPV6_NOT_MODELLED}")),
        ip => Ok(ip),
    }
}

/// The error for an IPv4 address written with a leading zero in an octet (`010.0.0.0/16`).
/// Azure refuses such addresses: some parsers read `010` as octal 8, others as decimal 10.
fn leading_zeros(text: &str, what: &str) -> Option<String> {
    let (address, length) = match text.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (text, None),
    };
    if address.contains(':') || !address.contains('.') {
        return None;
    }
    let octets: Vec<&str> = address.split('.').collect();
    let bad = octets.iter().find(|o| o.len() > 1 && o.starts_with('0') && o.bytes().all(|b| b.is_ascii_digit()))?;
    let fixed: Vec<&str> =
        octets.iter().map(|o| if o.bytes().all(|b| b == b'0') { "0" } else { o.trim_start_matches('0') }).collect();
    let fixed = fixed.join(".") + &length.map_or(String::new(), |l| format!("/{l}"));
    Some(format!(
        "invalid {what} `{text}`: octet `{bad}` has a leading zero, which Azure refuses (did you mean {fixed}?)"
    ))
}

/// Parses `a.b.c.d/n` (or a bare address as a host prefix) strictly: host bits must be zero.
pub fn parse_prefix(text: &str) -> Result<IpNet, String> {
    if let Some(message) = leading_zeros(text, "prefix") {
        return Err(message);
    }
    let net = match text.parse::<IpNet>() {
        Ok(net) => net,
        Err(_) => match text.parse::<IpAddr>() {
            Ok(ip) => IpNet::from(ip),
            Err(_) => return Err(format!("invalid prefix `{text}`")),
        },
    };
    if net.trunc() != net {
        return Err(format!("invalid prefix `{text}`: host bits are set (did you mean {}?)", net.trunc()));
    }
    Ok(net)
}

/// [`parse_prefix`] for the IPv4-only model's rules and routes: an IPv6 prefix is refused.
pub fn parse_ipv4_prefix(text: &str) -> Result<IpNet, String> {
    match parse_prefix(text)? {
        IpNet::V6(_) => Err(format!("`{text}` is an IPv6 prefix: {IPV6_NOT_MODELLED}")),
        net => Ok(net),
    }
}

pub fn prefix(node: &Node, what: &str, d: &mut Diagnostics) -> Option<Sp<IpNet>> {
    let text = string(node, what, d)?;
    match parse_prefix(&text.value) {
        Ok(net) => Some(Sp { value: net, loc: text.loc }),
        Err(message) => {
            d.error(text.loc, format!("{what}: {message}"));
            None
        }
    }
}

/// A list, or a single item standing for a one-item list. Items that fail are left out.
pub fn list<T>(node: &Node, mut item: impl FnMut(&Node, &mut Diagnostics) -> Option<T>, d: &mut Diagnostics) -> Vec<T> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().filter_map(|n| item(n, d)).collect(),
        _ => item(node, d).into_iter().collect(),
    }
}

/// How many items a list (or a single item standing for one) holds as written.
pub fn list_len(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Seq(items) => items.len(),
        _ => 1,
    }
}

/// The `name:` of a mapping as written, without checking it; for skipping what depends on an
/// object that was left out.
pub fn name_of<'n>(node: &'n Node<'n>) -> Option<&'n str> {
    let NodeKind::Map(entries) = &node.kind else { return None };
    let (_, value) = entries.iter().find(|(k, _)| k.as_scalar() == Some("name"))?;
    value.as_scalar().map(str::trim).filter(|n| !n.is_empty())
}

/// A list of mappings (`what` entries). A lone mapping is an error here: lists of objects are
/// always written as lists.
pub fn objects<'n>(node: &'n Node<'n>, what: &str, d: &mut Diagnostics) -> &'n [Node<'n>] {
    match &node.kind {
        NodeKind::Seq(items) => items,
        _ => {
            d.error(node.loc, format!("expected a list of {what}, found {}", node.describe()));
            &[]
        }
    }
}

/// N-1 port syntax: `*`, `443`, `10000-10005`, a comma list `80, 443`, or a YAML list of those.
pub fn ports(node: &Node, what: &str, d: &mut Diagnostics) -> Option<PortSet> {
    let mut ranges = Vec::new();
    let mut ok = true;
    for part in list(node, |n, d| string(n, what, d), d) {
        for piece in part.value.split(',').map(str::trim) {
            match parse_port_range(piece) {
                Some(r) => ranges.push(r),
                None => {
                    ok = false;
                    d.error(
                        part.loc,
                        format!("invalid port or range `{piece}` in {what}: use `*`, `443`, or `1000-2000` (0-65535)"),
                    );
                }
            }
        }
    }
    (ok && !ranges.is_empty()).then(|| PortSet::new(ranges))
}

/// A comma list of ports and ranges, as `port_ranges: 80, 8080-8089` writes it.
pub fn parse_port_list(text: &str) -> Option<PortSet> {
    let ranges: Option<Vec<PortRange>> = text.split(',').map(|p| parse_port_range(p.trim())).collect();
    ranges.filter(|r| !r.is_empty()).map(PortSet::new)
}

fn parse_port_range(s: &str) -> Option<PortRange> {
    if s == "*" || s.eq_ignore_ascii_case("any") {
        return Some(PortRange::ANY);
    }
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (first, last) = (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?);
    (first <= last).then_some(PortRange { first, last })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn node(src: &str) -> Node<'_> {
        let mut d = Diagnostics::new("t");
        parse(src, &mut d).unwrap()
    }

    #[test]
    fn prefixes_with_host_bits_are_rejected_with_a_suggestion() {
        assert_eq!(
            parse_prefix("10.0.1.5/24").unwrap_err(),
            "invalid prefix `10.0.1.5/24`: host bits are set (did you mean 10.0.1.0/24?)"
        );
        assert_eq!(parse_prefix("10.0.1.5").unwrap().to_string(), "10.0.1.5/32");
        assert!(parse_prefix("10.0.300.0/24").is_err());
        assert!(parse_prefix("10.0.0.0/33").is_err());
    }

    #[test]
    fn port_syntax_follows_n1() {
        let mut d = Diagnostics::new("t");
        let set = ports(&node("'80, 10000-10005'"), "ports", &mut d).unwrap();
        assert_eq!(set.to_string(), "80,10000-10005");
        assert!(ports(&node("'*'"), "ports", &mut d).unwrap().is_any());
        assert_eq!(ports(&node("[443, 8443]"), "ports", &mut d).unwrap().to_string(), "443,8443");
        assert!(d.is_empty());
        assert!(ports(&node("'70000'"), "ports", &mut d).is_none());
        assert!(ports(&node("'20-10'"), "ports", &mut d).is_none());
        assert_eq!(d.into_sorted().len(), 2);
    }

    #[test]
    fn unknown_and_duplicate_keys_are_all_reported() {
        let mut d = Diagnostics::new("t");
        let n = node("name: a\nnmae: b\nname: c\n");
        let mut f = Fields::open(&n, "vnet", &mut d).unwrap();
        f.get("name");
        f.get("address_space");
        f.finish(&mut d);
        let list = d.into_sorted();
        assert_eq!(list.len(), 2, "{list:?}");
        assert_eq!(list[0].message, "unknown key `nmae` in vnet");
        assert!(list[0].help.as_deref().unwrap().starts_with("did you mean `name`?"));
        assert_eq!(list[1].message, "duplicate key `name` in vnet (first at line 1)");
    }

    #[test]
    fn duplicate_keys_of_a_large_mapping_are_reported_too() {
        let mut d = Diagnostics::new("t");
        let keys: String = (0..SMALL_MAPPING).map(|i| format!("k{i}: 1\n")).collect();
        let src = format!("{keys}k3: 2\nk3: 3\n");
        let n = node(&src);
        Fields::open(&n, "vnet", &mut d).unwrap();
        let messages: Vec<String> =
            d.into_sorted().into_iter().map(|d| format!("{}: {}", d.loc.line, d.message)).collect();
        let line = SMALL_MAPPING + 1;
        assert_eq!(
            messages,
            [
                format!("{line}: duplicate key `k3` in vnet (first at line 4)"),
                format!("{}: duplicate key `k3` in vnet (first at line 4)", line + 1),
            ]
        );
    }
}
