//! Addresses and prefixes. The model is written over `IpAddr`/`IpNet` so IPv6 can follow; the
//! Azure rules that depend on the family (reserved addresses, system routes) say which they cover.

pub use ipnet::{IpNet, Ipv4Net, Ipv6Net};
pub use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Azure's virtual public IP: DNS, DHCP, health probes (N-10, N-13).
pub const AZURE_PLATFORM_VIP: Ipv4Addr = Ipv4Addr::new(168, 63, 129, 16);
/// The instance metadata service (N-10).
pub const AZURE_IMDS: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// N-10: platform addresses whose traffic NSGs do not filter.
pub fn is_platform_address(ip: IpAddr) -> bool {
    ip == IpAddr::V4(AZURE_PLATFORM_VIP) || ip == IpAddr::V4(AZURE_IMDS)
}

/// The smallest IPv4 subnet Azure accepts.
pub const MIN_SUBNET_V4_PREFIX_LEN: u8 = 29;

/// Azure reserves the first four addresses and the last address of every IPv4 subnet
/// (network, default gateway, two DNS addresses, broadcast).
pub fn is_reserved_in_subnet(subnet: IpNet, ip: IpAddr) -> bool {
    match (subnet, ip) {
        (IpNet::V4(net), IpAddr::V4(ip)) => {
            let offset = u32::from(ip).wrapping_sub(u32::from(net.network()));
            offset < 4 || ip == net.broadcast()
        }
        // IPv6 subnets reserve the same first four; there is no broadcast.
        (IpNet::V6(net), IpAddr::V6(ip)) => u128::from(ip).wrapping_sub(u128::from(net.network())) < 4,
        _ => true,
    }
}

/// The addresses Azure hands out dynamically in `subnet`, lowest first.
pub fn usable_addresses(subnet: IpNet) -> impl Iterator<Item = IpAddr> {
    subnet.hosts().filter(move |ip| !is_reserved_in_subnet(subnet, *ip))
}

/// The number of addresses `usable_addresses` yields (saturating for huge IPv6 subnets).
pub fn usable_address_count(subnet: IpNet) -> u64 {
    match subnet {
        IpNet::V4(net) => (1u64 << (32 - u32::from(net.prefix_len()))).saturating_sub(5),
        IpNet::V6(net) => {
            let bits = 128 - u32::from(net.prefix_len());
            if bits >= 63 { u64::MAX } else { (1u64 << bits) - 4 }
        }
    }
}

/// Whether two prefixes share any address.
pub fn overlaps(a: IpNet, b: IpNet) -> bool {
    a.contains(&b) || b.contains(&a)
}

/// Stands for the implicit Microsoft-owned address that default outbound access SNATs to (O-3),
/// which Azure does not publish (TEST-NET-2, RFC 5737).
pub const DEFAULT_OUTBOUND_REPRESENTATIVE: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);

/// A representative public address for "the internet" when a scenario names no specific host
/// (TEST-NET-3, RFC 5737: never a real host, never inside a VNet).
pub const INTERNET_REPRESENTATIVE: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 10);

/// Addresses the internet does not route: private (R-2's reserved ranges), shared, loopback,
/// link-local, multicast, broadcast and unspecified.
pub fn is_not_internet_routable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            a.is_private()
                || (a.octets()[0] == 100 && (a.octets()[1] & 0xc0) == 64)
                || a.is_loopback()
                || a.is_link_local()
                || a.is_multicast()
                || a.is_broadcast()
                || a.octets()[0] == 0
        }
        IpAddr::V6(a) => {
            (a.segments()[0] & 0xfe00) == 0xfc00
                || (a.segments()[0] & 0xffc0) == 0xfe80
                || a.is_loopback()
                || a.is_multicast()
                || a.is_unspecified()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn first_four_and_last_are_reserved() {
        let s = net("10.0.1.0/24");
        for reserved in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
            assert!(is_reserved_in_subnet(s, reserved.parse().unwrap()), "{reserved}");
        }
        for free in ["10.0.1.4", "10.0.1.254"] {
            assert!(!is_reserved_in_subnet(s, free.parse().unwrap()), "{free}");
        }
    }

    #[test]
    fn a_slash_29_has_three_usable_addresses() {
        let usable: Vec<_> = usable_addresses(net("10.0.0.8/29")).map(|a| a.to_string()).collect();
        assert_eq!(usable, ["10.0.0.12", "10.0.0.13", "10.0.0.14"]);
        assert_eq!(usable_address_count(net("10.0.0.8/29")), 3);
        assert_eq!(usable_address_count(net("10.0.0.0/24")), 251);
    }

    #[test]
    fn platform_addresses_are_168_63_129_16_and_imds() {
        assert!(is_platform_address("168.63.129.16".parse().unwrap()));
        assert!(is_platform_address("169.254.169.254".parse().unwrap()));
        assert!(!is_platform_address("168.63.129.17".parse().unwrap()));
    }
}
