//! ARM resources onto the azurerm-shaped [`Instance`]s the shared mapping reads.
//!
//! A network written as an ARM template, exported from Azure or written in Terraform must mean
//! the same scenario, so every ARM type is translated into the Terraform type and argument names
//! `crate::azurerm` already maps (`Microsoft.Network/virtualNetworks` → `azurerm_virtual_network`
//! with `address_space`, …) rather than mapped a second time.
//!
//! Before translating, [`merge`] gives each resource id one [`Res`]: children written inline
//! (a VNet's `subnets`, an NSG's `securityRules`, …) are split out, and declarations of the same
//! id (a subnet inline in its VNet and again as a `virtualNetworks/subnets` resource) are merged
//! as ARM applies them: the separate child last, winning where both set a property.
//!
//! A reference to a resource the input does not hold (an export of one subnet whose NSG was not
//! exported) is returned as [`NotExported`] and treated as absent: the reference is dropped, and a
//! resource that cannot exist without it (a NIC without its subnet) is left out.
//!
//! Values Azure allocates arrive as unknowns named by resource id and ARM path
//! (`ipConfigurations[0].properties.privateIPAddress`); they are renamed to the instance address
//! and Terraform path (`ip_configuration[0].private_ip_address`) the shared resolver allocates.

mod compute;
mod dns;
mod firewall;
mod merge;
mod network;
mod paas;
mod read;

use super::ArmResource;
use crate::instance::{Instance, Mode, Origin};
use crate::value::Value;
use merge::Res;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A reference to a resource the input does not contain: the referring resource's address, the
/// missing id, and where the referring resource is written.
#[derive(Clone, Debug, PartialEq)]
pub struct NotExported {
    pub address: String,
    pub id: String,
    pub origin: Origin,
    /// The input holds the resource, but it was left out in turn: what it needs is missing (a
    /// subnet whose VNet was not exported).
    pub left_out: bool,
}

/// The instances of these ARM resources, and the references to resources they do not contain.
///
/// A resource left out for a missing reference is absent for the resources that name it: the
/// translation runs again with it absent until no more are left out (each run can only leave
/// out more; a chain VNet → subnet → NIC → VM takes four).
pub fn instances(resources: &[ArmResource]) -> (Vec<Instance>, Vec<NotExported>) {
    let index = Index::new(merge::merge(resources));
    let mut absent: HashSet<String> = HashSet::new();
    loop {
        let mut cx = Cx { index: &index, absent: &absent, out: Vec::new(), missing: Vec::new(), made: HashSet::new() };
        for r in &index.res {
            translate(&mut cx, r);
        }
        let left_out: HashSet<String> =
            index.res.iter().map(|r| r.id.to_ascii_lowercase()).filter(|id| !cx.made.contains(id)).collect();
        if left_out == absent {
            let Cx { mut out, missing, .. } = cx;
            for inst in &mut out {
                inst.attrs = rename_unknowns(&index, &inst.attrs);
            }
            return (out, missing);
        }
        absent = left_out;
    }
}

/// Translators by ARM type (lower case, as ARM compares types).
type Translate = fn(&mut Cx, &Res);

const TRANSLATORS: &[(&str, Translate)] = &[
    ("microsoft.network/virtualnetworks", network::vnet),
    ("microsoft.network/virtualnetworks/subnets", network::subnet),
    ("microsoft.network/virtualnetworks/virtualnetworkpeerings", network::peering),
    ("microsoft.network/networksecuritygroups", network::nsg),
    ("microsoft.network/networksecuritygroups/securityrules", network::security_rule),
    ("microsoft.network/applicationsecuritygroups", network::asg),
    ("microsoft.network/routetables", network::route_table),
    ("microsoft.network/routetables/routes", network::route),
    ("microsoft.network/networkinterfaces", network::nic),
    ("microsoft.network/publicipaddresses", network::public_ip),
    ("microsoft.network/natgateways", network::nat_gateway),
    ("microsoft.network/bastionhosts", network::bastion),
    ("microsoft.network/virtualnetworkgateways", network::vnet_gateway),
    ("microsoft.network/localnetworkgateways", network::local_gateway),
    ("microsoft.network/connections", network::connection),
    ("microsoft.network/serviceendpointpolicies", network::endpoint_policy),
    // Definitions are part of their policy.
    ("microsoft.network/serviceendpointpolicies/serviceendpointpolicydefinitions", part_of_parent),
    ("microsoft.network/azurefirewalls", firewall::firewall),
    ("microsoft.network/firewallpolicies", firewall::policy),
    ("microsoft.network/firewallpolicies/rulecollectiongroups", firewall::rule_collection_group),
    ("microsoft.network/ipgroups", firewall::ip_group),
    ("microsoft.network/privateendpoints", dns::private_endpoint),
    // A zone group is part of its private endpoint.
    ("microsoft.network/privateendpoints/privatednszonegroups", part_of_parent),
    ("microsoft.network/privatednszones", dns::zone),
    ("microsoft.network/privatednszones/virtualnetworklinks", dns::zone_link),
    ("microsoft.network/privatednszones/a", dns::a_record),
    ("microsoft.network/dnsresolvers", dns::resolver),
    ("microsoft.network/dnsresolvers/inboundendpoints", dns::inbound_endpoint),
    ("microsoft.network/dnsresolvers/outboundendpoints", dns::outbound_endpoint),
    ("microsoft.network/dnsforwardingrulesets", dns::forwarding_ruleset),
    ("microsoft.compute/virtualmachines", compute::vm),
    ("microsoft.compute/virtualmachinescalesets", compute::scale_set),
    ("microsoft.containerservice/managedclusters", compute::aks),
    ("microsoft.containerservice/managedclusters/agentpools", compute::agent_pool),
    ("microsoft.storage/storageaccounts", paas::storage),
    ("microsoft.keyvault/vaults", paas::key_vault),
    ("microsoft.containerregistry/registries", paas::registry),
    ("microsoft.insights/components", paas::app_insights),
    ("microsoft.machinelearningservices/workspaces", paas::workspace),
    ("microsoft.machinelearningservices/workspaces/outboundrules", paas::outbound_rule),
    ("microsoft.machinelearningservices/workspaces/computes", paas::compute),
];

/// The placeholder type of an ARM type the mapping has no translation for: `arm:TYPE`, which the
/// summary lists as ignored (`azurerm::IGNORED_PREFIXES`) or not modelled.
pub const PLACEHOLDER_PREFIX: &str = "arm:";

fn translate(cx: &mut Cx, r: &Res) {
    let lower = r.rtype.to_ascii_lowercase();
    match TRANSLATORS.iter().find(|(t, _)| *t == lower) {
        Some((_, f)) => f(cx, r),
        None => cx.placeholder(r),
    }
}

/// A resource its parent's translation reads: only a missing parent is to say.
fn part_of_parent(cx: &mut Cx, r: &Res) {
    cx.parent_present(r);
}

/// The merged resources, by lower-cased id, and the children of each parent id.
pub(super) struct Index {
    res: Vec<Res>,
    at: HashMap<String, usize>,
    children: HashMap<String, Vec<usize>>,
}

impl Index {
    fn new(res: Vec<Res>) -> Index {
        let at = res.iter().enumerate().map(|(i, r)| (r.id.to_ascii_lowercase(), i)).collect();
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in res.iter().enumerate() {
            if let Some(parent) = r.parent_id() {
                children.entry(parent.to_ascii_lowercase()).or_default().push(i);
            }
        }
        Index { res, at, children }
    }

    fn get(&self, id: &str) -> Option<&Res> {
        self.at.get(&id.to_ascii_lowercase()).map(|&i| &self.res[i])
    }
}

/// The translation's state: the resources (and those left out by an earlier run), the instances
/// made, the missing references, the ids of the resources made.
pub(super) struct Cx<'i> {
    index: &'i Index,
    absent: &'i HashSet<String>,
    out: Vec<Instance>,
    missing: Vec<NotExported>,
    made: HashSet<String>,
}

impl<'i> Cx<'i> {
    /// The children of `parent` of one child type (`subnets`), inline and separate, in input
    /// order.
    fn children(&self, parent: &Res, segment: &str) -> Vec<&'i Res> {
        let rtype = format!("{}/{segment}", parent.rtype);
        let index: &'i Index = self.index;
        let found = index.children.get(&parent.id.to_ascii_lowercase()).map(Vec::as_slice).unwrap_or_default();
        found.iter().map(|&i| &index.res[i]).filter(|c| c.rtype.eq_ignore_ascii_case(&rtype)).collect()
    }

    /// Whether a child's parent is in the input (an inline child's always is); a missing one is
    /// listed.
    fn parent_present(&mut self, r: &Res) -> bool {
        r.inline || r.parent_id().is_some_and(|p| self.reference(r, p).is_some())
    }

    /// `id` when the input holds that resource (and it was not left out); else it is listed and
    /// `None`.
    fn reference(&mut self, r: &Res, id: &str) -> Option<String> {
        let held = self.index.get(id).is_some();
        let left_out = held && self.absent.contains(&id.to_ascii_lowercase());
        if held && !left_out {
            return Some(id.to_string());
        }
        let listed = NotExported { address: r.address.clone(), id: id.to_string(), origin: r.origin.clone(), left_out };
        if !self.missing.contains(&listed) {
            self.missing.push(listed);
        }
        None
    }

    /// A reference a resource needs: `Ok(Some(id))` when present, `Ok(None)` when not written
    /// (the mapping reports the missing argument), `Err(())` when missing from the input
    /// (listed): the resource is then left out.
    fn needed(&mut self, r: &Res, id: Option<String>) -> Result<Option<String>, ()> {
        match id {
            None => Ok(None),
            Some(id) => self.reference(r, &id).map(Some).ok_or(()),
        }
    }

    /// The ids of a list that the input holds (the others listed), and whether some were dropped.
    fn references(&mut self, r: &Res, ids: Vec<String>) -> (Vec<String>, bool) {
        let before = ids.len();
        let kept: Vec<String> = ids.into_iter().filter_map(|id| self.reference(r, &id)).collect();
        let dropped = kept.len() < before;
        (kept, dropped)
    }

    /// The instance of `r`: its attributes with `name` (the last name segment), the resource
    /// group, location and id.
    fn push(&mut self, r: &Res, rtype: &str, attrs: Attrs) {
        let mut attrs = attrs.0;
        attrs.insert("name".into(), Value::string(r.leaf_name()));
        attrs.insert("resource_group_name".into(), Value::string(r.resource_group.as_str()));
        if let Some(location) = &r.location {
            attrs.entry("location".into()).or_insert_with(|| Value::string(location.as_str()));
        }
        attrs.insert("id".into(), Value::string(r.id.as_str()));
        self.made(r);
        self.push_as(r, r.address.clone(), rtype, attrs);
    }

    /// Marks `r` as made (a subnet written as a block of its VNet is).
    fn made(&mut self, r: &Res) {
        self.made.insert(r.id.to_ascii_lowercase());
    }

    /// An instance that stands for part of `r` (an association): `address` is `r`'s address and
    /// the part, e.g. `nic/networkSecurityGroup`; it has no id.
    fn push_part(&mut self, r: &Res, part: &str, rtype: &str, attrs: Attrs) {
        self.push_as(r, format!("{}/{part}", r.address), rtype, attrs.0);
    }

    fn push_as(&mut self, r: &Res, address: String, rtype: &str, attrs: BTreeMap<String, Value>) {
        self.out.push(Instance {
            address,
            mode: Mode::Managed,
            rtype: rtype.to_string(),
            attrs: Value::map(attrs),
            origin: r.origin.clone(),
            arg_locs: BTreeMap::new(),
        });
    }

    /// A resource whose type has no translation: listed as `arm:TYPE`.
    fn placeholder(&mut self, r: &Res) {
        self.push(r, &format!("{PLACEHOLDER_PREFIX}{}", r.rtype), Attrs::new());
    }

    /// A resource of a translated type that these settings put outside what the scenario can
    /// hold (a NAT gateway without a public IP): listed as `arm:TYPE`, and absent for the
    /// resources that name it.
    fn not_modelled(&mut self, r: &Res) {
        self.placeholder(r);
        self.made.remove(&r.id.to_ascii_lowercase());
    }
}

/// Terraform arguments being built.
#[derive(Default)]
pub(super) struct Attrs(BTreeMap<String, Value>);

impl Attrs {
    fn new() -> Attrs {
        Attrs::default()
    }

    fn set(&mut self, key: &str, value: Value) -> &mut Attrs {
        self.0.insert(key.to_string(), value);
        self
    }

    /// Sets `key` when there is a value (null counts as none).
    fn opt(&mut self, key: &str, value: Option<Value>) -> &mut Attrs {
        if let Some(v) = value.filter(|v| !v.is_null()) {
            self.0.insert(key.to_string(), v);
        }
        self
    }

    fn strs(&mut self, key: &str, values: Vec<String>) -> &mut Attrs {
        self.set(key, read::string_list(values))
    }

    /// Sets `key` to a list of strings unless it is empty.
    fn strs_opt(&mut self, key: &str, values: Vec<String>) -> &mut Attrs {
        if !values.is_empty() {
            self.strs(key, values);
        }
        self
    }

    fn blocks(&mut self, key: &str, blocks: Vec<Attrs>) -> &mut Attrs {
        self.set(key, Value::list(blocks.into_iter().map(Attrs::into_value).collect()))
    }

    fn into_value(self) -> Value {
        Value::map(self.0)
    }
}

/// Unknowns named by ARM resource id and path, renamed to the instance address and Terraform
/// path the shared resolver reads (`azurerm::network::resolve_computed`).
fn rename_unknowns(index: &Index, v: &Value) -> Value {
    match v {
        Value::Unknown(c) => match index.get(&c.address) {
            Some(r) => Value::unknown(r.address.as_str(), terraform_path(&c.path)),
            None => v.clone(),
        },
        Value::List(items) => Value::list(items.iter().map(|i| rename_unknowns(index, i)).collect()),
        Value::Set(items) => Value::set(items.iter().map(|i| rename_unknowns(index, i)).collect()),
        Value::Map(m) => Value::map(m.iter().map(|(k, i)| (k.clone(), rename_unknowns(index, i))).collect()),
        _ => v.clone(),
    }
}

/// An ARM property path as the azurerm attribute path: `properties` levels dropped, names
/// snake-cased, with the names azurerm spells differently renamed
/// (`ipConfigurations[0].properties.privateIPAddress` → `ip_configuration[0].private_ip_address`).
pub(super) fn terraform_path(arm: &str) -> String {
    const RENAMED: [(&str, &str); 3] = [
        ("ipConfigurations", "ip_configuration"),
        ("privateIPAddress", "private_ip_address"),
        ("ipAddress", "ip_address"),
    ];
    let segments = arm.split('.').filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("properties"));
    let renamed = segments.map(|segment| {
        let (name, index) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
        let name = match RENAMED.iter().find(|(a, _)| a.eq_ignore_ascii_case(name)) {
            Some((_, t)) => t.to_string(),
            None => crate::snake_case(name),
        };
        format!("{name}{index}")
    });
    renamed.collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_paths_read_as_terraform_paths() {
        assert_eq!(
            terraform_path("ipConfigurations[0].properties.privateIPAddress"),
            "ip_configuration[0].private_ip_address"
        );
        assert_eq!(terraform_path("properties.ipAddress"), "ip_address");
        assert_eq!(terraform_path("enableIPForwarding"), "enable_ip_forwarding");
        assert_eq!(terraform_path("primaryEndpoints.blob"), "primary_endpoints.blob");
    }
}
