//! The `managed_network` block of an Azure ML workspace, as the AML CLI v2 workspace YAML writes
//! it: embedded in a scenario's workspace service, or read from a workspace YAML
//! file.

use super::{each, opt};
use crate::decode::{self, Fields, Sp};
use crate::diagnostic::{Diagnostics, Loc};
use crate::yaml::Node;
use vnetsim_model::{IsolationMode, OutboundRuleKind, PortSet};

pub const OUTBOUND_RULE_TYPES: [(&str, OutboundRuleKind); 3] = [
    ("fqdn", OutboundRuleKind::Fqdn),
    ("private_endpoint", OutboundRuleKind::PrivateEndpoint),
    ("service_tag", OutboundRuleKind::ServiceTag),
];

#[derive(Clone)]
pub struct RawManagedNetwork {
    pub loc: Loc,
    pub mode: Sp<IsolationMode>,
    pub rules: Vec<RawOutboundRule>,
}

#[derive(Clone)]
pub struct RawOutboundRule {
    pub loc: Loc,
    pub name: Sp<String>,
    pub destination: RawOutboundDestination,
}

#[derive(Clone)]
pub enum RawOutboundDestination {
    Fqdn(Sp<String>),
    PrivateEndpoint {
        /// An ARM resource id, or a service name of the scenario.
        service_resource_id: Sp<String>,
        subresource_target: Sp<String>,
    },
    ServiceTag {
        tag: Sp<String>,
        /// `None`: any protocol.
        protocol: Option<Sp<String>>,
        ports: PortSet,
        /// Prefixes written in place of, or besides, the tag.
        address_prefixes: Vec<Sp<String>>,
    },
}

pub fn managed_network(node: &Node, d: &mut Diagnostics) -> Option<RawManagedNetwork> {
    let mut f = Fields::open(node, "managed_network", d)?;
    let loc = f.loc();
    let mode = f.require("isolation_mode", d).and_then(|n| decode::string(n, "isolation_mode", d)).and_then(|m| {
        let parsed = IsolationMode::parse(&m.value);
        if parsed.is_none() {
            d.error_with_help(
                m.loc,
                format!("invalid isolation_mode `{}`", m.value),
                format!("expected one of: {} (A-14)", IsolationMode::NAMES.join(", ")),
            );
        }
        parsed.map(|value| Sp { value, loc: m.loc })
    });
    let rules = each(&mut f, "outbound_rules", "outbound rules", d, outbound_rule);
    // Written by `az ml workspace show`; not configuration.
    for key in ["status", "network_id", "firewall_sku"] {
        f.get(key);
    }
    f.finish(d);
    Some(RawManagedNetwork { loc, mode: mode?, rules })
}

fn outbound_rule(node: &Node, d: &mut Diagnostics) -> Option<RawOutboundRule> {
    let mut f = Fields::open(node, "outbound rule", d)?;
    let loc = f.loc();
    let name = f.require("name", d).and_then(|n| decode::string(n, "outbound rule name", d));
    let kind = f.require("type", d).and_then(|n| decode::choice(n, "outbound rule type", &OUTBOUND_RULE_TYPES, d));
    let destination = f.require("destination", d);
    // `fqdns` of a private endpoint rule name hosts behind an application gateway; `category`
    // and `status` are written by `az ml workspace show`. None changes what the rule opens.
    for key in ["fqdns", "category", "status", "parent_rule_names"] {
        f.get(key);
    }
    f.finish(d);
    let destination = match (kind?.value, destination?) {
        (OutboundRuleKind::Fqdn, n) => RawOutboundDestination::Fqdn(decode::string(n, "fqdn destination", d)?),
        (OutboundRuleKind::PrivateEndpoint, n) => private_endpoint_destination(n, d)?,
        (OutboundRuleKind::ServiceTag, n) => service_tag_destination(n, d)?,
    };
    Some(RawOutboundRule { loc, name: name?, destination })
}

fn private_endpoint_destination(node: &Node, d: &mut Diagnostics) -> Option<RawOutboundDestination> {
    let mut f = Fields::open(node, "private endpoint destination", d)?;
    let id = f.require("service_resource_id", d).and_then(|n| decode::string(n, "service_resource_id", d));
    let sub = f.require("subresource_target", d).and_then(|n| decode::string(n, "subresource_target", d));
    opt(&mut f, "spark_enabled", d, |n, d| decode::boolean(n, "spark_enabled", d));
    f.finish(d);
    Some(RawOutboundDestination::PrivateEndpoint { service_resource_id: id?, subresource_target: sub? })
}

fn service_tag_destination(node: &Node, d: &mut Diagnostics) -> Option<RawOutboundDestination> {
    let mut f = Fields::open(node, "service tag destination", d)?;
    let tag = f.require("service_tag", d).and_then(|n| decode::string(n, "service_tag", d));
    let protocol = opt(&mut f, "protocol", d, |n, d| decode::string(n, "protocol", d));
    let ports = opt(&mut f, "port_ranges", d, |n, d| decode::ports(n, "port_ranges", d));
    let address_prefixes = opt(&mut f, "address_prefixes", d, |n, d| {
        Some(decode::list(n, |n, d| decode::string(n, "address prefix", d), d))
    })
    .unwrap_or_default();
    f.finish(d);
    Some(RawOutboundDestination::ServiceTag {
        tag: tag?,
        protocol,
        ports: ports.unwrap_or_else(PortSet::any),
        address_prefixes,
    })
}

/// The keys of an AML CLI v2 workspace YAML. Only `name`, `location` and `managed_network`
/// matter to the network; the others are accepted as written.
const WORKSPACE_KEYS: [&str; 22] = [
    "$schema",
    "display_name",
    "description",
    "tags",
    "resource_group",
    "hbi_workspace",
    "storage_account",
    "container_registry",
    "key_vault",
    "application_insights",
    "customer_managed_key",
    "image_build_compute",
    "public_network_access",
    "identity",
    "primary_user_assigned_identity",
    "enable_data_isolation",
    "system_datastores_auth_mode",
    "kind",
    "id",
    "discovery_url",
    "mlflow_tracking_uri",
    "serverless_compute",
];

/// An AML CLI v2 workspace YAML file.
pub struct RawWorkspaceFile {
    pub name: Sp<String>,
    pub location: Option<Sp<String>>,
    pub managed_network: Option<RawManagedNetwork>,
}

pub fn workspace_file(root: &Node, d: &mut Diagnostics) -> Option<RawWorkspaceFile> {
    let mut f = Fields::open(root, "workspace YAML", d)?;
    let name = f.require("name", d).and_then(|n| decode::name(n, "workspace name", d));
    let location = opt(&mut f, "location", d, |n, d| decode::name(n, "location", d));
    let managed_network = opt(&mut f, "managed_network", d, managed_network);
    for key in WORKSPACE_KEYS {
        f.get(key);
    }
    f.finish(d);
    Some(RawWorkspaceFile { name: name?, location, managed_network })
}
