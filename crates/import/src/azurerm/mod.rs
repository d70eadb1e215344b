//! azurerm resources onto the scenario format.
//!
//! Each module maps its resource types from every instance of the import at once (a subnet's
//! NSG may be set by a separate association resource), in a fixed order: the network first,
//! then the devices and services that sit in it. Resources link by Azure id
//! ([`ids`]); an object is named by its Azure name, qualified with its resource group where two
//! of one kind share a name. Every type the import sees is mapped, listed as ignored (no effect
//! on traffic) or listed as not modelled (may change verdicts): never dropped silently.

mod firewall;
pub mod ids;
mod ml;
mod network;
mod paas;

use crate::doc::{Doc, Note, Yaml};
use crate::instance::{Instance, Mode};
use crate::summary::{Listed, Summary};
use crate::value::Value;
use std::collections::HashMap;
use vnetsim_config::Diagnostic;

/// The scenario made of an import's instances, what was left aside, and the problems found.
pub struct Mapped {
    pub doc: Doc,
    pub summary: Summary,
    pub errors: Vec<Diagnostic>,
}

/// Resource types with no effect on traffic, by prefix: listed, never mapped.
const IGNORED_PREFIXES: &[&str] = &[
    "random_",
    "time_",
    "null_resource",
    "terraform_data",
    "tls_",
    "local_",
    "azurerm_client_config",
    "azurerm_resource_group",
    "azurerm_role_",
    "azurerm_monitor_",
    "azurerm_log_analytics_",
    "azurerm_key_vault_secret",
    "azurerm_key_vault_key",
    "azurerm_key_vault_access_policy",
    "azurerm_key_vault_certificate",
    "azurerm_user_assigned_identity",
    "azurerm_storage_container",
    "azurerm_storage_share",
    "azurerm_storage_blob",
    "azurerm_virtual_machine_extension",
    "azurerm_management_lock",
    "azurerm_policy_",
    "azurerm_resource_group_policy_",
    "azurerm_subscription",
    "azurerm_dev_test_global_vm_shutdown_schedule",
    "azurerm_network_watcher",
    "azurerm_security_center_",
    "azurerm_application_insights_",
    "azuread_",
    "modtm_",
    // ARM types without a translation (`arm:TYPE`, see `arm::adapter`) that carry no traffic.
    "arm:Microsoft.Resources/deployments",
    "arm:Microsoft.Resources/deploymentScripts",
    "arm:Microsoft.Authorization/",
    "arm:Microsoft.Insights/diagnosticSettings",
    "arm:Microsoft.Insights/actionGroups",
    "arm:Microsoft.Insights/metricAlerts",
    "arm:Microsoft.Insights/components/",
    "arm:Microsoft.OperationalInsights/",
    "arm:Microsoft.OperationsManagement/",
    "arm:Microsoft.ManagedIdentity/",
    "arm:Microsoft.Compute/virtualMachines/extensions",
    "arm:Microsoft.Compute/disks",
    "arm:Microsoft.DevTestLab/schedules",
    "arm:Microsoft.KeyVault/vaults/secrets",
    "arm:Microsoft.KeyVault/vaults/keys",
    "arm:Microsoft.KeyVault/vaults/accessPolicies",
    "arm:Microsoft.Storage/storageAccounts/blobServices",
    "arm:Microsoft.Storage/storageAccounts/fileServices",
    "arm:Microsoft.Network/networkWatchers",
    "arm:Microsoft.Network/ddosProtectionPlans",
    "arm:Microsoft.Network/privateDnsZones/SOA",
    "arm:Microsoft.Sql/servers/databases",
];

fn is_ignored(rtype: &str) -> bool {
    IGNORED_PREFIXES.iter().any(|p| rtype.starts_with(p))
}

/// The mapping's state: the instances, an index by id, the scenario being built.
pub struct Ctx<'i> {
    pub instances: &'i [Instance],
    by_id: HashMap<String, usize>,
    pub doc: Doc,
    pub summary: Summary,
    pub errors: Vec<Diagnostic>,
    /// Types some module mapped, so the rest can be listed.
    handled: Vec<&'static str>,
}

impl<'i> Ctx<'i> {
    pub fn new(instances: &'i [Instance]) -> Ctx<'i> {
        let by_id = (instances.iter().enumerate())
            .filter_map(|(i, inst)| Some((inst.attrs.get("id")?.as_str()?.to_ascii_lowercase(), i)))
            .collect();
        Ctx { instances, by_id, doc: Doc::new(), summary: Summary::default(), errors: Vec::new(), handled: Vec::new() }
    }

    /// The managed instances of one type, in import order; the type counts as handled.
    pub fn of_type(&mut self, rtype: &'static str) -> impl Iterator<Item = &'i Instance> + use<'i> {
        if !self.handled.contains(&rtype) {
            self.handled.push(rtype);
        }
        let instances = self.instances;
        instances.iter().filter(move |i| i.mode == Mode::Managed && i.rtype == rtype)
    }

    /// The instance (managed or data) with this id, compared as Azure compares ids.
    pub fn by_id(&self, id: &str) -> Option<&'i Instance> {
        self.by_id.get(&id.to_ascii_lowercase()).map(|&i| &self.instances[i])
    }

    /// The comment an object of this instance carries.
    pub fn note(inst: &Instance) -> Note {
        Note { source: inst.address.clone(), origin: inst.origin.clone() }
    }

    /// A problem with one argument of an instance.
    pub fn error(&mut self, inst: &Instance, key: &str, message: impl Into<String>) {
        let at = inst.loc_of(key);
        self.errors.push(Diagnostic { file: at.file, loc: at.loc, message: message.into(), help: None });
    }

    pub fn error_with_help(&mut self, inst: &Instance, key: &str, message: impl Into<String>, help: impl Into<String>) {
        let at = inst.loc_of(key);
        self.errors.push(Diagnostic { file: at.file, loc: at.loc, message: message.into(), help: Some(help.into()) });
    }

    /// A string argument, read as [`network::Args`] reads one: a value known only after apply is
    /// resolved when vnetsim allocates it, else reported, as is one of another type.
    pub fn str_arg(&mut self, inst: &Instance, key: &str) -> Option<String> {
        network::Args::of(inst).str(self, key)
    }

    /// A required string argument: missing is reported.
    pub fn required_str(&mut self, inst: &Instance, key: &str) -> Option<String> {
        network::Args::of(inst).required(self, key)
    }

    pub fn bool_arg(&mut self, inst: &Instance, key: &str) -> Option<bool> {
        network::Args::of(inst).bool(self, key)
    }

    /// The nested blocks `key` of an instance (`subnet { … }`, `ip_configuration { … }`), as
    /// objects.
    pub fn blocks(inst: &'i Instance, key: &str) -> Vec<&'i Value> {
        match inst.arg(key) {
            Some(Value::List(items)) | Some(Value::Set(items)) => {
                items.iter().filter(|v| v.as_map().is_some()).collect()
            }
            Some(v @ Value::Map(_)) => vec![v],
            _ => Vec::new(),
        }
    }

    fn wrong_type(&mut self, inst: &Instance, key: &str, v: &Value, expected: &str) {
        self.wrong_value(inst, key, key, v, expected)
    }

    /// A value of the wrong type at `what` (an argument, or a path into a nested block),
    /// reported at the argument `key`.
    fn wrong_value(&mut self, inst: &Instance, key: &str, what: &str, v: &Value, expected: &str) {
        match v {
            // Already reported where it went wrong.
            Value::Unknown(c) if c.address.is_empty() => {}
            // From a module that was not read (listed with its location): what depends on it
            // is listed, not an error, so the rest of the configuration still loads.
            Value::Unknown(c) if is_module_address(&c.address) => {
                let listed = Ctx::listed(inst);
                if !self.summary.incomplete.iter().any(|(l, _)| l.address == listed.address) {
                    self.summary.incomplete.push((listed, c.address.clone()));
                }
            }
            Value::Unknown(c) if c.address.starts_with("var.") => {
                self.error(inst, key, format!("{}: `{what}` needs {}", inst.address, Value::describe_unknown(c)))
            }
            Value::Unknown(c) => self.error_with_help(
                inst,
                key,
                format!("{}: `{what}` is {}", inst.address, Value::describe_unknown(c)),
                "vnetsim cannot compute this value: write it in the scenario, or import a plan \
                 (`terraform show -json plan.out`) that knows it",
            ),
            _ => self.error(
                inst,
                key,
                format!("{}: `{what}` must be {expected}, found {} {v}", inst.address, v.type_name()),
            ),
        }
    }

    /// A computed value, counted.
    pub fn computed(&mut self, value: Yaml, what: impl Into<String>) -> Yaml {
        self.summary.computed += 1;
        Yaml::computed(value, what)
    }

    fn listed(inst: &Instance) -> Listed {
        Listed { address: inst.address.clone(), rtype: inst.rtype.clone(), origin: inst.origin.clone() }
    }
}

/// Whether an address is a module call's own (`module.vnet`, `module.a.module.b["k"]`), which
/// only a module that was not read leaves as the origin of an unknown value.
fn is_module_address(address: &str) -> bool {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find('.').unwrap_or(after.len());
        rest = after[end..].trim_start_matches('.');
        if rest.is_empty() {
            return true;
        }
    }
    false
}

/// Maps every instance of an import: the network, then the devices in it, then the services and
/// what reaches them.
pub fn map(instances: &[Instance]) -> Mapped {
    let mut ctx = Ctx::new(instances);
    network::map(&mut ctx);
    firewall::map(&mut ctx);
    paas::map(&mut ctx);
    ml::map(&mut ctx);
    // A public IP is part of the NIC, firewall, NAT gateway or bastion that uses it.
    ctx.handled.push("azurerm_public_ip");
    for inst in instances.iter().filter(|i| i.mode == Mode::Managed) {
        if ctx.summary.not_modelled.iter().any(|l| l.address == inst.address) {
            continue; // a mapped type, but this instance uses what the format cannot express
        }
        if ctx.handled.contains(&inst.rtype.as_str()) {
            ctx.summary.mapped += 1;
        } else if is_ignored(&inst.rtype) {
            ctx.summary.ignored.push(Ctx::listed(inst));
        } else {
            ctx.summary.not_modelled.push(Ctx::listed(inst));
        }
    }
    Mapped { doc: ctx.doc, summary: ctx.summary, errors: ctx.errors }
}
