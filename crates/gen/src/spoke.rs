//! One spoke: its VNet, NSGs, route table, NAT gateway, service endpoint policy, computes,
//! workspace with its associated resources, and their six private endpoints.

use crate::plan::{
    AD_PORTS, BASTION_SUBNET, CORP, DCS_SUBNET, DNS_SERVERS, FIREWALL_IP, HUB, LOG_PORTS, MONITORING_SUBNET, Spoke,
    World,
};
use crate::{Doc, nsg};

/// The spoke's private endpoints: name suffix, target, subresource (P-4). A-8: the workspace,
/// its default storage's blob and file, the key vault and the registry; and Application Insights.
fn private_endpoints(s: &Spoke) -> [(&'static str, &str, &'static str); 6] {
    [
        ("ws", &s.workspace, "amlworkspace"),
        ("blob", &s.storage, "blob"),
        ("file", &s.storage, "file"),
        ("kv", &s.key_vault, "vault"),
        ("acr", &s.registry, "registry"),
        ("appi", &s.insights, "azuremonitor"),
    ]
}

pub fn write(world: &World, s: &Spoke, doc: &mut Doc) {
    vnet(s, doc);
    compute_nsg(world, s, &mut doc.nsgs);
    pe_nsg(world, s, &mut doc.nsgs);
    routing(world, s, doc);
    computes(s, doc);
    services(s, doc);
}

fn vnet(s: &Spoke, doc: &mut Doc) {
    let id = &s.id;
    let out = &mut doc.vnets;
    put!(out, "  - name: {id}");
    put!(out, "    address_space: [{}]", s.prefix());
    // D-4: every NIC asks the hub forwarders.
    put!(out, "    dns_servers: [{}]", DNS_SERVERS.join(", "));
    put!(out, "    subnets:");
    // A-5, O-3: no-public-IP compute; the firewall or the NAT gateway is the only way out.
    let compute =
        format!("nsg: {id}-compute-nsg, route_table: {id}-rt, nat_gateway: {id}-nat, default_outbound_access: false");
    put!(
        out,
        "      - {{name: training, prefix: {}, {compute}, service_endpoints: [Microsoft.Storage], service_endpoint_policies: [{id}-sep]}}",
        s.training()
    );
    put!(out, "      - {{name: scoring, prefix: {}, {compute}}}", s.scoring());
    // P-6: the subnet NSG filters traffic to the private endpoints.
    put!(
        out,
        "      - {{name: pe, prefix: {}, nsg: {id}-pe-nsg, private_endpoint_network_policies: NetworkSecurityGroupEnabled}}",
        s.pe_subnet()
    );
    put!(out, "    peerings:");
    put!(out, "      - {{remote_vnet: hub, allow_forwarded_traffic: true, use_remote_gateways: true}}");
}

/// The training and scoring subnets' NSG. With the 0.0.0.0/0 UDR, VirtualNetwork is everything
/// and Internet nothing (N-11, N-12), so each direction ends with an explicit deny.
fn compute_nsg(world: &World, s: &Spoke, out: &mut String) {
    let (inbound, mut outbound) = compute_rules(world, &s.prefix(), &s.scoring());
    let ports = port_list(&s.partner_ports);
    for &p in &s.partners {
        let name = format!("allow-partner-{}", world.partners[p]);
        outbound.push((
            name,
            format!("protocol: tcp, destination: {}, destination_ports: {ports}", World::partner_range(p)),
        ));
    }
    nsg::header(out, &format!("{}-compute-nsg", s.id));
    nsg::allows(out, "inbound", &inbound);
    nsg::allows(out, "outbound", &outbound);
    compute_denies(world, out);
}

/// An allow rule: its name and the rest of it (see [`nsg::allows`]).
pub(crate) type Rule = (String, String);

/// The compute NSG's allow rules but the partners' (the last outbound ones), inbound and
/// outbound: (name, the rest of the rule). `own` and `scoring` are the spoke's prefixes, or
/// references to them in a Terraform template.
pub(crate) fn compute_rules(world: &World, own: &str, scoring: &str) -> (Vec<Rule>, Vec<Rule>) {
    let region = world.region;
    let onprem = world.onprem_prefixes();
    // Azure ML and Batch management, load balancer probes (N-13), admins from the
    // bastion and corp, scoring clients on premises, the spoke itself.
    let inbound = vec![
        (
            "allow-azureml-management".into(),
            "protocol: tcp, source: AzureMachineLearning, destination_ports: 44224".into(),
        ),
        (
            "allow-batch-management".into(),
            format!("protocol: tcp, source: BatchNodeManagement.{region}, destination_ports: 29876-29877"),
        ),
        ("allow-lb-probes".into(), "protocol: '*', source: AzureLoadBalancer".into()),
        ("allow-bastion".into(), format!("protocol: tcp, source: {BASTION_SUBNET}, destination_ports: [22, 3389]")),
        ("allow-onprem-ssh".into(), format!("protocol: tcp, source: {CORP}, destination_ports: 22")),
        (
            "allow-onprem-scoring".into(),
            format!("protocol: tcp, source: {onprem}, destination: {scoring}, destination_ports: 443"),
        ),
        ("allow-intra-spoke-in".into(), format!("protocol: '*', source: {own}")),
    ];
    // The spoke itself, DNS, the A-3 service tags, shared services, on premises, and the web
    // through the firewall (which decides by name, F-8).
    let tag = |name: &str, protocol: &str, tag: &str, ports: &str| {
        (name.to_string(), format!("protocol: {protocol}, destination: {tag}, destination_ports: {ports}"))
    };
    let outbound = vec![
        ("allow-intra-spoke-out".to_string(), format!("protocol: '*', destination: {own}")),
        tag("allow-dns", "'*'", &format!("[{}]", DNS_SERVERS.join(", ")), "53"),
        tag("allow-azureml", "tcp", "AzureMachineLearning", "[443, 8787, 18881]"),
        tag("allow-azureml-udp", "udp", "AzureMachineLearning", "5831"),
        tag("allow-batch", "'*'", &format!("BatchNodeManagement.{region}"), "443"),
        tag("allow-entra-id", "tcp", "AzureActiveDirectory", "[80, 443]"),
        tag("allow-resource-manager", "tcp", "AzureResourceManager", "443"),
        tag("allow-storage", "tcp", &format!("Storage.{region}"), "[443, 445]"),
        tag("allow-key-vault", "tcp", &format!("AzureKeyVault.{region}"), "443"),
        tag("allow-container-registry", "tcp", &format!("AzureContainerRegistry.{region}"), "443"),
        tag("allow-mcr", "tcp", &format!("MicrosoftContainerRegistry.{region}"), "443"),
        tag("allow-front-door-first-party", "tcp", "AzureFrontDoor.FirstParty", "443"),
        tag("allow-azure-monitor", "tcp", "AzureMonitor", "443"),
        tag("allow-domain-controllers", "'*'", DCS_SUBNET, AD_PORTS),
        tag("allow-siem", "'*'", MONITORING_SUBNET, LOG_PORTS),
        tag("allow-onprem", "tcp", &onprem, "[22, 443, 1433]"),
        ("allow-web".to_string(), "protocol: tcp, destination_ports: [80, 443]".into()),
    ];
    (inbound, outbound)
}

/// The compute NSG's closing denies: other spokes, SMB and remote administration out, the rest.
pub(crate) fn compute_denies(world: &World, out: &mut String) {
    let spokes = world.spoke_blocks();
    nsg::rule(out, "deny-other-spokes", 4000, "inbound", "deny", &format!("protocol: '*', source: {spokes}"));
    nsg::deny_all(out, "inbound");
    nsg::rule(out, "deny-smb-out", 4000, "outbound", "deny", "protocol: tcp, destination_ports: 445");
    nsg::rule(out, "deny-remote-admin-out", 4010, "outbound", "deny", "protocol: tcp, destination_ports: [22, 3389]");
    nsg::deny_all(out, "outbound");
}

/// The private endpoint subnet's NSG (P-6, P-8): HTTPS and SMB from the spoke, the hub and on
/// premises, nothing else.
fn pe_nsg(world: &World, s: &Spoke, out: &mut String) {
    nsg::header(out, &format!("{}-pe-nsg", s.id));
    pe_rules(world, &s.prefix(), out);
}

/// The private endpoint NSG's rules; `own` is the spoke's prefix or a reference to it.
pub(crate) fn pe_rules(world: &World, own: &str, out: &mut String) {
    let onprem = world.onprem_prefixes();
    let rules = [
        ("allow-https-from-spoke", format!("protocol: tcp, source: {own}, destination_ports: 443")),
        ("allow-smb-from-spoke", format!("protocol: tcp, source: {own}, destination_ports: 445")),
        ("allow-https-from-hub", format!("protocol: tcp, source: {HUB}, destination_ports: 443")),
        ("allow-https-from-onprem", format!("protocol: tcp, source: {onprem}, destination_ports: 443")),
        ("allow-smb-from-corp", format!("protocol: tcp, source: {CORP}, destination_ports: 445")),
    ];
    nsg::allows(out, "inbound", &rules);
    nsg::deny_all(out, "inbound");
    nsg::deny_all(out, "outbound");
}

fn routing(world: &World, s: &Spoke, doc: &mut Doc) {
    let id = &s.id;
    let out = &mut doc.route_tables;
    put!(out, "  - name: {id}-rt");
    routes(world, out);
    put!(doc.nat_gateways, "  - {{name: {id}-nat, public_ips: [{}]}}", s.nat_ip());
    // S-5, S-6: over the storage service endpoint only the spoke's own account and the accounts
    // Azure ML manages are reachable.
    put!(
        doc.service_endpoint_policies,
        "  - {{name: {id}-sep, resources: [{}, /services/Azure/MachineLearning]}}",
        s.storage
    );
}

fn computes(s: &Spoke, doc: &mut Doc) {
    let (id, ws) = (&s.id, &s.workspace);
    let out = &mut doc.endpoints;
    put!(
        out,
        "  - {{name: {id}-cpu, kind: compute_cluster, node_count: {}, subnet: {id}/training, workspace: {ws}}}",
        s.cluster_nodes
    );
    put!(out, "  - {{name: {id}-ci, kind: compute_instance, subnet: {id}/training, workspace: {ws}}}");
    if let Some(nodes) = s.aks_nodes {
        put!(
            out,
            "  - {{name: {id}-aks, kind: aks_node_pool, node_count: {nodes}, subnet: {id}/scoring, workspace: {ws}}}"
        );
        // The internal load balancer Azure ML creates for a private AKS endpoint.
        put!(
            doc.load_balancers,
            "  - {{name: {id}-aks-ilb, frontend_ip: {}, subnet: {id}/scoring, backends: [{id}-aks], rules: [{{name: https, protocol: tcp, frontend_port: 443, backend_port: 443}}]}}",
            s.ilb_ip()
        );
    }
}

fn services(s: &Spoke, doc: &mut Doc) {
    let id = &s.id;
    let out = &mut doc.services;
    // the workspace is private; the registry is behind its endpoint, so the cluster
    // builds images.
    put!(
        out,
        "  - {{name: {}, kind: workspace, {}workspace_id: {}, public_network_access: Disabled, storage_account: {}, key_vault: {}, container_registry: {}, image_build_compute: {id}-cpu}}",
        s.workspace,
        s.public_ip("workspace"),
        s.workspace_id,
        s.storage,
        s.key_vault,
        s.registry
    );
    // S-9: selected networks, with the workspace admitted as a resource instance (data profiling).
    put!(
        out,
        "  - {{name: {}, kind: storage_account, {}network_rules: {{default_action: Deny, resource_instances: [{}], bypass: [AzureServices]}}}}",
        s.storage,
        s.public_ip("storage_account"),
        s.workspace
    );
    put!(
        out,
        "  - {{name: {}, kind: key_vault, {}public_network_access: Disabled}}",
        s.key_vault,
        s.public_ip("key_vault")
    );
    put!(
        out,
        "  - {{name: {}, kind: container_registry, {}sku: Premium, public_network_access: Disabled}}",
        s.registry,
        s.public_ip("container_registry")
    );
    put!(
        out,
        "  - {{name: {}, kind: application_insights, {}public_network_access: Disabled}}",
        s.insights,
        s.public_ip("application_insights")
    );
    if let Some(ep) = &s.online_endpoint {
        put!(
            out,
            "  - {{name: {ep}, kind: online_endpoint, {}workspace: {}}}",
            s.public_ip("online_endpoint"),
            s.workspace
        );
    }
    for (suffix, target, subresource) in private_endpoints(s) {
        put!(
            doc.private_endpoints,
            "  - {{name: {id}-pe-{suffix}, subnet: {id}/pe, target: {target}, subresource: {subresource}}}"
        );
    }
}

/// The `routes:` of a spoke's route table.
pub(crate) fn routes(world: &World, out: &mut String) {
    put!(out, "    routes:");
    put!(
        out,
        "      - {{name: to-firewall, prefix: 0.0.0.0/0, next_hop: VirtualAppliance, next_hop_ip: {FIREWALL_IP}}}"
    );
    // the Internet routes the docs give for public-IP compute, which landing zones apply to
    // every compute subnet (R-7: a service tag as prefix); this management traffic leaves through
    // the NAT gateway instead of the firewall.
    put!(out, "      - {{name: azureml, prefix: AzureMachineLearning, next_hop: Internet}}");
    put!(out, "      - {{name: batch, prefix: BatchNodeManagement.{}, next_hop: Internet}}", world.region);
}

/// Ports as a YAML flow list.
pub fn port_list(ports: &[u16]) -> String {
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!("[{}]", ports.join(", "))
}
