//! Words for the analyses' typed results: why an expectation failed, why a flow is broken, what
//! blocked a connection.

use super::{detail, headline_of};
use vnetsim_analysis::audit::Exfiltration;
use vnetsim_analysis::expectation::{Cause, Reason, Side};
use vnetsim_analysis::flows::{Blocked, FlowReason};
use vnetsim_engine::dns::DnsOutcome;
use vnetsim_engine::trace::Disposition;
use vnetsim_engine::{Decider, Fabric};
use vnetsim_model::{ExpectedAnswer, PathObject};

/// What blocked a connection, in one sentence.
pub fn cause_words(f: &Fabric, cause: &Cause) -> String {
    match cause {
        Cause::Step(step) => detail(f, step),
        Cause::NoRecordInZone { name, zone } => {
            format!("{name} has no record in private zone {zone}, which answers NXDOMAIN (D-3)")
        }
        Cause::NoPublicRecord { name } => format!("public DNS has no record for {name}"),
        Cause::NotADnsServer { name, endpoint } => {
            format!("{endpoint} runs no DNS server: the query for {name} gets no answer")
        }
        Cause::DnsQuery { name, step } => format!("the DNS query for {name} failed: {}", detail(f, step)),
    }
}

/// What blocked a connection of a flow, in one sentence.
pub fn blocked_words(f: &Fabric, blocked: &Blocked) -> String {
    match blocked {
        Blocked::By(cause) => cause_words(f, cause),
        Blocked::Query(e) => e.to_string(),
    }
}

/// Why a flow is broken, does not apply, or works without a walk.
pub fn flow_reason_words(f: &Fabric, reason: &FlowReason) -> String {
    match reason {
        FlowReason::Blocked { connection, one_way, disposition, decider, blocked } => {
            let verb = match disposition {
                Disposition::DeniedByNsg
                | Disposition::DeniedByAdminRule
                | Disposition::DeniedByFirewall
                | Disposition::DeniedByService => "denied",
                other => other.name(),
            };
            let verb = verb.replace('_', " ");
            let verb = if *one_way { format!("is one-way: its reply is {verb}") } else { verb };
            let detail = blocked.as_ref().map(|b| blocked_words(f, b));
            let detail = detail.as_deref().unwrap_or("no step names the cause");
            match decider {
                Some(d) => format!("{connection} {verb} by {}: {detail}", headline_of(d)),
                None => format!("{connection} {verb}: {detail}"),
            }
        }
        FlowReason::NothingToConnect { source, workspace } => {
            format!("nothing to connect to from {source} in {workspace}")
        }
        FlowReason::ServerlessBuild => "built by the serverless build compute outside the network (A-8)".into(),
        FlowReason::ServerlessBuildBlocked { restricted, workspace } => format!(
            "{} {} behind a network and {workspace} has no image_build_compute: the serverless build compute cannot reach it (A-8)",
            restricted.join(" and "),
            if restricted.len() == 1 { "is" } else { "are" },
        ),
    }
}

/// Why an expectation failed, in one sentence.
pub fn reason_words(f: &Fabric, reason: &Reason) -> String {
    let side = |s: &Side| match s {
        Side::Request => "request",
        Side::Reply => "reply",
        Side::NameResolution => "name resolution",
    };
    let describe = |d: &Option<Decider>| d.as_ref().map_or_else(|| "nothing named".into(), ToString::to_string);
    let flow = |r: &Option<FlowReason>, otherwise: &str| {
        r.as_ref().map_or_else(|| otherwise.to_string(), |r| flow_reason_words(f, r))
    };
    match reason {
        Reason::Query(e) => e.to_string(),
        Reason::ExpectedAllowed { side: Side::Reply, disposition, decider } => format!(
            "expected allowed, but it is one-way: the request arrives and the reply was {} by {}",
            disposition.name(),
            describe(decider)
        ),
        Reason::ExpectedAllowed { side: s, disposition, decider } => {
            format!("expected allowed, but the {} was {} by {}", side(s), disposition.name(), describe(decider))
        }
        Reason::ExpectedDeniedButAllowed => "expected denied, but the connection is allowed".into(),
        Reason::ExpectedAllowedBy { by, allowed_by } => {
            let rules = allowed_by.iter().map(ToString::to_string).collect::<Vec<_>>();
            if rules.is_empty() {
                format!("expected allowed by {by}, but no rule on the request's path allowed it")
            } else {
                format!("expected allowed by {by}, but the request was allowed by {}", rules.join(", "))
            }
        }
        Reason::NotCrossed { object, path } => format!(
            "expected the request to cross {}, but it does not; its path: {}",
            path_object_name(f, *object),
            path_words(f, path)
        ),
        Reason::Crossed { object, path } => format!(
            "expected the request not to cross {}, but it does; its path: {}",
            path_object_name(f, *object),
            path_words(f, path)
        ),
        Reason::SeenAs { expected, seen, translated_by } => {
            let how = match translated_by {
                Some(d) => format!("the source translated by {d}"),
                None => "the source untranslated".into(),
            };
            format!("expected the destination to see the source as {expected}, but it sees {seen} ({how})")
        }
        Reason::ExpectedOneWay { disposition: Disposition::Delivered, .. } => {
            "expected one-way, but the reply returns: the connection works".into()
        }
        Reason::ExpectedOneWay { side: s, disposition, decider } => {
            format!("expected one-way, but the {} was {} by {}", side(s), disposition.name(), describe(decider))
        }
        Reason::ExpectedOneWayBy { by, disposition, decider } => format!(
            "expected one-way with the reply dropped by {by}, but it was {} by {}",
            disposition.name(),
            describe(decider)
        ),
        Reason::ExpectedDeniedBy { by, side: s, disposition, decider } => {
            format!("expected denied by {by}, but the {} was {} by {}", side(s), disposition.name(), describe(decider))
        }
        Reason::WrongAnswer { expected, got } => format!(
            "expected the name to resolve to {}, but it resolved to {}",
            expected_answer_words(*expected),
            answer_word(*got)
        ),
        Reason::FlowNotApplicable(r) => format!("the flow does not apply: {}", flow(r, "")),
        Reason::FlowExpectedWorks(r) => format!("expected it to work, but {}", flow(r, "it is broken")),
        Reason::FlowExpectedBrokenButWorks => "expected it to be broken, but every connection works".into(),
        Reason::FlowExpectedBrokenBy { by, reason } => {
            format!("expected it broken by {by}, but {}", flow(reason, "something else blocks it"))
        }
        Reason::NoExfiltrationExpected { found, destination } => {
            format!("expected no exfiltration path, but {found} found: {}", exfiltration_words(destination))
        }
        Reason::ExfiltrationExpected => "expected an exfiltration path, but the audit finds none".into(),
        Reason::ExfiltrationExpectedBy { by, found } => {
            format!("expected an exfiltration path opened by {by}, but none of the {found} found is")
        }
    }
}

/// An object of a request's path as scenario files name it.
pub fn path_object_name(f: &Fabric, object: PathObject) -> String {
    let s = &f.scenario;
    match object {
        PathObject::Firewall(id) => s.firewalls[id.index()].name.clone(),
        PathObject::Appliance(id) => s.endpoint(id).name.clone(),
        PathObject::Gateway(id) => s.gateways[id.index()].name.clone(),
        PathObject::NatGateway(id) => s.nat_gateways[id.index()].name.clone(),
        PathObject::LoadBalancer(id) => s.load_balancers[id.index()].name.clone(),
        PathObject::Subnet(id) => s.subnet_path(id),
        PathObject::Peering(id) => s.peerings[id.index()].name.clone(),
        PathObject::RouteTable(id) => s.route_tables[id.index()].name.clone(),
        PathObject::Route { table, route } => {
            let t = &s.route_tables[table.index()];
            format!("{}/{}", t.name, t.routes[route as usize].name)
        }
        PathObject::PrivateEndpoint(id) => s.private_endpoint(id).name.clone(),
    }
}

/// A request's path as the objects it crossed, in order.
fn path_words(f: &Fabric, path: &[PathObject]) -> String {
    if path.is_empty() {
        return "it crosses nothing".into();
    }
    path.iter().map(|o| path_object_name(f, *o)).collect::<Vec<_>>().join(" -> ")
}

/// A DNS outcome as traces and results show it: the address, `NXDOMAIN` or `no answer`.
pub fn answer_word(outcome: DnsOutcome) -> String {
    match outcome {
        DnsOutcome::Address(ip) => ip.to_string(),
        DnsOutcome::NxDomain => "NXDOMAIN".into(),
        DnsOutcome::Failed => "no answer".into(),
    }
}

fn expected_answer_words(a: ExpectedAnswer) -> String {
    match a {
        ExpectedAnswer::Private => "a private address".into(),
        ExpectedAnswer::Public => "a public address".into(),
        ExpectedAnswer::NxDomain => "NXDOMAIN".into(),
        ExpectedAnswer::Address(ip) => ip.to_string(),
    }
}

/// An exfiltration destination in words.
pub fn exfiltration_words(destination: &Exfiltration) -> String {
    match destination {
        Exfiltration::StorageAccount { region: Some(r) } => format!("any storage account in {r} (Storage.{r})"),
        Exfiltration::StorageAccount { region: None } => "any storage account (Storage)".into(),
        Exfiltration::FrontDoor => "any Azure Front Door endpoint (AzureFrontDoor.FrontEnd)".into(),
        Exfiltration::InternetHost => "any internet host".into(),
        Exfiltration::TenantResource { tag } => format!("anyone's resource in service tag {tag}"),
        Exfiltration::MultiTenantName { name } => format!("any name the attacker registers, such as {name}"),
        Exfiltration::RegistrableName { name, pattern } => {
            format!("a name anyone can register that {pattern} matches, such as {name} (F-9)")
        }
        Exfiltration::WriteCapableHost { name } => format!("write-capable host {name}"),
        Exfiltration::ForeignService { name } => format!("foreign service {name}"),
    }
}
