//! Azure ML workspaces (managed networks, outbound rules), computes, AKS clusters.
//!
//! A workspace is a `workspace` service with its associated resources and managed network
//! . Computes and AKS node pools are endpoints in their subnet; a compute without a
//! subnet of a workspace with a managed network is in the managed VNet's `compute` subnet. Nodes
//! are identical for every verdict, so a scaled pool is written with at most [`NODES`] nodes:
//! enough to show traffic between nodes without taking a subnet's addresses for the largest
//! scale Azure may reach (the loader would refuse a /24 that a 300-node maximum outgrows, which
//! Azure refuses only when it scales).

use super::Ctx;
use super::paas::{nested_str, service, service_of, subnet_arg, subnet_path};
use crate::doc::{Item, Obj, Yaml};
use crate::instance::Instance;
use crate::value::Value;
use std::net::Ipv4Addr;

/// The most nodes a compute cluster or AKS node pool is written with.
pub const NODES: u32 = 2;

/// Where compute public IPs are drawn (TEST-NET-1, RFC 5737): Azure gives them at apply time.
const COMPUTE_PUBLIC_IPS: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 0);

struct Workspace<'i> {
    inst: &'i Instance,
    name: String,
    /// The managed network's isolation mode, in the scenario's words.
    isolation: Option<String>,
    obj: Obj,
}

impl Workspace<'_> {
    fn managed(&self) -> bool {
        self.isolation.as_deref().is_some_and(|m| m != "disabled")
    }
}

pub(super) fn map(ctx: &mut Ctx) {
    let mut workspaces = workspaces(ctx);
    let computes = computes(ctx, &workspaces);
    for ws in &mut workspaces {
        image_build_compute(ctx, ws, &computes);
    }
    outbound_rules(ctx, &mut workspaces);
    for ws in workspaces {
        ctx.doc.push("services", Ctx::note(ws.inst), ws.obj);
    }
    aks(ctx);
}

/// `AllowOnlyApprovedOutbound` → `allow_only_approved_outbound`.
fn workspaces<'i>(ctx: &mut Ctx<'i>) -> Vec<Workspace<'i>> {
    let mut out = Vec::new();
    for inst in ctx.of_type("azurerm_machine_learning_workspace") {
        let Some(mut obj) = service(ctx, inst, "workspace") else { continue };
        let name = inst.arg("name").and_then(Value::to_plain_string);
        // the associated resources, by the name of the service their id names.
        for (arg, key) in [
            ("storage_account_id", "storage_account"),
            ("key_vault_id", "key_vault"),
            ("container_registry_id", "container_registry"),
        ] {
            let Some(id) = ctx.str_arg(inst, arg) else { continue };
            match service_of(ctx, &id) {
                Some((name, _)) => obj.set(key, Yaml::str(name)),
                None => obj.set(key, Yaml::str(id)),
            };
        }
        let isolation = Ctx::blocks(inst, "managed_network")
            .first()
            .and_then(|b| nested_str(ctx, inst, "managed_network", b, "isolation_mode"))
            .map(|m| crate::snake_case(&m));
        if let Some(mode) = &isolation {
            let mut managed = Obj::new();
            managed.set("isolation_mode", Yaml::str(mode));
            obj.set("managed_network", managed.into_yaml());
        }
        out.extend(name.map(|name| Workspace { inst, name, isolation, obj }));
    }
    out
}

/// The imported workspace a `*workspace_id` argument names.
fn workspace_of(ctx: &mut Ctx, inst: &Instance, key: &str, workspaces: &[Workspace]) -> Option<usize> {
    let id = ctx.str_arg(inst, key)?;
    let ws = ctx.by_id(&id)?;
    workspaces.iter().position(|w| std::ptr::eq(w.inst, ws))
}

/// The compute endpoints written, by (workspace, compute name).
type Computes = Vec<(usize, String)>;

fn computes(ctx: &mut Ctx, workspaces: &[Workspace]) -> Computes {
    let mut written = Vec::new();
    let mut public_ips = PublicIps::taken(ctx);
    for (rtype, kind) in [
        ("azurerm_machine_learning_compute_instance", "compute_instance"),
        ("azurerm_machine_learning_compute_cluster", "compute_cluster"),
    ] {
        for inst in ctx.of_type(rtype) {
            let Some(name) = ctx.required_str(inst, "name") else { continue };
            let ws = workspace_of(ctx, inst, "machine_learning_workspace_id", workspaces);
            let mut obj = Obj::new();
            obj.set("name", Yaml::str(&name)).set("kind", Yaml::str(kind));
            if kind == "compute_cluster" {
                let max = (Ctx::blocks(inst, "scale_settings").first())
                    .and_then(|b| b.get("max_node_count")?.as_number())
                    .unwrap_or(1.0);
                obj.set("node_count", Yaml::Int(max.clamp(1.0, f64::from(NODES)) as i64));
            }
            let subnet = match (inst.arg("subnet_resource_id"), ws) {
                (Some(_), _) => subnet_arg(ctx, inst, "subnet_resource_id"),
                (None, Some(w)) if workspaces[w].managed() => Some(format!("{}-managed/compute", workspaces[w].name)),
                (None, _) => {
                    // Outside any VNet: Azure's own network, which the scenario does not hold.
                    super::paas::not_modelled(ctx, inst);
                    continue;
                }
            };
            let Some(subnet) = subnet else { continue };
            let in_customer_subnet = inst.arg("subnet_resource_id").is_some();
            obj.set("subnet", Yaml::str(subnet));
            if let Some(w) = ws {
                obj.set("workspace", Yaml::str(&workspaces[w].name));
            }
            // a compute in a customer subnet has a public IP unless it is turned off.
            if in_customer_subnet && ctx.bool_arg(inst, "node_public_ip_enabled") != Some(false) {
                match public_ips.next() {
                    Some(ip) => {
                        let ip =
                            ctx.computed(Yaml::str(ip.to_string()), "the compute's public IP (node_public_ip_enabled)");
                        obj.set("node_public_ip", ip);
                    }
                    None => ctx.error(
                        inst,
                        "node_public_ip_enabled",
                        format!("{}: no public IP is left for the compute in {COMPUTE_PUBLIC_IPS}/24", inst.address),
                    ),
                }
            }
            if let Some(w) = ws {
                written.push((w, name));
            }
            ctx.doc.push("endpoints", Ctx::note(inst), obj);
        }
    }
    written
}

/// The next free addresses for computes' public IPs, past every public IP the import wrote.
struct PublicIps {
    taken: Vec<String>,
    next: u32,
}

impl PublicIps {
    fn taken(ctx: &mut Ctx) -> PublicIps {
        let mut taken = Vec::new();
        for section in ["endpoints", "firewalls", "gateways", "nat_gateways", "load_balancers", "services"] {
            for item in ctx.doc.section(section).iter() {
                collect_public_ips(&item.value, false, &mut taken);
            }
        }
        PublicIps { taken, next: 1 }
    }

    fn next(&mut self) -> Option<Ipv4Addr> {
        while self.next < 255 {
            let ip = Ipv4Addr::from(u32::from(COMPUTE_PUBLIC_IPS) + self.next);
            self.next += 1;
            if !self.taken.contains(&ip.to_string()) {
                return Some(ip);
            }
        }
        None
    }
}

fn collect_public_ips(value: &Yaml, public: bool, out: &mut Vec<String>) {
    match value {
        Yaml::Str(s) if public => out.push(s.clone()),
        Yaml::Computed(inner, _) => collect_public_ips(inner, public, out),
        Yaml::List(items) => items.iter().for_each(|i| collect_public_ips(&i.value, public, out)),
        Yaml::Map(entries) => {
            for (k, v) in entries {
                collect_public_ips(v, matches!(k.as_str(), "public_ip" | "public_ips" | "node_public_ip"), out);
            }
        }
        _ => {}
    }
}

/// the compute that builds images, when it is one of the workspace's written computes
/// (a compute outside the scenario builds nothing the scenario can trace).
fn image_build_compute(ctx: &mut Ctx, ws: &mut Workspace, computes: &Computes) {
    let Some(name) = ctx.str_arg(ws.inst, "image_build_compute_name") else { return };
    let w = computes.iter().find(|(_, c)| *c == name);
    if w.is_some() {
        ws.obj.set("image_build_compute", Yaml::str(name));
    }
}

/// outbound rules of a workspace's managed network.
fn outbound_rules(ctx: &mut Ctx, workspaces: &mut [Workspace]) {
    for (rtype, kind) in [
        ("azurerm_machine_learning_workspace_network_outbound_rule_fqdn", "fqdn"),
        ("azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint", "private_endpoint"),
        ("azurerm_machine_learning_workspace_network_outbound_rule_service_tag", "service_tag"),
    ] {
        for inst in ctx.of_type(rtype) {
            let Some(name) = ctx.required_str(inst, "name") else { continue };
            let Some(w) = workspace_of(ctx, inst, "workspace_id", workspaces) else {
                ctx.error(
                    inst,
                    "workspace_id",
                    format!("{}: `workspace_id` names no imported workspace", inst.address),
                );
                continue;
            };
            let Some(destination) = destination(ctx, inst, kind) else { continue };
            let mut rule = Obj::new();
            rule.set("name", Yaml::str(name)).set("type", Yaml::str(kind)).set("destination", destination);
            let ws = &mut workspaces[w];
            let Some(Yaml::Map(managed)) = ws.obj.get_mut("managed_network") else {
                ctx.error_with_help(
                    inst,
                    "workspace_id",
                    format!("{}: workspace {} has no managed_network for this rule", inst.address, ws.name),
                    "outbound rules belong to a managed network: give the workspace a managed_network block (A-14)",
                );
                continue;
            };
            let mut obj = Obj(std::mem::take(managed));
            obj.list_mut("outbound_rules").push(Item { note: Some(Ctx::note(inst)), value: rule.into_yaml() });
            *managed = obj.0;
        }
    }
}

fn destination(ctx: &mut Ctx, inst: &Instance, kind: &str) -> Option<Yaml> {
    Some(match kind {
        "fqdn" => Yaml::str(ctx.required_str(inst, "destination_fqdn")?),
        "private_endpoint" => {
            let id = ctx.required_str(inst, "service_resource_id")?;
            let target = service_of(ctx, &id).map_or(id, |(name, _)| name);
            let mut d = Obj::new();
            d.set("service_resource_id", Yaml::str(target))
                .set("subresource_target", Yaml::str(ctx.required_str(inst, "sub_resource_target")?));
            if let Some(spark) = ctx.bool_arg(inst, "spark_enabled") {
                d.set("spark_enabled", Yaml::Bool(spark));
            }
            d.into_yaml()
        }
        _ => {
            let mut d = Obj::new();
            d.set("service_tag", Yaml::str(ctx.required_str(inst, "service_tag")?));
            for key in ["protocol", "port_ranges"] {
                if let Some(v) = ctx.str_arg(inst, key) {
                    d.set(key, Yaml::str(v));
                }
            }
            d.into_yaml()
        }
    })
}

/// AKS node pools as `aks_node_pool` endpoints named `<cluster>-<pool>`; an inference cluster
/// attachment gives them their workspace.
fn aks(ctx: &mut Ctx) {
    let attached: Vec<(String, String)> = (ctx.of_type("azurerm_machine_learning_inference_cluster"))
        .filter_map(|a| {
            let cluster = a.arg("kubernetes_cluster_id")?.as_str()?.to_ascii_lowercase();
            let ws = ctx.by_id(a.arg("machine_learning_workspace_id")?.as_str()?)?;
            Some((cluster, ws.arg("name")?.to_plain_string()?))
        })
        .collect();
    let workspace_of_cluster = |cluster: &Instance| {
        let id = cluster.arg("id").and_then(Value::as_str)?.to_ascii_lowercase();
        attached.iter().find(|(c, _)| *c == id).map(|(_, ws)| ws.clone())
    };
    for cluster in ctx.of_type("azurerm_kubernetes_cluster") {
        let Some(pool) = Ctx::blocks(cluster, "default_node_pool").first().copied() else { continue };
        let workspace = workspace_of_cluster(cluster);
        node_pool(ctx, cluster, cluster, "default_node_pool", pool, workspace);
    }
    for inst in ctx.of_type("azurerm_kubernetes_cluster_node_pool") {
        let Some(id) = ctx.required_str(inst, "kubernetes_cluster_id") else { continue };
        let Some(cluster) = ctx.by_id(&id) else {
            ctx.error(
                inst,
                "kubernetes_cluster_id",
                format!("{}: no imported AKS cluster has the id {id}", inst.address),
            );
            continue;
        };
        let workspace = workspace_of_cluster(cluster);
        node_pool(ctx, inst, cluster, "", &inst.attrs, workspace);
    }
}

/// One node pool: `pool` holds its arguments (the default pool's block, or the node pool
/// resource's own); without `vnet_subnet_id` a pool takes the default pool's subnet.
fn node_pool(ctx: &mut Ctx, inst: &Instance, cluster: &Instance, block: &str, pool: &Value, workspace: Option<String>) {
    // Problems are located at the argument, or at the default pool's block.
    let at = |key: &'static str| if block.is_empty() { key } else { block };
    let (Some(cluster_name), Some(pool_name)) =
        (cluster.arg("name").and_then(Value::to_plain_string), nested_str(ctx, inst, at("name"), pool, "name"))
    else {
        ctx.error(inst, at("name"), format!("{}: a node pool needs a name", inst.address));
        return;
    };
    let default_pool = Ctx::blocks(cluster, "default_node_pool").first().copied();
    let subnet_id =
        [Some(pool), default_pool].into_iter().flatten().find_map(|p| p.get("vnet_subnet_id").filter(|v| !v.is_null()));
    let Some(subnet_id) = subnet_id else {
        // kubenet in a VNet AKS creates itself: not in the scenario.
        super::paas::not_modelled(ctx, inst);
        return;
    };
    let Some(subnet_id) = subnet_id.as_str() else {
        ctx.wrong_type(inst, at("vnet_subnet_id"), subnet_id, "a subnet id");
        return;
    };
    let Some(subnet) = subnet_path(ctx, inst, at("vnet_subnet_id"), subnet_id) else { return };
    let count = ["node_count", "min_count", "max_count"]
        .iter()
        .find_map(|k| pool.get(k).and_then(Value::as_number))
        .unwrap_or(1.0);
    let mut obj = Obj::new();
    obj.set("name", Yaml::str(format!("{cluster_name}-{pool_name}")))
        .set("kind", Yaml::str("aks_node_pool"))
        .set("node_count", Yaml::Int(count.clamp(1.0, f64::from(NODES)) as i64))
        .set("subnet", Yaml::str(subnet));
    if let Some(ws) = workspace {
        obj.set("workspace", Yaml::str(ws));
    }
    ctx.doc.push("endpoints", Ctx::note(inst), obj);
}

#[cfg(test)]
mod tests {
    #[test]
    fn isolation_modes_read_in_the_scenario_words() {
        assert_eq!(crate::snake_case("AllowOnlyApprovedOutbound"), "allow_only_approved_outbound");
        assert_eq!(crate::snake_case("Disabled"), "disabled");
    }
}
