//! Replaying the flow catalogue (`vnetsim_model::catalogue`): each flow's connection templates
//! become concrete connections for a source and a workspace, and the flow works only when every
//! one of them does.

use crate::expectation::{
    Blocker, Cause, Decided, Evidence, ExpectationKind, ExpectationResult, Observed, Reason, blocker,
};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::sync::OnceLock;
use vnetsim_engine::query::QueryError;
use vnetsim_engine::trace::Disposition;
use vnetsim_engine::{Completion, Connection, Decider, DeciderKind, Fabric};
use vnetsim_model::catalogue::{ConnectionSpec, FLOWS, FlowSpec, Role, Target, When, roles};
use vnetsim_model::name_pattern::is_wildcard;
use vnetsim_model::public_services::expand;
use vnetsim_model::{
    Destination, EndpointId, EndpointKind, ExpectedFlow, FlowExpectation, Place, Protocol, PublicNetworkAccess,
    Scenario, ServiceId, ServiceKind,
};

/// Something flows start from: an endpoint, an on-premises network, the internet, a workspace.
#[derive(Clone, Debug)]
pub struct FlowSource {
    pub label: String,
    pub place: Place,
    pub roles: Vec<Role>,
    /// The workspaces whose flows it takes part in.
    pub workspaces: Vec<ServiceId>,
}

/// Every source of a scenario, in file order: endpoints, on-premises networks, the internet,
/// then the workspaces themselves.
pub fn sources(s: &Scenario) -> Vec<FlowSource> {
    let workspaces: Vec<ServiceId> = s.services_of(ServiceKind::Workspace).collect();
    let mut out = Vec::new();
    let mut add = |label: String, place: Place, own: Option<ServiceId>| {
        let roles = roles(s, place);
        if !roles.is_empty() {
            let workspaces = own.map_or_else(|| workspaces.clone(), |w| vec![w]);
            out.push(FlowSource { label, place, roles, workspaces });
        }
    };
    for (i, e) in s.endpoints.iter().enumerate() {
        let endpoint = EndpointId::from_index(i);
        add(e.name.clone(), Place::Endpoint { endpoint, node: 0 }, e.workspace);
    }
    for (i, o) in s.on_prem.iter().enumerate() {
        if let Some(address) = o.representative_address() {
            let network = vnetsim_model::OnPremId::from_index(i);
            add(o.name.clone(), Place::OnPrem { network, address }, None);
        }
    }
    add(
        "internet".into(),
        Place::Internet(vnetsim_model::IpAddr::V4(vnetsim_model::addr::INTERNET_REPRESENTATIVE)),
        None,
    );
    for &w in &workspaces {
        add(s.service(w).name.clone(), Place::Service(w), Some(w));
    }
    out
}

/// One connection of a flow, walked.
#[derive(Clone, Debug)]
pub struct ConnectionOutcome {
    /// `name:port/protocol`, or `from service:port/protocol` for inbound ones.
    pub label: String,
    pub allowed: bool,
    /// The request arrives and its reply does not return (`engine::Completion::OneWay`).
    pub one_way: bool,
    pub disposition: Disposition,
    pub decided_by: Option<Decider>,
    /// For a blocked connection: what blocked it, for printers to say in one sentence.
    pub blocked: Option<Blocked>,
}

/// What blocked a connection of a flow.
#[derive(Clone, Debug, PartialEq)]
pub enum Blocked {
    /// The deciding step or DNS failure ([`Blocker`]).
    By(Cause),
    /// The connection could not be made.
    Query(QueryError),
}

/// Why a flow is broken, does not apply, or works without a walk; printers say it in words.
#[derive(Clone, Debug, PartialEq)]
pub enum FlowReason {
    /// Its first blocked connection.
    /// `one_way`: the request arrived and the reply was lost.
    Blocked {
        connection: String,
        one_way: bool,
        disposition: Disposition,
        decider: Option<Decider>,
        blocked: Option<Blocked>,
    },
    /// No connection of the flow starts from `source` for `workspace`.
    NothingToConnect { source: String, workspace: String },
    /// the serverless build compute builds the images, and nothing it needs is restricted.
    ServerlessBuild,
    /// `restricted` resources are behind a network and `workspace` has no image-build compute.
    ServerlessBuildBlocked { restricted: Vec<String>, workspace: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlowStatus {
    Works,
    Broken,
    /// The flow has nothing to walk from this source (no online endpoints, ...).
    NotApplicable,
}

impl FlowStatus {
    pub fn name(self) -> &'static str {
        match self {
            FlowStatus::Works => "works",
            FlowStatus::Broken => "broken",
            FlowStatus::NotApplicable => "n/a",
        }
    }
}

/// A flow from a source for a workspace: a cell of the `vnetsim flows` matrix.
/// Printers serialise it with its reasons in words (`vnetsim_report::flows`).
#[derive(Clone, Debug)]
pub struct FlowCell {
    pub flow: &'static str,
    pub source: String,
    pub workspace: String,
    pub status: FlowStatus,
    /// Why it is broken (the first blocked connection and its step), or why it does not apply,
    /// or how it works without walking (the serverless image build).
    pub reason: Option<FlowReason>,
    /// The object that blocks the flow, as `by:` names it.
    pub blocked_by: Option<Decider>,
    pub connections: Vec<ConnectionOutcome>,
    /// The first blocked connection, for its trace.
    pub failing: Option<(String, Box<Connection>)>,
}

/// A concrete connection of a flow.
struct Planned {
    from: Place,
    to: Destination,
    protocol: Protocol,
    port: u16,
    label: String,
}

/// Replays `flow` from `source` for `workspace`. To replay many, share a [`FlowIndex`] with
/// [`replay_with`].
pub fn replay(fabric: &Fabric, flow: &FlowSpec, source: &FlowSource, workspace: ServiceId) -> FlowCell {
    replay_with(fabric, &FlowIndex::new(&fabric.scenario), flow, source, workspace)
}

/// [`replay`] with the index of the fabric's scenario.
pub fn replay_with(
    fabric: &Fabric,
    index: &FlowIndex,
    flow: &FlowSpec,
    source: &FlowSource,
    workspace: ServiceId,
) -> FlowCell {
    let s = &fabric.scenario;
    let mut cell = FlowCell {
        flow: flow.name,
        source: source.label.clone(),
        workspace: s.service(workspace).name.clone(),
        status: FlowStatus::Works,
        reason: None,
        blocked_by: None,
        connections: Vec::new(),
        failing: None,
    };
    if let Some((works, reason, decider)) = serverless_build(index, flow, source, workspace) {
        cell.status = if works { FlowStatus::Works } else { FlowStatus::Broken };
        cell.reason = Some(reason);
        cell.blocked_by = decider;
        return cell;
    }
    let ctx = Context { s, fabric, index, source, workspace };
    let planned: Vec<Planned> = flow
        .connections
        .iter()
        .filter(|c| source.roles.contains(&c.role) && ctx.applies(c.when))
        .flat_map(|c| ctx.plan(c))
        .collect();
    if planned.is_empty() {
        cell.status = FlowStatus::NotApplicable;
        cell.reason =
            Some(FlowReason::NothingToConnect { source: source.label.clone(), workspace: cell.workspace.clone() });
        return cell;
    }
    for p in planned {
        let outcome =
            match fabric.connect(p.from, &p.to, p.protocol, p.port, vnetsim_model::scenario::DEFAULT_SOURCE_PORT) {
                Ok(c) => {
                    let b = if c.allowed() { None } else { blocker(fabric, &c) };
                    let outcome = ConnectionOutcome {
                        label: p.label.clone(),
                        allowed: c.allowed(),
                        one_way: c.completion() == Completion::OneWay,
                        disposition: c.disposition(),
                        decided_by: b.as_ref().map(|b| b.decider.clone()),
                        blocked: b.map(|Blocker { cause, .. }| Blocked::By(cause)),
                    };
                    if !c.allowed() && cell.failing.is_none() {
                        cell.failing = Some((p.label, Box::new(c)));
                    }
                    outcome
                }
                Err(e) => ConnectionOutcome {
                    label: p.label,
                    allowed: false,
                    one_way: false,
                    disposition: Disposition::Unreachable,
                    decided_by: None,
                    blocked: Some(Blocked::Query(e)),
                },
            };
        if !outcome.allowed && cell.status == FlowStatus::Works {
            cell.status = FlowStatus::Broken;
            cell.blocked_by = outcome.decided_by.clone();
            cell.reason = Some(FlowReason::Blocked {
                connection: outcome.label.clone(),
                one_way: outcome.one_way,
                disposition: outcome.disposition,
                decider: outcome.decided_by.clone(),
                blocked: outcome.blocked.clone(),
            });
        }
        cell.connections.push(outcome);
    }
    cell
}

/// without an image-build compute, the serverless build compute outside the network builds
/// the images, and it works only when the registry and the default storage are unrestricted.
/// Nothing is walked: `(works, why, what blocks it)`.
fn serverless_build(
    index: &FlowIndex,
    flow: &FlowSpec,
    source: &FlowSource,
    workspace: ServiceId,
) -> Option<(bool, FlowReason, Option<Decider>)> {
    let s = index.s;
    let builds_serverless = source.place == Place::Service(workspace)
        && flow.has_role(Role::ImageBuilder)
        && s.service(workspace).resources.image_build_compute.is_none();
    if !builds_serverless {
        return None;
    }
    let ws = s.service(workspace);
    let resources = [
        index.resource(workspace, ServiceKind::ContainerRegistry),
        index.resource(workspace, ServiceKind::StorageAccount),
    ];
    let restricted: Vec<&str> = resources
        .into_iter()
        .flatten()
        .map(|id| s.service(id))
        .filter(|r| r.public_network_access == PublicNetworkAccess::Disabled || !r.network_rules.default_allow)
        .map(|r| r.name.as_str())
        .collect();
    if restricted.is_empty() {
        return Some((true, FlowReason::ServerlessBuild, None));
    }
    let reason = FlowReason::ServerlessBuildBlocked {
        restricted: restricted.into_iter().map(str::to_string).collect(),
        workspace: ws.name.clone(),
    };
    Some((false, reason, Some(Decider::with_rule(DeciderKind::Workspace, ws.name.clone(), "image_build_compute"))))
}

/// A workspace's storage account, key vault or registry: the one it names, else the scenario's
/// only declared one of that kind.
pub fn default_resource(s: &Scenario, workspace: ServiceId, kind: ServiceKind) -> Option<ServiceId> {
    FlowIndex::new(s).resource(workspace, kind)
}

/// Lists by workspace: `None` holds what belongs to no workspace in particular, so to all.
type ByWorkspace<T> = FxHashMap<Option<ServiceId>, Vec<T>>;

/// What planning looks up in a scenario, each part indexed when first needed: replaying the
/// catalogue for thousands of workspaces must not scan every service name, endpoint and load
/// balancer for each cell, and one replay builds only what it reads. Threads may share it.
pub struct FlowIndex<'a> {
    s: &'a Scenario,
    /// Each service's names without wildcards, in name order.
    names: OnceLock<FxHashMap<ServiceId, Vec<&'a str>>>,
    /// Per kind, the only declared service of that kind; `None` when there are several.
    only_declared: OnceLock<FxHashMap<ServiceKind, Option<ServiceId>>>,
    /// Services by name, the first of each.
    services: OnceLock<FxHashMap<&'a str, ServiceId>>,
    private_endpoint_targets: OnceLock<FxHashSet<ServiceId>>,
    /// Backends of the load balancers AML creates for compute with a public IP.
    public_ip_computes: OnceLock<FxHashSet<EndpointId>>,
    online_endpoints: OnceLock<FxHashMap<ServiceId, Vec<ServiceId>>>,
    compute_instances: OnceLock<ByWorkspace<EndpointId>>,
    /// Internal load balancers, by the workspace of each of their AKS pool backends.
    aks_load_balancers: OnceLock<ByWorkspace<usize>>,
}

impl<'a> FlowIndex<'a> {
    pub fn new(s: &'a Scenario) -> Self {
        FlowIndex {
            s,
            names: OnceLock::new(),
            only_declared: OnceLock::new(),
            services: OnceLock::new(),
            private_endpoint_targets: OnceLock::new(),
            public_ip_computes: OnceLock::new(),
            online_endpoints: OnceLock::new(),
            compute_instances: OnceLock::new(),
            aks_load_balancers: OnceLock::new(),
        }
    }

    /// See [`default_resource`].
    fn resource(&self, workspace: ServiceId, kind: ServiceKind) -> Option<ServiceId> {
        let r = self.s.service(workspace).resources;
        let named = match kind {
            ServiceKind::StorageAccount => r.storage_account,
            ServiceKind::KeyVault => r.key_vault,
            _ => r.container_registry,
        };
        named.or_else(|| {
            let only = self.only_declared.get_or_init(|| {
                let mut only = FxHashMap::default();
                for (i, service) in self.s.services.iter().enumerate().filter(|(_, x)| !x.builtin) {
                    only.entry(service.kind).and_modify(|o| *o = None).or_insert(Some(ServiceId::from_index(i)));
                }
                only
            });
            only.get(&kind).copied().flatten()
        })
    }

    /// The first name of `service` without a wildcard that `keep` accepts.
    fn name(&self, service: ServiceId, keep: impl Fn(&str) -> bool) -> Option<&'a str> {
        let names = self.names.get_or_init(|| {
            let mut names: FxHashMap<ServiceId, Vec<&str>> = FxHashMap::default();
            for n in self.s.service_names.iter().filter(|n| !is_wildcard(&n.fqdn)) {
                names.entry(n.service).or_default().push(&n.fqdn);
            }
            names
        });
        names.get(&service)?.iter().copied().find(|f| keep(f))
    }

    fn service_named(&self, name: &str) -> Option<ServiceId> {
        let services = self.services.get_or_init(|| {
            let mut services = FxHashMap::default();
            for (i, x) in self.s.services.iter().enumerate() {
                services.entry(x.name.as_str()).or_insert(ServiceId::from_index(i));
            }
            services
        });
        services.get(name).copied()
    }

    fn has_private_endpoint(&self, service: ServiceId) -> bool {
        let targets =
            self.private_endpoint_targets.get_or_init(|| self.s.private_endpoints.iter().map(|p| p.target).collect());
        targets.contains(&service)
    }

    fn is_public_ip_compute(&self, endpoint: EndpointId) -> bool {
        let computes = self.public_ip_computes.get_or_init(|| {
            self.s
                .load_balancers
                .iter()
                .filter(|lb| lb.aml_managed)
                .flat_map(|lb| lb.backends.iter().copied())
                .collect()
        });
        computes.contains(&endpoint)
    }

    /// The online endpoints of a workspace, in service order.
    fn online_endpoints(&self, workspace: ServiceId) -> &[ServiceId] {
        let by_workspace = self.online_endpoints.get_or_init(|| {
            let mut by_workspace: FxHashMap<ServiceId, Vec<ServiceId>> = FxHashMap::default();
            for id in self.s.services_of(ServiceKind::OnlineEndpoint) {
                if let Some(w) = self.s.service(id).workspace {
                    by_workspace.entry(w).or_default().push(id);
                }
            }
            by_workspace
        });
        by_workspace.get(&workspace).map_or(&[], Vec::as_slice)
    }

    /// The compute instances of a workspace or of none, in endpoint order.
    fn compute_instances(&self, workspace: ServiceId) -> Vec<EndpointId> {
        let by_workspace = self.compute_instances.get_or_init(|| {
            let mut by_workspace: ByWorkspace<EndpointId> = FxHashMap::default();
            for (i, e) in self.s.endpoints.iter().enumerate().filter(|(_, e)| e.kind == EndpointKind::ComputeInstance) {
                by_workspace.entry(e.workspace).or_default().push(EndpointId::from_index(i));
            }
            by_workspace
        });
        of_workspace(by_workspace, workspace)
    }

    /// The internal load balancers with an AKS pool backend of a workspace or of none, in order.
    fn aks_load_balancers(&self, workspace: ServiceId) -> Vec<usize> {
        let by_workspace = self.aks_load_balancers.get_or_init(|| {
            let mut by_workspace: ByWorkspace<usize> = FxHashMap::default();
            for (i, lb) in self.s.load_balancers.iter().enumerate().filter(|(_, lb)| !lb.is_public()) {
                let pools =
                    lb.backends.iter().map(|b| self.s.endpoint(*b)).filter(|e| e.kind == EndpointKind::AksNodePool);
                for w in pools.map(|e| e.workspace) {
                    by_workspace.entry(w).or_default().push(i);
                }
            }
            by_workspace
        });
        of_workspace(by_workspace, workspace)
    }
}

/// The items of `workspace` and of no workspace, in order, each once.
fn of_workspace<T: Copy + Ord>(by_workspace: &ByWorkspace<T>, workspace: ServiceId) -> Vec<T> {
    let mut items: Vec<T> =
        [None, Some(workspace)].iter().filter_map(|w| by_workspace.get(w)).flatten().copied().collect();
    items.sort_unstable();
    items.dedup();
    items
}

struct Context<'a, 'i> {
    s: &'a Scenario,
    fabric: &'a Fabric,
    index: &'a FlowIndex<'i>,
    source: &'a FlowSource,
    workspace: ServiceId,
}

impl Context<'_, '_> {
    fn endpoint(&self) -> Option<EndpointId> {
        match self.source.place {
            Place::Endpoint { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }

    /// compute with a public IP is the backend of the load balancer AML creates for it.
    fn public_ip_compute(&self) -> bool {
        self.endpoint().is_some_and(|e| self.index.is_public_ip_compute(e))
    }

    fn applies(&self, when: When) -> bool {
        let kind = self.endpoint().map(|e| self.s.endpoint(e).kind);
        match when {
            When::Always => true,
            When::WorkspaceHasPrivateEndpoint => self.index.has_private_endpoint(self.workspace),
            When::ComputeInstance => kind == Some(EndpointKind::ComputeInstance),
            When::PublicIpCompute => self.public_ip_compute(),
            When::NoPublicIpCompute => !self.public_ip_compute(),
        }
    }

    /// The connections a template stands for.
    fn plan(&self, c: &ConnectionSpec) -> Vec<Planned> {
        let s = self.s;
        let from = self.source.place;
        let name = |fqdn: String| Planned {
            label: format!("{fqdn}:{}/{}", c.port, c.protocol),
            from,
            to: Destination::Name(fqdn),
            protocol: c.protocol,
            port: c.port,
        };
        let names_of = |id: Option<ServiceId>, keep: &dyn Fn(&str) -> bool| -> Vec<Planned> {
            id.and_then(|id| self.index.name(id, keep)).map(|f| name(f.to_string())).into_iter().collect()
        };
        let resource = |kind| self.index.resource(self.workspace, kind);
        match c.to {
            Target::WorkspaceApi => {
                names_of(Some(self.workspace), &|f| f.ends_with(".api.azureml.ms") && !f.contains(".cert."))
            }
            Target::WorkspaceNotebooks => names_of(Some(self.workspace), &|f| f.ends_with(".notebooks.azure.net")),
            Target::Storage(sub) => {
                let suffix = format!(".{sub}.core.windows.net");
                names_of(resource(ServiceKind::StorageAccount), &|f| f.ends_with(&suffix) && !f.contains("-secondary."))
            }
            Target::KeyVault => names_of(resource(ServiceKind::KeyVault), &|f| f.ends_with(".vault.azure.net")),
            Target::RegistryLogin => names_of(resource(ServiceKind::ContainerRegistry), &|f| {
                !f.contains(".data.") && f.ends_with(".azurecr.io")
            }),
            Target::RegistryData => {
                names_of(resource(ServiceKind::ContainerRegistry), &|f| f.ends_with(".data.azurecr.io"))
            }
            Target::OnlineEndpoints => self
                .index
                .online_endpoints(self.workspace)
                .iter()
                .flat_map(|id| names_of(Some(*id), &|_| true))
                .collect(),
            Target::ComputeInstances => {
                let region = &s.service(self.workspace).region;
                (self.index.compute_instances(self.workspace).into_iter())
                    .map(|e| name(format!("{}.{region}.instances.azureml.ms", s.endpoint(e).name.to_ascii_lowercase())))
                    .collect()
            }
            Target::AksLoadBalancers => (self.index.aks_load_balancers(self.workspace).into_iter())
                .map(|i| &s.load_balancers[i])
                .flat_map(|lb| {
                    let ports: Vec<(Protocol, u16)> = if lb.rules.is_empty() {
                        vec![(c.protocol, c.port)]
                    } else {
                        lb.rules.iter().map(|r| (r.protocol, r.frontend_port)).collect()
                    };
                    ports.into_iter().map(move |(protocol, port)| Planned {
                        label: format!("{} {}:{port}/{protocol}", lb.name, lb.frontend),
                        from,
                        to: Destination::Place(Place::Address(lb.frontend)),
                        protocol,
                        port,
                    })
                })
                .collect(),
            Target::Host(template) => {
                let fqdn = expand(template, &s.region);
                if self.fabric.public_names.lookup(&fqdn).is_some() {
                    vec![name(fqdn)]
                } else {
                    Vec::new() // a loaded service tag file without the service leaves its names out
                }
            }
            Target::FromService(service) => (self.index.service_named(service).into_iter())
                .map(|caller| Planned {
                    label: format!("from {service}:{}/{}", c.port, c.protocol),
                    from: Place::Service(caller),
                    to: Destination::Place(from),
                    protocol: c.protocol,
                    port: c.port,
                })
                .collect(),
        }
    }
}

/// The cells of the catalogue for a scenario, flow-major, narrowed by flow name and source label.
pub fn matrix(fabric: &Fabric, flow: Option<&str>, from: Option<&str>) -> Vec<FlowCell> {
    let sources = sources(&fabric.scenario);
    let index = FlowIndex::new(&fabric.scenario);
    let mut cells = Vec::new();
    for spec in FLOWS.iter().filter(|f| flow.is_none_or(|n| n == f.name)) {
        for source in sources.iter().filter(|s| from.is_none_or(|f| f == s.label)) {
            if !source.roles.iter().any(|r| spec.has_role(*r)) {
                continue;
            }
            for &w in &source.workspaces {
                cells.push(replay_with(fabric, &index, spec, source, w));
            }
        }
    }
    cells
}

/// Replays a `flow:` expectation's flow and judges it.
pub fn check_flow_expectation(fabric: &Fabric, e: &FlowExpectation) -> ExpectationResult {
    let s = &fabric.scenario;
    let source =
        FlowSource { label: e.from_text.clone(), place: e.from, roles: roles(s, e.from), workspaces: Vec::new() };
    let cell = replay(fabric, &FLOWS[e.flow], &source, e.workspace);
    let (expected, expected_by) = match &e.outcome {
        ExpectedFlow::Works => (Observed::Works, None),
        ExpectedFlow::Broken { by } => (Observed::Broken, by.clone()),
    };
    let reason = match (&e.outcome, cell.status) {
        (_, FlowStatus::NotApplicable) => Some(Reason::FlowNotApplicable(cell.reason.clone())),
        (ExpectedFlow::Works, FlowStatus::Works) | (ExpectedFlow::Broken { by: None }, FlowStatus::Broken) => None,
        (ExpectedFlow::Works, _) => Some(Reason::FlowExpectedWorks(cell.reason.clone())),
        (ExpectedFlow::Broken { .. }, FlowStatus::Works) => Some(Reason::FlowExpectedBrokenButWorks),
        (ExpectedFlow::Broken { by: Some(by) }, _) if cell.blocked_by.as_ref().is_some_and(|d| d.matches(by)) => None,
        (ExpectedFlow::Broken { by: Some(by) }, _) => {
            Some(Reason::FlowExpectedBrokenBy { by: by.clone(), reason: cell.reason.clone() })
        }
    };
    let failing = cell.failing.filter(|_| reason.is_some());
    ExpectationResult {
        kind: ExpectationKind::Flow,
        label: e.label.clone(),
        line: e.loc.line,
        column: e.loc.column,
        expected,
        expected_by,
        actual: Observed::of_flow(cell.status),
        disposition: failing.as_ref().map_or(Decided::Flow(cell.status), |(_, c)| Decided::Walk(c.disposition())),
        resolved: None,
        reply_delivered: None,
        decided_by: cell.blocked_by,
        passed: reason.is_none(),
        reason,
        evidence: failing.map(|(to, connection)| Evidence { from: e.from_text.clone(), to, connection }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vnetsim_engine::Options;
    use vnetsim_model::ServiceTagTable;

    /// Two workspaces, compute instances and AKS pools of each and of neither, and internal load
    /// balancers over pools of one or both workspaces.
    const TWO_WORKSPACES: &str = "name: two
region: eastus
vnets:
  - name: v
    address_space: [10.0.0.0/16]
    subnets:
      - {name: app, prefix: 10.0.1.0/24}
      - {name: lb, prefix: 10.0.2.0/24}
endpoints:
  - {name: jumpbox, kind: vm, subnet: v/app}
  - {name: ci-b, kind: compute_instance, subnet: v/app, workspace: ws-b}
  - {name: ci-any, kind: compute_instance, subnet: v/app}
  - {name: ci-a, kind: compute_instance, subnet: v/app, workspace: ws-a}
  - {name: pool-a, kind: aks_node_pool, subnet: v/app, workspace: ws-a}
  - {name: pool-b, kind: aks_node_pool, subnet: v/app, workspace: ws-b}
  - {name: pool-any, kind: aks_node_pool, subnet: v/app}
services:
  - {name: ws-a, kind: workspace}
  - {name: ws-b, kind: workspace}
load_balancers:
  - {name: lb-b, frontend_ip: 10.0.2.10, subnet: v/lb, backends: [pool-b]}
  - {name: lb-ba, frontend_ip: 10.0.2.11, subnet: v/lb, backends: [pool-b, pool-a, pool-b]}
  - {name: lb-a, frontend_ip: 10.0.2.12, subnet: v/lb, backends: [pool-a]}
  - {name: lb-any, frontend_ip: 10.0.2.13, subnet: v/lb, backends: [pool-any, pool-a]}
";

    /// The connection labels of `flow` from the jumpbox, per workspace.
    fn planned(flow: &str) -> Vec<(String, Vec<String>)> {
        let s = vnetsim_config::load_scenario("two.yaml", TWO_WORKSPACES, &ServiceTagTable::builtin())
            .unwrap_or_else(|d| panic!("{d:#?}"));
        let f = Fabric::compile(s, Options::default());
        let cells = matrix(&f, Some(flow), Some("jumpbox"));
        cells.into_iter().map(|c| (c.workspace, c.connections.into_iter().map(|x| x.label).collect())).collect()
    }

    #[test]
    fn a9_compute_instances_are_planned_for_their_own_workspace_and_unassigned_ones_for_all() {
        let name = |ci: &str| format!("{ci}.eastus.instances.azureml.ms:443/tcp");
        assert_eq!(
            planned("vscode-remote"),
            [
                ("ws-a".to_string(), vec![name("ci-any"), name("ci-a")]),
                ("ws-b".to_string(), vec![name("ci-b"), name("ci-any")]),
            ]
        );
    }

    #[test]
    fn a13_aks_load_balancers_are_planned_once_for_each_workspace_of_their_pools() {
        let lb = |name: &str, ip: &str| format!("{name} {ip}:443/tcp");
        assert_eq!(
            planned("aks-scoring"),
            [
                (
                    "ws-a".to_string(),
                    vec![lb("lb-ba", "10.0.2.11"), lb("lb-a", "10.0.2.12"), lb("lb-any", "10.0.2.13")]
                ),
                (
                    "ws-b".to_string(),
                    vec![lb("lb-b", "10.0.2.10"), lb("lb-ba", "10.0.2.11"), lb("lb-any", "10.0.2.13")]
                ),
            ]
        );
    }
}
