//! Expectations that hold by construction: a few for the shared network, five core checks and
//! three drawn from a menu per spoke, and the catalogue's flows for a handful of showcase spokes.
//! No exfiltration audits: their cost grows with the whole header space, per source.

use crate::Doc;
use crate::firewall::{DENY_GROUP, feed_rule};
use crate::hub::public_storage;
use crate::plan::{Spoke, World, spoke_id};
use crate::rng::Rng;

/// Extra checks a spoke may get; each spoke draws `MENU_PICKS` of those that apply to it.
#[derive(Clone, Copy)]
enum Check {
    PartnerApi,
    OtherPartnerApi,
    DomainController,
    DomainControllerRdp,
    PublicStorage,
    BastionSsh,
    StorageFromInternet,
    PartnerNetwork,
    CorpSsh,
    ThreatIntel,
    KeyVault,
    SshToInternet,
    FileShare,
    WorkspaceFromInternet,
    AksRegistry,
    CorpScoring,
    OnlineEndpoint,
}

const MENU: [Check; 17] = [
    Check::PartnerApi,
    Check::OtherPartnerApi,
    Check::DomainController,
    Check::DomainControllerRdp,
    Check::PublicStorage,
    Check::BastionSsh,
    Check::StorageFromInternet,
    Check::PartnerNetwork,
    Check::CorpSsh,
    Check::ThreatIntel,
    Check::KeyVault,
    Check::SshToInternet,
    Check::FileShare,
    Check::WorkspaceFromInternet,
    Check::AksRegistry,
    Check::CorpScoring,
    Check::OnlineEndpoint,
];
const MENU_PICKS: usize = 3;

pub fn write_shared(doc: &mut Doc) {
    let out = &mut doc.expect;
    // F-5: nothing is DNATed; R-16: corp reaches the shared services over the VPN; F-3: the
    // base policy's repositories serve the shared services too.
    put!(out, "  - {{from: internet, to: {}, port: 443, outcome: denied, by: hub-fw}}", World::firewall_public_ip(0));
    put!(out, "  - {{from: corp, to: dc-1, port: 389, outcome: allowed}}");
    put!(out, "  - {{from: hub-bastion, to: dc-2, port: 3389, outcome: allowed}}");
    put!(out, "  - {{from: dc-1, to: https://pypi.org, outcome: allowed}}");
    put!(out, "  - {{from: siem-collector, to: https://upload.filedrop.example, outcome: denied, by: hub-fw}}");
}

pub fn write_spoke(world: &World, s: &Spoke, doc: &mut Doc) {
    let out = &mut doc.expect;
    let id = &s.id;
    // The workspace's storage through its private endpoint, a repository through
    // an application rule (F-8), an unlisted host at the implicit deny (F-1), the workspace from
    // corp through the resolver and the VPN (D-8, R-16).
    put!(
        out,
        "  - {{from: {id}-cpu, to: https://{}.blob.core.windows.net, resolves_to: private, outcome: allowed}}",
        s.storage
    );
    put!(out, "  - {{from: {id}-cpu, to: https://pypi.org, outcome: allowed}}");
    put!(out, "  - {{from: {id}-ci, to: https://upload.filedrop.example, outcome: denied, by: hub-fw}}");
    put!(out, "  - {{from: corp, to: https://{}, resolves_to: private, outcome: allowed}}", workspace_api(world, s));
    if world.spokes > 1 {
        let next = spoke_id((s.k + 1) % world.spokes);
        put!(
            out,
            "  - {{from: {id}-cpu, to: {next}-ci, port: 443, outcome: denied, by: hub-fw/{DENY_GROUP}/east-west/spoke-to-spoke}}"
        );
    }
    let mut rng = Rng::derive(world.seed, 2 + 2 * s.k as u64);
    let menu: Vec<Check> = MENU.into_iter().filter(|c| applies(*c, s)).collect();
    for i in rng.sample(menu.len(), MENU_PICKS) {
        write_check(menu[i], world, s, &mut rng, out);
    }
    if world.showcase.contains(&s.k) {
        write_flows(s, out);
    }
}

fn workspace_api(world: &World, s: &Spoke) -> String {
    format!("{}.workspace.{}.api.azureml.ms", s.workspace_id, world.region)
}

fn applies(check: Check, s: &Spoke) -> bool {
    match check {
        Check::AksRegistry | Check::CorpScoring => s.aks_nodes.is_some(),
        Check::OnlineEndpoint => s.online_endpoint.is_some(),
        _ => true,
    }
}

fn write_check(check: Check, world: &World, s: &Spoke, rng: &mut Rng, out: &mut String) {
    let (id, region) = (&s.id, world.region);
    let nsg_deny = format!("{id}-compute-nsg/deny-remote-admin-out");
    match check {
        Check::PartnerApi => {
            let p = world.partners[s.partners[rng.below(s.partners.len())]];
            put!(out, "  - {{from: {id}-ci, to: https://api.{p}.example, outcome: allowed}}");
        }
        Check::OtherPartnerApi => {
            let others: Vec<usize> = (0..world.partners.len()).filter(|p| !s.partners.contains(p)).collect();
            let p = world.partners[others[rng.below(others.len())]];
            put!(out, "  - {{from: {id}-cpu, to: https://api.{p}.example, outcome: denied, by: hub-fw}}");
        }
        Check::DomainController => put!(out, "  - {{from: {id}-ci, to: dc-1, port: 389, outcome: allowed}}"),
        Check::DomainControllerRdp => {
            put!(out, "  - {{from: {id}-cpu, to: dc-2, port: 3389, outcome: denied, by: {nsg_deny}}}");
        }
        Check::PublicStorage => put!(
            out,
            "  - {{from: {id}-cpu, to: https://{}.blob.core.windows.net, outcome: denied, by: {id}-sep}}",
            public_storage(world)
        ),
        Check::BastionSsh => put!(out, "  - {{from: hub-bastion, to: {id}-ci, port: 22, outcome: allowed}}"),
        Check::StorageFromInternet => put!(
            out,
            "  - {{from: internet, to: https://{st}.blob.core.windows.net, resolves_to: public, outcome: denied, by: {st}/default_action}}",
            st = s.storage
        ),
        Check::PartnerNetwork => {
            let p = s.partners[rng.below(s.partners.len())];
            let port = s.partner_ports[rng.below(s.partner_ports.len())];
            put!(out, "  - {{from: {id}-cpu, to: 198.18.{p}.{}, port: {port}, outcome: allowed}}", rng.between(1, 254));
        }
        Check::CorpSsh => put!(out, "  - {{from: corp, to: {id}-ci, port: 22, outcome: allowed}}"),
        Check::ThreatIntel => {
            let f = rng.below(world.threat_feeds.len());
            let feed = &world.threat_feeds[f];
            let octet = feed[rng.below(feed.len())];
            put!(
                out,
                "  - {{from: {id}-cpu, to: 198.19.{octet}.{}, port: 443, outcome: denied, by: hub-fw/{DENY_GROUP}/threat-intel/{}}}",
                rng.between(1, 254),
                feed_rule(f)
            );
        }
        Check::KeyVault => put!(
            out,
            "  - {{from: {id}-ci, to: https://{}.vault.azure.net, resolves_to: private, outcome: allowed}}",
            s.key_vault
        ),
        Check::SshToInternet => {
            put!(out, "  - {{from: {id}-cpu, to: \"github.com:22\", outcome: denied, by: {nsg_deny}}}")
        }
        Check::FileShare => put!(
            out,
            "  - {{from: {id}-ci, to: \"smb://{}.file.core.windows.net\", resolves_to: private, outcome: allowed}}",
            s.storage
        ),
        Check::WorkspaceFromInternet => put!(
            out,
            "  - {{from: internet, to: https://{}, outcome: denied, by: {}/public_network_access}}",
            workspace_api(world, s),
            s.workspace
        ),
        Check::AksRegistry => put!(
            out,
            "  - {{from: {id}-aks, to: https://{}.{region}.data.azurecr.io, resolves_to: private, outcome: allowed}}",
            s.registry
        ),
        Check::CorpScoring => put!(out, "  - {{from: corp, to: {}, port: 443, outcome: allowed}}", s.ilb_ip()),
        Check::OnlineEndpoint => put!(
            out,
            "  - {{from: {id}-ci, to: https://{}.{region}.inference.ml.azure.com, resolves_to: private, outcome: allowed}}",
            s.online_endpoint.as_deref().unwrap_or_default()
        ),
    }
}

/// The catalogue's flows from the spoke's computes, its workspace and corp (A-1..A-13).
fn write_flows(s: &Spoke, out: &mut String) {
    let (id, ws) = (&s.id, &s.workspace);
    let from_computes = [
        ("compute-create", "cpu"),
        ("compute-create", "ci"),
        ("compute-manage", "ci"),
        ("compute-to-storage", "cpu"),
        ("compute-to-keyvault", "ci"),
        ("compute-to-registry", "cpu"),
        ("image-build", "cpu"),
        ("package-repositories", "ci"),
        ("azure-monitor", "cpu"),
    ];
    for (flow, compute) in from_computes {
        put!(out, "  - {{flow: {flow}, from: {id}-{compute}, outcome: works}}");
    }
    put!(out, "  - {{flow: data-profiling, from: {ws}, outcome: works}}");
    put!(out, "  - {{flow: studio-access, from: corp, workspace: {ws}, outcome: works}}");
    put!(
        out,
        "  - {{flow: studio-access, from: internet, workspace: {ws}, outcome: broken, by: {ws}/public_network_access}}"
    );
    if s.aks_nodes.is_some() {
        put!(out, "  - {{flow: aks-scoring, from: {id}-aks, outcome: works}}");
        put!(out, "  - {{flow: aks-scoring, from: corp, workspace: {ws}, outcome: works}}");
    }
    if s.online_endpoint.is_some() {
        put!(out, "  - {{flow: online-endpoint-scoring, from: corp, workspace: {ws}, outcome: works}}");
    }
}
