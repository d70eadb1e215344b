//! Storage accounts, Key Vaults, container registries, Application Insights and Azure ML
//! workspaces (managed network outbound rules, computes), as azurerm resources.

use super::merge::Res;
use super::read::{self, at, get, seq, text};
use super::{Attrs, Cx};
use crate::value::Value;

/// `publicNetworkAccess` (`Enabled`/`Disabled`) as azurerm's bool.
fn public_access(r: &Res, key: &str) -> Option<Value> {
    let v = text(&r.props, key)?;
    Some(Value::Bool(!v.eq_ignore_ascii_case("Disabled")))
}

/// The subnets of `virtualNetworkRules` the input holds (the others listed: a rule for a subnet
/// that does not exist admits nothing).
fn rule_subnets(cx: &mut Cx, r: &Res, acls: &Value) -> Vec<String> {
    cx.references(r, read::ids(acls, "virtualNetworkRules")).0
}

/// Storage and Key Vault `networkAcls`: the same keys in azurerm too.
fn network_acls(cx: &mut Cx, r: &Res, acls: &Value) -> Attrs {
    let mut b = Attrs::new();
    b.opt("default_action", get(acls, "defaultAction").cloned());
    b.strs_opt("bypass", read::comma_list(get(acls, "bypass")));
    b.strs_opt("ip_rules", seq(acls, "ipRules").iter().filter_map(|i| text(i, "value")).collect());
    let subnets = rule_subnets(cx, r, acls);
    b.strs_opt("virtual_network_subnet_ids", subnets);
    let access: Vec<Attrs> = (seq(acls, "resourceAccessRules").iter())
        .filter_map(|rule| {
            let mut p = Attrs::new();
            p.set("endpoint_resource_id", get(rule, "resourceId")?.clone());
            Some(p)
        })
        .collect();
    if !access.is_empty() {
        b.blocks("private_link_access", access);
    }
    b
}

pub(super) fn storage(cx: &mut Cx, s: &Res) {
    let mut a = Attrs::new();
    a.opt("public_network_access_enabled", public_access(s, "publicNetworkAccess"));
    if let Some(acls) = s.get("networkAcls") {
        let b = network_acls(cx, s, acls);
        a.blocks("network_rules", vec![b]);
    }
    cx.push(s, "azurerm_storage_account", a);
}

pub(super) fn key_vault(cx: &mut Cx, k: &Res) {
    let mut a = Attrs::new();
    a.opt("public_network_access_enabled", public_access(k, "publicNetworkAccess"));
    if let Some(acls) = k.get("networkAcls") {
        let b = network_acls(cx, k, acls);
        a.blocks("network_acls", vec![b]);
    }
    cx.push(k, "azurerm_key_vault", a);
}

pub(super) fn registry(cx: &mut Cx, r: &Res) {
    let mut a = Attrs::new();
    a.opt("sku", at(&r.extra, "sku.name").cloned());
    a.opt("public_network_access_enabled", public_access(r, "publicNetworkAccess"));
    a.opt("network_rule_bypass_option", r.get("networkRuleBypassOptions").cloned());
    if let Some(rules) = r.get("networkRuleSet") {
        let mut b = Attrs::new();
        b.opt("default_action", get(rules, "defaultAction").cloned());
        let ip_rules = (seq(rules, "ipRules").iter())
            .filter_map(|i| {
                let mut p = Attrs::new();
                p.set("ip_range", get(i, "value")?.clone());
                Some(p)
            })
            .collect();
        b.blocks("ip_rule", ip_rules);
        let subnets = rule_subnets(cx, r, rules)
            .into_iter()
            .map(|id| {
                let mut p = Attrs::new();
                p.set("subnet_id", Value::string(id));
                p
            })
            .collect();
        b.blocks("virtual_network", subnets);
        a.blocks("network_rule_set", vec![b]);
    }
    cx.push(r, "azurerm_container_registry", a);
}

pub(super) fn app_insights(cx: &mut Cx, i: &Res) {
    let mut a = Attrs::new();
    a.opt("internet_ingestion_enabled", public_access(i, "publicNetworkAccessForIngestion"));
    cx.push(i, "azurerm_application_insights", a);
}

/// A workspace: its associated resources (dropped, listed, when the input does not hold them),
/// public access, managed network and the outbound rules written in it.
pub(super) fn workspace(cx: &mut Cx, w: &Res) {
    let mut a = Attrs::new();
    for (key, arg) in [
        ("storageAccount", "storage_account_id"),
        ("keyVault", "key_vault_id"),
        ("containerRegistry", "container_registry_id"),
        ("applicationInsights", "application_insights_id"),
    ] {
        if let Some(id) = text(&w.props, key) {
            a.opt(arg, cx.reference(w, &id).map(Value::string));
        }
    }
    a.opt("public_network_access_enabled", public_access(w, "publicNetworkAccess"));
    a.opt("image_build_compute_name", w.get("imageBuildCompute").cloned());
    if let Some(mode) = w.get("managedNetwork.isolationMode") {
        let mut b = Attrs::new();
        b.set("isolation_mode", mode.clone());
        a.blocks("managed_network", vec![b]);
    }
    cx.push(w, "azurerm_machine_learning_workspace", a);
    let rules = w.get("managedNetwork.outboundRules").and_then(Value::as_map).cloned().unwrap_or_default();
    for (name, rule) in &rules {
        if let Some((rtype, b)) = outbound_rule_attrs(name, &w.id, rule) {
            cx.push_part(w, &format!("outboundRules/{name}"), rtype, b);
        }
    }
}

pub(super) fn outbound_rule(cx: &mut Cx, r: &Res) {
    if !cx.parent_present(r) {
        return;
    }
    if let Some((rtype, b)) = outbound_rule_attrs(r.leaf_name(), r.parent_id().unwrap_or_default(), &r.props) {
        cx.push(r, rtype, b);
    }
}

/// An outbound rule as the azurerm resource of its type. The rules Azure adds itself (category
/// `Required`, in an export) are the managed network's own, which the scenario adds: not read.
fn outbound_rule_attrs(name: &str, workspace: &str, rule: &Value) -> Option<(&'static str, Attrs)> {
    if text(rule, "category").is_some_and(|c| c.eq_ignore_ascii_case("Required")) {
        return None;
    }
    let mut b = Attrs::new();
    b.set("name", Value::string(name)).set("workspace_id", Value::string(workspace));
    let kind = text(rule, "type").unwrap_or_default().to_ascii_lowercase();
    let destination = get(rule, "destination");
    let field = |key: &str| destination.and_then(|d| get(d, key)).cloned();
    let rtype = match kind.as_str() {
        "fqdn" => {
            b.opt("destination_fqdn", destination.cloned());
            "azurerm_machine_learning_workspace_network_outbound_rule_fqdn"
        }
        "privateendpoint" => {
            b.opt("service_resource_id", field("serviceResourceId"));
            b.opt("sub_resource_target", field("subresourceTarget"));
            b.opt("spark_enabled", field("sparkEnabled"));
            "azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint"
        }
        "servicetag" => {
            b.opt("service_tag", field("serviceTag"));
            b.opt("protocol", field("protocol"));
            b.opt("port_ranges", field("portRanges"));
            "azurerm_machine_learning_workspace_network_outbound_rule_service_tag"
        }
        _ => "arm:Microsoft.MachineLearningServices/workspaces/outboundRules",
    };
    Some((rtype, b))
}

/// A workspace compute: a cluster or an instance in its subnet (left out, listed, when the input
/// does not hold it), or an attached AKS cluster.
pub(super) fn compute(cx: &mut Cx, c: &Res) {
    if !cx.parent_present(c) {
        return;
    }
    let workspace = Value::string(c.parent_id().unwrap_or_default());
    let kind = text(&c.props, "computeType").unwrap_or_default().to_ascii_lowercase();
    let mut a = Attrs::new();
    a.set("machine_learning_workspace_id", workspace);
    let inner = c.get("properties").cloned().unwrap_or(Value::Null);
    let rtype = match kind.as_str() {
        "amlcompute" | "computeinstance" => {
            let Ok(subnet) = cx.needed(c, read::id(&inner, "subnet")) else { return };
            a.opt("subnet_resource_id", subnet.map(Value::string));
            a.opt("node_public_ip_enabled", get(&inner, "enableNodePublicIp").cloned());
            if kind == "amlcompute" {
                let mut s = Attrs::new();
                s.opt("max_node_count", at(&inner, "scaleSettings.maxNodeCount").cloned());
                a.blocks("scale_settings", vec![s]);
                "azurerm_machine_learning_compute_cluster"
            } else {
                "azurerm_machine_learning_compute_instance"
            }
        }
        "aks" | "kubernetes" => {
            let Ok(cluster) = cx.needed(c, text(&c.props, "resourceId")) else { return };
            a.opt("kubernetes_cluster_id", cluster.map(Value::string));
            "azurerm_machine_learning_inference_cluster"
        }
        _ => {
            cx.placeholder(c);
            return;
        }
    };
    cx.push(c, rtype, a);
}
