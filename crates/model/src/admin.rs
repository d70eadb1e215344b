//! Azure Virtual Network Manager: network groups and security admin rules (N-16).
//!
//! A network manager groups VNets (static members) and deploys one security admin
//! configuration: rule collections, each applying to some of the manager's groups, whose rules
//! the VNets' NICs evaluate before their NSGs. An admin rule matches on the same fields as an
//! NSG rule (N-1, N-2), so it holds one, and adds the action NSGs lack: `AlwaysAllow`.

use crate::{Access, NsgRule, VnetId};
use std::fmt;

/// N-16: what a matching admin rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdminAction {
    /// The packet goes on to the NSGs, which may still deny it.
    Allow,
    /// The packet passes; NSGs are not evaluated.
    AlwaysAllow,
    /// The packet is dropped; NSGs are not evaluated.
    Deny,
}

impl AdminAction {
    /// The words scenario files use, in the order the docs list them.
    pub const NAMES: [(&'static str, AdminAction); 3] =
        [("allow", AdminAction::Allow), ("always_allow", AdminAction::AlwaysAllow), ("deny", AdminAction::Deny)];

    pub fn name(self) -> &'static str {
        match self {
            AdminAction::Allow => "allow",
            AdminAction::AlwaysAllow => "always_allow",
            AdminAction::Deny => "deny",
        }
    }

    /// The allow bit of the rule's match fields, which the compiled NSG matcher keeps per rule:
    /// `Deny` denies, the two others let the packet pass.
    pub fn access(self) -> Access {
        match self {
            AdminAction::Deny => Access::Deny,
            AdminAction::Allow | AdminAction::AlwaysAllow => Access::Allow,
        }
    }
}

impl fmt::Display for AdminAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug)]
pub struct NetworkManager {
    pub name: String,
    pub groups: Vec<NetworkGroup>,
    /// Azure deploys one security admin configuration per region (AVNM FAQ); a scenario is
    /// one region, so there is at most one.
    pub configurations: Vec<SecurityAdminConfiguration>,
}

/// A network group with static members.
#[derive(Clone, Debug)]
pub struct NetworkGroup {
    pub name: String,
    pub members: Vec<VnetId>,
}

#[derive(Clone, Debug)]
pub struct SecurityAdminConfiguration {
    pub name: String,
    pub collections: Vec<AdminRuleCollection>,
}

#[derive(Clone, Debug)]
pub struct AdminRuleCollection {
    pub name: String,
    /// Indexes of the manager's `groups` the collection applies to.
    pub applies_to: Vec<usize>,
    pub rules: Vec<AdminRule>,
}

#[derive(Clone, Debug)]
pub struct AdminRule {
    pub action: AdminAction,
    /// Name, priority (1..4096), direction and match fields; `access` is `action.access()`.
    pub rule: NsgRule,
}

/// Where an admin rule is written: indexes of its manager, configuration, collection and rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AdminRuleRef {
    pub manager: u16,
    pub configuration: u16,
    pub collection: u16,
    pub rule: u16,
}

impl crate::Scenario {
    pub fn admin_rule(&self, r: AdminRuleRef) -> &AdminRule {
        let c = &self.network_managers[r.manager as usize].configurations[r.configuration as usize];
        &c.collections[r.collection as usize].rules[r.rule as usize]
    }

    /// `configuration/collection/rule`: the rule's path inside its manager, as `by:` names it
    /// after the manager.
    pub fn admin_rule_path(&self, r: AdminRuleRef) -> String {
        let c = &self.network_managers[r.manager as usize].configurations[r.configuration as usize];
        let collection = &c.collections[r.collection as usize];
        format!("{}/{}/{}", c.name, collection.name, collection.rules[r.rule as usize].rule.name)
    }
}
