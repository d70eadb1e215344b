//! ARM: templates (hand-written or `bicep build` output) evaluated as Azure Resource Manager
//! deploys them, and exports of what runs (REST GETs, `az … show/list`, Resource Graph).
//!
//! Both give [`ArmResource`]s: a resource as ARM describes it, its expressions evaluated. The
//! `adapter` turns them into the azurerm-shaped [`crate::Instance`]s the shared mapping reads, so
//! a network means the same whichever language wrote it.

pub mod adapter;

use crate::instance::Origin;
use crate::value::Value;

/// One resource as ARM describes it, after evaluation.
#[derive(Clone, Debug)]
pub struct ArmResource {
    /// `Microsoft.Network/virtualNetworks/subnets`: the full type, child segments included.
    pub rtype: String,
    /// The full name, parents first: `hub/AzureFirewallSubnet`.
    pub name: String,
    /// The resource id (`/subscriptions/…/resourceGroups/RG/providers/Microsoft.Network/…`).
    pub id: String,
    pub resource_group: String,
    pub location: Option<String>,
    /// `properties`, evaluated (an export's as returned, read-only fields included).
    pub properties: Value,
    /// Other top-level fields that carry meaning: `sku`, `zones`, `kind`, `identity`.
    pub extra: Value,
    /// A languageVersion 2.0 template's symbolic name, by which expectations may name it.
    pub symbolic: Option<String>,
    /// Where the resource is written (the template's resource object, or the export's).
    pub origin: Origin,
}

pub mod export;
pub mod functions;
pub mod template;
