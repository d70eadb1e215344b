//! vnetsim as a library: load a scenario, compile it once into a fabric, then trace connections
//! through it or check its expectations. The `vnetsim` binary is this plus files, formats and
//! exit codes; the crates it re-exports hold everything else (the flow catalogue, exhaustive
//! reachability, the exfiltration audit, what-if diffs, the printers).
//!
//! ```
//! let yaml = "\
//! name: demo
//! vnets:
//!   - name: app
//!     address_space: [10.0.0.0/16]
//!     subnets:
//!       - {name: web, prefix: 10.0.1.0/24}
//! endpoints:
//!   - {name: a, kind: vm, subnet: app/web}
//!   - {name: b, kind: vm, subnet: app/web}
//! ";
//! let fabric = vnetsim::compile(vnetsim::load("demo.yaml", yaml)?);
//! let connection = vnetsim::trace(&fabric, &vnetsim::TraceRequest::new("a", "b").port(22))?;
//! // No NSG on the subnet or the NICs: the default rules allow VNet traffic (N-5).
//! assert!(connection.allowed());
//! assert!(vnetsim::check(&fabric).iter().all(|r| r.passed));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use vnetsim_analysis as analysis;
pub use vnetsim_config as config;
pub use vnetsim_engine as engine;
pub use vnetsim_model as model;
pub use vnetsim_report as report;

use vnetsim_analysis::ExpectationResult;
use vnetsim_config::Diagnostic;
use vnetsim_config::place::{End, parse_destination, parse_place};
use vnetsim_engine::{Connection, Fabric};
use vnetsim_model::{Protocol, Scenario, ServiceTagTable};

/// A scenario that could not be loaded: every problem, each located in the text.
#[derive(Debug, thiserror::Error)]
#[error("{rendered}")]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
    /// The diagnostics as the command line prints them, with the lines they point at.
    rendered: String,
}

/// Loads a scenario from its YAML text with the built-in (synthetic) service tags; `name` is
/// the file name diagnostics give. It reads no files, so a scenario with `extends:` is refused
/// here: `config::load_scenario_from` takes a reader for its bases.
pub fn load(name: &str, text: &str) -> Result<Scenario, LoadError> {
    load_with_tags(name, text, &ServiceTagTable::builtin())
}

/// Loads a scenario with a service tag table, e.g. Microsoft's (`config::load_service_tags`).
pub fn load_with_tags(name: &str, text: &str, tags: &ServiceTagTable) -> Result<Scenario, LoadError> {
    vnetsim_config::load_scenario(name, text, tags)
        .map_err(|diagnostics| LoadError { rendered: Diagnostic::render_all(&diagnostics, text), diagnostics })
}

/// Compiles a scenario once, with the readings its `options:` block chose; the fabric then
/// answers any number of walks, from any thread.
pub fn compile(scenario: Scenario) -> Fabric {
    let options = scenario.options.clone();
    Fabric::compile(scenario, options)
}

/// One connection to trace, written as on the command line.
#[derive(Clone, Debug)]
pub struct TraceRequest<'a> {
    /// An endpoint (`vm1`, `cluster[2]`), `internet`, an on-premises network, or a service
    /// calling with its managed identity.
    pub from: &'a str,
    /// An endpoint, an address, `internet`, an on-premises network, a DNS name (`host:port`) or a
    /// URL.
    pub to: &'a str,
    pub protocol: Protocol,
    /// The destination port; else the URL's or `host:port`'s, else 443.
    pub port: Option<u16>,
    pub source_port: u16,
}

impl<'a> TraceRequest<'a> {
    /// TCP from `from` to `to`, on the port `to` implies or 443.
    pub fn new(from: &'a str, to: &'a str) -> Self {
        let source_port = vnetsim_model::scenario::DEFAULT_SOURCE_PORT;
        TraceRequest { from, to, protocol: Protocol::Tcp, port: None, source_port }
    }

    pub fn protocol(self, protocol: Protocol) -> Self {
        TraceRequest { protocol, ..self }
    }

    pub fn port(self, port: u16) -> Self {
        TraceRequest { port: Some(port), ..self }
    }

    pub fn source_port(self, source_port: u16) -> Self {
        TraceRequest { source_port, ..self }
    }
}

/// Why a trace could not start.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("--from: {0}")]
    From(String),
    #[error("--to: {0}")]
    To(String),
    #[error("--port: {protocol} has no ports")]
    PortlessProtocol { protocol: Protocol },
    #[error("--port {port} contradicts port {implied} of --to {to}")]
    PortContradicts { port: u16, implied: u16, to: String },
    #[error("{0}")]
    Query(vnetsim_engine::query::QueryError),
}

/// One connection, request and reply, hop by hop, as `vnetsim trace` walks it.
pub fn trace(fabric: &Fabric, request: &TraceRequest<'_>) -> Result<Connection, TraceError> {
    let s = &fabric.scenario;
    // Ports exist for TCP and UDP only, as in scenario files.
    if !request.protocol.has_ports() && request.port.is_some() {
        return Err(TraceError::PortlessProtocol { protocol: request.protocol });
    }
    let from = parse_place(s, request.from, End::Source).map_err(TraceError::From)?;
    let to = parse_destination(s, request.to).map_err(TraceError::To)?;
    let port = match (request.port, to.port) {
        (Some(port), Some(implied)) if port != implied => {
            return Err(TraceError::PortContradicts { port, implied, to: request.to.to_string() });
        }
        (port, implied) => port.or(implied).unwrap_or(443),
    };
    fabric.connect(from, &to.destination, request.protocol, port, request.source_port).map_err(TraceError::Query)
}

/// Every expectation of the scenario, checked.
pub fn check(fabric: &Fabric) -> Vec<ExpectationResult> {
    vnetsim_analysis::check_scenario(fabric)
}
