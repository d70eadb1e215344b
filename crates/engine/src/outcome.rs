//! What a step did, as data: its kind, where it happened, the object that decided it and its
//! result. Printers turn outcomes into words (`vnetsim_report::explain`); analyses (expectations,
//! batch replay, the audit, the diff) read them without words. Serialised, every enum is the
//! snake_case name printers and JSON show.

use crate::fabric::Fabric;
use crate::fabric::firewall::FirewallDecision;
use crate::fabric::routes::RouteOrigin;
use crate::service::Admission;
use crate::trace::*;
use serde::Serialize;
use std::cmp::Ordering;
use vnetsim_model::{Access, AdminAction, NicId, SubnetId};

/// What kind of step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Gateway,
    PlatformExempt,
    Nsg,
    AdminRule,
    FlowState,
    Route,
    Peering,
    NextHopMissing,
    Appliance,
    InboundNat,
    Delivered,
    NoHost,
    Unreachable,
    Loop,
    PathDiverges,
    AsymmetricReturn,
    PeNetworkPolicy,
    PrivateEndpoint,
    Service,
    ServiceAnswers,
    Firewall,
    Dnat,
    Snat,
    Session,
    Asymmetric,
    LoadBalancer,
    Egress,
}

impl StepKind {
    /// The name printers and JSON show.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::Gateway => "gateway",
            StepKind::PlatformExempt => "platform_exempt",
            StepKind::Nsg => "nsg",
            StepKind::AdminRule => "admin_rule",
            StepKind::FlowState => "flow_state",
            StepKind::Route => "route",
            StepKind::Peering => "peering",
            StepKind::NextHopMissing => "next_hop_missing",
            StepKind::Appliance => "appliance",
            StepKind::InboundNat => "inbound_nat",
            StepKind::Delivered => "delivered",
            StepKind::NoHost => "no_host",
            StepKind::Unreachable => "unreachable",
            StepKind::Loop => "loop",
            StepKind::PathDiverges => "path_diverges",
            StepKind::AsymmetricReturn => "asymmetric_return",
            StepKind::PeNetworkPolicy => "pe_network_policy",
            StepKind::PrivateEndpoint => "private_endpoint",
            StepKind::Service => "service",
            StepKind::ServiceAnswers => "service_answers",
            StepKind::Firewall => "firewall",
            StepKind::Dnat => "dnat",
            StepKind::Snat => "snat",
            StepKind::Session => "session",
            StepKind::Asymmetric => "asymmetric",
            StepKind::LoadBalancer => "load_balancer",
            StepKind::Egress => "egress",
        }
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// What a step did to the packet: the first non-pass wins (allow and deny are rule verdicts,
/// drop is the fabric's, deliver ends the walk).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepVerdict {
    Allow,
    Deny,
    Pass,
    Drop,
    Deliver,
}

impl StepVerdict {
    pub fn name(self) -> &'static str {
        match self {
            StepVerdict::Allow => "allow",
            StepVerdict::Deny => "deny",
            StepVerdict::Pass => "pass",
            StepVerdict::Drop => "drop",
            StepVerdict::Deliver => "deliver",
        }
    }

    /// Whether the step stopped the packet: a deny or a drop.
    pub fn blocks(self) -> bool {
        matches!(self, StepVerdict::Deny | StepVerdict::Drop)
    }
}

impl std::fmt::Display for StepVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// The kind of object that decided: what a scenario file calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeciderKind {
    Nsg,
    /// An Azure Virtual Network Manager, by its security admin rules (N-16).
    NetworkManager,
    RouteTable,
    SystemRoutes,
    Peering,
    Nic,
    Subnet,
    Vnet,
    Platform,
    Gateway,
    PrivateEndpoint,
    ServiceEndpoint,
    Service,
    ServiceEndpointPolicy,
    Firewall,
    NatGateway,
    LoadBalancer,
    /// A workspace setting (A-8's `image_build_compute`).
    Workspace,
    PrivateDnsZone,
    PublicDns,
    /// An endpoint asked to answer DNS.
    Endpoint,
}

impl DeciderKind {
    pub fn name(self) -> &'static str {
        match self {
            DeciderKind::Nsg => "nsg",
            DeciderKind::NetworkManager => "network_manager",
            DeciderKind::RouteTable => "route_table",
            DeciderKind::SystemRoutes => "system_routes",
            DeciderKind::Peering => "peering",
            DeciderKind::Nic => "nic",
            DeciderKind::Subnet => "subnet",
            DeciderKind::Vnet => "vnet",
            DeciderKind::Platform => "platform",
            DeciderKind::Gateway => "gateway",
            DeciderKind::PrivateEndpoint => "private_endpoint",
            DeciderKind::ServiceEndpoint => "service_endpoint",
            DeciderKind::Service => "service",
            DeciderKind::ServiceEndpointPolicy => "service_endpoint_policy",
            DeciderKind::Firewall => "firewall",
            DeciderKind::NatGateway => "nat_gateway",
            DeciderKind::LoadBalancer => "load_balancer",
            DeciderKind::Workspace => "workspace",
            DeciderKind::PrivateDnsZone => "private_dns_zone",
            DeciderKind::PublicDns => "public_dns",
            DeciderKind::Endpoint => "endpoint",
        }
    }
}

/// Ordered by name, so lists of deciders (replay's ties) sort as they always did.
impl Ord for DeciderKind {
    fn cmp(&self, other: &Self) -> Ordering {
        self.name().cmp(other.name())
    }
}

impl PartialOrd for DeciderKind {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for DeciderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// The object that decided a step, as scenario files name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Decider {
    pub kind: DeciderKind,
    pub name: String,
    /// The rule or route inside the object, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Decider {
    pub fn new(kind: DeciderKind, name: impl Into<String>) -> Decider {
        Decider { kind, name: name.into(), rule: None }
    }

    pub fn with_rule(kind: DeciderKind, name: impl Into<String>, rule: impl Into<String>) -> Decider {
        Decider { kind, name: name.into(), rule: Some(rule.into()) }
    }

    /// Whether an expectation's `by:` names this decider: `object` or `object/rule`.
    pub fn matches(&self, by: &str) -> bool {
        by == self.name
            || self.rule.as_ref().is_some_and(|r| {
                by.strip_prefix(self.name.as_str()).and_then(|rest| rest.strip_prefix('/')) == Some(r.as_str())
            })
    }
}

/// The form an expectation's `by:` uses: `object` or `object/rule`.
impl std::fmt::Display for Decider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "{}/{rule}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A step as data: what [`Fabric::outcome`] gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StepOutcome {
    pub kind: StepKind,
    /// Where it happened: a NIC (`endpoint ip`), a subnet (`vnet/subnet`), the internet.
    pub at: String,
    pub decided_by: Option<Decider>,
    pub result: StepVerdict,
}

impl Fabric {
    /// A NIC as places name it: `endpoint ip`.
    pub fn nic_label(&self, nic: NicId) -> String {
        let n = self.scenario.nic(nic);
        format!("{} {}", self.scenario.node_name(n.endpoint, n.node), n.private_ip)
    }

    /// The kind and result of a step, without building any name: what batch replays ask of
    /// every step.
    pub fn kind_and_verdict(&self, step: &Step) -> (StepKind, StepVerdict) {
        use StepVerdict::*;
        let pass_or = |ok: bool, otherwise| if ok { Pass } else { otherwise };
        let access = |a: Access| if a == Access::Allow { Allow } else { Deny };
        match *step {
            Step::Gateway { inbound, .. } => (StepKind::Gateway, if inbound { Pass } else { Deliver }),
            Step::PlatformExempt { .. } => (StepKind::PlatformExempt, Pass),
            Step::Nsg { access: a, .. } => (StepKind::Nsg, access(a)),
            Step::NsgFlowState { .. } => (StepKind::FlowState, Allow),
            Step::AdminRule { instance, rule, .. } => (
                StepKind::AdminRule,
                if self.admin_instance(instance).action(rule) == AdminAction::Deny { Deny } else { Allow },
            ),
            Step::Route { subnet, route, private_endpoint } => {
                let r = self.route_table(subnet, private_endpoint).route(route);
                (StepKind::Route, pass_or(r.next_hop != vnetsim_model::NextHop::None, Drop))
            }
            Step::Peering { check, .. } => (StepKind::Peering, pass_or(check.passes(), Drop)),
            Step::NextHopMissing { .. } => (StepKind::NextHopMissing, Drop),
            Step::Appliance { forwarding, .. } => (StepKind::Appliance, pass_or(forwarding, Drop)),
            Step::InboundNat { .. } => (StepKind::InboundNat, Pass),
            Step::DeliveredToNic { .. }
            | Step::DeliveredToInternet { .. }
            | Step::DeliveredToPlatform { .. }
            | Step::ForeignServiceAddress { .. }
            | Step::DeliveredToService { .. } => (StepKind::Delivered, Deliver),
            Step::NoHost { .. } => (StepKind::NoHost, Drop),
            Step::Unreachable { .. } => (StepKind::Unreachable, Drop),
            Step::Loop { .. } => (StepKind::Loop, Drop),
            Step::PathDiverges { .. } => (StepKind::PathDiverges, Pass),
            Step::AsymmetricReturn { .. } => (StepKind::AsymmetricReturn, Drop),
            Step::PeNsgBypassed { .. } => (StepKind::PeNetworkPolicy, Pass),
            Step::PrivateEndpoint { check, .. } => (StepKind::PrivateEndpoint, pass_or(check == PeCheck::Passed, Drop)),
            Step::Service { admission, .. } => (StepKind::Service, if admission.allows() { Allow } else { Deny }),
            Step::ServiceAnswers { .. } => (StepKind::ServiceAnswers, Pass),
            Step::Firewall { decision, .. } => match decision {
                FirewallDecision::Rule { access: a, .. } => (StepKind::Firewall, access(a)),
                FirewallDecision::NoRule { .. } | FirewallDecision::NotAService => (StepKind::Firewall, Deny),
            },
            Step::Translation { destination, .. } => (if destination { StepKind::Dnat } else { StepKind::Snat }, Pass),
            Step::Session { .. } => (StepKind::Session, Allow),
            Step::Asymmetric { .. } => (StepKind::Asymmetric, Drop),
            Step::LoadBalancer { .. } => (StepKind::LoadBalancer, Pass),
            Step::Egress { egress, .. } => (StepKind::Egress, pass_or(egress != Egress::None, Drop)),
        }
    }

    /// Whether a step names the object that decided it ([`Fabric::decider`] is `Some`).
    pub fn names_object(step: &Step) -> bool {
        match step {
            // A load balancer frontend without a rule names the load balancer.
            Step::Unreachable { reason, .. } => matches!(reason, UnreachableReason::NoLoadBalancingRule(_)),
            Step::DeliveredToNic { .. }
            | Step::DeliveredToInternet { .. }
            | Step::DeliveredToPlatform { .. }
            | Step::ForeignServiceAddress { .. }
            | Step::ServiceAnswers { .. }
            | Step::DeliveredToService { .. } => false,
            _ => true,
        }
    }

    /// The outcome of one step.
    pub fn outcome(&self, step: &Step) -> StepOutcome {
        let (kind, result) = self.kind_and_verdict(step);
        let decided_by = self.decider(step);
        debug_assert_eq!(decided_by.is_some(), Fabric::names_object(step), "{step:?}");
        StepOutcome { kind, at: self.location(step), decided_by, result }
    }

    /// Where a step happened.
    pub fn location(&self, step: &Step) -> String {
        let s = &self.scenario;
        match *step {
            Step::Gateway { gateway, .. } => self.nic_label(s.gateways[gateway.index()].nic),
            Step::PlatformExempt { nic }
            | Step::Appliance { nic, .. }
            | Step::DeliveredToNic { nic }
            | Step::Loop { nic }
            | Step::PathDiverges { nic, .. }
            | Step::AsymmetricReturn { actual: nic, .. }
            | Step::Translation { nic, .. }
            | Step::Session { nic, .. }
            | Step::Asymmetric { nic, .. }
            | Step::Egress { nic, .. }
            | Step::AdminRule { nic, .. } => self.nic_label(nic),
            Step::Nsg { nic, level, .. } | Step::NsgFlowState { nic, level, .. } => self.nsg_location(nic, level),
            Step::Route { subnet, .. } | Step::NextHopMissing { subnet, .. } => s.subnet_path(subnet),
            Step::Peering { link, .. } => {
                let p = &s.peerings[link.index()];
                format!("{} <-> {}", s.vnet(p.local).name, s.vnet(p.remote).name)
            }
            Step::InboundNat { public, .. } => format!("public IP {public}"),
            Step::DeliveredToInternet { .. } => "internet".into(),
            Step::DeliveredToPlatform { address } => format!("platform {address}"),
            Step::NoHost { vnet, .. } => s.vnet(vnet).name.clone(),
            Step::Unreachable { address, .. } | Step::ForeignServiceAddress { address, .. } => address.to_string(),
            Step::PeNsgBypassed { nic, .. } => s.subnet_path(s.nic(nic).subnet),
            Step::PrivateEndpoint { pe, .. } => self.nic_label(s.private_endpoint(pe).nic),
            Step::Service { service, .. } => {
                let svc = s.service(service);
                format!("{} ({})", svc.name, svc.kind)
            }
            Step::ServiceAnswers { service } | Step::DeliveredToService { service } => s.service(service).name.clone(),
            Step::Firewall { firewall, .. } => self.nic_label(s.firewalls[firewall.index()].nic),
            Step::LoadBalancer { lb, .. } => format!("frontend {}", s.load_balancers[lb.index()].frontend),
        }
    }

    /// The object that decided a step, if it names one.
    pub fn decider(&self, step: &Step) -> Option<Decider> {
        let s = &self.scenario;
        let endpoint_of = |nic: NicId| Decider::new(DeciderKind::Nic, s.endpoint(s.nic(nic).endpoint).name.clone());
        Some(match *step {
            Step::Gateway { gateway, .. } => {
                Decider::new(DeciderKind::Gateway, s.gateways[gateway.index()].name.clone())
            }
            Step::PlatformExempt { .. } => Decider::new(DeciderKind::Platform, "azure-platform"),
            Step::Nsg { instance, rule, .. } => {
                let nsg = &s.nsgs[self.nsg_instance(instance).nsg.index()];
                match nsg.rules.get(rule as usize) {
                    Some(r) if rule != crate::fabric::nsg::NO_MATCHING_RULE => {
                        Decider::with_rule(DeciderKind::Nsg, nsg.name.clone(), r.name.clone())
                    }
                    _ => Decider::new(DeciderKind::Nsg, nsg.name.clone()),
                }
            }
            Step::AdminRule { instance, rule, .. } => {
                let r = self.admin_instance(instance).refs[rule as usize];
                let manager = &s.network_managers[r.manager as usize].name;
                Decider::with_rule(DeciderKind::NetworkManager, manager.clone(), s.admin_rule_path(r))
            }
            Step::NsgFlowState { instance, .. } => {
                Decider::new(DeciderKind::Nsg, s.nsgs[self.nsg_instance(instance).nsg.index()].name.clone())
            }
            Step::Route { subnet, route, private_endpoint } => self.route_decider(subnet, route, private_endpoint),
            Step::NextHopMissing { subnet, route, .. } => self.route_decider(subnet, route, false),
            Step::Peering { link, .. } => Decider::new(DeciderKind::Peering, s.peerings[link.index()].name.clone()),
            Step::Appliance { nic, .. }
            | Step::InboundNat { nic, .. }
            | Step::Loop { nic }
            | Step::PathDiverges { nic, .. }
            | Step::AsymmetricReturn { actual: nic, .. } => endpoint_of(nic),
            Step::NoHost { vnet, .. } => Decider::new(DeciderKind::Vnet, s.vnet(vnet).name.clone()),
            Step::PeNsgBypassed { nic, .. } => Decider::with_rule(
                DeciderKind::Subnet,
                s.subnet_path(s.nic(nic).subnet),
                "private_endpoint_network_policies",
            ),
            Step::PrivateEndpoint { pe, .. } => {
                Decider::new(DeciderKind::PrivateEndpoint, s.private_endpoint(pe).name.clone())
            }
            Step::Service { service, admission, .. } => self.admission_decider(service, admission),
            Step::Firewall { firewall, decision } => {
                let fw = &s.firewalls[firewall.index()];
                match decision {
                    FirewallDecision::Rule { at, .. } => Decider::with_rule(
                        DeciderKind::Firewall,
                        fw.name.clone(),
                        self.firewall_rule_path(firewall, at),
                    ),
                    FirewallDecision::NoRule { .. } | FirewallDecision::NotAService => {
                        Decider::new(DeciderKind::Firewall, fw.name.clone())
                    }
                }
            }
            Step::Translation { nic, .. } | Step::Session { nic, .. } | Step::Asymmetric { nic, .. } => {
                self.device_decider(nic)
            }
            Step::Unreachable { reason: UnreachableReason::NoLoadBalancingRule(lb), .. } => {
                Decider::new(DeciderKind::LoadBalancer, s.load_balancers[lb.index()].name.clone())
            }
            Step::LoadBalancer { lb, rule, .. } => {
                let l = &s.load_balancers[lb.index()];
                Decider::with_rule(DeciderKind::LoadBalancer, l.name.clone(), l.rules[rule as usize].name.clone())
            }
            Step::Egress { nic, egress } => {
                let n = s.nic(nic);
                let subnet = || Decider::new(DeciderKind::Subnet, s.subnet_path(n.subnet));
                match egress {
                    Egress::Firewall(fw, _) => {
                        Decider::new(DeciderKind::Firewall, s.firewalls[fw.index()].name.clone())
                    }
                    Egress::NatGateway(g, _) => {
                        Decider::new(DeciderKind::NatGateway, s.nat_gateways[g.index()].name.clone())
                    }
                    Egress::InstancePublicIp(_) | Egress::Return(_) => endpoint_of(nic),
                    Egress::LoadBalancer(lb, _) => {
                        Decider::new(DeciderKind::LoadBalancer, s.load_balancers[lb.index()].name.clone())
                    }
                    Egress::DefaultOutboundAccess | Egress::None => subnet(),
                }
            }
            Step::DeliveredToNic { .. }
            | Step::DeliveredToInternet { .. }
            | Step::DeliveredToPlatform { .. }
            | Step::Unreachable { .. }
            | Step::ForeignServiceAddress { .. }
            | Step::ServiceAnswers { .. }
            | Step::DeliveredToService { .. } => return None,
        })
    }

    /// The firewall rule at a position, as `group/collection/rule`.
    pub fn firewall_rule_path(
        &self,
        firewall: vnetsim_model::FirewallId,
        at: crate::fabric::firewall::RulePosition,
    ) -> String {
        let policy = &self.scenario.firewalls[firewall.index()].policy;
        let group = &policy.groups[at.group as usize];
        let collection = &group.collections[at.collection as usize];
        let rule = &collection.rules[at.rule as usize];
        format!("{}/{}/{}", group.name, collection.name, rule.name)
    }

    /// The object behind a service's decision (S-5, S-8..S-12).
    pub fn admission_decider(&self, service: vnetsim_model::ServiceId, admission: Admission) -> Decider {
        let s = &self.scenario;
        let svc = s.service(service);
        let by = |rule: &str| Decider::with_rule(DeciderKind::Service, svc.name.clone(), rule);
        let own_ip_rules =
            matches!(svc.kind, vnetsim_model::ServiceKind::Workspace | vnetsim_model::ServiceKind::OnlineEndpoint);
        match admission {
            Admission::PrivateEndpoint => by("private_endpoint"),
            Admission::PublicAccess | Admission::PublicAccessDisabled => by("public_network_access"),
            Admission::IpRule(_) => by("ip_rules"),
            Admission::VirtualNetworkRule(_) => by("virtual_network_rules"),
            Admission::ResourceInstance(_) => by("resource_instances"),
            Admission::TrustedService => by("trusted_services"),
            Admission::NoRuleMatched { .. } => by(if own_ip_rules { "ip_rules" } else { "default_action" }),
            Admission::ServiceEndpointPolicy(subnet) => {
                let first = s.subnet(subnet).service_endpoint_policies.first();
                let name = first.map(|p| s.policies[p.index()].name.clone()).unwrap_or_default();
                Decider::new(DeciderKind::ServiceEndpointPolicy, name)
            }
        }
    }

    /// Where an NSG check happened: the NIC, or the subnet for subnet NSGs.
    pub fn nsg_location(&self, nic: NicId, level: NsgLevel) -> String {
        match level {
            NsgLevel::Nic => self.nic_label(nic),
            NsgLevel::Subnet => self.scenario.subnet_path(self.scenario.nic(nic).subnet),
        }
    }

    /// The object a route came from: its route table and route, the peering, or the system routes.
    pub fn route_decider(&self, subnet: SubnetId, route: u32, private_endpoint: bool) -> Decider {
        let s = &self.scenario;
        match self.route_table(subnet, private_endpoint).route(route).origin {
            RouteOrigin::PrivateEndpoint(pe) => {
                Decider::new(DeciderKind::PrivateEndpoint, s.private_endpoint(pe).name.clone())
            }
            RouteOrigin::Gateway(g) => Decider::new(DeciderKind::Gateway, s.gateways[g.index()].name.clone()),
            RouteOrigin::ServiceEndpoint(k) => Decider::with_rule(
                DeciderKind::ServiceEndpoint,
                s.subnet_path(subnet),
                s.subnet(subnet).service_endpoints[k as usize].clone(),
            ),
            RouteOrigin::User { table, route: i } => {
                let t = &s.route_tables[table.index()];
                Decider::with_rule(DeciderKind::RouteTable, t.name.clone(), t.routes[i as usize].name.clone())
            }
            RouteOrigin::Peering(p) => Decider::new(DeciderKind::Peering, s.peerings[p.index()].name.clone()),
            _ => Decider::new(DeciderKind::SystemRoutes, format!("system routes of {}", s.subnet_path(subnet))),
        }
    }

    /// The stateful device at a NIC, as expectations name it: its firewall, else its endpoint.
    pub fn device_decider(&self, nic: NicId) -> Decider {
        let s = &self.scenario;
        match self.firewall_of(nic) {
            Some(fw) => Decider::new(DeciderKind::Firewall, s.firewalls[fw.index()].name.clone()),
            None => Decider::new(DeciderKind::Nic, s.endpoint(s.nic(nic).endpoint).name.clone()),
        }
    }

    /// Whether a step names an object and, if so, whether it dropped or denied the packet: what
    /// [`deciding_index`] asks of each step. Builds no names.
    pub fn judge(&self, step: &Step) -> Option<bool> {
        Fabric::names_object(step).then(|| self.kind_and_verdict(step).1.blocks())
    }

    /// The step that decided a trace (see [`deciding_index`]).
    pub fn deciding_step<'s>(&self, steps: &'s [Step]) -> Option<&'s Step> {
        deciding_index(steps, |step| self.judge(step)).map(|i| &steps[i])
    }

    /// The object of [`Fabric::deciding_step`].
    pub fn decider_of(&self, steps: &[Step]) -> Option<Decider> {
        self.deciding_step(steps).and_then(|step| self.decider(step))
    }
}

/// The index of the step that decides a trace: the last that names an object and dropped or
/// denied the packet, else the last that names an object. `judge` answers [`Fabric::judge`]'s
/// question (batch replays answer it from a memo).
pub fn deciding_index(steps: &[Step], mut judge: impl FnMut(&Step) -> Option<bool>) -> Option<usize> {
    let mut named = None;
    for (i, step) in steps.iter().enumerate().rev() {
        match judge(step) {
            Some(true) => return Some(i),
            Some(false) if named.is_none() => named = Some(i),
            _ => {}
        }
    }
    named
}
