//! The built-in variants (`extends:` of their base): `vnetsim diff BASE VARIANT` shows exactly
//! the breakage each variant's description documents, and nothing else. Objects are the ones
//! the variant's patches touch (for 27 and 33, whose patches move a whole address space or
//! regenerate a managed network, the objects grouped by their owner); flows, exfiltration
//! findings and the access verdicts are the documented ones; and each variant still passes
//! every expectation it states. Catches a merge that drops, duplicates or reorders base objects
//! (extra object changes), and a patch that breaks something other than what it documents.

use serde_json::Value;
use std::collections::BTreeSet;
use vnetsim_testkit::cli::vnetsim;

type S = &'static str;

struct Variant {
    base: S,
    variant: S,
    /// `(kind, name, change)` of every changed object, or with `grouped`, `(kind, owner)`
    /// where the owner is the name before its first `/`.
    objects: &'static [(S, S, S)],
    grouped: bool,
    /// `(flow, source, before, after)`.
    flows: &'static [(S, S, S, S)],
    /// `(source, change)` of exfiltration findings.
    exfiltration: &'static [(S, S)],
    new_access: bool,
    lost_access: bool,
    /// Names that must appear among the classes whose access changed that way (`new_access`
    /// or `lost_access`), the documented witness of the breakage.
    witnesses: &'static [(S, S)],
}

const VARIANTS: &[Variant] = &[
    Variant {
        base: "18-hub-spoke-firewall-custom-dns",
        variant: "24-variant-missing-conditional-forwarder",
        objects: &[("endpoint", "hub-dns", "modified")],
        grouped: false,
        // D-4, D-5, A-7: everything that resolves api.azureml.ms through the hub server.
        flows: &[
            ("studio-access", "corp", "works", "broken"),
            ("compute-create", "cpu-cluster", "works", "broken"),
            ("compute-create", "ci-alice", "works", "broken"),
            ("compute-manage", "cpu-cluster", "works", "broken"),
            ("compute-manage", "ci-alice", "works", "broken"),
        ],
        exfiltration: &[],
        new_access: false,
        lost_access: true,
        witnesses: &[],
    },
    Variant {
        base: "22-v1-secure-workspace",
        variant: "25-variant-registry-no-image-build-compute",
        objects: &[
            ("subnet", "aml-vnet/clients", "modified"),
            ("subnet", "aml-vnet/AzureBastionSubnet", "removed"),
            ("nsg", "clients-nsg", "removed"),
            ("nsg_rule", "clients-nsg/rdp-from-bastion", "removed"),
            ("nsg_rule", "clients-nsg/deny-rdp-other", "removed"),
            ("endpoint", "bastion", "removed"),
            ("nic", "bastion/nic0", "removed"),
            ("service", "ws-secure", "modified"),
        ],
        grouped: false,
        // without image_build_compute the build runs on serverless compute, which cannot
        // reach a registry behind the VNet.
        flows: &[("image-build", "ws-secure", "absent", "broken"), ("image-build", "cpu-cluster", "works", "absent")],
        exfiltration: &[],
        new_access: true,
        lost_access: true,
        witnesses: &[],
    },
    Variant {
        base: "18-hub-spoke-firewall-custom-dns",
        variant: "26-variant-firewall-missing-pypi",
        objects: &[(
            "firewall_rule",
            "hub-policy/DefaultApplicationRuleCollectionGroup/aml-hosts/python-packages",
            "removed",
        )],
        grouped: false,
        // A-4, F-1: pypi via the firewall goes from allowed to denied, nothing else.
        flows: &[
            ("image-build", "cpu-cluster", "works", "broken"),
            ("package-repositories", "cpu-cluster", "works", "broken"),
            ("package-repositories", "ci-alice", "works", "broken"),
        ],
        exfiltration: &[],
        new_access: false,
        lost_access: true,
        witnesses: &[("lost_access", "pypi.org"), ("lost_access", "files.pythonhosted.org")],
    },
    Variant {
        base: "22-v1-secure-workspace",
        variant: "27-variant-workspace-no-reachable-pe",
        // The workspace endpoint and its zones move to an unpeered VNet; aml-vnet moves
        // to 10.50.0.0/16, so its NICs and endpoints' addresses change with it.
        objects: &[
            ("dns_record", "privatelink.api.azureml.ms", ""),
            ("dns_record", "privatelink.azurecr.io", ""),
            ("dns_record", "privatelink.blob.core.windows.net", ""),
            ("dns_record", "privatelink.file.core.windows.net", ""),
            ("dns_record", "privatelink.notebooks.azure.net", ""),
            ("dns_record", "privatelink.vaultcore.azure.net", ""),
            ("endpoint", "bastion", ""),
            ("endpoint", "shared-vm", ""),
            ("nat_gateway", "training-nat", ""),
            ("nic", "bastion", ""),
            ("nic", "ci", ""),
            ("nic", "cpu-cluster[0]", ""),
            ("nic", "cpu-cluster[1]", ""),
            ("nic", "jumpbox", ""),
            ("nic", "shared-vm", ""),
            ("nsg", "clients-nsg", ""),
            ("nsg", "training-nsg", ""),
            ("nsg_rule", "clients-nsg", ""),
            ("nsg_rule", "training-nsg", ""),
            ("private_endpoint", "pe-acr", ""),
            ("private_endpoint", "pe-blob", ""),
            ("private_endpoint", "pe-file", ""),
            ("private_endpoint", "pe-vault", ""),
            ("private_endpoint", "pe-ws", ""),
            ("subnet", "aml-vnet", ""),
            ("subnet", "shared-vnet", ""),
            ("vnet", "aml-vnet", ""),
            ("vnet", "shared-vnet", ""),
            // The zones' links move from aml-vnet to shared-vnet: one change each (a rename).
            ("dns_zone_link", "privatelink.api.azureml.ms->shared-vnet", ""),
            ("dns_zone_link", "privatelink.notebooks.azure.net->shared-vnet", ""),
        ],
        grouped: true,
        flows: &[
            ("studio-access", "jumpbox", "works", "broken"),
            ("studio-access", "shared-vm", "absent", "broken"),
            ("compute-create", "cpu-cluster", "works", "broken"),
            ("compute-create", "ci", "works", "broken"),
            ("compute-manage", "cpu-cluster", "works", "broken"),
            ("compute-manage", "ci", "works", "broken"),
            ("online-endpoint-scoring", "shared-vm", "absent", "n/a"),
            ("aks-scoring", "shared-vm", "absent", "n/a"),
            ("vscode-remote", "jumpbox", "works", "broken"),
            ("vscode-remote", "shared-vm", "absent", "works"),
        ],
        // Without the training NSG nothing stops storage outbound any more.
        exfiltration: &[("ci", "gained"), ("cpu-cluster", "gained")],
        new_access: true,
        lost_access: true,
        witnesses: &[],
    },
    Variant {
        base: "19-data-exfiltration-prevention",
        variant: "29-variant-exfiltration-storage-on-firewall",
        objects: &[
            ("subnet", "spoke/training", "modified"),
            ("service", "mldatalake", "modified"),
            ("service_endpoint_policy", "aml-storage-only", "removed"),
            ("private_endpoint", "pe-datalake", "added"),
            ("dns_record", "privatelink.blob.core.windows.net/mldatalake", "added"),
            ("firewall_rule", "exfil-policy/DefaultNetworkRuleCollectionGroup/aml-service-tags/storage", "added"),
        ],
        grouped: false,
        flows: &[],
        // S-5: no policy filters accounts, so the training subnet's compute can write anywhere.
        exfiltration: &[("ci", "gained"), ("cpu-cluster", "gained")],
        new_access: true,
        lost_access: true,
        witnesses: &[],
    },
    Variant {
        base: "19-data-exfiltration-prevention",
        variant: "30-variant-exfiltration-storage-other-region",
        objects: &[
            ("subnet", "spoke/training", "modified"),
            ("nsg_rule", "training-nsg/allow-storage-westeurope", "added"),
            ("service", "mldataeu", "added"),
            ("service_endpoint_policy", "aml-storage-only", "modified"),
        ],
        grouped: false,
        flows: &[],
        // S-5: accounts in westeurope are not filtered by the policy.
        exfiltration: &[("ci", "gained"), ("cpu-cluster", "gained")],
        new_access: true,
        lost_access: false,
        witnesses: &[],
    },
    Variant {
        base: "19-data-exfiltration-prevention",
        variant: "31-variant-exfiltration-front-door",
        objects: &[
            ("firewall_rule", "exfil-policy/DefaultNetworkRuleCollectionGroup/aml-service-tags/front-door", "added"),
            ("firewall_rule", "exfil-policy/DefaultApplicationRuleCollectionGroup/aml-fqdns/studio", "removed"),
        ],
        grouped: false,
        flows: &[],
        exfiltration: &[("aks-pool", "gained"), ("ci", "gained"), ("cpu-cluster", "gained")],
        new_access: true,
        lost_access: false,
        witnesses: &[("new_access", "attacker-chosen.azurefd.net")],
    },
    Variant {
        base: "19-data-exfiltration-prevention",
        variant: "32-variant-exfiltration-wildcard-storage-fqdn",
        objects: &[(
            "firewall_rule",
            "exfil-policy/DefaultApplicationRuleCollectionGroup/aml-fqdns/blob-storage",
            "added",
        )],
        grouped: false,
        flows: &[],
        // F-8, F-9: only the AKS pool's storage goes to the firewall.
        exfiltration: &[("aks-pool", "gained")],
        new_access: true,
        lost_access: false,
        witnesses: &[("new_access", "attacker-chosen.blob.core.windows.net")],
    },
    Variant {
        base: "16-managed-vnet-approved-outbound",
        variant: "33-variant-exfiltration-managed-vnet-fqdn",
        // The managed network is generated from the rules: its outbound NSG,
        // firewall policy and private endpoints follow the patched rules.
        objects: &[
            ("dns_record", "privatelink.blob.core.windows.net@ws-aoao-managed", ""),
            ("firewall_rule", "ws-aoao-managed-fw-policy", ""),
            ("managed_outbound_rule", "ws-aoao", ""),
            ("nsg_rule", "ws-aoao-managed-outbound", ""),
            ("private_endpoint", "ws-aoao-managed-pe-6", ""),
            ("service", "datalake", ""),
        ],
        grouped: true,
        flows: &[],
        exfiltration: &[("ci", "gained"), ("ci", "lost"), ("scorer", "gained"), ("scorer", "lost")],
        new_access: true,
        lost_access: true,
        witnesses: &[],
    },
];

fn path(name: &str) -> String {
    format!("scenarios/{name}.yaml")
}

fn strs(v: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| v[*k].as_str().unwrap_or_default().to_string()).collect()
}

fn set<const N: usize>(items: impl IntoIterator<Item = [S; N]>) -> BTreeSet<Vec<String>> {
    items.into_iter().map(|i| i.iter().map(|s| s.to_string()).collect()).collect()
}

#[test]
fn each_variant_diff_shows_exactly_its_documented_breakage() {
    for v in VARIANTS {
        let (code, out, err) = vnetsim(&["diff", &path(v.base), &path(v.variant), "--format", "json"]);
        assert_eq!(code, 1, "{}: a diff that changes something exits 1: {err}", v.variant);
        let diff: Value = serde_json::from_str(&out).expect("diff JSON");
        let objects: BTreeSet<Vec<String>> = (diff["objects"].as_array().unwrap().iter())
            .filter(|o| o["kind"] != "scenario")
            .map(|o| {
                let mut key = strs(o, &["kind", "name", "change"]);
                if v.grouped {
                    key[1] = key[1].split('/').next().unwrap_or_default().to_string();
                    key[2].clear();
                }
                key
            })
            .collect();
        assert_eq!(objects, set(v.objects.iter().map(|&(a, b, c)| [a, b, c])), "{}: objects", v.variant);
        let flows: BTreeSet<Vec<String>> =
            diff["flows"].as_array().unwrap().iter().map(|f| strs(f, &["flow", "source", "before", "after"])).collect();
        assert_eq!(flows, set(v.flows.iter().map(|&(a, b, c, d)| [a, b, c, d])), "{}: flows", v.variant);
        let exfiltration: BTreeSet<Vec<String>> =
            diff["exfiltration"].as_array().unwrap().iter().map(|e| strs(e, &["source", "change"])).collect();
        assert_eq!(exfiltration, set(v.exfiltration.iter().map(|&(a, b)| [a, b])), "{}: exfiltration", v.variant);
        assert_eq!(
            (diff["new_access"].as_bool(), diff["lost_access"].as_bool()),
            (Some(v.new_access), Some(v.lost_access)),
            "{}",
            v.variant
        );
        let classes: Vec<&Value> = diff["traffic"].as_array().unwrap().iter().collect();
        for (change, name) in v.witnesses {
            assert!(
                classes
                    .iter()
                    .any(|c| c["change"] == *change
                        && c["names"].as_array().is_some_and(|n| n.iter().any(|x| x == name))),
                "{}: no {change} class for {name}",
                v.variant
            );
        }
        // Every class of a documented direction is one of the access changes the flags admit.
        for c in &classes {
            let change = c["change"].as_str().unwrap();
            assert!(
                change == "changed_path"
                    || (change == "new_access" && v.new_access)
                    || (change == "lost_access" && v.lost_access)
            );
        }
    }
}

/// The variants load through `extends:` from disk and as built-ins, and pass every expectation
/// they state (the rewrite kept each verdict).
#[test]
fn variants_pass_their_expectations_from_disk() {
    let files: Vec<String> = VARIANTS.iter().map(|v| path(v.variant)).collect();
    let mut args = vec!["run", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let (code, out, err) = vnetsim(&args);
    assert_eq!(code, 0, "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["failed"], 0);
    assert_eq!(report["files"].as_array().unwrap().len(), VARIANTS.len());
}
