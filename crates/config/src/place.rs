//! Parsing the places packets start from and go to: `endpoint`, `endpoint[node]`, `internet`,
//! an on-premises network name, or (destinations only) an IP address. Shared by `expect:`
//! entries and the command line.

use crate::diagnostic::did_you_mean;
use vnetsim_model::addr::INTERNET_REPRESENTATIVE;
use vnetsim_model::{EndpointId, IpAddr, OnPremId, Place, Scenario};

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
                if end == End::Destination { " or an IP address" } else { "" }
            ),
        });
    };
    let count = scenario.endpoints[i].node_count;
    if node >= count {
        return Err(format!("`{name}` has {count} node(s); node {node} does not exist"));
    }
    Ok(Place::Endpoint { endpoint: EndpointId::from_index(i), node })
}
