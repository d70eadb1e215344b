//! Network managers: network groups of VNets and the security admin rules applied to them
//! (N-16).

use super::{Names, Resolver};
use crate::decode::Sp;
use crate::raw::{RawAdminCollection, RawNetworkManager};
use indexmap::IndexMap;
use vnetsim_model::*;

impl Resolver<'_> {
    pub(super) fn network_managers(&mut self, raw: &[RawNetworkManager]) {
        let mut managers = Names::<()>::new("network manager");
        for m in raw {
            managers.define(&m.name, (), self.d);
            let mut groups = Names::<usize>::new("network group");
            let mut resolved_groups = Vec::new();
            for g in &m.groups {
                groups.define(&g.name, resolved_groups.len(), self.d);
                let members = g.members.iter().filter_map(|v| self.vnets.resolve(v, self.d)).collect();
                resolved_groups.push(NetworkGroup { name: g.name.value.clone(), members });
            }
            if let Some(second) = m.configurations.get(1) {
                self.d.error_with_help(
                    second.name.loc,
                    format!(
                        "network manager `{}` has a second security admin configuration `{}`",
                        m.name.value, second.name.value
                    ),
                    "Azure deploys one security admin configuration per region (AVNM FAQ), and a scenario is one region: put the rule collections in one configuration",
                );
            }
            let configurations = (m.configurations.iter().take(1))
                .map(|c| {
                    let mut names = Names::<()>::new("rule collection");
                    let collections = (c.collections.iter())
                        .filter_map(|rc| {
                            names.define(&rc.name, (), self.d);
                            self.admin_collection(rc, &groups)
                        })
                        .collect();
                    SecurityAdminConfiguration { name: c.name.value.clone(), collections }
                })
                .collect();
            self.s.network_managers.push(NetworkManager {
                name: m.name.value.clone(),
                groups: resolved_groups,
                configurations,
            });
        }
    }

    /// A rule collection: its target groups, then its rules, whose priorities are unique per
    /// direction (as in an NSG, N-4) and whose addresses are prefixes or service tags (no ASGs).
    fn admin_collection(&mut self, c: &RawAdminCollection, groups: &Names<usize>) -> Option<AdminRuleCollection> {
        let applies_to: Vec<usize> = c.applies_to.value.iter().filter_map(|g| groups.resolve(g, self.d)).collect();
        if c.applies_to.value.is_empty() {
            self.d.error(c.applies_to.loc, format!("rule collection `{}` applies to no network group", c.name.value));
        }
        let mut rule_names = Names::<()>::new("rule");
        let mut priorities: IndexMap<(Direction, u64), &str> = IndexMap::new();
        let mut rules = Vec::new();
        for r in &c.rules {
            rule_names.define(&r.name, (), self.d);
            if let Some(other) = priorities.insert((r.direction.value, r.priority.value), &r.name.value) {
                self.d.error(
                    r.priority.loc,
                    format!(
                        "duplicate priority {} for {} rules in rule collection `{}` (also used by `{other}`)",
                        r.priority.value, r.direction.value, c.name.value
                    ),
                );
            }
            let rule = self.rule(r, r.access.access());
            let asg =
                |field: &Sp<Vec<Sp<String>>>, m: &AddressMatch| matches!(m, AddressMatch::Asg(_)).then_some(field.loc);
            if let Some(loc) =
                rule.as_ref().and_then(|x| asg(&r.source, &x.source).or(asg(&r.destination, &x.destination)))
            {
                self.d.error_with_help(
                    loc,
                    format!("security admin rule `{}` names an ASG", r.name.value),
                    "security admin rules match IP prefixes or service tags, not application security groups",
                );
                continue;
            }
            rules.extend(rule.map(|rule| AdminRule { action: r.access, rule }));
        }
        Some(AdminRuleCollection { name: c.name.value.clone(), applies_to, rules })
    }
}
