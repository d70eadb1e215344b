//! Words for security admin rules (N-16).

use super::rule_words;
use vnetsim_engine::Fabric;
use vnetsim_engine::fabric::admin::AdminInstance;
use vnetsim_model::{AdminAction, Direction};

/// The headline and sentence of a [`vnetsim_engine::trace::Step::AdminRule`] with these fields.
pub(super) fn words(f: &Fabric, direction: Direction, instance: AdminInstance, rule: u16) -> (Option<String>, String) {
    let s = &f.scenario;
    let at = f.admin_instance(instance).refs[rule as usize];
    let (manager, path) = (&s.network_managers[at.manager as usize].name, s.admin_rule_path(at));
    let admin = s.admin_rule(at);
    let r = &admin.rule;
    let effect = match admin.action {
        AdminAction::Allow => "Allow: the NSGs still judge the packet",
        AdminAction::AlwaysAllow => "AlwaysAllow: the packet passes and the NSGs are not evaluated",
        AdminAction::Deny => "Deny: the packet is dropped and the NSGs are not evaluated",
    };
    (
        Some(format!(
            "network_manager {manager} admin rule {path} priority {} {direction} {}",
            r.priority, admin.action
        )),
        format!(
            "{direction} security admin rule {}; admin rules of the VNet's network groups are evaluated before NSGs, first match by priority; {effect} (N-16)",
            rule_words(s, r, admin.action)
        ),
    )
}
