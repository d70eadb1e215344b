//! Azure Virtual Network Manager instances as written: network groups and security admin
//! configurations with rule collections (N-16).

use super::{RawRule, each, each_named, rule_of};
use crate::decode::{self, Fields, Sp};
use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::yaml::Node;
use vnetsim_model::AdminAction;

pub struct RawNetworkManager {
    pub name: Sp<String>,
    pub groups: Vec<RawNetworkGroup>,
    pub configurations: Vec<RawAdminConfiguration>,
}

pub struct RawNetworkGroup {
    pub name: Sp<String>,
    /// VNet names (static membership).
    pub members: Vec<Sp<String>>,
}

pub struct RawAdminConfiguration {
    pub name: Sp<String>,
    pub collections: Vec<RawAdminCollection>,
}

pub struct RawAdminCollection {
    pub name: Sp<String>,
    /// Network group names of the same manager.
    pub applies_to: Sp<Vec<Sp<String>>>,
    pub rules: Vec<RawRule<AdminAction>>,
}

/// `network_managers:`.
pub fn network_managers(f: &mut Fields<'_>, d: &mut Diagnostics) -> Vec<RawNetworkManager> {
    each_named(f, "network_managers", "network managers", "network manager", d, network_manager)
}

fn network_manager(node: &Node, d: &mut Diagnostics) -> Option<RawNetworkManager> {
    let mut f = Fields::open(node, "network manager", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "network manager name", d));
    let groups = each(&mut f, "network_groups", "network groups", d, group);
    let configurations =
        each(&mut f, "security_admin_configurations", "security admin configurations", d, configuration);
    f.finish(d);
    Some(RawNetworkManager { name: name?, groups, configurations })
}

fn names(node: &Node, what: &str, d: &mut Diagnostics) -> Sp<Vec<Sp<String>>> {
    Sp { value: decode::list(node, |n, d| decode::name(n, what, d), d), loc: node.loc }
}

fn group(node: &Node, d: &mut Diagnostics) -> Option<RawNetworkGroup> {
    let mut f = Fields::open(node, "network group", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "network group name", d));
    let members = f.get("members").map(|n| names(n, "VNet name", d).value).unwrap_or_default();
    f.finish(d);
    Some(RawNetworkGroup { name: name?, members })
}

fn configuration(node: &Node, d: &mut Diagnostics) -> Option<RawAdminConfiguration> {
    let mut f = Fields::open(node, "security admin configuration", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "configuration name", d));
    let collections = each(&mut f, "rule_collections", "rule collections", d, collection);
    f.finish(d);
    Some(RawAdminConfiguration { name: name?, collections })
}

fn collection(node: &Node, d: &mut Diagnostics) -> Option<RawAdminCollection> {
    let mut f = Fields::open(node, "rule collection", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "rule collection name", d));
    let applies_to = f.require("applies_to", d).map(|n| names(n, "network group name", d));
    let rules =
        each(&mut f, "rules", "security admin rules", d, |n, d| rule_of(n, "security admin rule", 1, d, action));
    f.finish(d);
    Some(RawAdminCollection { name: name?, applies_to: applies_to?, rules })
}

/// A rule's `access`: `allow`, `always_allow` or `deny` (N-16), with a "did you mean" for the
/// spellings Azure's own files use (`AlwaysAllow`).
fn action(node: &Node, d: &mut Diagnostics) -> Option<AdminAction> {
    let text = decode::string(node, "access", d)?;
    let words = AdminAction::NAMES.map(|(w, _)| w);
    if let Some((_, a)) = AdminAction::NAMES.iter().find(|(w, _)| w.eq_ignore_ascii_case(&text.value)) {
        return Some(*a);
    }
    let expected = format!("expected one of: {}", words.join(", "));
    let help = match did_you_mean(&text.value, words) {
        Some(w) => format!("did you mean `{w}`? {expected}"),
        None => expected,
    };
    d.error_with_help(text.loc, format!("invalid access `{}` for a security admin rule", text.value), help);
    None
}
