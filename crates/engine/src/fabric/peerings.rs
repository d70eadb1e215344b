//! Compile step 1: the peering links and what crosses them, indexed once so later
//! steps never scan the peering list per subnet or per link.

use rustc_hash::{FxHashMap, FxHashSet};
use vnetsim_model::{GatewayId, PeeringId, Scenario, VnetId};

#[derive(Debug, Default)]
pub(super) struct PeeringIndex {
    /// Links whose reverse link exists (R-15 `Connected`), by `(local, remote)`.
    pub links: FxHashMap<(VnetId, VnetId), PeeringId>,
    /// Links without a reverse link (R-15 `Initiated`).
    pub initiated: FxHashMap<(VnetId, VnetId), PeeringId>,
    /// Connected links out of each VNet, in file order.
    pub connected_by_vnet: Vec<Vec<PeeringId>>,
    /// Per link: R-16, the local side uses the remote's gateway and the remote side allows
    /// transit.
    pub transit: Vec<bool>,
}

impl PeeringIndex {
    pub fn build(scenario: &Scenario) -> PeeringIndex {
        let declared: FxHashSet<(VnetId, VnetId)> = scenario.peerings.iter().map(|p| (p.local, p.remote)).collect();
        let allows_transit: FxHashSet<(VnetId, VnetId)> =
            scenario.peerings.iter().filter(|p| p.allow_gateway_transit).map(|p| (p.local, p.remote)).collect();
        let mut index =
            PeeringIndex { connected_by_vnet: vec![Vec::new(); scenario.vnets.len()], ..PeeringIndex::default() };
        for (i, p) in scenario.peerings.iter().enumerate() {
            let id = PeeringId::from_index(i);
            if declared.contains(&(p.remote, p.local)) {
                index.links.insert((p.local, p.remote), id);
                index.connected_by_vnet[p.local.index()].push(id);
            } else {
                index.initiated.insert((p.local, p.remote), id);
            }
            index.transit.push(p.use_remote_gateways && allows_transit.contains(&(p.remote, p.local)));
        }
        index
    }

    /// per VNet, the gateways whose on-premises prefixes its subnets learn: its own, and
    /// those of connected peers it uses by transit, in gateway order.
    pub fn gateways_by_vnet(&self, scenario: &Scenario) -> Vec<Vec<GatewayId>> {
        let mut own: Vec<Vec<GatewayId>> = vec![Vec::new(); scenario.vnets.len()];
        for (i, g) in scenario.gateways.iter().enumerate() {
            own[g.vnet.index()].push(GatewayId::from_index(i));
        }
        (0..scenario.vnets.len())
            .map(|v| {
                let transit = (self.connected_by_vnet[v].iter())
                    .filter(|l| self.transit[l.index()])
                    .flat_map(|l| &own[scenario.peerings[l.index()].remote.index()]);
                let mut gateways: Vec<GatewayId> = own[v].iter().chain(transit).copied().collect();
                gateways.sort_unstable_by_key(|g| g.index());
                gateways.dedup();
                gateways
            })
            .collect()
    }

    /// per VNet, the gateway it reaches on premises through, its own (the last one
    /// declared) or, failing that, the one of a peer it uses by transit.
    pub fn gateway_of_vnet(&self, scenario: &Scenario) -> Vec<Option<GatewayId>> {
        let mut gateway_of_vnet: Vec<Option<GatewayId>> = vec![None; scenario.vnets.len()];
        for (i, g) in scenario.gateways.iter().enumerate() {
            gateway_of_vnet[g.vnet.index()] = Some(GatewayId::from_index(i));
        }
        for (i, p) in scenario.peerings.iter().enumerate() {
            if gateway_of_vnet[p.local.index()].is_none() && self.transit[i] {
                gateway_of_vnet[p.local.index()] = gateway_of_vnet[p.remote.index()];
            }
        }
        gateway_of_vnet
    }
}
