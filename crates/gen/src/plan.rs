//! What a generated scenario is made of before it is written: the address plan, the names, and
//! every choice the seed makes. Writers read a `World` and its `Spoke`s and draw nothing.

use crate::Options;
use crate::rng::Rng;
use std::net::Ipv4Addr;

/// Spoke `k` is 10.(1 + k / 256).(k % 256).0/24; 10.0.0.0/16 holds the hub and shared services.
pub const MAX_SPOKES: usize = 255 * 256;

/// Spokes whose services draw their public IPs from their service tags, as services without a
/// `public_ip` do. A regional tag of the built-in table is a /20 (4,094 hosts) that every
/// workspace and online endpoint of the region shares, so later spokes give their services
/// explicit addresses in 52.0.0.0/13, outside every synthetic tag.
pub const DRAWN_SPOKES: usize = 3000;

/// Past [`DRAWN_SPOKES`], the service of kind `EXPLICIT_IP_KINDS[i]` of spoke `k` is 52.i.0.0 + k + 1.
const EXPLICIT_IP_KINDS: [&str; 6] =
    ["workspace", "storage_account", "key_vault", "container_registry", "application_insights", "online_endpoint"];

/// The regions of the built-in service tag table, where every regional tag the scenario names exists.
const REGIONS: [&str; 8] =
    ["eastus", "eastus2", "westus", "westus2", "centralus", "northeurope", "westeurope", "uksouth"];
const ORGS: [&str; 10] = [
    "contoso",
    "fabrikam",
    "northwind",
    "tailspin",
    "woodgrove",
    "adatum",
    "litware",
    "proseware",
    "wingtip",
    "alpine",
];
const PARTNERS: [&str; 16] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "wonka",
    "stark",
    "wayne",
    "cyberdyne",
    "soylent",
    "tyrell",
    "oscorp",
    "aperture",
    "massive",
    "gringotts",
];
/// Ports partner networks listen on (no 21 or 23: the base policy denies those protocols).
const PARTNER_PORTS: [u16; 7] = [22, 443, 990, 1433, 5432, 8443, 9093];

pub const HUB: &str = "10.0.0.0/20";
pub const FIREWALL_IP: &str = "10.0.1.4";
pub const GATEWAY_IP: &str = "10.0.0.4";
pub const DNS_SERVERS: [&str; 2] = ["10.0.2.4", "10.0.2.5"];
pub const RESOLVER_IP: &str = "10.0.3.4";
pub const BASTION_SUBNET: &str = "10.0.4.0/26";
pub const IDENTITY: &str = "10.0.16.0/22";
pub const DCS_SUBNET: &str = "10.0.16.0/27";
pub const MONITORING_SUBNET: &str = "10.0.17.0/27";
pub const CORP: &str = "172.16.0.0/16";
pub const CORP_DNS: &str = "172.16.0.53";
/// Active Directory: DNS, Kerberos, NTP, RPC, LDAP, SMB, kpasswd, LDAPS, global catalog, dynamic RPC.
pub const AD_PORTS: &str = r#"[53, 88, 123, 135, 389, 445, 464, 636, "3268-3269", "49152-65535"]"#;
/// Log shipping to the SIEM collector: syslog, Beats, Splunk forwarders.
pub const LOG_PORTS: &str = "[514, 5044, 9997]";

/// The choices that hold for the whole scenario.
pub struct World {
    pub spokes: usize,
    pub seed: u64,
    pub region: &'static str,
    pub org: &'static str,
    /// Partner `i` owns 198.18.i.0/24 and its API host is 198.51.100.(10 + i).
    pub partners: Vec<&'static str>,
    /// Branch `i` (from 1) is 192.168.(16 i).0/20.
    pub branches: usize,
    pub firewall_public_ips: usize,
    /// Threat-intelligence feeds, each a list of third octets of 198.19.x.0/24 (all distinct).
    pub threat_feeds: Vec<Vec<u8>>,
    /// Indices into `firewall::OPTIONAL_REPOS` this organisation allows.
    pub optional_repos: Vec<usize>,
    /// Spokes that also get `flow:` expectations.
    pub showcase: Vec<usize>,
}

impl World {
    pub fn new(options: &Options) -> World {
        assert!(options.spokes <= MAX_SPOKES, "at most {MAX_SPOKES} spokes fit the address plan");
        let mut rng = Rng::derive(options.seed, 0);
        let region = REGIONS[rng.below(REGIONS.len())];
        let org = ORGS[rng.below(ORGS.len())];
        let partner_count = rng.between(6, 12);
        let partners = rng.sample(PARTNERS.len(), partner_count).into_iter().map(|i| PARTNERS[i]).collect();
        let branches = rng.between(1, 4);
        let firewall_public_ips = rng.between(1, 3);
        let feeds = rng.between(2, 4);
        let octets = rng.sample(256, feeds * 12);
        let threat_feeds =
            octets.chunks(12).map(|c| c.iter().take(rng.between(4, 12)).map(|&o| o as u8).collect()).collect();
        let optional_repos = (0..crate::firewall::OPTIONAL_REPOS.len()).filter(|_| rng.chance(50)).collect();
        let mut showcase = vec![0];
        if options.spokes > 1 {
            let more = rng.sample(options.spokes - 1, (options.spokes - 1).min(3));
            showcase.extend(more.into_iter().map(|k| k + 1));
        }
        showcase.truncate(options.spokes);
        World {
            spokes: options.spokes,
            seed: options.seed,
            region,
            org,
            partners,
            branches,
            firewall_public_ips,
            threat_feeds,
            optional_repos,
            showcase,
        }
    }

    pub fn spoke(&self, k: usize) -> Spoke {
        Spoke::new(self, k)
    }

    /// The /16 blocks the spokes are carved from, as a YAML flow list.
    pub fn spoke_blocks(&self) -> String {
        let last = 1 + self.spokes.max(1).saturating_sub(1) / 256;
        let blocks: Vec<String> = (1..=last).map(|b| format!("10.{b}.0.0/16")).collect();
        format!("[{}]", blocks.join(", "))
    }

    /// Every on-premises prefix, as a YAML flow list.
    pub fn onprem_prefixes(&self) -> String {
        let mut all = vec![CORP.to_string()];
        all.extend((1..=self.branches).map(|i| format!("192.168.{}.0/20", 16 * i)));
        format!("[{}]", all.join(", "))
    }

    pub fn partner_range(i: usize) -> String {
        format!("198.18.{i}.0/24")
    }

    pub fn partner_host_ip(i: usize) -> String {
        format!("198.51.100.{}", 10 + i)
    }

    pub fn firewall_public_ip(i: usize) -> String {
        format!("20.10.0.{}", 4 + i)
    }
}

/// `s0042`: spoke `k`'s VNet, and the prefix of every object of the spoke.
pub fn spoke_id(k: usize) -> String {
    format!("s{k:04}")
}

/// One spoke: a landing zone holding one Azure ML workspace.
pub struct Spoke {
    pub k: usize,
    /// See [`spoke_id`].
    pub id: String,
    net: u32,
    pub workspace: String,
    pub workspace_id: String,
    pub storage: String,
    pub key_vault: String,
    pub registry: String,
    pub insights: String,
    pub online_endpoint: Option<String>,
    /// Indices into `World::partners`.
    pub partners: Vec<usize>,
    pub partner_ports: Vec<u16>,
    pub cluster_nodes: usize,
    pub aks_nodes: Option<usize>,
    /// Whether this spoke's application rules also allow its partners' portals.
    pub partner_portals: bool,
}

impl Spoke {
    fn new(world: &World, k: usize) -> Spoke {
        let mut rng = Rng::derive(world.seed, 1 + 2 * k as u64);
        let num = format!("{k:04}");
        let org = world.org;
        let workspace_id = format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:06x}{k:06x}",
            rng.next_u64() as u32,
            rng.next_u64() as u16,
            rng.next_u64() & 0xfff,
            8 + (rng.next_u64() & 3),
            rng.next_u64() & 0xfff,
            rng.next_u64() & 0xff_ffff,
        );
        let partner_count = rng.between(1, 3);
        let partners = rng.sample(world.partners.len(), partner_count);
        let port_count = rng.between(1, 3);
        let partner_ports = rng.sample(PARTNER_PORTS.len(), port_count).into_iter().map(|i| PARTNER_PORTS[i]).collect();
        let cluster_nodes = rng.between(1, 4);
        let aks_nodes = rng.chance(50).then(|| rng.between(2, 4));
        let online_endpoint = rng.chance(25).then(|| format!("ep-{org}-{num}"));
        Spoke {
            k,
            id: spoke_id(k),
            net: u32::from(Ipv4Addr::new(10, 1 + (k / 256) as u8, (k % 256) as u8, 0)),
            workspace: format!("mlw-{org}-{num}"),
            workspace_id,
            storage: format!("st{org}{num}"),
            key_vault: format!("kv-{org}-{num}"),
            registry: format!("acr{org}{num}"),
            insights: format!("appi-{org}-{num}"),
            online_endpoint,
            partners,
            partner_ports,
            cluster_nodes,
            aks_nodes,
            partner_portals: rng.chance(50),
        }
    }

    /// The spoke's address at `offset` into its /24.
    pub fn addr(&self, offset: u32) -> Ipv4Addr {
        Ipv4Addr::from(self.net + offset)
    }

    pub fn prefix(&self) -> String {
        format!("{}/24", self.addr(0))
    }

    pub fn training(&self) -> String {
        format!("{}/26", self.addr(0))
    }

    pub fn scoring(&self) -> String {
        format!("{}/26", self.addr(64))
    }

    pub fn pe_subnet(&self) -> String {
        format!("{}/27", self.addr(128))
    }

    /// The internal load balancer in front of the AKS pool, above the nodes' allocated addresses.
    pub fn ilb_ip(&self) -> Ipv4Addr {
        self.addr(100)
    }

    pub fn nat_ip(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(Ipv4Addr::new(20, 128, 0, 0)) + self.k as u32 + 1)
    }

    /// `public_ip: …, ` for the spoke's service of `kind` when the tags are full (see
    /// [`DRAWN_SPOKES`]), else nothing: the loader draws from the service's tag.
    pub fn public_ip(&self, kind: &str) -> String {
        if self.k < DRAWN_SPOKES {
            return String::new();
        }
        let block = EXPLICIT_IP_KINDS.iter().position(|k| *k == kind).expect("a service kind of a spoke") as u8;
        let ip = Ipv4Addr::from(u32::from(Ipv4Addr::new(52, block, 0, 0)) + self.k as u32 + 1);
        format!("public_ip: {ip}, ")
    }
}
