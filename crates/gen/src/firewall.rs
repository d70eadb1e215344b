//! The hub firewall and its policies. `<org>-base-policy` holds what the platform team owns:
//! east-west, threat-intelligence and legacy-protocol denies, the Azure ML service tags (A-3) and
//! the package repositories (A-4). `hub-policy` inherits it (F-3) and adds, per spoke, a network
//! collection (domain controllers, SIEM, partner networks) and an application collection
//! (partner APIs and portals), in groups of 100 spokes.

use crate::Doc;
use crate::plan::{AD_PORTS, DCS_SUBNET, FIREWALL_IP, IDENTITY, LOG_PORTS, MONITORING_SUBNET, Spoke, World};
use crate::spoke::port_list;

type AppRule = (&'static str, &'static str, &'static str);

/// Application rules every organisation has: name, protocols, target FQDNs (F-8, F-9).
const REPOS: [AppRule; 8] = [
    ("pypi", "[Https]", r#"[pypi.org, files.pythonhosted.org, "*.pythonhosted.org"]"#),
    ("conda", "[Https]", r#"[anaconda.com, "*.anaconda.com", "*.anaconda.org"]"#),
    ("github", "[Https]", r#"[github.com, "*.github.com", "*.githubusercontent.com", ghcr.io]"#),
    ("pytorch", "[Https]", r#"[pytorch.org, "*.pytorch.org"]"#),
    ("ubuntu", "[Http, Https]", "[archive.ubuntu.com, security.ubuntu.com, ppa.launchpad.net]"),
    ("mcr", "[Https]", r#"[mcr.microsoft.com, "*.data.mcr.microsoft.com"]"#),
    ("azureml-studio", "[Https]", "[ml.azure.com, automlresources-prod.azureedge.net, aka.ms]"),
    (
        "vscode",
        "[Https]",
        r#"[code.visualstudio.com, marketplace.visualstudio.com, vscode.blob.core.windows.net, "*.vo.msecnd.net", "*.gallerycdn.vsassets.io"]"#,
    ),
];

/// Application rules some organisations add; the seed picks.
pub const OPTIONAL_REPOS: [AppRule; 4] = [
    ("huggingface", "[Https]", "[huggingface.co, cdn-lfs.huggingface.co]"),
    ("docker-hub", "[Https]", r#"[docker.io, "*.docker.io"]"#),
    ("tensorflow", "[Https]", r#"[www.tensorflow.org, "*.tensorflow.org"]"#),
    ("cran", "[Https]", "[cloud.r-project.org]"),
];

/// The sources of the platform rules: every spoke and the shared services.
const PLATFORM: &str = "source_ip_groups: [spokes, shared-services]";

/// Spokes per landing-zone rule collection group.
const GROUP_SIZE: usize = 100;

/// The base policy's deny group, and the `by:` of its east-west and threat rules.
pub const DENY_GROUP: &str = "platform-deny";

/// The threat-intelligence rule for feed `i`.
pub fn feed_rule(i: usize) -> String {
    format!("feed-{}", i + 1)
}

fn collection(out: &mut String, name: &str, priority: usize, kind: &str, action: &str) {
    put!(out, "          - name: {name}");
    put!(out, "            priority: {priority}");
    put!(out, "            type: {kind}");
    put!(out, "            action: {action}");
    put!(out, "            rules:");
}

/// One rule of the collection above, as a flow mapping.
fn rule(out: &mut String, body: &str) {
    put!(out, "              - {{{body}}}");
}

fn group(out: &mut String, name: &str, priority: usize) {
    put!(out, "      - name: {name}");
    put!(out, "        priority: {priority}");
    put!(out, "        rule_collections:");
}

/// IP groups, the base policy and the head of the hub policy, whose groups the spokes add.
pub fn write_shared(world: &World, doc: &mut Doc) {
    put!(doc.ip_groups, "  - {{name: spokes, prefixes: {}}}", world.spoke_blocks());
    put!(doc.ip_groups, "  - {{name: shared-services, prefixes: [{IDENTITY}]}}");

    let out = &mut doc.firewall_policies;
    put!(out, "  - name: {}-base-policy", world.org);
    put!(out, "    rule_collection_groups:");
    group(out, DENY_GROUP, 100);
    collection(out, "east-west", 100, "network", "deny");
    rule(out, "name: spoke-to-spoke, protocols: [any], source_ip_groups: [spokes], destination_ip_groups: [spokes]");
    collection(out, "threat-intel", 200, "network", "deny");
    for (i, feed) in world.threat_feeds.iter().enumerate() {
        let ranges: Vec<String> = feed.iter().map(|o| format!("198.19.{o}.0/24")).collect();
        rule(
            out,
            &format!(
                "name: {}, protocols: [any], source_addresses: ['*'], destination_addresses: [{}]",
                feed_rule(i),
                ranges.join(", ")
            ),
        );
    }
    collection(out, "legacy-protocols", 300, "network", "deny");
    rule(
        out,
        "name: ftp-telnet, protocols: [tcp], source_addresses: ['*'], destination_addresses: ['*'], destination_ports: [21, 23]",
    );

    group(out, "platform-allow", 200);
    collection(out, "azure-platform", 100, "network", "allow");
    let region = world.region;
    let tags: [(&str, &str, String, &str); 5] = [
        ("entra-id", "tcp", "AzureActiveDirectory".into(), "[80, 443]"),
        ("resource-manager", "tcp", "AzureResourceManager".into(), "443"),
        ("azure-monitor", "tcp", "AzureMonitor".into(), "443"),
        ("mcr", "tcp", format!("MicrosoftContainerRegistry.{region}"), "443"),
        ("front-door-first-party", "tcp", "AzureFrontDoor.FirstParty".into(), "443"),
    ];
    for (name, protocol, tag, ports) in tags {
        rule(
            out,
            &format!(
                "name: {name}, protocols: [{protocol}], {PLATFORM}, destination_addresses: [{tag}], destination_ports: {ports}"
            ),
        );
    }
    rule(
        out,
        &format!("name: ntp, protocols: [udp], {PLATFORM}, destination_addresses: ['*'], destination_ports: 123"),
    );
    collection(out, "package-repositories", 200, "application", "allow");
    let optional = world.optional_repos.iter().map(|&i| &OPTIONAL_REPOS[i]);
    for (name, protocols, fqdns) in REPOS.iter().chain(optional) {
        rule(out, &format!("name: {name}, {PLATFORM}, protocols: {protocols}, target_fqdns: {fqdns}"));
    }

    put!(out, "  - name: hub-policy");
    put!(out, "    parent: {}-base-policy", world.org);
    put!(out, "    rule_collection_groups:{}", if world.spokes == 0 { " []" } else { "" });
}

/// The spoke's collections in the hub policy, opening a new group every `GROUP_SIZE` spokes.
pub fn write_landing_zone(world: &World, s: &Spoke, doc: &mut Doc) {
    let out = &mut doc.firewall_policies;
    let (g, slot) = (s.k / GROUP_SIZE, s.k % GROUP_SIZE);
    if slot == 0 {
        group(out, &format!("landing-zones-{g:03}"), 1000 + g);
    }
    let source = format!("source_addresses: [{}]", s.prefix());
    collection(out, &format!("{}-net", s.id), 100 + 2 * slot, "network", "allow");
    rule(
        out,
        &format!(
            "name: domain-controllers, protocols: [tcp, udp], {source}, destination_addresses: [{DCS_SUBNET}], destination_ports: {AD_PORTS}"
        ),
    );
    rule(
        out,
        &format!(
            "name: siem, protocols: [tcp, udp], {source}, destination_addresses: [{MONITORING_SUBNET}], destination_ports: {LOG_PORTS}"
        ),
    );
    let ports = port_list(&s.partner_ports);
    for &p in &s.partners {
        rule(
            out,
            &format!(
                "name: partner-{}, protocols: [tcp], {source}, destination_addresses: [{}], destination_ports: {ports}",
                world.partners[p],
                World::partner_range(p)
            ),
        );
    }
    collection(out, &format!("{}-app", s.id), 101 + 2 * slot, "application", "allow");
    let apis: Vec<String> = s.partners.iter().map(|&p| format!("api.{}.example", world.partners[p])).collect();
    rule(out, &format!("name: partner-apis, {source}, protocols: [Https], target_fqdns: [{}]", apis.join(", ")));
    if s.partner_portals {
        let portals: Vec<String> =
            s.partners.iter().map(|&p| format!("\"*.portal.{}.example\"", world.partners[p])).collect();
        rule(
            out,
            &format!(
                "name: partner-portals, {source}, protocols: [Https, \"Http:8080\"], target_fqdns: [{}]",
                portals.join(", ")
            ),
        );
    }
}

pub fn write_firewall(world: &World, doc: &mut Doc) {
    let ips: Vec<String> = (0..world.firewall_public_ips).map(World::firewall_public_ip).collect();
    put!(
        doc.firewalls,
        "  - {{name: hub-fw, vnet: hub, ip: {FIREWALL_IP}, public_ips: [{}], policy: hub-policy}}",
        ips.join(", ")
    );
}
