//! Parsing the places packets start from and go to: `endpoint`, `endpoint[node]`, `internet`,
//! an on-premises network name, (sources only) a declared or Microsoft service calling, or
//! (destinations only) an IP address, a DNS name or a URL. Shared by `expect:`
//! entries and the command line.

use crate::diagnostic::did_you_mean;
use std::collections::HashMap;
use vnetsim_model::addr::INTERNET_REPRESENTATIVE;
use vnetsim_model::name_pattern::is_wildcard;
use vnetsim_model::{
    Destination, EndpointId, EndpointKind, IpAddr, NicId, OnPremId, Place, Scenario, Service, ServiceId, ServiceKind,
    SubnetId,
};

/// Which end of a connection a place is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Source,
    Destination,
}

/// The names places are looked up by, indexed once per scenario: a file with thousands of
/// `from:` and `to:` must not scan every endpoint and service for each. Built from, and used
/// with, one scenario.
pub struct PlaceIndex {
    on_prem: HashMap<String, OnPremId>,
    /// Declared services, and the built-in Microsoft services, which call in from the internet
    /// side (AzureMachineLearning managing compute, A-2).
    services: HashMap<String, ServiceId>,
    endpoints: HashMap<String, EndpointId>,
    /// `aliases:`: another name of a place, to the name it stands for.
    aliases: HashMap<String, String>,
}

/// Why a text is no place. The message is written only when shown: `to:` texts that are DNS
/// names fail as places first, and a "did you mean" over every endpoint would cost each of them.
enum NotAPlace<'t> {
    Message(String),
    /// A service as a destination: the message suggests one of its DNS names.
    Service {
        name: &'t str,
        id: ServiceId,
    },
    Unknown {
        name: &'t str,
        end: End,
    },
}

impl NotAPlace<'_> {
    fn message(self, scenario: &Scenario) -> String {
        match self {
            NotAPlace::Message(m) => m,
            NotAPlace::Service { name, id } => format!(
                "`{name}` is a service: connect to one of its DNS names or a URL, e.g. `https://{}`",
                scenario
                    .service_names
                    .iter()
                    .find(|n| n.service == id && !is_wildcard(&n.fqdn))
                    .map_or("<name>", |n| n.fqdn.as_str())
            ),
            NotAPlace::Unknown { name, end: End::Source } if scenario.service_tags.get(name).is_some() => {
                tag_as_source(scenario, name)
            }
            NotAPlace::Unknown { name, end } => {
                let candidates = scenario
                    .endpoints
                    .iter()
                    .map(|e| e.name.as_str())
                    .chain(scenario.on_prem.iter().map(|o| o.name.as_str()))
                    .chain(["internet"]);
                match did_you_mean(name, candidates) {
                    Some(s) => format!("unknown endpoint `{name}` (did you mean `{s}`?)"),
                    None => format!(
                        "unknown endpoint `{name}`: expected an endpoint, `internet`, an on-premises network{}",
                        match end {
                            End::Destination => ", an IP address, a DNS name or a URL",
                            End::Source => " or a service",
                        }
                    ),
                }
            }
        }
    }
}

/// Why a service tag is no source, naming the service that stands for it: a Microsoft service
/// (or a declared one) whose public IP was drawn from the tag or one of its regional tags, as
/// `azureml-service` from `AzureMachineLearning.<region>`.
fn tag_as_source(scenario: &Scenario, tag: &str) -> String {
    let drawn_from = |s: &&Service| {
        s.tag.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case(tag)
                || scenario
                    .service_tags
                    .get(t)
                    .and_then(|t| t.parent.as_deref())
                    .is_some_and(|p| p.eq_ignore_ascii_case(tag))
        })
    };
    let callable = scenario.services.iter().filter(|s| !s.builtin || s.kind == ServiceKind::Microsoft);
    let mut standing: Vec<&Service> = callable.filter(drawn_from).collect();
    // The built-in Microsoft services first: they are what a tag names.
    standing.sort_by_key(|s| s.kind != ServiceKind::Microsoft);
    match standing.first() {
        Some(s) => format!(
            "`{tag}` is a service tag, not a place: the {} source `{}` stands for it (its public IP {} is in {})",
            if s.builtin { "built-in" } else { "declared" },
            s.name,
            s.public_ip,
            s.tag.as_deref().unwrap_or(tag)
        ),
        None => format!(
            "`{tag}` is a service tag, not a place: no service of the scenario stands for it; a source is an endpoint, `internet`, an on-premises network or a service"
        ),
    }
}

/// Each name to the id of its first holder, as a scan in file order would find it.
fn first_ids<'a, Id>(names: impl Iterator<Item = (&'a str, Id)>) -> HashMap<String, Id> {
    let mut map = HashMap::new();
    for (name, id) in names {
        map.entry(name.to_string()).or_insert(id);
    }
    map
}

impl PlaceIndex {
    pub fn new(scenario: &Scenario) -> Self {
        let callable = |s: &Service| !s.builtin || s.kind == ServiceKind::Microsoft;
        PlaceIndex {
            on_prem: first_ids(
                scenario.on_prem.iter().enumerate().map(|(i, o)| (o.name.as_str(), OnPremId::from_index(i))),
            ),
            services: first_ids(
                (scenario.services.iter().enumerate())
                    .filter(|(_, s)| callable(s))
                    .map(|(i, s)| (s.name.as_str(), ServiceId::from_index(i))),
            ),
            endpoints: first_ids(
                scenario.endpoints.iter().enumerate().map(|(i, e)| (e.name.as_str(), EndpointId::from_index(i))),
            ),
            aliases: scenario.aliases.iter().cloned().collect(),
        }
    }

    /// The name an alias stands for, else the text itself.
    fn unalias<'a>(&'a self, text: &'a str) -> &'a str {
        self.aliases.get(text.trim()).map_or(text, String::as_str)
    }

    /// [`parse_place`] with this index; `scenario` is the one the index was built from.
    pub fn place(&self, scenario: &Scenario, text: &str, end: End) -> Result<Place, String> {
        self.find(scenario, self.unalias(text), end).map_err(|e| e.message(scenario))
    }

    fn find<'t>(&self, scenario: &Scenario, text: &'t str, end: End) -> Result<Place, NotAPlace<'t>> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("internet") {
            return Ok(Place::Internet(IpAddr::V4(INTERNET_REPRESENTATIVE)));
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return match end {
                End::Destination => Ok(Place::Address(ip)),
                End::Source => Err(NotAPlace::Message(format!(
                    "a source must be an endpoint, `internet` or an on-premises network, not the address {ip}"
                ))),
            };
        }
        if let Some(&network) = self.on_prem.get(text) {
            let address = scenario.on_prem[network.index()]
                .representative_address()
                .ok_or_else(|| NotAPlace::Message(format!("on-premises network `{text}` has no prefixes")))?;
            return Ok(Place::OnPrem { network, address });
        }
        let (name, node) = split_node(text);
        let node =
            node.ok_or_else(|| NotAPlace::Message(format!("invalid node index in `{text}`: write `name[0]`")))?;
        if let Some(&id) = self.services.get(name) {
            return match end {
                End::Source if text != name => {
                    Err(NotAPlace::Message(format!("`{name}` is a service: it has no nodes to index")))
                }
                End::Source => Ok(Place::Service(id)),
                End::Destination => Err(NotAPlace::Service { name, id }),
            };
        }
        let Some(&endpoint) = self.endpoints.get(name) else {
            return Err(NotAPlace::Unknown { name, end });
        };
        let e = scenario.endpoint(endpoint);
        let kind = e.kind;
        if end == End::Source && matches!(kind, EndpointKind::PrivateEndpoint | EndpointKind::Gateway) {
            // P-2: connections are initiated towards a private endpoint, never by it.
            return Err(NotAPlace::Message(format!("`{name}` is a {kind}: it does not start connections (P-2)")));
        }
        if end == End::Source && kind == EndpointKind::Firewall {
            return Err(NotAPlace::Message(format!(
                "`{name}` is a firewall: it forwards and translates flows but starts none of its own (F-12)"
            )));
        }
        let count = e.node_count;
        if node >= count {
            let nodes =
                if count == 1 { "1 node (0)".to_string() } else { format!("{count} nodes (0 to {})", count - 1) };
            return Err(NotAPlace::Message(format!("`{name}` has {nodes}; node {node} does not exist")));
        }
        Ok(Place::Endpoint { endpoint, node })
    }

    /// [`parse_destination`] with this index; `scenario` is the one the index was built from.
    pub fn destination(&self, scenario: &Scenario, text: &str) -> Result<ParsedDestination, String> {
        let text = self.unalias(text).trim();
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
            None => match self.find(scenario, text, End::Destination) {
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
        // All-digit labels are an address, never a DNS name: `010.0.0.1` is refused, not looked up.
        if host.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())) {
            return Err(crate::decode::parse_ip(host).err().unwrap_or_else(|| format!("invalid IP address `{host}`")));
        }
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        let is_name = name.contains('.')
            && name
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        if !is_name {
            // Neither a place nor a DNS name: report it as the place it most likely meant.
            return Err(as_place.map_or_else(|| format!("`{host}` is not a DNS name"), |e| e.message(scenario)));
        }
        Ok(ParsedDestination { destination: Destination::Name(name), port })
    }
}

/// An endpoint reference `name[N]` split into the name and node `N` of a multi-node endpoint;
/// `name` alone is node 0. The index is `None` when the brackets hold no number (`name[x]`).
pub fn split_node(text: &str) -> (&str, Option<u32>) {
    match text.strip_suffix(']').and_then(|v| v.split_once('[')) {
        Some((name, index)) => (name, index.parse().ok()),
        None => (text, Some(0)),
    }
}

/// Parses a place of `scenario` (indexing it first: to parse many, keep a [`PlaceIndex`]).
pub fn parse_place(scenario: &Scenario, text: &str, end: End) -> Result<Place, String> {
    PlaceIndex::new(scenario).place(scenario, text, end)
}

/// What `reach --from` and `audit --from` name: the NICs that send, and a note when a cluster
/// written without a node stands for its node 0.
pub struct Senders {
    pub nics: Vec<NicId>,
    pub note: Option<String>,
}

/// Why a text names no sender, and the places that could have been meant: only those that can
/// send (endpoints that start connections, and subnets holding one).
pub struct NotASender {
    pub message: String,
    pub candidates: Vec<String>,
}

/// Parses `--from` of the exhaustive analyses: an endpoint that starts connections (`vm1`,
/// `cluster[2]`) or a subnet `vnet/subnet` (each endpoint there that starts connections, its
/// primary NIC per node).
pub fn parse_senders(scenario: &Scenario, text: &str) -> Result<Senders, NotASender> {
    let s = scenario;
    let sends = |n: &NicId| {
        let nic = s.nic(*n);
        s.endpoint(nic.endpoint).kind.starts_connections() && s.primary_nic(nic.endpoint, nic.node) == Some(*n)
    };
    let senders_in = |subnet: SubnetId| -> Vec<NicId> {
        (0..s.nics.len()).map(NicId::from_index).filter(|n| s.nic(*n).subnet == subnet).filter(sends).collect()
    };
    let candidates = || -> Vec<String> {
        let endpoints = s.endpoints.iter().filter(|e| e.kind.starts_connections()).map(|e| e.name.clone());
        let subnets = (0..s.subnets.len())
            .map(SubnetId::from_index)
            .filter(|id| !senders_in(*id).is_empty())
            .map(|id| s.subnet_path(id));
        endpoints.chain(subnets).collect()
    };
    let text = text.trim();
    if let Some(subnet) = (0..s.subnets.len()).map(SubnetId::from_index).find(|i| s.subnet_path(*i) == text) {
        let nics = senders_in(subnet);
        if nics.is_empty() {
            let message = format!("subnet `{text}` has no endpoint that starts connections");
            return Err(NotASender { message, candidates: candidates() });
        }
        return Ok(Senders { nics, note: None });
    }
    let not_a_sender = |message: String| NotASender { message, candidates: candidates() };
    match PlaceIndex::new(s).find(s, text, End::Source) {
        Ok(Place::Endpoint { endpoint, node }) => {
            let e = s.endpoint(endpoint);
            let nic = s.primary_nic(endpoint, node).ok_or_else(|| not_a_sender(format!("`{text}` has no NIC")))?;
            let note = (e.node_count > 1 && !text.ends_with(']')).then(|| {
                format!(
                    "{text}: node 0 ({0}[0]) stands for the {1} nodes of `{0}`; name another as {0}[N]",
                    e.name, e.node_count
                )
            });
            Ok(Senders { nics: vec![nic], note })
        }
        Ok(_) => Err(not_a_sender(format!(
            "`{text}` is not an endpoint: the analysis starts from an endpoint or a subnet of the scenario"
        ))),
        Err(NotAPlace::Unknown { name, .. }) => {
            let candidates = candidates();
            let message = match did_you_mean(name, candidates.iter().map(String::as_str)) {
                Some(m) => format!("`{name}` is no endpoint or subnet of the scenario (did you mean `{m}`?)"),
                None => format!("`{name}` is no endpoint or subnet of the scenario"),
            };
            Err(NotASender { message, candidates })
        }
        Err(e) => Err(NotASender { message: e.message(s), candidates: Vec::new() }),
    }
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
    PlaceIndex::new(scenario).destination(scenario, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vnetsim_model::ServiceTagTable;

    #[test]
    fn endpoint_references_split_into_name_and_node() {
        assert_eq!(split_node("cluster[1]"), ("cluster", Some(1)));
        assert_eq!(split_node("vm1"), ("vm1", Some(0)));
        assert_eq!(split_node("cluster[x]"), ("cluster", None));
        assert_eq!(split_node("cluster[]"), ("cluster", None));
        assert_eq!(split_node("cluster[1"), ("cluster[1", Some(0)));
    }

    fn scenario() -> Scenario {
        let yaml = "name: t
vnets:
  - name: v
    address_space: [10.0.0.0/16]
    subnets:
      - {name: app, prefix: 10.0.1.0/24}
endpoints:
  - {name: vm1, kind: vm, subnet: v/app}
  - {name: cluster, kind: compute_cluster, node_count: 2, subnet: v/app}
services:
  - {name: st, kind: storage_account}
on_premises:
  - {name: corp, prefixes: [192.168.0.0/16]}
";
        crate::load_scenario("t.yaml", yaml, &ServiceTagTable::builtin()).unwrap_or_else(|d| panic!("{d:#?}"))
    }

    #[test]
    fn places_are_found_by_name_node_and_end() {
        let s = scenario();
        let index = PlaceIndex::new(&s);
        let cluster = EndpointId::from_index(1);
        assert_eq!(index.place(&s, "cluster[1]", End::Source), Ok(Place::Endpoint { endpoint: cluster, node: 1 }));
        assert_eq!(
            index.place(&s, "cluster[2]", End::Source).unwrap_err(),
            "`cluster` has 2 nodes (0 to 1); node 2 does not exist"
        );
        assert!(matches!(index.place(&s, "corp", End::Source), Ok(Place::OnPrem { .. })));
        assert_eq!(index.place(&s, "st", End::Source), Ok(Place::Service(ServiceId::from_index(0))));
        assert_eq!(index.place(&s, "vm2", End::Source).unwrap_err(), "unknown endpoint `vm2` (did you mean `vm1`?)");
    }

    #[test]
    fn a_destination_that_is_no_place_is_a_name() {
        let s = scenario();
        let index = PlaceIndex::new(&s);
        let parsed = index.destination(&s, "https://st.blob.core.windows.net/c").unwrap();
        assert_eq!(parsed.destination, Destination::Name("st.blob.core.windows.net".into()));
        assert_eq!(parsed.port, Some(443));
        let parsed = index.destination(&s, "files.example.com:8443").unwrap();
        assert_eq!((parsed.destination, parsed.port), (Destination::Name("files.example.com".into()), Some(8443)));
        // Neither a place nor a name: the place it most likely meant.
        assert_eq!(index.destination(&s, "vm2").err().unwrap(), "unknown endpoint `vm2` (did you mean `vm1`?)");
        assert_eq!(
            index.destination(&s, "st").err().unwrap(),
            "`st` is a service: connect to one of its DNS names or a URL, e.g. `https://st.blob.core.windows.net`"
        );
    }
}
