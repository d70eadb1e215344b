//! Typed indices into the vectors of a [`crate::Scenario`] (and of the compiled fabric, which
//! keeps the same numbering). A `u32` is plenty and keeps hot structures small.

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the owning vector.
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the element at `index` of the owning vector.
            pub fn from_index(index: usize) -> Self {
                Self(u32::try_from(index).expect("more than u32::MAX objects"))
            }
        }
    )*};
}

typed_id!(
    /// A virtual network.
    VnetId,
    /// A subnet of a virtual network.
    SubnetId,
    /// A network security group.
    NsgId,
    /// An application security group.
    AsgId,
    /// A route table (user-defined routes).
    RouteTableId,
    /// A workload that owns NICs: VM, compute instance, cluster, AKS pool, NVA.
    EndpointId,
    /// A network interface (one per node of an endpoint).
    NicId,
    /// One side of a VNet peering.
    PeeringId,
    /// A named on-premises network.
    OnPremId,
    /// A PaaS service, Microsoft public service or internet host that names resolve to.
    ServiceId,
    /// A private endpoint (its NIC is an ordinary NIC of a `private_endpoint` endpoint).
    PrivateEndpointId,
    /// A private DNS zone.
    ZoneId,
    /// A service endpoint policy.
    PolicyId,
    /// A VPN or ExpressRoute virtual network gateway.
    GatewayId,
    /// An Azure Firewall.
    FirewallId,
    /// A NAT gateway.
    NatGatewayId,
    /// A public or internal load balancer.
    LoadBalancerId,
);
