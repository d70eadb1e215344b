//! Finishing workspace managed networks (A-14..A-17) once their objects are resolved: the
//! managed VNet's own private DNS, the record of what Azure added, and where managed-only
//! workloads may live.

use super::Resolver;
use crate::managed::ManagedPlan;
use vnetsim_model::*;

impl Resolver<'_> {
    pub(super) fn managed_networks(&mut self, plans: &[ManagedPlan]) {
        for plan in plans {
            let (Some(workspace), Some(vnet), Some(subnet)) = (
                self.services.get(&plan.workspace.value),
                self.vnets.get(&plan.vnet),
                self.subnets.get(&format!("{}/compute", plan.vnet)),
            ) else {
                continue; // a problem with the generated objects was reported already
            };
            let firewall = plan
                .firewall
                .as_ref()
                .and_then(|name| self.s.firewalls.iter().position(|f| &f.name == name))
                .map(FirewallId::from_index);
            for name in &plan.private_endpoints {
                if let Some(i) = self.s.private_endpoints.iter().position(|p| &p.name == name) {
                    self.register_in_managed_zones(PrivateEndpointId::from_index(i), vnet);
                }
            }
            self.s.managed_networks.push(ManagedNetwork {
                workspace,
                mode: plan.mode,
                vnet,
                subnet,
                firewall,
                rules: plan.rules.clone(),
            });
            // compute and deployments in the managed VNet are the workspace's.
            let s = &mut self.s;
            for e in s.endpoints.iter_mut().filter(|e| e.workspace.is_none()) {
                if e.nics.first().is_some_and(|n| s.nics[n.index()].subnet == subnet) {
                    e.workspace = Some(workspace);
                }
            }
        }
        self.check_online_deployments();
    }

    /// Azure runs the managed VNet's DNS: a private endpoint there registers in a privatelink
    /// zone linked to the managed VNet only, never in the customer's zones.
    fn register_in_managed_zones(&mut self, id: PrivateEndpointId, vnet: VnetId) {
        let pe = self.s.private_endpoint(id);
        let (target, address) = ((pe.target, pe.subresource), self.s.nic(pe.nic).private_ip);
        let names: Vec<String> = self
            .s
            .service_names
            .iter()
            .filter(|n| n.private_link == Some(target))
            .filter_map(|n| n.privatelink.clone())
            .collect();
        for privatelink in names {
            let Some(start) = privatelink.find("privatelink.") else { continue };
            let zone_name = &privatelink[start..];
            let only_managed = |z: &PrivateDnsZone| z.name == zone_name && z.links.iter().all(|l| l.vnet == vnet);
            let zone = match self.s.zones.iter().position(only_managed) {
                Some(z) => z,
                None => {
                    self.s.zones.push(PrivateDnsZone {
                        name: zone_name.to_string(),
                        links: vec![ZoneLink { vnet, nxdomain_redirect: false }],
                        records: Vec::new(),
                    });
                    self.s.zones.len() - 1
                }
            };
            let zone = &mut self.s.zones[zone];
            let name = zone.relative(&privatelink).unwrap_or("@").to_string();
            zone.records.push(DnsRecord { name, address, source: RecordSource::PrivateEndpoint(id) });
        }
    }

    /// managed online deployments live in a workspace managed VNet.
    fn check_online_deployments(&mut self) {
        let managed: Vec<SubnetId> = self.s.managed_networks.iter().map(|m| m.subnet).collect();
        for (i, nic) in self.s.nics.iter().enumerate() {
            let endpoint = self.s.endpoint(nic.endpoint);
            if endpoint.kind == EndpointKind::OnlineDeployment && nic.node == 0 && !managed.contains(&nic.subnet) {
                self.d.error_with_help(
                    self.nic_locs[i],
                    format!(
                        "online deployment `{}` is in subnet `{}`, not in a workspace managed VNet",
                        endpoint.name,
                        self.s.subnet_path(nic.subnet)
                    ),
                    "managed online deployments run in the workspace managed VNet: use `subnet: <workspace>-managed/compute` (A-11, A-14)",
                );
            }
        }
    }
}
