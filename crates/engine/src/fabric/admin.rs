//! Security admin rules (N-16) compiled per subnet: the rules of every collection whose network
//! groups hold the subnet's VNet, in one NSG-shaped classifier for the subnet's tag context.
//!
//! Where Azure does not apply them: the NICs of private endpoints (AVNM FAQ, "Do security admin
//! rules apply to Azure private endpoints?") and subnets holding an Azure Firewall, Bastion or
//! a virtual network gateway ("Nonapplication of security admin rules at subnet level").

use super::nsg::{CompiledRules, NO_MATCHING_RULE, TagContext, compile_rules};
use crate::addr_set::AddrSet;
use crate::options::Options;
use crate::packet::Packet;
use rustc_hash::FxHashMap;
use vnetsim_model::*;

/// Index of a compiled admin rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AdminInstance(pub u32);

/// The admin rules applying to one VNet, compiled for one VirtualNetwork set.
#[derive(Clone, Debug)]
pub struct CompiledAdmin {
    /// Each compiled rule's admin rule, by the index [`CompiledRules::evaluate`] returns.
    pub refs: Vec<AdminRuleRef>,
    actions: Vec<AdminAction>,
    rules: CompiledRules,
}

impl CompiledAdmin {
    /// N-16: the first admin rule in priority order matching the packet, as an index of
    /// `refs`; `None` when none does (the NSGs decide).
    #[inline]
    pub fn evaluate(&self, direction: Direction, packet: &Packet) -> Option<u16> {
        let (_, rule) = self.rules.evaluate(direction, packet, false);
        (rule != NO_MATCHING_RULE).then_some(rule)
    }

    pub fn action(&self, rule: u16) -> AdminAction {
        self.actions[rule as usize]
    }

    pub fn cut(&self, c: &mut super::cuts::Cuts) {
        self.rules.cut(c);
    }
}

/// Builds admin instances while step 2 walks the subnets, once per (VNet, VirtualNetwork set).
pub(super) struct AdminCompiler<'s> {
    scenario: &'s Scenario,
    options: &'s Options,
    /// Per VNet: its admin rules in file order (manager, collection, rule); compiling sorts them
    /// by priority, stably, so equal priorities keep that order.
    by_vnet: Vec<Vec<AdminRuleRef>>,
    /// Per subnet: it holds an Azure Firewall, a Bastion or a virtual network gateway, whose
    /// subnets Azure leaves out.
    exempt: Vec<bool>,
    instance_of: FxHashMap<(VnetId, AddrSet), AdminInstance>,
    pub instances: Vec<CompiledAdmin>,
}

impl<'s> AdminCompiler<'s> {
    pub fn new(scenario: &'s Scenario, options: &'s Options) -> Self {
        let mut by_vnet = vec![Vec::new(); scenario.vnets.len()];
        for (m, manager) in scenario.network_managers.iter().enumerate() {
            for (k, configuration) in manager.configurations.iter().enumerate() {
                for (c, collection) in configuration.collections.iter().enumerate() {
                    let mut vnets: Vec<VnetId> =
                        collection.applies_to.iter().flat_map(|g| &manager.groups[*g].members).copied().collect();
                    vnets.sort_unstable_by_key(|v| v.index());
                    vnets.dedup();
                    for v in vnets {
                        by_vnet[v.index()].extend((0..collection.rules.len()).map(|r| AdminRuleRef {
                            manager: m as u16,
                            configuration: k as u16,
                            collection: c as u16,
                            rule: r as u16,
                        }));
                    }
                }
            }
        }
        let mut exempt = vec![false; scenario.subnets.len()];
        for n in &scenario.nics {
            exempt[n.subnet.index()] |= matches!(
                scenario.endpoint(n.endpoint).kind,
                EndpointKind::Firewall | EndpointKind::Bastion | EndpointKind::Gateway
            );
        }
        AdminCompiler { scenario, options, by_vnet, exempt, instance_of: FxHashMap::default(), instances: Vec::new() }
    }

    /// The admin rules NICs of `subnet` evaluate, compiled in its tag context.
    pub fn instance(&mut self, subnet: SubnetId, ctx: &TagContext<'_>) -> Option<AdminInstance> {
        let s = self.scenario;
        let vnet = s.subnet(subnet).vnet;
        if self.by_vnet[vnet.index()].is_empty() || self.exempt[subnet.index()] {
            return None;
        }
        let key = (vnet, ctx.virtual_network.clone());
        if let Some(i) = self.instance_of.get(&key) {
            return Some(*i);
        }
        let refs = self.by_vnet[vnet.index()].clone();
        let rules: Vec<NsgRule> = refs.iter().map(|r| s.admin_rule(*r).rule.clone()).collect();
        let actions = refs.iter().map(|r| s.admin_rule(*r).action).collect();
        let compiled = compile_rules(s, &rules, ctx, self.options);
        self.instances.push(CompiledAdmin { refs, actions, rules: compiled });
        let i = AdminInstance(self.instances.len() as u32 - 1);
        self.instance_of.insert(key, i);
        Some(i)
    }
}
