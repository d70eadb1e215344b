//! The per-NIC record the walk reads at every hop.

use super::NsgInstance;
use super::admin::AdminInstance;
use vnetsim_model::{FirewallId, PrivateEndpointId, SubnetId, VnetId};

/// What a hop needs to know about a NIC, gathered from the NIC, its subnet, its endpoint and
/// the compiled fabric into 32 bytes. With thousands of spokes the NICs of a walk are cold, and
/// one record costs one cache miss where the scenario's tables cost one each.
#[derive(Clone, Copy, Debug)]
#[repr(align(32))]
pub struct NicFacts {
    pub subnet: SubnetId,
    pub vnet: VnetId,
    subnet_nsg: u32,
    nic_nsg: u32,
    admin: u32,
    private_endpoint: u32,
    firewall: u32,
    flags: u8,
}

/// An absent optional field.
const NONE: u32 = u32::MAX;
const STATEFUL: u8 = 1;
const PE_ROUTES: u8 = 2;

/// The inputs of [`NicFacts::new`].
pub struct NicFactsOf {
    pub subnet: SubnetId,
    pub vnet: VnetId,
    pub subnet_nsg: Option<NsgInstance>,
    pub nic_nsg: Option<NsgInstance>,
    /// The security admin rules the NIC evaluates (N-16).
    pub admin: Option<AdminInstance>,
    pub private_endpoint: Option<PrivateEndpointId>,
    pub firewall: Option<FirewallId>,
    /// The NIC's endpoint is a stateful device (F-13).
    pub stateful: bool,
    /// Packets leaving the NIC use its subnet's private-endpoint routes (P-6).
    pub pe_routes: bool,
}

fn some(value: u32) -> Option<u32> {
    (value != NONE).then_some(value)
}

impl NicFacts {
    pub fn new(of: NicFactsOf) -> NicFacts {
        NicFacts {
            subnet: of.subnet,
            vnet: of.vnet,
            subnet_nsg: of.subnet_nsg.map_or(NONE, |i| i.0),
            nic_nsg: of.nic_nsg.map_or(NONE, |i| i.0),
            admin: of.admin.map_or(NONE, |i| i.0),
            private_endpoint: of.private_endpoint.map_or(NONE, |p| p.0),
            firewall: of.firewall.map_or(NONE, |f| f.0),
            flags: if of.stateful { STATEFUL } else { 0 } | if of.pe_routes { PE_ROUTES } else { 0 },
        }
    }

    #[inline]
    pub fn subnet_nsg(&self) -> Option<NsgInstance> {
        some(self.subnet_nsg).map(NsgInstance)
    }

    #[inline]
    pub fn nic_nsg(&self) -> Option<NsgInstance> {
        some(self.nic_nsg).map(NsgInstance)
    }

    #[inline]
    pub fn admin(&self) -> Option<AdminInstance> {
        some(self.admin).map(AdminInstance)
    }

    #[inline]
    pub fn private_endpoint(&self) -> Option<PrivateEndpointId> {
        some(self.private_endpoint).map(PrivateEndpointId)
    }

    /// The firewall whose private IP the NIC holds.
    #[inline]
    pub fn firewall(&self) -> Option<FirewallId> {
        some(self.firewall).map(FirewallId)
    }

    #[inline]
    pub fn stateful(&self) -> bool {
        self.flags & STATEFUL != 0
    }

    #[inline]
    pub fn pe_routes(&self) -> bool {
        self.flags & PE_ROUTES != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_as_given() {
        let full = NicFacts::new(NicFactsOf {
            subnet: SubnetId(3),
            vnet: VnetId(1),
            subnet_nsg: Some(NsgInstance(7)),
            nic_nsg: Some(NsgInstance(0)),
            admin: Some(AdminInstance(5)),
            private_endpoint: Some(PrivateEndpointId(2)),
            firewall: Some(FirewallId(0)),
            stateful: true,
            pe_routes: false,
        });
        assert_eq!((full.subnet, full.vnet), (SubnetId(3), VnetId(1)));
        assert_eq!((full.subnet_nsg(), full.nic_nsg()), (Some(NsgInstance(7)), Some(NsgInstance(0))));
        assert_eq!(full.admin(), Some(AdminInstance(5)));
        assert_eq!((full.private_endpoint(), full.firewall()), (Some(PrivateEndpointId(2)), Some(FirewallId(0))));
        assert!(full.stateful() && !full.pe_routes());
        let bare = NicFacts::new(NicFactsOf {
            subnet: SubnetId(0),
            vnet: VnetId(0),
            subnet_nsg: None,
            nic_nsg: None,
            admin: None,
            private_endpoint: None,
            firewall: None,
            stateful: false,
            pe_routes: true,
        });
        assert_eq!(
            (bare.subnet_nsg(), bare.nic_nsg(), bare.admin(), bare.private_endpoint(), bare.firewall()),
            (None, None, None, None, None)
        );
        assert!(!bare.stateful() && bare.pe_routes());
        assert_eq!(std::mem::size_of::<NicFacts>(), 32);
    }
}
