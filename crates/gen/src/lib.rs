//! Generates realistic enterprise scenarios of any size for benchmarks and tests.
//!
//! `generate(&Options { spokes: N, seed: S })` writes a hub-and-spoke landing zone: a hub with an
//! Azure Firewall whose policy (a base policy and a child with one rule collection per spoke) holds
//! thousands of rules, DNS forwarders and a resolver inbound endpoint, a VPN gateway to the
//! on-premises networks, a bastion and a shared-services VNet with domain controllers; and N
//! spokes, each an Azure ML workspace with training, scoring and private-endpoint subnets, NSGs
//! with tens of rules, a route table forcing traffic to the firewall with service-tag exceptions,
//! six private endpoints registered in the hub's privatelink zones, computes and, for some, an AKS
//! pool and an online endpoint. Every expectation it writes holds (tests check it), and their
//! number grows linearly with N. The same options always give the same bytes; the seed varies
//! details (region, names, partners, ports, node counts, which spokes have AKS), never validity.

/// Appends one line to a section. Writing to a `String` cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

mod arm_export;
mod expectations;
mod firewall;
mod hub;
mod nsg;
mod plan;
mod reread;
mod rng;
mod spoke;
mod terraform;

pub use plan::MAX_SPOKES;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Number of spoke VNets (one workspace each), at most [`MAX_SPOKES`].
    pub spokes: usize,
    pub seed: u64,
}

/// The scenario as YAML text; the same options give the same bytes.
///
/// # Panics
///
/// When `options.spokes` exceeds [`MAX_SPOKES`], which the address plan cannot hold: callers
/// taking the number from a user check it first.
pub fn generate(options: &Options) -> String {
    let world = plan::World::new(options);
    let mut doc = Doc::with_capacity(options.spokes);
    hub::write(&world, &mut doc);
    firewall::write_shared(&world, &mut doc);
    expectations::write_shared(&mut doc);
    for k in 0..world.spokes {
        let spoke = world.spoke(k);
        spoke::write(&world, &spoke, &mut doc);
        firewall::write_landing_zone(&world, &spoke, &mut doc);
        expectations::write_spoke(&world, &spoke, &mut doc);
    }
    firewall::write_firewall(&world, &mut doc);
    doc.finish(&world)
}

/// The same landing zone as an azurerm Terraform configuration (one `main.tf`): the network
/// and the Azure ML resources, without the expectations. Same options, same bytes.
///
/// # Panics
///
/// As [`generate`].
pub fn generate_terraform(options: &Options) -> String {
    terraform::write(&plan::World::new(options))
}

/// The same landing zone as an Azure export: one JSON array of the resource bodies Azure returns
/// for GETs (`az resource show`, REST), read-only properties included, with the addresses Azure
/// allocates as the scenario loader allocates them. Without the expectations and what Azure does
/// not hold (see `arm_export`). Same options, same bytes.
///
/// # Panics
///
/// As [`generate`].
pub fn generate_arm_export(options: &Options) -> String {
    arm_export::write(options)
}

/// The scenario's top-level lists, filled independently and joined in a fixed order.
#[derive(Default)]
struct Doc {
    vnets: String,
    nsgs: String,
    route_tables: String,
    nat_gateways: String,
    service_endpoint_policies: String,
    ip_groups: String,
    firewall_policies: String,
    firewalls: String,
    gateways: String,
    on_premises: String,
    endpoints: String,
    load_balancers: String,
    services: String,
    private_endpoints: String,
    private_dns_zones: String,
    expect: String,
}

impl Doc {
    fn with_capacity(spokes: usize) -> Doc {
        // Rough bytes per spoke of the largest lists, so big scenarios do not reallocate much.
        let reserve = |per_spoke: usize| String::with_capacity(4096 + per_spoke * spokes);
        Doc {
            vnets: reserve(800),
            nsgs: reserve(6000),
            route_tables: reserve(300),
            firewall_policies: reserve(1300),
            endpoints: reserve(300),
            services: reserve(750),
            private_endpoints: reserve(560),
            expect: reserve(850),
            ..Doc::default()
        }
    }

    /// The lists by their keys, in the scenario's order.
    fn sections(&self) -> [(&'static str, &str); 16] {
        [
            ("vnets", &self.vnets),
            ("nsgs", &self.nsgs),
            ("route_tables", &self.route_tables),
            ("nat_gateways", &self.nat_gateways),
            ("service_endpoint_policies", &self.service_endpoint_policies),
            ("ip_groups", &self.ip_groups),
            ("firewall_policies", &self.firewall_policies),
            ("firewalls", &self.firewalls),
            ("gateways", &self.gateways),
            ("on_premises", &self.on_premises),
            ("endpoints", &self.endpoints),
            ("load_balancers", &self.load_balancers),
            ("services", &self.services),
            ("private_endpoints", &self.private_endpoints),
            ("private_dns_zones", &self.private_dns_zones),
            ("expect", &self.expect),
        ]
    }

    fn finish(self, world: &plan::World) -> String {
        let sections = self.sections();
        let mut out = String::with_capacity(sections.iter().map(|(_, s)| s.len() + 32).sum::<usize>() + 2048);
        hub::write_header(world, &mut out);
        for (key, body) in sections.iter().filter(|(_, body)| !body.is_empty()) {
            put!(out, "\n{key}:");
            out.push_str(body);
        }
        out
    }
}
