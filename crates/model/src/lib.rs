//! The network as plain data.
//!
//! Everything here is resolved: names have become typed ids, strings have become prefixes, ports
//! and protocols. No I/O and no file-format concerns live here (see `vnetsim-config` for those).
//! Defaults are Azure's defaults.

pub mod addr;
pub mod admin;
pub mod audit;
pub mod catalogue;
pub mod dns;
pub mod endpoint;
pub mod expect;
pub mod firewall;
pub mod fqdn_tags;
pub mod ids;
pub mod managed;
pub mod name_pattern;
pub mod network;
pub mod nsg;
pub mod options;
pub mod outbound;
pub mod ports;
pub mod protocol;
pub mod public_services;
pub mod route;
pub mod scenario;
pub mod service;
pub mod service_tags;

pub use addr::{IpAddr, IpNet, Ipv4Addr, Ipv4Net, Ipv6Addr, Ipv6Net};
pub use admin::{
    AdminAction, AdminRule, AdminRuleCollection, AdminRuleRef, NetworkGroup, NetworkManager, SecurityAdminConfiguration,
};
pub use audit::{AuditSettings, ExfiltrationExpectation, ExpectedExfiltration};
pub use dns::{ConditionalForwarder, DnsForwarding, DnsRecord, PrivateDnsZone, RecordSource, ZoneLink};
pub use endpoint::{Endpoint, EndpointKind, Nic};
pub use expect::{
    Destination, Expectation, ExpectedAnswer, ExpectedFlow, ExpectedOutcome, FlowExpectation, PathObject, Place,
    SeenAs, SourceLoc,
};
pub use firewall::{
    AppProtocol, AppProtocolKind, Firewall, FirewallAddress, FirewallPolicy, FirewallRule, RuleCollection,
    RuleCollectionGroup, RuleKind, RuleMatch,
};
pub use ids::*;
pub use managed::{IsolationMode, ManagedNetwork, OutboundRule, OutboundRuleKind};
pub use network::{Gateway, OnPremNetwork, Peering, PrivateEndpointNetworkPolicies, Subnet, Vnet};
pub use nsg::{Access, AddressMatch, Direction, Nsg, NsgRule};
pub use options::{AnyProtocol, Options};
pub use outbound::{LoadBalancer, LoadBalancingRule, NatGateway};
pub use ports::{PortRange, PortSet};
pub use protocol::{Protocol, ProtocolMatch};
pub use route::{NextHop, Route, RouteDestination, RouteTable};
pub use scenario::Scenario;
pub use service::{
    ConnectionState, NetworkRules, PrivateEndpoint, PublicNetworkAccess, Service, ServiceEndpointPolicy, ServiceKind,
    ServiceName, WorkspaceResources,
};
pub use service_tags::{ServiceTag, ServiceTagTable};
