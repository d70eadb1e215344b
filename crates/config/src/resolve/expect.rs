//! `expect:` entries: a connection (`to:`) that must be allowed or denied, a flow of the
//! catalogue (`flow:`) that must work or be broken, or the exfiltration audit of a source
//! (neither) that must find no path out or find one.

use super::Resolver;
use crate::decode::Sp;
use crate::diagnostic::{Loc, MAX_LISTED, did_you_mean};
use crate::place::{End, PlaceIndex, split_node};
use crate::raw::*;
use std::collections::HashMap;
use vnetsim_model::addr::DEFAULT_OUTBOUND_REPRESENTATIVE;
use vnetsim_model::catalogue::{FLOWS, roles};
use vnetsim_model::scenario::DEFAULT_SOURCE_PORT;
use vnetsim_model::*;

impl Resolver<'_> {
    /// The place index, with the scenario it indexes. Built at first use: places are read last,
    /// once every name is declared.
    fn places(&mut self) -> (&PlaceIndex, &Scenario) {
        (self.places.get_or_insert_with(|| PlaceIndex::new(&self.s)), &self.s)
    }

    pub(super) fn place(&mut self, text: &Sp<String>, end: End) -> Option<Place> {
        let (places, s) = self.places();
        let place = places.place(s, &text.value, end);
        place.map_err(|m| self.place_error(text, m)).ok()
    }

    /// Reports that `text` is no place, unless it names an endpoint or service that was left out
    /// after an error of its own.
    fn place_error(&mut self, text: &Sp<String>, message: String) {
        let name = text.value.trim();
        let (name, _) = split_node(name);
        let left_out = (self.endpoints.get(name).is_none() && self.d.is_left_out("endpoint", name))
            || (self.services.get(name).is_none() && self.d.is_left_out("service", name));
        if !left_out {
            self.d.error(text.loc, message);
        }
    }

    pub(super) fn expectations(&mut self, raw: &[RawExpect]) {
        let workspaces: Vec<ServiceId> = self.s.services_of(ServiceKind::Workspace).collect();
        for e in raw {
            match (&e.to, &e.flow) {
                _ if e.outcome.value.is_audit() => self.exfiltration_expectation(e),
                (Some(to), None) => self.connection_expectation(e, to),
                (None, Some(flow)) => self.flow_expectation(e, flow, &workspaces),
                _ => {} // reported while decoding
            }
        }
    }

    /// The `by:` of `e`, which only outcome `with` (the second of its subject's pair in
    /// [`Outcome`]) takes, else an error; `names` says what it names.
    fn by(&mut self, e: &RawExpect, with: Outcome, names: &str) -> Result<Option<String>, ()> {
        match &e.by {
            Some(by) if e.outcome.value != with => {
                self.d.error(by.loc, format!("`by` names {names}; it goes with `outcome: {}`", with.word()));
                Err(())
            }
            Some(by) if !self.check_by(by) => Err(()),
            by => Ok(by.as_ref().map(|b| b.value.clone())),
        }
    }

    /// Whether `by:` names an object of the scenario, in a form a decider can take: `name`,
    /// `name/rule`, `vnet/subnet`, `system routes of vnet/subnet`, `azure-platform`,
    /// `public DNS`. The rule of an NSG or route table must be one of its own. Reports it if not:
    /// otherwise the expectation could never hold, and only `run` would say so.
    fn check_by(&mut self, by: &Sp<String>) -> bool {
        let s = &self.s;
        let names = self.by_names.get_or_insert_with(|| by_targets(s));
        let text = by.value.as_str();
        let text = text.strip_prefix("system routes of ").unwrap_or(text);
        // The longest `/`-prefix that names something: `hub-fw/net/deny/smb` is `hub-fw`,
        // `spoke/work/Microsoft.Storage` is the subnet `spoke/work`.
        let mut cuts: Vec<usize> = text.match_indices('/').map(|(i, _)| i).collect();
        cuts.push(text.len());
        let found = cuts.iter().rev().find_map(|&i| names.get(&text[..i]).map(|t| (i, *t)));
        let (head, rule) = match found {
            Some((i, target)) => (target, text.get(i + 1..).filter(|r| !r.is_empty())),
            // Something left out after an error of its own: not reported again.
            None if cuts.iter().any(|&i| LEFT_OUT_KINDS.iter().any(|k| self.d.is_left_out(k, &text[..i]))) => {
                return false;
            }
            None => {
                let message = format!("`by: {}` names no object of this scenario", by.value);
                let close = did_you_mean(&by.value, names.keys().map(String::as_str)).map(str::to_string);
                match close {
                    Some(c) => self.d.error_with_help(by.loc, message, format!("did you mean `{c}`?")),
                    None => self.d.error_with_help(
                        by.loc,
                        message,
                        "`by:` names what decides: an NSG, route table, firewall, peering, endpoint, subnet `vnet/subnet`, service, private endpoint, zone, gateway, … or `name/rule` (see \"What `by:` matches\")",
                    ),
                }
                return false;
            }
        };
        let (kind, owner, rules): (&str, &str, Vec<&str>) = match (head, rule) {
            (ByTarget::Nsg(id), Some(_)) => {
                let nsg = &self.s.nsgs[id.index()];
                ("NSG", &nsg.name, nsg.rules.iter().map(|r| r.name.as_str()).collect())
            }
            (ByTarget::RouteTable(id), Some(_)) => {
                let table = &self.s.route_tables[id.index()];
                ("route table", &table.name, table.routes.iter().map(|r| r.name.as_str()).collect())
            }
            _ => return true,
        };
        let rule = rule.unwrap_or_default();
        if rules.contains(&rule) {
            return true;
        }
        if self.d.is_left_out("rule", &format!("{owner}/{rule}")) {
            return false;
        }
        let message = format!("`by: {}`: {kind} `{owner}` has no rule `{rule}`", by.value);
        let help = match did_you_mean(rule, rules.iter().copied()) {
            Some(c) => format!("did you mean `{owner}/{c}`?"),
            None => format!("its rules: {}", listed(&rules)),
        };
        self.d.error_with_help(by.loc, message, help);
        false
    }

    fn connection_expectation(&mut self, e: &RawExpect, to_text: &Sp<String>) {
        let from = self.place(&e.from, End::Source);
        let (places, s) = self.places();
        let to = places.destination(s, &to_text.value);
        let mut to = to.map_err(|m| self.place_error(to_text, m)).ok();
        // Every source is IPv4, and a packet has one address family.
        if let Some(t) = &to
            && let Destination::Place(Place::Address(IpAddr::V6(_))) = t.destination
        {
            self.d.error_with_help(
                to_text.loc,
                format!("`to: {}` is an IPv6 address: {}", to_text.value, crate::decode::IPV6_NOT_MODELLED),
                "every source is IPv4, and a packet keeps one address family from source to destination",
            );
            to = None;
        }
        if let Some(w) = &e.workspace {
            self.d.error(w.loc, "`workspace` applies to `flow:` expectations");
        }
        let protocol_text = e.protocol.as_ref().map_or("tcp", |p| p.value.as_str());
        let protocol = Protocol::parse(protocol_text);
        if let (None, Some(p)) = (protocol, &e.protocol) {
            self.d.error_with_help(
                p.loc,
                format!("invalid protocol `{}`", p.value),
                "expected one of: tcp, udp, icmp, esp, ah",
            );
        }
        let implied_port = to.as_ref().and_then(|t| t.port);
        let port = match (&e.port, implied_port) {
            (Some(p), Some(implied)) if p.value != u64::from(implied) => {
                self.d
                    .error(p.loc, format!("`port: {}` contradicts port {implied} of `to: {}`", p.value, to_text.value));
                return;
            }
            (Some(p), _) => Some(p.value as u16),
            (None, implied) => implied,
        };
        let needs_port = protocol.is_some_and(Protocol::has_ports);
        if needs_port && port.is_none() && to.is_some() && !e.port_written {
            self.d.error(e.loc, format!("expectation over {protocol_text} needs a `port`"));
            return;
        }
        if let (false, Some(port), Some(p)) = (needs_port, &e.port, protocol) {
            self.d.error(port.loc, format!("`port` applies to tcp and udp; {p} has no ports"));
            return;
        }
        let outcome = match e.outcome.value {
            Outcome::Allowed | Outcome::Denied | Outcome::OneWay => {
                let by = match &e.by {
                    Some(by) if !self.check_by(by) => return,
                    by => by.as_ref().map(|b| b.value.clone()),
                };
                match e.outcome.value {
                    Outcome::Allowed => ExpectedOutcome::Allowed { by },
                    Outcome::OneWay => ExpectedOutcome::OneWay { by },
                    _ => ExpectedOutcome::Denied { by },
                }
            }
            _ => {
                self.d.error(
                    e.outcome.loc,
                    "a connection is `allowed`, `one_way` or `denied`; `works` and `broken` are for `flow:`",
                );
                return;
            }
        };
        let via = e.via.as_ref().map(|v| self.path_objects(v, "via"));
        let not_via = e.not_via.as_ref().map(|v| self.path_objects(v, "not_via"));
        let (Some(via), Some(not_via)) = (via.unwrap_or(Some(Vec::new())), not_via.unwrap_or(Some(Vec::new()))) else {
            return;
        };
        if let (Some(both), Some(list)) = (via.iter().find(|o| not_via.contains(o)), &e.not_via) {
            let i = not_via.iter().position(|o| o == both).unwrap_or(0);
            let name = &list.value[i];
            self.d.error(name.loc, format!("`{}` is in both `via` and `not_via`", name.value));
            return;
        }
        let seen_as = match (&e.seen_as, e.outcome.value) {
            (None, _) => None,
            (Some(text), Outcome::Allowed | Outcome::OneWay) => Some(self.seen_as(text).ok_or(())),
            (Some(text), _) => {
                self.d.error(
                    text.loc,
                    "`seen_as` says what the destination sees; it goes with `outcome: allowed` or `one_way`",
                );
                return;
            }
        };
        let Ok(seen_as) = seen_as.transpose() else { return };
        let resolves_to = match (&e.resolves_to, to.as_ref().map(|t| &t.destination)) {
            (None, _) => None,
            (Some(r), Some(Destination::Name(_))) => self.expected_answer(r),
            (Some(r), _) => {
                self.d.error(r.loc, "`resolves_to` applies when `to` is a DNS name or URL");
                return;
            }
        };
        let (Some(from), Some(to), Some(protocol)) = (from, to, protocol) else { return };
        let port = port.unwrap_or(0);
        let label = e.name.clone().unwrap_or_else(|| {
            let port = if needs_port && implied_port.is_none() { format!(":{port}") } else { String::new() };
            format!("{} -> {}{port}/{protocol}", e.from.value, to_text.value)
        });
        self.s.expectations.push(Expectation {
            loc: source_loc(e.loc),
            label,
            from_text: e.from.value.clone(),
            to_text: to_text.value.clone(),
            from,
            to: to.destination,
            protocol,
            port,
            source_port: e.source_port.as_ref().map_or(DEFAULT_SOURCE_PORT, |p| p.value as u16),
            outcome,
            resolves_to,
            via,
            not_via,
            seen_as,
        });
    }

    /// The objects of a `via:` or `not_via:` list (`key`), or `None` after reporting the names
    /// that are no object a request crosses.
    fn path_objects(&mut self, list: &Sp<Vec<Sp<String>>>, key: &str) -> Option<Vec<PathObject>> {
        if list.value.is_empty() {
            self.d.error(list.loc, format!("`{key}` lists no object"));
            return None;
        }
        let s = &self.s;
        let names = self.path_names.get_or_insert_with(|| path_names(s));
        let mut objects = Vec::with_capacity(list.value.len());
        let mut problems = Vec::new();
        for name in &list.value {
            match path_name(names, &self.s, &name.value) {
                Ok(o) => objects.push(o),
                Err(problem) => problems.push((name, problem)),
            }
        }
        let failed = !problems.is_empty();
        for (name, problem) in problems {
            self.path_error(name, key, problem);
        }
        (!failed).then_some(objects)
    }

    fn path_error(&mut self, name: &Sp<String>, key: &str, problem: NotOnPath) {
        let text = name.value.as_str();
        // A name unknown because its object was left out after an error of its own.
        let left_out = || {
            LEFT_OUT_KINDS.iter().any(|k| self.d.is_left_out(k, text))
                || text.split_once('/').is_some_and(|(t, _)| self.d.is_left_out("route table", t))
        };
        match problem {
            NotOnPath::Unknown if left_out() => {}
            NotOnPath::Unknown => {
                let names = self.path_names.as_ref().map(|n| n.keys().map(String::as_str));
                let close = names.and_then(|n| did_you_mean(text, n)).map(str::to_string);
                let message = format!("`{key}: {text}` names no object of this scenario");
                match close {
                    Some(c) => self.d.error_with_help(name.loc, message, format!("did you mean `{c}`?")),
                    None => self.d.error_with_help(name.loc, message, CROSSABLE),
                }
            }
            NotOnPath::Kind(kind) => self.d.error_with_help(
                name.loc,
                format!("`{key}: {text}` names a {kind}, which a request does not cross"),
                CROSSABLE,
            ),
            NotOnPath::NoRoute { table, route } => {
                let t = &self.s.route_tables[table.index()];
                let names: Vec<&str> = t.routes.iter().map(|r| r.name.as_str()).collect();
                let help = match did_you_mean(&route, names.iter().copied()) {
                    Some(c) => format!("did you mean `{}/{c}`?", t.name),
                    None => format!("its routes: {}", listed(&names)),
                };
                let message = format!("`{key}: {text}`: route table `{}` has no route `{route}`", t.name);
                self.d.error_with_help(name.loc, message, help);
            }
        }
    }

    /// `seen_as:`: an address or prefix, `default_outbound_access`, or the name of what sends
    /// or translates (its addresses or prefixes).
    fn seen_as(&mut self, text: &Sp<String>) -> Option<SeenAs> {
        let written = text.value.trim();
        let seen = |prefixes: Vec<IpNet>| Some(SeenAs { text: written.to_string(), prefixes });
        if written.starts_with(|c: char| c.is_ascii_digit()) || written.contains(':') {
            return match crate::decode::parse_ipv4_prefix(written) {
                Ok(net) => seen(vec![net]),
                Err(message) => {
                    self.d.error(text.loc, format!("`seen_as`: {message}"));
                    None
                }
            };
        }
        if written == DEFAULT_OUTBOUND_ACCESS {
            return seen(vec![IpNet::from(IpAddr::V4(DEFAULT_OUTBOUND_REPRESENTATIVE))]);
        }
        if let Some(prefixes) = seen_as_prefixes(&self.s, written) {
            return seen(prefixes);
        }
        if LEFT_OUT_KINDS.iter().any(|k| self.d.is_left_out(k, written)) {
            return None;
        }
        let s = &self.s;
        let candidates = (s.nat_gateways.iter().map(|n| n.name.as_str()))
            .chain(s.firewalls.iter().map(|f| f.name.as_str()))
            .chain(s.load_balancers.iter().map(|l| l.name.as_str()))
            .chain(s.endpoints.iter().map(|e| e.name.as_str()))
            .chain(s.services.iter().map(|x| x.name.as_str()))
            .chain(s.on_prem.iter().map(|o| o.name.as_str()))
            .chain([DEFAULT_OUTBOUND_ACCESS]);
        let message = format!("`seen_as: {written}` is no address and names nothing that sends or translates");
        match did_you_mean(written, candidates).map(str::to_string) {
            Some(c) => self.d.error_with_help(text.loc, message, format!("did you mean `{c}`?")),
            None => self.d.error_with_help(
                text.loc,
                message,
                "`seen_as` is an IPv4 address or prefix, a subnet `vnet/subnet`, a NAT gateway, firewall, load balancer, endpoint, service or on-premises network, or `default_outbound_access`",
            ),
        }
        None
    }

    /// `workspaces` are the scenario's workspaces.
    fn flow_expectation(&mut self, e: &RawExpect, flow_text: &Sp<String>, workspaces: &[ServiceId]) {
        for (key, loc) in connection_keys(e) {
            self.d.error(loc, format!("`{key}` applies to connections; a flow has its own connections"));
        }
        let flow = FLOWS.iter().position(|f| f.name == flow_text.value);
        if flow.is_none() {
            let hint = did_you_mean(&flow_text.value, FLOWS.iter().map(|f| f.name))
                .map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"));
            self.d.error_with_help(
                flow_text.loc,
                format!("unknown flow `{}`{hint}", flow_text.value),
                format!("`vnetsim flows --list` shows the catalogue: {}", FLOWS.map(|f| f.name).join(", ")),
            );
        }
        let from = self.place(&e.from, End::Source);
        let outcome = match e.outcome.value {
            Outcome::Works | Outcome::Broken => match self.by(e, Outcome::Broken, BLOCKER) {
                Ok(_) if e.outcome.value == Outcome::Works => ExpectedFlow::Works,
                Ok(by) => ExpectedFlow::Broken { by },
                Err(()) => return,
            },
            _ => {
                self.d
                    .error(e.outcome.loc, "a flow `works` or is `broken`; `allowed` and `denied` are for connections");
                return;
            }
        };
        let workspace = self.flow_workspace(e, from, workspaces);
        let (Some(flow), Some(from), Ok(workspace)) = (flow, from, workspace) else { return };
        let spec = &FLOWS[flow];
        let played = roles(&self.s, from);
        if !played.iter().any(|r| spec.has_role(*r)) {
            let mut starters: Vec<&str> = spec.connections.iter().map(|c| c.role.name()).collect();
            starters.dedup();
            let what = played.first().map_or("not a flow source", |r| r.name());
            self.d.error(
                e.from.loc,
                format!(
                    "flow `{}` does not start from `{}` ({what}); it starts from {}",
                    spec.name,
                    e.from.value,
                    starters.join(" and ")
                ),
            );
            return;
        }
        let label = e.name.clone().unwrap_or_else(|| {
            let at = e.workspace.as_ref().map_or_else(String::new, |w| format!(" ({})", w.value));
            format!("flow {} from {}{at}", spec.name, e.from.value)
        });
        self.s.flow_expectations.push(FlowExpectation {
            loc: source_loc(e.loc),
            label,
            flow,
            from_text: e.from.value.clone(),
            from,
            workspace,
            outcome,
        });
    }

    /// An expectation on the exfiltration audit of one source: the audit follows every path out
    /// of it, so the keys that pick a connection or a flow are errors.
    fn exfiltration_expectation(&mut self, e: &RawExpect) {
        let outcome_word = e.outcome.value.word();
        let targets = written([
            ("to", e.to.as_ref().map(|t| t.loc)),
            ("flow", e.flow.as_ref().map(|f| f.loc)),
            ("workspace", e.workspace.as_ref().map(|w| w.loc)),
        ]);
        for (key, loc) in targets.chain(connection_keys(e)) {
            self.d.error(
                loc,
                format!(
                    "`{key}` does not apply to `outcome: {outcome_word}`: the audit follows every path out of `from`"
                ),
            );
        }
        let from = self.audit_source(&e.from);
        let outcome = match self.by(e, Outcome::Exfiltration, "what opens the path") {
            Ok(_) if e.outcome.value == Outcome::NoExfiltration => ExpectedExfiltration::None,
            Ok(by) => ExpectedExfiltration::Found { by },
            Err(()) => return,
        };
        let Some(from) = from else { return };
        let label = e.name.clone().unwrap_or_else(|| match &outcome {
            ExpectedExfiltration::None => format!("no exfiltration from {}", e.from.value),
            ExpectedExfiltration::Found { by: None } => format!("exfiltration from {}", e.from.value),
            ExpectedExfiltration::Found { by: Some(by) } => format!("exfiltration from {} by {by}", e.from.value),
        });
        self.s.exfiltration_expectations.push(ExfiltrationExpectation {
            loc: source_loc(e.loc),
            label,
            from_text: e.from.value.clone(),
            from,
            outcome,
        });
    }

    /// The workspace a flow expectation is about: `workspace:`, else the source's own, else the
    /// scenario's only workspace.
    fn flow_workspace(
        &mut self,
        e: &RawExpect,
        from: Option<Place>,
        workspaces: &[ServiceId],
    ) -> Result<ServiceId, ()> {
        if let Some(w) = &e.workspace {
            let id = self.services.resolve(w, self.d).ok_or(())?;
            if !workspaces.contains(&id) {
                self.d.error(w.loc, format!("`{}` is not a workspace", w.value));
                return Err(());
            }
            return Ok(id);
        }
        let own = match from {
            Some(Place::Endpoint { endpoint, .. }) => self.s.endpoint(endpoint).workspace,
            Some(Place::Service(id)) if workspaces.contains(&id) => Some(id),
            _ => None,
        };
        match workspaces.len() {
            0 => {
                self.d.error(e.loc, "flows are Azure ML features: the scenario has no workspace");
                Err(())
            }
            1 => Ok(own.unwrap_or(workspaces[0])),
            _ if own.is_some() => own.ok_or(()),
            _ => {
                self.d.error(
                    e.loc,
                    format!(
                        "the scenario has {} workspaces: say whose flow this is with `workspace:`",
                        workspaces.len()
                    ),
                );
                Err(())
            }
        }
    }

    fn expected_answer(&mut self, r: &Sp<String>) -> Option<ExpectedAnswer> {
        match r.value.to_ascii_lowercase().as_str() {
            "private" => Some(ExpectedAnswer::Private),
            "public" => Some(ExpectedAnswer::Public),
            "nxdomain" => Some(ExpectedAnswer::NxDomain),
            other => match other.parse::<IpAddr>() {
                Ok(ip) => Some(ExpectedAnswer::Address(ip)),
                Err(_) => {
                    self.d.error_with_help(
                        r.loc,
                        format!("invalid resolves_to `{}`", r.value),
                        "expected private, public, nxdomain or an IP address",
                    );
                    None
                }
            },
        }
    }
}

/// The kinds of objects a `by:` may name that are left out after an error of their own.
const LEFT_OUT_KINDS: [&str; 6] = ["VNet", "subnet", "NSG", "route table", "endpoint", "service"];

/// What the head of a `by:` names: an NSG or a route table (whose rule is checked too), or any
/// other object.
#[derive(Clone, Copy, Debug)]
pub(super) enum ByTarget {
    Nsg(NsgId),
    RouteTable(RouteTableId),
    Other,
}

/// Every name a decider can carry, to what it names; a name two objects share is `Other`.
fn by_targets(s: &Scenario) -> HashMap<String, ByTarget> {
    let mut names: HashMap<String, ByTarget> = HashMap::new();
    let mut add = |name: &str, target: ByTarget| {
        names.entry(name.to_string()).and_modify(|t| *t = ByTarget::Other).or_insert(target);
    };
    for (i, n) in s.nsgs.iter().enumerate() {
        add(&n.name, ByTarget::Nsg(NsgId::from_index(i)));
    }
    for (i, t) in s.route_tables.iter().enumerate() {
        add(&t.name, ByTarget::RouteTable(RouteTableId::from_index(i)));
    }
    let others = (s.vnets.iter().map(|v| v.name.clone()))
        .chain((0..s.subnets.len()).map(|i| s.subnet_path(SubnetId::from_index(i))))
        .chain(s.peerings.iter().map(|p| p.name.clone()))
        .chain(s.endpoints.iter().map(|e| e.name.clone()))
        .chain(s.on_prem.iter().map(|o| o.name.clone()))
        .chain(s.services.iter().map(|x| x.name.clone()))
        .chain(s.private_endpoints.iter().map(|p| p.name.clone()))
        .chain(s.zones.iter().map(|z| z.name.clone()))
        .chain(s.policies.iter().map(|p| p.name.clone()))
        .chain(s.gateways.iter().map(|g| g.name.clone()))
        .chain(s.firewalls.iter().map(|f| f.name.clone()))
        .chain(s.nat_gateways.iter().map(|n| n.name.clone()))
        .chain(s.load_balancers.iter().map(|l| l.name.clone()))
        .chain(s.network_managers.iter().map(|m| m.name.clone()))
        .chain(["azure-platform".to_string(), "public DNS".to_string()]);
    for name in others.collect::<Vec<_>>() {
        add(&name, ByTarget::Other);
    }
    names
}

/// What `by:` names for connections and flows.
const BLOCKER: &str = "what blocks it";

fn source_loc(loc: Loc) -> SourceLoc {
    SourceLoc { line: loc.line, column: loc.column }
}

/// The keys of `keys` that are written, with where.
fn written<const N: usize>(keys: [(&'static str, Option<Loc>); N]) -> impl Iterator<Item = (&'static str, Loc)> {
    keys.into_iter().filter_map(|(key, loc)| Some((key, loc?)))
}

/// Where `e` writes the keys only a connection has.
fn connection_keys(e: &RawExpect) -> impl Iterator<Item = (&'static str, Loc)> {
    written([
        ("protocol", e.protocol.as_ref().map(|p| p.loc)),
        ("port", e.port.as_ref().map(|p| p.loc)),
        ("source_port", e.source_port.as_ref().map(|p| p.loc)),
        ("resolves_to", e.resolves_to.as_ref().map(|p| p.loc)),
        ("via", e.via.as_ref().map(|p| p.loc)),
        ("not_via", e.not_via.as_ref().map(|p| p.loc)),
        ("seen_as", e.seen_as.as_ref().map(|p| p.loc)),
    ])
}

/// The first [`MAX_LISTED`] of `names`, and how many more there are.
fn listed(names: &[&str]) -> String {
    let shown = names.iter().take(MAX_LISTED).copied().collect::<Vec<_>>().join(", ");
    match names.len().checked_sub(MAX_LISTED) {
        Some(more) if more > 0 => format!("{shown} (and {more} more)"),
        _ => shown,
    }
}

/// What `via:` and `not_via:` can name, for the help of their errors.
const CROSSABLE: &str = "`via` and `not_via` name what a request crosses: a firewall, an NVA (an endpoint with ip_forwarding), a gateway, a NAT gateway, a load balancer, a subnet `vnet/subnet`, a peering, a route table or `table/route`, or a private endpoint";

/// The `seen_as:` word for the source default outbound access gives (O-3).
const DEFAULT_OUTBOUND_ACCESS: &str = "default_outbound_access";

/// What a name in `via:` or `not_via:` stands for: an object a request can cross, or the kind
/// of an object it cannot.
#[derive(Clone, Copy, Debug)]
pub(super) enum PathName {
    Crossable(PathObject),
    Not(&'static str),
}

/// Why a name is no object on a path.
enum NotOnPath {
    Unknown,
    Kind(&'static str),
    NoRoute { table: RouteTableId, route: String },
}

/// Every name a `via:` can hold, to what it names. The first object with a name wins, and the
/// objects that carry packets come first: a firewall's or gateway's own endpoint has its name.
fn path_names(s: &Scenario) -> HashMap<String, PathName> {
    use PathName::{Crossable, Not};
    let mut names: HashMap<String, PathName> = HashMap::new();
    let mut add = |name: String, target: PathName| {
        names.entry(name).or_insert(target);
    };
    for (i, f) in s.firewalls.iter().enumerate() {
        add(f.name.clone(), Crossable(PathObject::Firewall(FirewallId::from_index(i))));
    }
    for (i, g) in s.gateways.iter().enumerate() {
        add(g.name.clone(), Crossable(PathObject::Gateway(GatewayId::from_index(i))));
    }
    for (i, n) in s.nat_gateways.iter().enumerate() {
        add(n.name.clone(), Crossable(PathObject::NatGateway(NatGatewayId::from_index(i))));
    }
    for (i, l) in s.load_balancers.iter().enumerate() {
        add(l.name.clone(), Crossable(PathObject::LoadBalancer(LoadBalancerId::from_index(i))));
    }
    for (i, p) in s.private_endpoints.iter().enumerate() {
        add(p.name.clone(), Crossable(PathObject::PrivateEndpoint(PrivateEndpointId::from_index(i))));
    }
    for (i, t) in s.route_tables.iter().enumerate() {
        add(t.name.clone(), Crossable(PathObject::RouteTable(RouteTableId::from_index(i))));
    }
    for i in 0..s.subnets.len() {
        let id = SubnetId::from_index(i);
        add(s.subnet_path(id), Crossable(PathObject::Subnet(id)));
    }
    for (i, p) in s.peerings.iter().enumerate() {
        add(p.name.clone(), Crossable(PathObject::Peering(PeeringId::from_index(i))));
    }
    for (i, e) in s.endpoints.iter().enumerate() {
        let forwards = e.kind == EndpointKind::Nva || e.nics.iter().any(|n| s.nic(*n).ip_forwarding);
        let target =
            if forwards { Crossable(PathObject::Appliance(EndpointId::from_index(i))) } else { Not(e.kind.name()) };
        add(e.name.clone(), target);
    }
    let others = (s.vnets.iter().map(|v| (v.name.clone(), "VNet")))
        .chain(s.nsgs.iter().map(|n| (n.name.clone(), "NSG")))
        .chain(s.services.iter().map(|x| (x.name.clone(), "service")))
        .chain(s.on_prem.iter().map(|o| (o.name.clone(), "on-premises network")))
        .chain(s.zones.iter().map(|z| (z.name.clone(), "private DNS zone")))
        .chain(s.policies.iter().map(|p| (p.name.clone(), "service endpoint policy")));
    for (name, kind) in others.collect::<Vec<_>>() {
        add(name, Not(kind));
    }
    // An alias (an imported object's Terraform address) names what its name names.
    for (alias, name) in &s.aliases {
        if let Some(target) = names.get(name).copied() {
            names.entry(alias.clone()).or_insert(target);
        }
    }
    names
}

/// The object a `via:` name stands for: a name of `names`, else `table/route`.
fn path_name(names: &HashMap<String, PathName>, s: &Scenario, text: &str) -> Result<PathObject, NotOnPath> {
    match names.get(text) {
        Some(PathName::Crossable(o)) => return Ok(*o),
        Some(PathName::Not(kind)) => return Err(NotOnPath::Kind(kind)),
        None => {}
    }
    let Some((table, route)) = text.split_once('/') else { return Err(NotOnPath::Unknown) };
    let Some(PathName::Crossable(PathObject::RouteTable(table))) = names.get(table) else {
        return Err(NotOnPath::Unknown);
    };
    let routes = &s.route_tables[table.index()].routes;
    match routes.iter().position(|r| r.name == route) {
        Some(i) => Ok(PathObject::Route { table: *table, route: i as u32 }),
        None => Err(NotOnPath::NoRoute { table: *table, route: route.to_string() }),
    }
}

/// What a destination sees a source as when `name` sends or translates it: a NAT gateway's
/// public IPs (O-2), a firewall's public IPs and private IP (F-12), a load balancer's frontend
/// (O-1), an endpoint's private and public IPs, a service's public IP, an on-premises network's
/// prefixes, a subnet's prefix.
fn seen_as_prefixes(s: &Scenario, name: &str) -> Option<Vec<IpNet>> {
    let hosts = |ips: &mut dyn Iterator<Item = IpAddr>| Some(ips.map(IpNet::from).collect());
    if let Some(n) = s.nat_gateways.iter().find(|n| n.name == name) {
        return hosts(&mut n.public_ips.iter().copied());
    }
    if let Some(f) = s.firewalls.iter().find(|f| f.name == name) {
        return hosts(&mut f.public_ips.iter().copied().chain([s.nic(f.nic).private_ip]));
    }
    if let Some(l) = s.load_balancers.iter().find(|l| l.name == name) {
        return hosts(&mut [l.frontend].into_iter());
    }
    if let Some(e) = s.endpoints.iter().find(|e| e.name == name) {
        let nics = e.nics.iter().map(|n| s.nic(*n));
        return hosts(&mut nics.flat_map(|n| [Some(n.private_ip), n.public_ip]).flatten());
    }
    if let Some(x) = s.services.iter().find(|x| x.name == name) {
        return hosts(&mut [x.public_ip].into_iter());
    }
    if let Some(o) = s.on_prem.iter().find(|o| o.name == name) {
        return Some(o.prefixes.clone());
    }
    let subnet = (0..s.subnets.len()).map(SubnetId::from_index).find(|id| s.subnet_path(*id) == name)?;
    Some(vec![s.subnet(subnet).prefix])
}
