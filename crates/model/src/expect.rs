//! Expectations: what a scenario says must happen to a connection.

use crate::{
    EndpointId, FirewallId, GatewayId, IpAddr, IpNet, LoadBalancerId, NatGatewayId, OnPremId, PeeringId,
    PrivateEndpointId, Protocol, RouteTableId, ServiceId, SubnetId,
};

/// Where in a scenario file something was written. Plain data so reports can point at it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLoc {
    pub line: u32,
    pub column: u32,
}

/// A place a packet starts from or is sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// A node of an endpoint (its first NIC).
    Endpoint { endpoint: EndpointId, node: u32 },
    /// A host on the public internet.
    Internet(IpAddr),
    /// A host in a named on-premises network.
    OnPrem { network: OnPremId, address: IpAddr },
    /// A bare address (destinations only).
    Address(IpAddr),
    /// A PaaS service calling another with its managed identity (sources only): the trusted
    /// services and resource instance rules of S-9 decide.
    Service(ServiceId),
}

/// Where a connection goes: a place, or a DNS name resolved from the source first (D-5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Destination {
    Place(Place),
    /// A lower-case FQDN.
    Name(String),
}

/// What an expectation says a name resolves to from its source (D-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedAnswer {
    /// An address in a private range: a private endpoint.
    Private,
    /// A public address.
    Public,
    NxDomain,
    Address(IpAddr),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedOutcome {
    /// Allowed, optionally naming a rule that allowed the request (`nsg/rule`, `fw/g/c/rule`,
    /// `service/private_endpoint`, ...): any step of the request that allowed it.
    Allowed { by: Option<String> },
    /// Denied, optionally naming the deciding object (`nsg`, `nsg/rule`, a route table, ...).
    Denied { by: Option<String> },
    /// One-way: the request arrives and its reply does not return, optionally naming the object
    /// that drops the reply.
    OneWay { by: Option<String> },
}

#[derive(Clone, Debug)]
pub struct Expectation {
    pub loc: SourceLoc,
    /// How the expectation reads in reports: the written `name`, else a generated summary.
    pub label: String,
    /// `from:` and `to:` as written, for traces of failures.
    pub from_text: String,
    pub to_text: String,
    pub from: Place,
    pub to: Destination,
    pub protocol: Protocol,
    pub port: u16,
    pub source_port: u16,
    pub outcome: ExpectedOutcome,
    /// For a name destination: what the name must resolve to.
    pub resolves_to: Option<ExpectedAnswer>,
    /// `via:`: objects the request must cross, every one of them.
    pub via: Vec<PathObject>,
    /// `not_via:`: objects the request must not cross.
    pub not_via: Vec<PathObject>,
    /// `seen_as:`: the source address the destination must see.
    pub seen_as: Option<SeenAs>,
}

/// An object a request can cross, as `via:` and `not_via:` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathObject {
    Firewall(FirewallId),
    /// An endpoint that forwards packets (an NVA: a NIC with IP forwarding).
    Appliance(EndpointId),
    Gateway(GatewayId),
    NatGateway(NatGatewayId),
    LoadBalancer(LoadBalancerId),
    Subnet(SubnetId),
    /// A peering link; either side's link stands for the pair.
    Peering(PeeringId),
    /// Any route of a route table.
    RouteTable(RouteTableId),
    /// One route of a route table.
    Route {
        table: RouteTableId,
        route: u32,
    },
    PrivateEndpoint(PrivateEndpointId),
}

/// What `seen_as:` says the destination sees as the packet's source: an address inside one of
/// `prefixes` (an address or prefix written, or the addresses or prefixes of the object named).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenAs {
    /// As written, for reports.
    pub text: String,
    pub prefixes: Vec<IpNet>,
}

/// What a `flow:` expectation says of a catalogue flow from a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedFlow {
    Works,
    /// Broken, optionally naming the object that blocks it (as `by:` of a connection).
    Broken {
        by: Option<String>,
    },
}

/// An expectation on a whole flow of the catalogue (`crate::catalogue::FLOWS`).
#[derive(Clone, Debug)]
pub struct FlowExpectation {
    pub loc: SourceLoc,
    pub label: String,
    /// Index into the catalogue.
    pub flow: usize,
    /// The source as written, and where it is.
    pub from_text: String,
    pub from: Place,
    /// The workspace whose flow it is.
    pub workspace: ServiceId,
    pub outcome: ExpectedFlow,
}
