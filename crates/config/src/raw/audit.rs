//! `audit:` as written: the sources the exfiltration audit protects and the scenario's word on
//! destinations (names unresolved; destination patterns checked for their wildcard only).

use super::opt;
use crate::decode::{self, Fields, Sp};
use crate::diagnostic::Diagnostics;
use crate::yaml::Node;
use vnetsim_model::name_pattern::NamePattern;

/// Every list is empty when `audit:` is absent: the built-in reading.
#[derive(Default)]
pub struct RawAudit {
    pub sources: Vec<Sp<String>>,
    pub read_only: Vec<Sp<String>>,
    pub write_capable: Vec<Sp<String>>,
    pub foreign: Vec<Sp<String>>,
}

/// Reads the optional top-level `audit:` block.
pub fn audit(scenario: &mut Fields<'_>, d: &mut Diagnostics) -> RawAudit {
    scenario.get("audit").and_then(|n| block(n, d)).unwrap_or_default()
}

fn block(node: &Node, d: &mut Diagnostics) -> Option<RawAudit> {
    let mut f = Fields::open(node, "audit", d)?;
    let names = |f: &mut Fields<'_>, key: &'static str, what: &'static str, d: &mut Diagnostics| {
        opt(f, key, d, |n, d| Some(decode::list(n, |n, d| decode::name(n, what, d), d))).unwrap_or_default()
    };
    let destinations = |f: &mut Fields<'_>, key: &'static str, d: &mut Diagnostics| {
        opt(f, key, d, |n, d| Some(decode::list(n, |n, d| destination(n, key, d), d))).unwrap_or_default()
    };
    let audit = RawAudit {
        sources: names(&mut f, "sources", "audit source", d),
        read_only: destinations(&mut f, "read_only", d),
        write_capable: destinations(&mut f, "write_capable", d),
        foreign: names(&mut f, "foreign", "foreign service", d),
    };
    f.finish(d);
    listed_twice(&audit, d);
    Some(audit)
}

/// A destination: an FQDN pattern, a service name or a service tag. Only a pattern's wildcard
/// can be checked before resolution: `*` may only lead it (`*`, `*.contoso.com`, `*contoso.com`,
/// F-9).
fn destination(node: &Node, key: &str, d: &mut Diagnostics) -> Option<Sp<String>> {
    let entry = decode::string(node, key, d)?;
    if NamePattern::parse(&entry.value).is_err() {
        d.error_with_help(
            entry.loc,
            format!("invalid {key} entry `{}`: `*` may only lead the pattern", entry.value),
            "write `*.contoso.com` for every name under contoso.com, `*contoso.com` for every name ending in it, or `*` for every name",
        );
        return None;
    }
    Some(entry)
}

/// A destination cannot be both read-only and write-capable: the later entry is the error.
fn listed_twice(audit: &RawAudit, d: &mut Diagnostics) {
    for r in &audit.read_only {
        let Some(w) = audit.write_capable.iter().find(|w| w.value.eq_ignore_ascii_case(&r.value)) else { continue };
        let (first, second) = if r.loc < w.loc { (r, w) } else { (w, r) };
        d.error(
            second.loc,
            format!(
                "`{}` is listed in both read_only and write_capable (first at line {})",
                second.value, first.loc.line
            ),
        );
    }
}
