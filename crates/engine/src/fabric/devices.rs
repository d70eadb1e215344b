//! Compile step 4: the devices on the paths, by the addresses packets meet them at.

use rustc_hash::FxHashMap;
use vnetsim_model::*;

/// Lookups for firewalls, NAT gateways and load balancers.
#[derive(Debug, Default)]
pub(super) struct Devices {
    pub firewall_by_public_ip: FxHashMap<IpAddr, FirewallId>,
    pub nat_gateway_by_public_ip: FxHashMap<IpAddr, NatGatewayId>,
    pub public_lb_by_frontend: FxHashMap<IpAddr, LoadBalancerId>,
    pub internal_lb_by_frontend: FxHashMap<(VnetId, IpAddr), LoadBalancerId>,
    /// Per endpoint: the public load balancer whose outbound rules SNAT it (O-1 item 4).
    pub outbound_lb: FxHashMap<EndpointId, LoadBalancerId>,
    /// Per endpoint: the public frontend that reaches it from the internet.
    pub public_frontend: FxHashMap<EndpointId, IpAddr>,
}

impl Devices {
    pub fn build(scenario: &Scenario) -> Devices {
        let mut d = Devices::default();
        for (i, fw) in scenario.firewalls.iter().enumerate() {
            let id = FirewallId::from_index(i);
            for ip in &fw.public_ips {
                d.firewall_by_public_ip.insert(*ip, id);
            }
        }
        for (i, nat) in scenario.nat_gateways.iter().enumerate() {
            for ip in &nat.public_ips {
                d.nat_gateway_by_public_ip.insert(*ip, NatGatewayId::from_index(i));
            }
        }
        for (i, lb) in scenario.load_balancers.iter().enumerate() {
            let id = LoadBalancerId::from_index(i);
            match lb.subnet {
                Some(subnet) => {
                    d.internal_lb_by_frontend.insert((scenario.subnet(subnet).vnet, lb.frontend), id);
                }
                None => {
                    d.public_lb_by_frontend.insert(lb.frontend, id);
                    for &e in &lb.backends {
                        d.public_frontend.entry(e).or_insert(lb.frontend);
                        if lb.outbound_snat {
                            d.outbound_lb.entry(e).or_insert(id);
                        }
                    }
                }
            }
        }
        d
    }
}
