//! Parsing the places packets start from and go to: `endpoint`, `endpoint[node]`, `internet`,
//! an on-premises network name, (sources only) a declared or Microsoft service calling, or
//! (destinations only) an IP address, a DNS name or a URL. Shared by `expect:`
//! entries and the command line.

use crate::diagnostic::did_you_mean;
use vnetsim_model::addr::INTERNET_REPRESENTATIVE;
use vnetsim_model::{Destination, EndpointId, EndpointKind, IpAddr, OnPremId, Place, Scenario, ServiceId};

/// Which end of a connection a place is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Source,
    Destination,
}

pub fn parse_place(scenario: &Scenario, text: &str, end: End) -> Result<Place, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("internet") {
        return Ok(Place::Internet(IpAddr::V4(INTERNET_REPRESENTATIVE)));
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return match end {
            End::Destination => Ok(Place::Address(ip)),
            End::Source => {
                Err(format!("a source must be an endpoint, `internet` or an on-premises network, not the address {ip}"))
            }
        };
    }
    if let Some(i) = scenario.on_prem.iter().position(|o| o.name == text) {
        let network = OnPremId::from_index(i);
        let address = scenario.on_prem[i]
            .representative_address()
            .ok_or_else(|| format!("on-premises network `{text}` has no prefixes"))?;
        return Ok(Place::OnPrem { network, address });
    }
    let (name, node) = match text.strip_suffix(']').and_then(|v| v.split_once('[')) {
        Some((name, index)) => {
            (name, index.parse::<u32>().map_err(|_| format!("invalid node index in `{text}`: write `name[0]`"))?)
        }
        None => (text, 0),
    };
    // Declared services, and the built-in Microsoft services, which call in from the internet
    // side (AzureMachineLearning managing compute, A-2).
    let callable = |s: &vnetsim_model::Service| !s.builtin || s.kind == vnetsim_model::ServiceKind::Microsoft;
    if let Some(i) = scenario.services.iter().position(|s| callable(s) && s.name == name) {
        return match end {
            End::Source if text != name => Err(format!("`{name}` is a service: it has no nodes to index")),
            End::Source => Ok(Place::Service(ServiceId::from_index(i))),
            End::Destination => Err(format!(
                "`{name}` is a service: connect to one of its DNS names or a URL, e.g. `https://{}`",
                scenario
                    .service_names
                    .iter()
                    .find(|n| n.service.index() == i && !n.fqdn.starts_with("*."))
                    .map_or("<name>", |n| n.fqdn.as_str())
            )),
        };
    }
    let Some(i) = scenario.endpoints.iter().position(|e| e.name == name) else {
        let candidates = scenario
            .endpoints
            .iter()
            .map(|e| e.name.as_str())
            .chain(scenario.on_prem.iter().map(|o| o.name.as_str()))
            .chain(["internet"]);
        return Err(match did_you_mean(name, candidates) {
            Some(s) => format!("unknown endpoint `{name}` (did you mean `{s}`?)"),
            None => format!(
                "unknown endpoint `{name}`: expected an endpoint, `internet`, an on-premises network{}",
                match end {
                    End::Destination => ", an IP address, a DNS name or a URL",
                    End::Source => " or a service",
                }
            ),
        });
    };
    let kind = scenario.endpoints[i].kind;
    if end == End::Source && matches!(kind, EndpointKind::PrivateEndpoint | EndpointKind::Gateway) {
        // P-2: connections are initiated towards a private endpoint, never by it.
        return Err(format!("`{name}` is a {kind}: it does not start connections (P-2)"));
    }
    if end == End::Source && kind == EndpointKind::Firewall {
        return Err(format!(
            "`{name}` is a firewall: it forwards and translates flows but starts none of its own (F-12)"
        ));
    }
    let count = scenario.endpoints[i].node_count;
    if node >= count {
        return Err(format!("`{name}` has {count} node(s); node {node} does not exist"));
    }
    Ok(Place::Endpoint { endpoint: EndpointId::from_index(i), node })
}

/// A destination as written: a place, or a DNS name from a URL or `host[:port]`.
pub struct ParsedDestination {
    pub destination: Destination,
    /// The port a URL scheme or a `:port` suffix gives.
    pub port: Option<u16>,
}

/// Parses `to:`: a place (see [`parse_place`]), a URL (`https://acct.blob.core.windows.net`,
/// `smb://acct.file.core.windows.net`), or `host[:port]` for a DNS name.
pub fn parse_destination(scenario: &Scenario, text: &str) -> Result<ParsedDestination, String> {
    let text = text.trim();
    let (host_port, scheme_port) = match text.split_once("://") {
        Some((scheme, rest)) => {
            let port = match scheme.to_ascii_lowercase().as_str() {
                "https" => 443,
                "http" => 80,
                "smb" => 445,
                other => return Err(format!("unsupported URL scheme `{other}`: use https, http or smb")),
            };
            (rest.split(['/', '?', '#']).next().unwrap_or(rest), Some(port))
        }
        None => (text, None),
    };
    let as_place = match scheme_port {
        None => match parse_place(scenario, text, End::Destination) {
            Ok(place) => return Ok(ParsedDestination { destination: Destination::Place(place), port: None }),
            Err(e) => Some(e),
        },
        Some(_) => None,
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            (host, Some(port.parse::<u16>().map_err(|_| format!("invalid port `{port}` in `{text}`"))?))
        }
        _ => (host_port, None),
    };
    let port = port.or(scheme_port);
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(ParsedDestination { destination: Destination::Place(Place::Address(ip)), port });
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    let is_name = name.contains('.')
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    if !is_name {
        // Neither a place nor a DNS name: report it as the place it most likely meant.
        return Err(as_place.unwrap_or_else(|| format!("`{host}` is not a DNS name")));
    }
    Ok(ParsedDestination { destination: Destination::Name(name), port })
}
