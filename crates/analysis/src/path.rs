//! The objects a request crosses, for `via:` and `not_via:`: read from its steps by id, in
//! order. A step crosses its objects when it neither drops nor denies the packet, so a denied
//! request has crossed what it passed before the object that stopped it.

use vnetsim_engine::fabric::routes::RouteOrigin;
use vnetsim_engine::trace::Egress;
use vnetsim_engine::{Fabric, Step};
use vnetsim_model::{NicId, PathObject};

/// The objects `steps` cross, in the order they are first crossed.
pub fn crossed(fabric: &Fabric, steps: &[Step]) -> Vec<PathObject> {
    let mut path: Vec<PathObject> = Vec::new();
    for step in steps {
        if fabric.kind_and_verdict(step).1.blocks() {
            continue;
        }
        step_objects(fabric, step, |o| {
            if !path.contains(&o) {
                path.push(o);
            }
        });
    }
    path
}

/// Whether `path` crosses `object`: a route table is crossed by any of its routes, and a
/// peering by either side's link (a name stands for the pair of VNets).
pub fn crosses(fabric: &Fabric, path: &[PathObject], object: PathObject) -> bool {
    let s = &fabric.scenario;
    let pair = |p: vnetsim_model::PeeringId| {
        let p = &s.peerings[p.index()];
        if p.local < p.remote { (p.local, p.remote) } else { (p.remote, p.local) }
    };
    path.iter().any(|&crossed| match (object, crossed) {
        (PathObject::RouteTable(t), PathObject::Route { table, .. }) => t == table,
        (PathObject::Peering(a), PathObject::Peering(b)) => pair(a) == pair(b),
        _ => object == crossed,
    })
}

/// The objects one step is at or passes through.
fn step_objects(fabric: &Fabric, step: &Step, mut out: impl FnMut(PathObject)) {
    let s = &fabric.scenario;
    let subnet_of = |nic: NicId| PathObject::Subnet(s.nic(nic).subnet);
    // A NIC a packet passes through: its firewall, or the appliance whose NIC it is.
    let device = |nic: NicId| match fabric.firewall_of(nic) {
        Some(fw) => PathObject::Firewall(fw),
        None => PathObject::Appliance(s.nic(nic).endpoint),
    };
    match *step {
        Step::PlatformExempt { nic }
        | Step::Nsg { nic, .. }
        | Step::AdminRule { nic, .. }
        | Step::NsgFlowState { nic, .. }
        | Step::InboundNat { nic, .. }
        | Step::DeliveredToNic { nic }
        | Step::PeNsgBypassed { nic, .. } => out(subnet_of(nic)),
        Step::Route { subnet, route, private_endpoint } => {
            out(PathObject::Subnet(subnet));
            // A private endpoint's /32 route only leads to it: its own step crosses it.
            if let RouteOrigin::User { table, route } = fabric.route_table(subnet, private_endpoint).route(route).origin
            {
                out(PathObject::Route { table, route });
            }
        }
        Step::Peering { link, .. } => {
            // The step holds the receiving side's link; the path names the sender's, which
            // reads in the packet's direction (`spoke-to-hub` for spoke to hub).
            let p = &s.peerings[link.index()];
            out(PathObject::Peering(fabric.peering(p.remote, p.local).unwrap_or(link)));
        }
        Step::Appliance { nic, .. } | Step::Translation { nic, .. } | Step::Session { nic, .. } => {
            out(subnet_of(nic));
            out(device(nic));
        }
        Step::Egress { nic, egress } => {
            out(subnet_of(nic));
            match egress {
                Egress::Firewall(fw, _) => out(PathObject::Firewall(fw)),
                Egress::NatGateway(g, _) => out(PathObject::NatGateway(g)),
                Egress::LoadBalancer(lb, _) => out(PathObject::LoadBalancer(lb)),
                Egress::InstancePublicIp(_) | Egress::Return(_) | Egress::DefaultOutboundAccess | Egress::None => {}
            }
        }
        Step::Gateway { gateway, .. } => {
            let g = &s.gateways[gateway.index()];
            out(subnet_of(g.nic));
            out(PathObject::Gateway(gateway));
        }
        Step::PrivateEndpoint { pe, .. } => {
            out(subnet_of(s.private_endpoint(pe).nic));
            out(PathObject::PrivateEndpoint(pe));
        }
        Step::Firewall { firewall, .. } => {
            out(subnet_of(s.firewalls[firewall.index()].nic));
            out(PathObject::Firewall(firewall));
        }
        Step::LoadBalancer { lb, .. } => out(PathObject::LoadBalancer(lb)),
        Step::NextHopMissing { .. }
        | Step::DeliveredToInternet { .. }
        | Step::DeliveredToPlatform { .. }
        | Step::NoHost { .. }
        | Step::Unreachable { .. }
        | Step::Loop { .. }
        | Step::PathDiverges { .. }
        | Step::AsymmetricReturn { .. }
        | Step::Service { .. }
        | Step::ForeignServiceAddress { .. }
        | Step::ServiceAnswers { .. }
        | Step::DeliveredToService { .. }
        | Step::Asymmetric { .. } => {}
    }
}
