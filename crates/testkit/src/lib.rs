//! Helpers shared by the tests of every crate and of the binary (a dev-dependency only): load a
//! scenario from text, panicking with rendered diagnostics; compile a fabric; name places,
//! NICs and objects the way scenario files and the command line do; make connections as
//! `vnetsim trace` does; list the built-in scenario files; run the built binary ([`cli`]); find
//! the shared real configuration files ([`real_configs`]); check an import round trip
//! ([`round_trip`]).
//!
//! Panicking is the point here: a helper that cannot do what a test asks fails that test with a
//! message saying why.

pub mod cli;
pub mod real_configs;
pub mod round_trip;

use std::path::{Path, PathBuf};
use vnetsim_config::place::{End, parse_destination, parse_place, split_node};
use vnetsim_config::{BaseFile, load_scenario_from};
use vnetsim_engine::{Connection, Fabric, Options};
use vnetsim_model::{
    EndpointId, IpAddr, NicId, Place, PrivateEndpointId, Protocol, Scenario, ServiceId, ServiceTagTable, SubnetId,
    VnetId,
};

/// The source port of connections made here, as `vnetsim trace` uses by default.
pub const SOURCE_PORT: u16 = 50000;

// ---------------------------------------------------------------------------------------------
// Scenarios and fabrics
// ---------------------------------------------------------------------------------------------

/// Loads a scenario written as YAML with the built-in service tags; panics with every rendered
/// diagnostic when it does not load.
pub fn load(yaml: &str) -> Scenario {
    load_with(yaml, &ServiceTagTable::builtin())
}

/// [`load`] with a service-tag table of the test's own.
pub fn load_with(yaml: &str, tags: &ServiceTagTable) -> Scenario {
    load_named("test.yaml", yaml, tags)
}

/// [`load_with`] under a file name of the caller's (which diagnostics show).
/// An `extends:` base is read beside `file`, or for a name without a folder (a test's text, a
/// built-in's) among the built-in scenarios.
pub fn load_named(file: &str, yaml: &str, tags: &ServiceTagTable) -> Scenario {
    let mut read = |includer: &str, path: &str| {
        let dir = Path::new(includer).parent().filter(|p| !p.as_os_str().is_empty());
        let base = dir.map_or_else(|| workspace_root().join("scenarios"), Path::to_path_buf).join(path);
        let text = std::fs::read_to_string(&base).map_err(|e| e.to_string())?;
        Ok(BaseFile { name: base.display().to_string(), text })
    };
    load_scenario_from(file, yaml, tags, None, &mut read).unwrap_or_else(|diags| {
        panic!("scenario {file} does not load:\n{}", diags.iter().map(|d| d.render(yaml)).collect::<String>())
    })
}

/// Compiles a scenario with the options of its `options:` block, as the command line does.
pub fn compile(scenario: Scenario) -> Fabric {
    let options = scenario.options.clone();
    Fabric::compile(scenario, options)
}

/// Loads and compiles a scenario written as YAML, with the options of its `options:` block.
pub fn fabric(yaml: &str) -> Fabric {
    compile(load(yaml))
}

/// [`fabric`] with engine options of the test's own.
pub fn fabric_with(yaml: &str, options: Options) -> Fabric {
    Fabric::compile(load(yaml), options)
}

/// The YAML of a generated landing zone (`vnetsim gen`).
pub fn generated_yaml(spokes: usize, seed: u64) -> String {
    vnetsim_gen::generate(&vnetsim_gen::Options { spokes, seed })
}

/// A generated landing zone, loaded and compiled.
pub fn generated(spokes: usize, seed: u64) -> Fabric {
    let yaml = generated_yaml(spokes, seed);
    compile(load_named("generated.yaml", &yaml, &ServiceTagTable::builtin()))
}

// ---------------------------------------------------------------------------------------------
// The repository's files
// ---------------------------------------------------------------------------------------------

/// The workspace root (the folder of the root `Cargo.toml`), found from this crate's manifest.
pub fn workspace_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The built-in scenario files (`scenarios/*.yaml`), sorted by name.
pub fn builtin_scenarios() -> Vec<PathBuf> {
    let dir = workspace_root().join("scenarios");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} built-in scenarios in {}", files.len(), dir.display());
    files
}

/// The built-in scenario file `scenarios/<file>` (`file` with its `.yaml`), loaded and compiled
/// with its options.
pub fn builtin_fabric(file: &str) -> Fabric {
    let path = workspace_root().join("scenarios").join(file);
    let yaml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    compile(load_named(file, &yaml, &ServiceTagTable::builtin()))
}

/// The text of the built-in scenario `scenarios/<name>.yaml`.
pub fn builtin_scenario_text(name: &str) -> String {
    let path = workspace_root().join("scenarios").join(format!("{name}.yaml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Places, objects and connections
// ---------------------------------------------------------------------------------------------

/// An address; panics on a bad one.
pub fn ip(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|_| panic!("bad address `{text}`"))
}

/// A source as the command line writes it, plus `internet@<ip>` for a given internet address.
pub fn source(f: &Fabric, from: &str) -> Place {
    match from.strip_prefix("internet@") {
        Some(address) => Place::Internet(ip(address)),
        None => parse_place(&f.scenario, from, End::Source).unwrap_or_else(|e| panic!("bad source `{from}`: {e}")),
    }
}

/// The primary NIC of an endpoint of any kind (private endpoints too), of its node `name[i]`, or
/// of a firewall.
pub fn nic(f: &Fabric, endpoint: &str) -> NicId {
    let s = &f.scenario;
    if let Some(fw) = s.firewalls.iter().find(|fw| fw.name == endpoint) {
        return fw.nic;
    }
    let (name, node) = split_node(endpoint);
    let node = node.unwrap_or_else(|| panic!("bad node index in `{endpoint}`"));
    let e = s.endpoints.iter().position(|e| e.name == name).unwrap_or_else(|| panic!("no endpoint `{name}`"));
    s.primary_nic(EndpointId::from_index(e), node).unwrap_or_else(|| panic!("`{endpoint}` has no NIC"))
}

/// The endpoint (appliance, DNS server, ...) a NIC belongs to.
pub fn nic_name(f: &Fabric, nic: NicId) -> &str {
    &f.scenario.endpoint(f.scenario.nic(nic).endpoint).name
}

/// A service by name.
pub fn service(f: &Fabric, name: &str) -> ServiceId {
    let i = f.scenario.services.iter().position(|s| s.name == name);
    ServiceId::from_index(i.unwrap_or_else(|| panic!("no service `{name}`")))
}

/// A private endpoint by name.
pub fn private_endpoint(f: &Fabric, name: &str) -> PrivateEndpointId {
    let i = f.scenario.private_endpoints.iter().position(|p| p.name == name);
    PrivateEndpointId::from_index(i.unwrap_or_else(|| panic!("no private endpoint `{name}`")))
}

/// A subnet by `vnet/subnet`.
pub fn subnet(f: &Fabric, path: &str) -> SubnetId {
    let i = (0..f.scenario.subnets.len()).position(|i| f.scenario.subnet_path(SubnetId::from_index(i)) == path);
    SubnetId::from_index(i.unwrap_or_else(|| panic!("no subnet `{path}`")))
}

/// A VNet by name.
pub fn vnet(f: &Fabric, name: &str) -> VnetId {
    let i = f.scenario.vnets.iter().position(|v| v.name == name);
    VnetId::from_index(i.unwrap_or_else(|| panic!("no VNet `{name}`")))
}

/// A connection as `vnetsim trace` makes it: `to` is a place, an address, a URL or `host[:port]`
/// (port 443 when neither gives one).
pub fn connect_with(f: &Fabric, from: &str, to: &str, protocol: Protocol, source_port: u16) -> Connection {
    let to_parsed = parse_destination(&f.scenario, to).unwrap_or_else(|e| panic!("bad destination `{to}`: {e}"));
    let port = to_parsed.port.unwrap_or(443);
    f.connect(source(f, from), &to_parsed.destination, protocol, port, source_port)
        .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"))
}

/// A TCP [`connect_with`] from [`SOURCE_PORT`].
pub fn connect(f: &Fabric, from: &str, to: &str) -> Connection {
    connect_with(f, from, to, Protocol::Tcp, SOURCE_PORT)
}

/// A TCP connection to a place (an endpoint, which takes no `:port`) on `port`.
pub fn connect_port(f: &Fabric, from: &str, to: &str, port: u16) -> Connection {
    let to_parsed = parse_destination(&f.scenario, to).unwrap_or_else(|e| panic!("bad destination `{to}`: {e}"));
    f.connect(source(f, from), &to_parsed.destination, Protocol::Tcp, port, SOURCE_PORT)
        .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"))
}

/// `allowed`, `<disposition> by <decider>` for a dropped request, `reply <disposition> by
/// <decider>` for a dropped reply, or the DNS disposition when no packet was sent.
pub fn outcome(f: &Fabric, c: &Connection) -> String {
    if c.allowed() {
        return "allowed".into();
    }
    let Some(verdict) = c.verdict else { return c.disposition().name().into() };
    let (side, steps) =
        if verdict.request.is_delivered() { ("reply ", &c.reply.steps) } else { ("", &c.request.steps) };
    match f.decider_of(steps) {
        Some(by) => format!("{side}{} by {by}", c.disposition().name()),
        None => format!("{side}{}", c.disposition().name()),
    }
}
