//! VNets, subnets, NSGs, route tables, peerings, NICs, machines, public IPs, NAT gateways, bastions, VPN gateways.

use super::Ctx;

pub(super) fn map(ctx: &mut Ctx) {
    let _ = ctx;
}
