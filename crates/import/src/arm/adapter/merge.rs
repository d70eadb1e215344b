//! One resource per id: inline children split out of their parents, declarations of one id
//! merged as ARM applies them.

use super::read;
use crate::arm::ArmResource;
use crate::instance::Origin;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// A resource after merging.
#[derive(Clone, Debug)]
pub(super) struct Res {
    /// The full ARM type, as first written.
    pub rtype: String,
    /// The full name, parents first (`hub/AzureFirewallSubnet`).
    pub name: String,
    pub id: String,
    pub resource_group: String,
    pub location: Option<String>,
    pub props: Value,
    pub extra: Value,
    /// What the scenario's comments and expectations call it: the symbolic name, else
    /// `TYPE/NAME` as in an id (`Microsoft.Network/virtualNetworks/hub/subnets/x`).
    pub address: String,
    pub origin: Origin,
    /// Declared only inside its parent's properties (a VNet's `subnets`).
    pub inline: bool,
}

impl Res {
    /// The last segment of the name: what azurerm calls `name`.
    pub fn leaf_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or_default()
    }

    /// The name of the parent (`hub` of `hub/AzureFirewallSubnet`).
    pub fn parent_name(&self) -> &str {
        self.name.rsplit_once('/').map_or("", |(parent, _)| parent.rsplit('/').next().unwrap_or(parent))
    }

    /// The id of the parent (`…/virtualNetworks/hub` of `…/virtualNetworks/hub/subnets/x`).
    pub fn parent_id(&self) -> Option<&str> {
        let (parent, _) = self.id.rsplit_once('/')?;
        Some(parent.rsplit_once('/')?.0)
    }

    /// A property at a dotted path.
    pub fn get(&self, path: &str) -> Option<&Value> {
        read::at(&self.props, path)
    }
}

/// Children ARM lets a parent declare inline: parent type (lower case), the property holding
/// them, and their type segment. An export's `defaultSecurityRules` are Azure's own rules, which
/// the scenario adds itself: they are not read.
const INLINE: &[(&str, &str, &str)] = &[
    ("microsoft.network/virtualnetworks", "subnets", "subnets"),
    ("microsoft.network/virtualnetworks", "virtualNetworkPeerings", "virtualNetworkPeerings"),
    ("microsoft.network/networksecuritygroups", "securityRules", "securityRules"),
    ("microsoft.network/routetables", "routes", "routes"),
    (
        "microsoft.network/serviceendpointpolicies",
        "serviceEndpointPolicyDefinitions",
        "serviceEndpointPolicyDefinitions",
    ),
    ("microsoft.containerservice/managedclusters", "agentPoolProfiles", "agentPools"),
];

/// The resources, one per id in order of first declaration, inline children after their parent.
pub(super) fn merge(resources: &[ArmResource]) -> Vec<Res> {
    let mut out: Vec<Res> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in resources {
        let address = r.symbolic.clone().unwrap_or_else(|| type_name(&r.rtype, &r.name));
        let res = Res {
            rtype: r.rtype.clone(),
            name: r.name.clone(),
            id: r.id.clone(),
            resource_group: r.resource_group.clone(),
            location: r.location.clone(),
            props: r.properties.clone(),
            extra: r.extra.clone(),
            address,
            origin: r.origin.clone(),
            inline: false,
        };
        let (parent, children) = split(res);
        add(&mut out, &mut at, parent);
        for child in children {
            add(&mut out, &mut at, child);
        }
    }
    qualify_shared_addresses(&mut out);
    out
}

/// `Microsoft.Network/virtualNetworks/subnets` + `hub/x` → `Microsoft.Network/virtualNetworks/hub/subnets/x`.
fn type_name(rtype: &str, name: &str) -> String {
    let types: Vec<&str> = rtype.split('/').collect();
    let names: Vec<&str> = name.split('/').collect();
    if types.len() != names.len() + 1 {
        return format!("{rtype}/{name}");
    }
    let mut out = types[0].to_string();
    for (t, n) in types[1..].iter().zip(&names) {
        out.push_str(&format!("/{t}/{n}"));
    }
    out
}

/// A resource without its inline children, and the children as resources of their own.
fn split(mut res: Res) -> (Res, Vec<Res>) {
    let lower = res.rtype.to_ascii_lowercase();
    let mut children = Vec::new();
    for &(_, key, segment) in INLINE.iter().filter(|(t, _, _)| *t == lower) {
        let Some(props) = res.props.as_map() else { break };
        let Some((found, items)) = props.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) else { continue };
        let items = items.as_seq().unwrap_or_default().to_vec();
        let found = found.clone();
        let mut rest = props.clone();
        rest.remove(&found);
        res.props = Value::map(rest);
        for item in &items {
            children.push(inline_child(&res, segment, item));
        }
    }
    (res, children)
}

/// One inline child: `{name, id?, properties}`, or (agent pools) its properties beside `name`.
fn inline_child(parent: &Res, segment: &str, item: &Value) -> Res {
    let name = read::text(item, "name").unwrap_or_default();
    let props = match read::get(item, "properties") {
        Some(p) => p.clone(),
        None => {
            let mut m = item.as_map().cloned().unwrap_or_default();
            m.retain(|k, _| !k.eq_ignore_ascii_case("name") && !k.eq_ignore_ascii_case("id"));
            Value::map(m)
        }
    };
    Res {
        rtype: format!("{}/{segment}", parent.rtype),
        name: format!("{}/{name}", parent.name),
        id: read::text(item, "id").unwrap_or_else(|| format!("{}/{segment}/{name}", parent.id)),
        resource_group: parent.resource_group.clone(),
        location: None,
        props,
        extra: Value::Null,
        address: format!("{}/{segment}/{name}", parent.address),
        origin: parent.origin.clone(),
        inline: true,
    }
}

/// Adds a declaration, merging it into an earlier one of the same id.
fn add(out: &mut Vec<Res>, at: &mut HashMap<String, usize>, res: Res) {
    let key = res.id.to_ascii_lowercase();
    let Some(&i) = at.get(&key) else {
        at.insert(key, out.len());
        out.push(res);
        return;
    };
    let earlier = &mut out[i];
    // ARM deploys a separate child after the parent that declares it inline, whichever is
    // written first, and each deployment is a PUT of the whole body: the separate declaration's
    // properties replace the inline ones (a subnet redeclared without its `natGateway` loses
    // it, as in Azure), while what only the parent's deployment sets (location) stays.
    let (base, over) = if res.inline && !earlier.inline { (res, earlier.clone()) } else { (earlier.clone(), res) };
    let mut merged = over.clone();
    merged.props = if over.inline { overlay(&base.props, &over.props) } else { over.props.clone() };
    merged.extra = overlay(&base.extra, &over.extra);
    merged.location = over.location.or(base.location);
    merged.inline = base.inline && over.inline;
    if over.inline {
        (merged.address, merged.origin) = (base.address, base.origin);
    }
    out[i] = merged;
}

/// `over`'s keys replace `base`'s (compared case-insensitively); other keys of `base` stay.
fn overlay(base: &Value, over: &Value) -> Value {
    let (Some(b), Some(o)) = (base.as_map(), over.as_map()) else {
        return if over.is_null() { base.clone() } else { over.clone() };
    };
    let mut m: BTreeMap<String, Value> = b.clone();
    for (k, v) in o {
        m.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
        m.insert(k.clone(), v.clone());
    }
    Value::map(m)
}

/// Two resources of one type and name in different resource groups: each address gets its
/// group in front (`rg-a/Microsoft.Network/virtualNetworks/hub`).
fn qualify_shared_addresses(res: &mut [Res]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in res.iter() {
        *count.entry(r.address.to_ascii_lowercase()).or_default() += 1;
    }
    for r in res.iter_mut() {
        if count[&r.address.to_ascii_lowercase()] > 1 {
            r.address = format!("{}/{}", r.resource_group, r.address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vnetsim_config::Loc;

    fn subnet(props: serde_json::Value, line: u32, inline: bool) -> ArmResource {
        let vnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
        let mut r = ArmResource {
            rtype: "Microsoft.Network/virtualNetworks".into(),
            name: "v".into(),
            id: vnet.into(),
            resource_group: "rg".into(),
            location: Some("eastus".into()),
            properties: Value::from_json(&serde_json::json!({"subnets": [{"name": "s", "properties": props}]})),
            extra: Value::Null,
            symbolic: None,
            origin: Origin { file: "t.json".into(), loc: Loc { line, column: 1 } },
        };
        if !inline {
            r.rtype = "Microsoft.Network/virtualNetworks/subnets".into();
            r.name = "v/s".into();
            r.id = format!("{vnet}/subnets/s");
            r.properties = Value::from_json(&props);
        }
        r
    }

    /// A separate subnet declaration is a PUT of the whole subnet: a NAT gateway only the
    /// inline declaration names is gone. Catches merging the two property by property.
    #[test]
    fn a_separate_child_replaces_the_inline_declarations_properties() {
        let nat =
            serde_json::json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/natGateways/n"});
        for inline_first in [true, false] {
            let inline = subnet(serde_json::json!({"addressPrefix": "10.0.0.0/24", "natGateway": nat}), 1, true);
            let separate = subnet(serde_json::json!({"addressPrefix": "10.0.1.0/24"}), 9, false);
            let list = if inline_first { vec![inline, separate] } else { vec![separate, inline] };
            let merged = merge(&list);
            let s = merged.iter().find(|r| r.rtype.ends_with("/subnets")).expect("the subnet");
            assert_eq!(merged.iter().filter(|r| r.rtype.ends_with("/subnets")).count(), 1);
            assert_eq!(s.get("addressPrefix").and_then(Value::as_str), Some("10.0.1.0/24"));
            assert!(s.get("natGateway").is_none(), "inline first: {inline_first}");
            assert!(!s.inline);
            assert_eq!(s.origin.loc.line, 9, "named after the separate declaration");
        }
    }
}
