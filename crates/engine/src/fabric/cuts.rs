//! The header space cut along every boundary the fabric's predicates draw: each prefix, address
//! and port range a route, NSG rule, firewall rule, load balancer, translation, service or
//! special range holds. Between two cuts every predicate of the walk answers the same way, so
//! one representative packet decides for the whole piece (the exhaustive reachability of
//! `analysis::reach`). IPv4 destinations only: scenarios address IPv4.

use super::Fabric;
use crate::addr_set::AddrSet;
use vnetsim_model::{IpAddr, IpNet, Ipv4Addr, PortSet};

/// Boundaries collected from the fabric: where an address or port piece starts.
#[derive(Clone, Debug, Default)]
pub struct Cuts {
    addresses: Vec<u32>,
    ports: Vec<u16>,
}

/// The pieces the cuts leave: sorted, disjoint, inclusive ranges covering the whole space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderSpace {
    pub addresses: Vec<(u32, u32)>,
    /// Port pieces, the same for destination and source ports (a reply swaps them).
    pub ports: Vec<(u16, u16)>,
}

impl Cuts {
    pub fn range(&mut self, lo: u32, hi: u32) {
        self.addresses.push(lo);
        if let Some(next) = hi.checked_add(1) {
            self.addresses.push(next);
        }
    }

    pub fn prefix(&mut self, p: &IpNet) {
        if let IpNet::V4(n) = p {
            self.range(u32::from(n.network()), u32::from(n.broadcast()));
        }
    }

    pub fn address(&mut self, ip: IpAddr) {
        if let IpAddr::V4(a) = ip {
            self.range(u32::from(a), u32::from(a));
        }
    }

    pub fn set(&mut self, s: &AddrSet) {
        for &(lo, hi) in s.v4_ranges() {
            self.range(lo, hi);
        }
    }

    pub fn port_range(&mut self, lo: u16, hi: u16) {
        self.ports.push(lo);
        if let Some(next) = hi.checked_add(1) {
            self.ports.push(next);
        }
    }

    pub fn port_set(&mut self, s: &PortSet) {
        for r in s.ranges() {
            self.port_range(r.first, r.last);
        }
    }

    /// Adds another fabric's cuts: the pieces then serve both.
    pub fn merge(&mut self, other: Cuts) {
        self.addresses.extend(other.addresses);
        self.ports.extend(other.ports);
    }

    /// The pieces between the cuts.
    pub fn finish(mut self) -> HeaderSpace {
        fn pieces<T: Copy + Ord + Into<u64>>(
            cuts: &mut Vec<T>,
            zero: T,
            max: u64,
            from: impl Fn(u64) -> T,
        ) -> Vec<(T, T)> {
            cuts.push(zero);
            cuts.sort_unstable();
            cuts.dedup();
            let ends = cuts.iter().skip(1).map(|c| (*c).into() - 1).chain(std::iter::once(max));
            cuts.iter().zip(ends).map(|(lo, hi)| (*lo, from(hi))).collect()
        }
        HeaderSpace {
            addresses: pieces(&mut self.addresses, 0u32, u64::from(u32::MAX), |v| v as u32),
            ports: pieces(&mut self.ports, 0u16, u64::from(u16::MAX), |v| v as u16),
        }
    }
}

/// Special ranges the walk tests addresses against: not internet-routable (RFC 1918, shared,
/// loopback, link-local, multicast, broadcast, this network) and the platform addresses.
const SPECIAL_V4: [(Ipv4Addr, u8); 9] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8),
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(169, 254, 0, 0), 16),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(255, 255, 255, 255), 32),
];

impl Fabric {
    /// Every boundary the walk's predicates can tell apart (see the module docs). A predicate
    /// added to the walk must add its boundaries here; the reachability tests check the result
    /// against brute force.
    pub fn cuts(&self) -> Cuts {
        let s = &self.scenario;
        let mut c = Cuts::default();
        for (a, len) in SPECIAL_V4 {
            c.prefix(&IpNet::V4(vnetsim_model::Ipv4Net::new(a, len).expect("valid special range")));
        }
        c.address(IpAddr::V4(vnetsim_model::addr::AZURE_PLATFORM_VIP));
        c.address(IpAddr::V4(vnetsim_model::addr::AZURE_IMDS));
        for sf in &self.subnets {
            for table in std::iter::once(&sf.routes).chain(&sf.pe_routes) {
                table.routes.iter().for_each(|r| c.prefix(&r.prefix));
            }
        }
        s.vnets.iter().flat_map(|v| &v.address_space).for_each(|p| c.prefix(p));
        s.subnets.iter().for_each(|sn| c.prefix(&sn.prefix));
        s.on_prem.iter().flat_map(|n| &n.prefixes).for_each(|p| c.prefix(p));
        for nic in &s.nics {
            c.address(nic.private_ip);
            nic.public_ip.into_iter().for_each(|ip| c.address(ip));
        }
        for lb in &s.load_balancers {
            c.address(lb.frontend);
            lb.rules.iter().for_each(|r| c.port_range(r.frontend_port, r.frontend_port));
        }
        s.nat_gateways.iter().flat_map(|g| &g.public_ips).for_each(|ip| c.address(*ip));
        s.firewalls.iter().flat_map(|f| &f.public_ips).for_each(|ip| c.address(*ip));
        s.services.iter().for_each(|svc| c.address(svc.public_ip));
        // Service tags say what an internet address is: undeclared storage accounts (every
        // address of a Storage tag no declared service holds), and the audit's classes.
        s.service_tags.iter().flat_map(|t| &t.prefixes).for_each(|p| c.prefix(p));
        self.nsg_instances.iter().for_each(|n| n.cut(&mut c));
        self.admin_instances.iter().for_each(|a| a.cut(&mut c));
        self.firewalls.iter().for_each(|f| f.cut(&mut c));
        // F-11: DNS to a firewall's proxy.
        c.port_range(53, 53);
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_space_between_cuts() {
        let mut c = Cuts::default();
        c.prefix(&"10.0.0.0/8".parse().unwrap());
        c.address("10.1.2.3".parse().unwrap());
        c.port_range(443, 443);
        c.port_range(0, 10);
        let h = c.finish();
        let ip = |s: &str| u32::from(s.parse::<Ipv4Addr>().unwrap());
        assert_eq!(
            h.addresses,
            vec![
                (0, ip("9.255.255.255")),
                (ip("10.0.0.0"), ip("10.1.2.2")),
                (ip("10.1.2.3"), ip("10.1.2.3")),
                (ip("10.1.2.4"), ip("10.255.255.255")),
                (ip("11.0.0.0"), u32::MAX),
            ]
        );
        assert_eq!(h.ports, vec![(0, 10), (11, 442), (443, 443), (444, u16::MAX)]);
    }
}
