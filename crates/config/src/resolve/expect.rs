//! `expect:` entries: a connection (`to:`) that must be allowed or denied, a flow of the
//! catalogue (`flow:`) that must work or be broken, or the exfiltration audit of a source
//! (neither) that must find no path out or find one.

use super::Resolver;
use crate::decode::Sp;
use crate::diagnostic::{Loc, MAX_LISTED, did_you_mean};
use crate::place::{End, PlaceIndex, split_node};
use crate::raw::*;
use std::collections::HashMap;
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
            None => {
                format!("its rules: {}", rules.iter().take(MAX_LISTED).copied().collect::<Vec<_>>().join(", "))
                    + &if rules.len() > MAX_LISTED {
                        format!(" (and {} more)", rules.len() - MAX_LISTED)
                    } else {
                        String::new()
                    }
            }
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
            Outcome::Allowed | Outcome::Denied => match self.by(e, Outcome::Denied, BLOCKER) {
                Ok(_) if e.outcome.value == Outcome::Allowed => ExpectedOutcome::Allowed,
                Ok(by) => ExpectedOutcome::Denied { by },
                Err(()) => return,
            },
            _ => {
                self.d.error(
                    e.outcome.loc,
                    "a connection is `allowed` or `denied`; `works` and `broken` are for `flow:`",
                );
                return;
            }
        };
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
        });
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
    ])
}
