//! Generated packets for batch replays and benchmarks: packet `i` of a workload is a pure
//! function of the seed and `i`, so any slice of the stream can be made on any thread, in any
//! order, without storing the stream, and every run sees the same packets.

use vnetsim_engine::walk::FlowName;
use vnetsim_engine::{Fabric, Origin, Packet};
use vnetsim_model::name_pattern::is_wildcard;
use vnetsim_model::{IpAddr, Protocol, ServiceId};

/// Where packets start and what they are sent to; built once per fabric, O(topology).
pub struct Workload {
    seed: u64,
    /// NICs of endpoints that start connections (P-2: not private endpoints, gateways or
    /// firewalls), then each on-premises network, then the internet.
    sources: Vec<(Origin, IpAddr)>,
    /// Every NIC's private IP: east-west traffic, to VMs, computes and private endpoints.
    nic_addresses: Vec<IpAddr>,
    /// Every service's public address with a name it answers to, carried as SNI (F-8).
    services: Vec<(IpAddr, ServiceId, Option<usize>)>,
    /// Addresses of on-premises networks.
    on_prem: Vec<IpAddr>,
}

/// Internet /8s random destinations fall in.
const INTERNET_BLOCKS: [u32; 4] = [52, 104, 151, 185];

/// A packet of the stream with the name it carries.
#[derive(Clone, Copy, Debug)]
pub struct Generated {
    pub origin: Origin,
    pub packet: Packet,
    /// The service addressed and the index of its name in `Scenario::service_names`.
    pub service: Option<(ServiceId, Option<usize>)>,
}

impl Generated {
    pub fn name<'f>(&self, fabric: &'f Fabric) -> FlowName<'f> {
        match self.service {
            Some((service, name)) => {
                FlowName { server: Some(service), name: name.map(|n| fabric.scenario.service_names[n].fqdn.as_str()) }
            }
            None => FlowName::default(),
        }
    }
}

/// SplitMix64: a fast, well-mixed function of a counter.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn pick<T: Copy>(items: &[T], r: u64) -> Option<T> {
    (!items.is_empty()).then(|| items[(r % items.len() as u64) as usize])
}

impl Workload {
    pub fn new(fabric: &Fabric, seed: u64) -> Workload {
        let s = &fabric.scenario;
        let mut sources: Vec<(Origin, IpAddr)> = s
            .nics
            .iter()
            .enumerate()
            .filter(|(_, n)| s.endpoint(n.endpoint).kind.starts_connections())
            .map(|(i, n)| (Origin::Nic(vnetsim_model::NicId::from_index(i)), n.private_ip))
            .collect();
        let on_prem: Vec<(Origin, IpAddr)> = s
            .on_prem
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                Some((Origin::OnPrem(vnetsim_model::OnPremId::from_index(i)), o.representative_address()?))
            })
            .collect();
        sources.extend(&on_prem);
        sources.push((Origin::Internet, IpAddr::V4([203, 0, 113, 77].into())));
        // The first exact name of each service.
        let mut first_name = vec![None; s.services.len()];
        for (i, n) in s.service_names.iter().enumerate().rev() {
            if !is_wildcard(&n.fqdn) {
                first_name[n.service.index()] = Some(i);
            }
        }
        let services = s
            .services
            .iter()
            .enumerate()
            .map(|(i, svc)| (svc.public_ip, ServiceId::from_index(i), first_name[i]))
            .collect();
        Workload {
            seed,
            sources,
            nic_addresses: s.nics.iter().map(|n| n.private_ip).collect(),
            services,
            on_prem: on_prem.into_iter().map(|(_, a)| a).collect(),
        }
    }

    /// Packet `i` of the stream: a source drawn from every place that starts connections; a
    /// destination that is a NIC (35%), a service by name (35%), an internet host (20%) or on
    /// premises (10%); a port mix led by HTTPS, then SSH, SMB, SQL, DNS, NTP and ICMP.
    pub fn packet(&self, i: u64) -> Generated {
        let r = mix(self.seed ^ mix(i));
        let (r1, r2, r3, r4) = (r, mix(r), mix(r ^ 1), mix(r ^ 2));
        let (origin, source) =
            pick(&self.sources, r1).unwrap_or((Origin::Internet, IpAddr::V4([203, 0, 113, 77].into())));
        let mut service = None;
        let internet = || {
            let block = INTERNET_BLOCKS[(r3 % 4) as usize];
            IpAddr::V4(((block << 24) | ((r3 >> 8) as u32 & 0x00ff_ffff)).into())
        };
        let destination = match r2 % 100 {
            0..35 => pick(&self.nic_addresses, r3),
            35..70 => pick(&self.services, r3).map(|(address, id, name)| {
                service = Some((id, name));
                address
            }),
            90..100 => pick(&self.on_prem, r3).map(|a| match a {
                IpAddr::V4(a) => IpAddr::V4((u32::from(a) ^ ((r3 >> 40) as u32 & 0xff)).into()),
                v6 => v6,
            }),
            _ => None,
        }
        .unwrap_or_else(internet);
        let (protocol, port) = match r4 % 100 {
            0..55 => (Protocol::Tcp, 443),
            55..62 => (Protocol::Tcp, 22),
            62..67 => (Protocol::Tcp, 445),
            67..72 => (Protocol::Tcp, 1433),
            72..78 => (Protocol::Tcp, 80),
            78..86 => (Protocol::Udp, 53),
            86..90 => (Protocol::Udp, 123),
            90..94 => (Protocol::Icmp, 0),
            _ => (Protocol::Tcp, 1024 + (r4 >> 20) as u16 % 64_000),
        };
        let (source_port, destination_port) =
            if protocol.has_ports() { (49_152 + (r4 >> 40) as u16 % 16_384, port) } else { (0, 0) };
        // Names travel only over TLS or HTTP to a service (SNI, Host header).
        let service = service.filter(|_| protocol == Protocol::Tcp && matches!(port, 443 | 80));
        Generated { origin, packet: Packet { protocol, source, source_port, destination, destination_port }, service }
    }
}
