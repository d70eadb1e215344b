//! `vnetsim diff` through the binary on the six what-if pairs of `tests/diff/` (each with its
//! hand-derived answer in `expected.md`): exactly the changed objects, traffic class groups,
//! flows, expectations and exfiltration findings of each pair, with witness traces that show
//! each difference; exit codes and `--fail-on`; Markdown and human output; `--git`; bad input;
//! byte-identical reruns; and `--everything` agreeing with the pruned walk.
//!
//! Where a pair's `expected.md` tabulates expectation verdicts "before network / after network",
//! it evaluates each file's entries on the other network too. The diff pairs expectations by
//! (kind, label) and evaluates each file's on its own network, listing only those whose
//! pass/fail differs or that one file lacks; an entry both files updated with the network passes
//! on both sides and is not listed (its traffic shows as class changes or flows instead).

use serde_json::Value;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;
use vnetsim_testkit::cli::{error_headers, vnetsim};

type S = &'static str;

/// One side of a changed class group: its outcome, and fragments of step headlines that this
/// side's witness trace (request or reply) has and the other side's does not.
type Side = (S, &'static [S]);

/// A changed class group as the JSON lists it.
struct Class {
    source: S,
    change: S,
    protocol: S,
    addresses: &'static [S],
    ports: &'static [S],
    /// SNI names; empty when the group carries no name.
    names: &'static [S],
    before: Side,
    after: Side,
}

/// The whole answer for one pair.
struct Expected {
    case: S,
    /// (kind, name, change)
    objects: &'static [(S, S, S)],
    classes: &'static [Class],
    /// (flow, source, workspace, before, after, a fragment of the after side's reason)
    flows: &'static [(S, S, S, S, S, S)],
    /// (kind, expectation, before, after)
    expectations: &'static [(S, S, S, S)],
    /// (gained or lost, source, destination, one of the finding's `by` names)
    exfiltration: &'static [(S, S, S, S)],
    code: i32,
}

const CASES: [&str; 6] = [
    "nsg-tighten",
    "firewall-opens-storage",
    "dns-link-removed",
    "route-bypasses-firewall",
    "pe-32-override",
    "noop-reorder",
];

/// N-4: the tightened rule at 100 no longer matches 10.1.3.0/24 nor ports 8000-8079/8081-8100,
/// so those fall to deny-all-in at 4000; admin-vm keeps 22 and 8080 on the same rule.
const WAS_ALLOWED: Side = ("works", &["nsg web-nsg rule allow-admin priority 100 inbound allow"]);
const NOW_DENIED: Side = ("denied_by_nsg", &["nsg web-nsg rule deny-all-in priority 4000 inbound deny"]);
const NSG_TIGHTEN: Expected = Expected {
    case: "nsg-tighten",
    objects: &[("nsg_rule", "web-nsg/allow-admin", "modified")],
    classes: &[
        Class {
            source: "admin-vm",
            change: "lost_access",
            protocol: "tcp",
            addresses: &["10.0.1.4"],
            ports: &["8000-8079,8081-8100"],
            names: &[],
            before: WAS_ALLOWED,
            after: NOW_DENIED,
        },
        Class {
            source: "batch-vm",
            change: "lost_access",
            protocol: "tcp",
            addresses: &["10.0.1.4"],
            ports: &["22,8000-8100"],
            names: &[],
            before: WAS_ALLOWED,
            after: NOW_DENIED,
        },
    ],
    flows: &[],
    // The three connections both files rewrote pass on their own network; only the entry after.yaml
    // adds is listed.
    expectations: &[("connection", "admin-vm -> web:8080/tcp", "absent", "passed")],
    exfiltration: &[],
    code: 1,
};

/// F-6: a network rule with `Storage.eastus` admits every account of the region, split by the
/// service that accepts (the undeclared accounts, vscode-blob, the AML managed storage); F-1
/// denied them before.
const FW_NO_RULE: Side = ("denied_by_firewall", &["firewall hub-fw no rule matched"]);
const FIREWALL_OPENS_STORAGE: Expected = Expected {
    case: "firewall-opens-storage",
    objects: &[("firewall_rule", "hub-policy/network/aml/storage", "added")],
    classes: &[
        Class {
            source: "cpu-cluster",
            change: "new_access",
            protocol: "tcp",
            addresses: &["40.68.0.0", "40.68.0.3-40.68.15.255"],
            ports: &["443"],
            names: &[],
            before: FW_NO_RULE,
            after: (
                "works",
                &[
                    "firewall hub-fw network rule network/aml/storage allow",
                    "service any-storage-account.eastus / public_network_access accepts",
                ],
            ),
        },
        Class {
            source: "cpu-cluster",
            change: "new_access",
            protocol: "tcp",
            addresses: &["40.68.0.1"],
            ports: &["443"],
            names: &[],
            before: FW_NO_RULE,
            after: (
                "works",
                &[
                    "firewall hub-fw network rule network/aml/storage allow",
                    "service vscode-blob / public_network_access accepts",
                ],
            ),
        },
        Class {
            source: "cpu-cluster",
            change: "new_access",
            protocol: "tcp",
            addresses: &["40.68.0.2"],
            ports: &["443"],
            names: &[],
            before: FW_NO_RULE,
            after: (
                "works",
                &[
                    "firewall hub-fw network rule network/aml/storage allow",
                    "service azureml-managed-storage / public_network_access accepts",
                ],
            ),
        },
    ],
    flows: &[],
    // The files word their exfiltration expectations differently, so each exists on one side.
    expectations: &[
        ("exfiltration", "exfiltration from cpu-cluster by hub-fw/network/aml/storage", "absent", "passed"),
        ("exfiltration", "no exfiltration from cpu-cluster", "passed", "absent"),
    ],
    exfiltration: &[(
        "gained",
        "cpu-cluster",
        "any storage account in eastus (Storage.eastus)",
        "hub-fw/network/aml/storage",
    )],
    code: 1,
};

/// D-3, D-1, S-9: without the link the workspace's name resolves publicly and the workspace
/// refuses it. Reach walks addresses, so no class changes; three catalogue cells break.
const WS_REFUSES: S = "3c9a51f0.workspace.eastus.api.azureml.ms:443/tcp denied by service ws / public_network_access";
const DNS_LINK_REMOVED: Expected = Expected {
    case: "dns-link-removed",
    objects: &[("dns_zone_link", "privatelink.api.azureml.ms->ml", "removed")],
    classes: &[],
    flows: &[
        ("studio-access", "jumpbox", "ws", "works", "broken", WS_REFUSES),
        ("compute-create", "cpu-cluster", "ws", "works", "broken", WS_REFUSES),
        ("compute-manage", "cpu-cluster", "ws", "works", "broken", WS_REFUSES),
    ],
    // Both files' connection and flow entries hold on their own network.
    expectations: &[],
    exfiltration: &[],
    code: 1,
};

/// the /24 UDR beats 0.0.0.0/0 for 192.0.2.0/24, which now leaves by default outbound access
/// (O-3) instead of through hub-fw, whose only allow was tcp 443 (F-1 denied the rest).
const VIA_FW_DENIED: Side =
    ("denied_by_firewall", &["firewall hub-fw no rule matched", "workload-rt / default-via-firewall"]);
const DIRECT: Side = ("works", &["workload-rt / partner-direct", "subnet spoke/workload"]);
const ROUTE_BYPASSES_FIREWALL: Expected = Expected {
    case: "route-bypasses-firewall",
    objects: &[("route", "workload-rt/partner-direct", "added")],
    classes: &[
        Class {
            source: "app",
            change: "changed_path",
            protocol: "tcp",
            addresses: &["192.0.2.0/24"],
            ports: &["443"],
            names: &[],
            before: (
                "works",
                &[
                    "workload-rt / default-via-firewall",
                    "firewall hub-fw network rule network/partner/partner-https allow",
                ],
            ),
            after: DIRECT,
        },
        Class {
            source: "app",
            change: "new_access",
            protocol: "tcp",
            addresses: &["192.0.2.0/24"],
            ports: &["0-442,444-65535"],
            names: &[],
            before: VIA_FW_DENIED,
            after: DIRECT,
        },
        Class {
            source: "app",
            change: "new_access",
            protocol: "udp",
            addresses: &["192.0.2.0/24"],
            ports: &["*"],
            names: &[],
            before: VIA_FW_DENIED,
            after: DIRECT,
        },
        Class {
            source: "app",
            change: "new_access",
            protocol: "icmp",
            addresses: &["192.0.2.0/24"],
            ports: &[],
            names: &[],
            before: VIA_FW_DENIED,
            after: DIRECT,
        },
        Class {
            source: "app",
            change: "new_access",
            protocol: "esp",
            addresses: &["192.0.2.0/24"],
            ports: &[],
            names: &[],
            before: VIA_FW_DENIED,
            after: DIRECT,
        },
        Class {
            source: "app",
            change: "new_access",
            protocol: "ah",
            addresses: &["192.0.2.0/24"],
            ports: &[],
            names: &[],
            before: VIA_FW_DENIED,
            after: DIRECT,
        },
    ],
    flows: &[],
    expectations: &[
        ("exfiltration", "exfiltration from app by workload-rt/partner-direct", "absent", "passed"),
        ("exfiltration", "exfiltration from app by hub-fw/network/partner/partner-https", "passed", "absent"),
    ],
    // The same destination (any internet host) is reached on both sides, opened by other
    // objects: no finding is gained or lost; the classes show the new path.
    exfiltration: &[],
    code: 1,
};

/// The names either side can carry to 10.0.2.10: before it holds nothing, so the attacker's own
/// domain and claimable multi-tenant names may resolve there; after, the key vault's own name
/// through pe-kv. Every one of them (and none) changes alike, so they fold into one entry.
const PE_NAMES: &[S] = &[
    "(none)",
    "kv.vault.azure.net",
    "attacker-domain.example",
    "attacker-chosen.azurefd.net",
    "attacker-chosen.azureedge.net",
    "attacker-chosen.azurewebsites.net",
    "attacker-chosen.cloudapp.azure.com",
    "attacker-chosen.trafficmanager.net",
];
/// the PE's /32 beats the /24 UDR, so the firewall no longer sees 10.0.2.10; TCP is
/// delivered to the key vault (S-8), everything else dropped by the PE (P-10).
const KV_BY_PE: Side = ("works", &["route 10.0.2.10/32 -> InterfaceEndpoint", "service kv / private_endpoint accepts"]);
const PE_REFUSES: Side =
    ("private_endpoint_refused", &["route 10.0.2.10/32 -> InterfaceEndpoint", "private endpoint pe-kv"]);
const PE_32_OVERRIDE: Expected = Expected {
    case: "pe-32-override",
    objects: &[("private_endpoint", "pe-kv", "added")],
    classes: &[
        Class {
            source: "client",
            change: "new_access",
            protocol: "tcp",
            addresses: &["10.0.2.10"],
            ports: &["443"],
            names: PE_NAMES,
            before: ("no_host", &["firewall hub-fw network rule network/private-endpoints/pe-https allow"]),
            after: KV_BY_PE,
        },
        Class {
            source: "client",
            change: "new_access",
            protocol: "tcp",
            addresses: &["10.0.2.10"],
            ports: &["0-442,444-65535"],
            names: PE_NAMES,
            before: FW_NO_RULE,
            after: KV_BY_PE,
        },
        Class {
            source: "client",
            change: "changed_path",
            protocol: "udp",
            addresses: &["10.0.2.10"],
            ports: &["*"],
            names: &[],
            before: FW_NO_RULE,
            after: PE_REFUSES,
        },
        Class {
            source: "client",
            change: "changed_path",
            protocol: "icmp",
            addresses: &["10.0.2.10"],
            ports: &[],
            names: &[],
            before: FW_NO_RULE,
            after: PE_REFUSES,
        },
        Class {
            source: "client",
            change: "changed_path",
            protocol: "esp",
            addresses: &["10.0.2.10"],
            ports: &[],
            names: &[],
            before: FW_NO_RULE,
            after: PE_REFUSES,
        },
        Class {
            source: "client",
            change: "changed_path",
            protocol: "ah",
            addresses: &["10.0.2.10"],
            ports: &[],
            names: &[],
            before: FW_NO_RULE,
            after: PE_REFUSES,
        },
    ],
    flows: &[],
    // Each file's three entries (the icmp one with its own `by:`) pass on their own network.
    expectations: &[],
    exfiltration: &[],
    code: 1,
};

/// Every list of after.yaml reordered where order means nothing (N-4, R-8, F-3, sets).
const NOOP_REORDER: Expected = Expected {
    case: "noop-reorder",
    objects: &[],
    classes: &[],
    flows: &[],
    expectations: &[],
    exfiltration: &[],
    code: 0,
};

fn pair(case: &str) -> (String, String) {
    (format!("tests/diff/{case}/before.yaml"), format!("tests/diff/{case}/after.yaml"))
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// A list of strings; an omitted list is empty.
fn strings(v: &Value) -> Vec<String> {
    items(v).iter().map(|s| text(s).to_string()).collect()
}

fn owned(list: &[S]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `vnetsim diff` of a pair with extra arguments: (exit code, JSON report).
fn diff_json(case: &str, extra: &[&str]) -> (i32, Value) {
    let (before, after) = pair(case);
    let mut args = vec!["diff", before.as_str(), after.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = vnetsim(&args);
    assert_eq!(err, "", "{case} {extra:?}");
    (code, json(&out))
}

/// Whether `address` is in a range as the report writes it: `a.b.c.d`, `first-last` or a prefix.
fn in_range(range: &str, address: Ipv4Addr) -> bool {
    let ip = |s: &str| -> Ipv4Addr { s.parse().unwrap_or_else(|e| panic!("{s}: {e}")) };
    if let Some((base, len)) = range.split_once('/') {
        let len: u32 = len.parse().expect("a prefix length");
        let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
        return u32::from(address) & mask == u32::from(ip(base)) & mask;
    }
    let (first, last) = range.split_once('-').unwrap_or((range, range));
    (ip(first)..=ip(last)).contains(&address)
}

/// Whether `port` is in a port list as the report writes it: `*` or `a-b,c,...`.
fn in_ports(ports: &str, port: u64) -> bool {
    ports == "*"
        || ports.split(',').any(|p| {
            let (first, last) = p.split_once('-').unwrap_or((p, p));
            (first.parse::<u64>().expect("a port")..=last.parse().expect("a port")).contains(&port)
        })
}

/// The steps of a side's witness request and reply.
fn steps(side: &Value) -> impl Iterator<Item = &Value> {
    items(&side["request"]["steps"]).iter().chain(items(&side["reply"]["steps"]))
}

/// What a side's traces decided: dispositions and every step's decider.
fn decisions(side: &Value) -> (Value, Value, Vec<Value>) {
    let deciders = steps(side).map(|s| s["decided_by"].clone()).collect();
    (side["request"]["disposition"].clone(), side["reply"]["disposition"].clone(), deciders)
}

/// The witness lies in its class, and its traces before and after show the difference the
/// class claims.
fn check_witness(case: &str, c: &Value, expected: &Class) {
    let what = format!("{case}: {} {} {}", expected.source, expected.protocol, expected.ports.join(" "));
    let witness = &c["witness"];
    assert_eq!(witness["protocol"], expected.protocol, "{what}");
    let destination: Ipv4Addr = text(&witness["destination"]).parse().expect("an IPv4 witness");
    assert!(expected.addresses.iter().any(|r| in_range(r, destination)), "{what}: witness {witness}");
    let port = witness["destination_port"].as_u64().expect("a port");
    match expected.ports {
        [] => assert_eq!(port, 0, "{what}: a protocol without ports"),
        ports => assert!(ports.iter().any(|p| in_ports(p, port)), "{what}: witness {witness}"),
    }
    let sides = [("before", expected.before, "after"), ("after", expected.after, "before")];
    for (name, (outcome, marks), other) in sides {
        let side = &c[name];
        assert_eq!(side["outcome"], outcome, "{what}: {name}");
        assert_eq!(&side["request"]["packet"], witness, "{what}: the {name} trace walks the witness");
        let has = |side: &Value, mark: &str| steps(side).any(|s| text(&s["headline"]).contains(mark));
        for mark in marks {
            assert!(has(side, mark), "{what}: the {name} trace lacks `{mark}`:\n{side:#}");
            assert!(!has(&c[other], mark), "{what}: the {other} trace has `{mark}` too");
        }
    }
    assert_ne!(decisions(&c["before"]), decisions(&c["after"]), "{what}: the traces decide alike");
    let access = |name: &str| matches!(text(&c[name]["outcome"]), "works" | "delivered");
    let change = match (access("before"), access("after")) {
        (false, true) => "new_access",
        (true, false) => "lost_access",
        _ => "changed_path",
    };
    assert_eq!(c["change"], change, "{what}: the change follows from the outcomes");
}

type ClassKey = (String, String, String, Vec<String>, Vec<String>, Vec<String>);

/// A class group by what it says: (source, change, protocol, addresses, ports, sorted names).
fn class_key(source: &str, change: &str, protocol: &str, lists: [Vec<String>; 3]) -> ClassKey {
    let [addresses, ports, mut names] = lists;
    names.sort();
    (source.into(), change.into(), protocol.into(), addresses, ports, names)
}

fn check_pair(e: &Expected) {
    let case = e.case;
    let (before, after) = pair(case);
    let (code, v) = diff_json(case, &[]);
    assert_eq!(code, e.code, "{case}: exit code");
    assert_eq!(v["schema"], "vnetsim-diff/2");
    assert_eq!((text(&v["before"]), text(&v["after"])), (before.as_str(), after.as_str()));
    assert_eq!(v["changed"], e.code == 1, "{case}");
    assert_eq!((items(&v["added_sources"]), items(&v["removed_sources"])), (&[][..], &[][..]), "{case}");

    let objects: Vec<(&str, &str, &str)> =
        items(&v["objects"]).iter().map(|o| (text(&o["kind"]), text(&o["name"]), text(&o["change"]))).collect();
    assert_eq!(objects, e.objects, "{case}: objects");

    // A folded entry stands for one class group per source it lists.
    let mut actual: Vec<(ClassKey, &Value)> = Vec::new();
    for c in items(&v["traffic"]) {
        assert!(!items(&c["sources"]).is_empty(), "{case}: an entry without sources");
        for source in strings(&c["sources"]) {
            let lists = [strings(&c["addresses"]), strings(&c["ports"]), strings(&c["names"])];
            actual.push((class_key(&source, text(&c["change"]), text(&c["protocol"]), lists), c));
        }
    }
    let key_of = |x: &Class| class_key(x.source, x.change, x.protocol, [x.addresses, x.ports, x.names].map(owned));
    let mut found: Vec<&ClassKey> = actual.iter().map(|(k, _)| k).collect();
    let mut wanted: Vec<ClassKey> = e.classes.iter().map(key_of).collect();
    found.sort();
    wanted.sort();
    assert_eq!(found, wanted.iter().collect::<Vec<_>>(), "{case}: class groups");
    for x in e.classes {
        let key = key_of(x);
        let (_, c) = actual.iter().find(|(k, _)| *k == key).expect("matched above");
        check_witness(case, c, x);
    }

    let flows: Vec<(&str, &str, &str, &str, &str)> = (items(&v["flows"]).iter())
        .map(|f| (text(&f["flow"]), text(&f["source"]), text(&f["workspace"]), text(&f["before"]), text(&f["after"])))
        .collect();
    let wanted: Vec<_> = e.flows.iter().map(|f| (f.0, f.1, f.2, f.3, f.4)).collect();
    assert_eq!(flows, wanted, "{case}: flows");
    for (f, wanted) in items(&v["flows"]).iter().zip(e.flows) {
        assert!(text(&f["after_reason"]).contains(wanted.5), "{case}: {f}");
    }

    let expectations: Vec<(&str, &str, &str, &str)> = (items(&v["expectations"]).iter())
        .map(|x| (text(&x["kind"]), text(&x["expectation"]), text(&x["before"]), text(&x["after"])))
        .collect();
    assert_eq!(expectations, e.expectations, "{case}: expectations");

    let findings = items(&v["exfiltration"]);
    let gained_lost: Vec<(&str, &str, &str)> =
        findings.iter().map(|x| (text(&x["change"]), text(&x["source"]), text(&x["finding"]["destination"]))).collect();
    let wanted: Vec<_> = e.exfiltration.iter().map(|x| (x.0, x.1, x.2)).collect();
    assert_eq!(gained_lost, wanted, "{case}: exfiltration findings");
    for (x, wanted) in findings.iter().zip(e.exfiltration) {
        assert!(strings(&x["finding"]["by"]).iter().any(|b| b == wanted.3), "{case}: {x}");
    }
}

#[test]
fn nsg_tighten_loses_what_the_narrowed_rule_no_longer_matches() {
    check_pair(&NSG_TIGHTEN);
}

#[test]
fn firewall_opens_storage_gains_every_account_of_the_region() {
    check_pair(&FIREWALL_OPENS_STORAGE);
}

#[test]
fn dns_link_removed_breaks_flows_but_no_class() {
    check_pair(&DNS_LINK_REMOVED);
}

#[test]
fn route_bypasses_firewall_changes_the_path_of_443_and_opens_the_rest() {
    check_pair(&ROUTE_BYPASSES_FIREWALL);
}

#[test]
fn pe_32_override_reaches_the_key_vault_past_the_firewall() {
    check_pair(&PE_32_OVERRIDE);
}

#[test]
fn noop_reorder_is_no_change() {
    check_pair(&NOOP_REORDER);
    let (before, after) = pair("noop-reorder");
    let (code, out, err) = vnetsim(&["diff", &before, &after]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.starts_with(&format!("diff {before} -> {after}: no change\n")), "{out}");
    let (code, out, _) = vnetsim(&["diff", &before, &after, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(out.contains("\n**no change**\n") && !out.contains("####"), "{out}");
}

#[test]
fn a_file_diffed_with_itself_is_no_change() {
    let files = CASES.iter().map(|c| pair(c).0);
    let builtin = ["scenarios/19-data-exfiltration-prevention.yaml", "scenarios/22-v1-secure-workspace.yaml"];
    for file in files.chain(builtin.map(String::from)) {
        // --everything walks every class on both sides, so equal walks must compare equal.
        for extra in [None, Some("--everything")] {
            let mut args = vec!["diff", file.as_str(), file.as_str()];
            args.extend(extra);
            let (code, out, err) = vnetsim(&args);
            assert_eq!((code, err.as_str()), (0, ""), "{args:?}:\n{out}");
            assert!(out.starts_with(&format!("diff {file} -> {file}: no change\n")), "{args:?}:\n{out}");
        }
    }
}

/// The JSON flags and the exit codes of `--fail-on new-access`, `lost-access` and `any`.
fn assert_gates(case: &str, new_access: bool, lost_access: bool) {
    let (code, v) = diff_json(case, &[]);
    assert_eq!((&v["new_access"], &v["lost_access"]), (&new_access.into(), &lost_access.into()), "{case}");
    for (gate, fails) in [("new-access", new_access), ("lost-access", lost_access), ("any", code == 1)] {
        let (code, _) = diff_json(case, &["--fail-on", gate]);
        assert_eq!(code, fails as i32, "{case} --fail-on {gate}");
    }
}

#[test]
fn fail_on_gates_on_the_access_changes_a_pair_has() {
    // nsg-tighten only closes traffic; firewall-opens-storage and pe-32-override only open it
    // (pe-32's other changes keep non-TCP blocked); dns-link-removed breaks flows that worked.
    for (case, new_access, lost_access) in [
        ("nsg-tighten", false, true),
        ("firewall-opens-storage", true, false),
        ("pe-32-override", true, false),
        ("dns-link-removed", false, true),
        ("noop-reorder", false, false),
    ] {
        assert_gates(case, new_access, lost_access);
    }
}

#[test]
fn a_finding_whose_openers_change_is_not_lost_access() {
    // Everything app reached before (tcp 443 to 192.0.2.0/24) it still reaches, by another path
    // (changed_path). The finding listed as lost is the same destination with other openers, so
    // no traffic "got through before and does not after" (Gate::LostAccess).
    assert_gates("route-bypasses-firewall", true, false);
}

#[test]
fn markdown_has_the_tables_and_folds_each_class_trace() {
    let (before, after) = pair("route-bypasses-firewall");
    let (code, md, err) = vnetsim(&["diff", &before, &after, "--format", "markdown"]);
    assert_eq!((code, err.as_str()), (1, ""));
    assert!(md.starts_with(&format!("### vnetsim diff: {before} → {after}\n")), "{md}");
    for heading in [
        "#### Changed objects\n\n| | kind | name | fields |\n",
        "#### Traffic\n\n| sources | change | traffic | before | after |\n",
        "#### Expectations\n\n| kind | expectation | before | after |\n",
    ] {
        assert!(md.contains(heading), "no {heading:?}:\n{md}");
    }
    assert!(md.contains("\n| + | route | workload-rt/partner-direct |  |\n"), "{md}");
    let blocks: Vec<&str> = md.split("<details><summary>").skip(1).collect();
    assert_eq!(blocks.len(), ROUTE_BYPASSES_FIREWALL.classes.len(), "one block per class:\n{md}");
    for block in &blocks {
        let block = block.split("</details>").next().expect("a closed block");
        assert!(block.contains("\nbefore request: ") && block.contains("\nafter request: "), "{block}");
    }
    assert!(blocks[0].starts_with("app: new_access tcp 192.0.2.0/24 port 0-442,444-65535</summary>"), "{md}");
    assert!(md.contains("<details><summary>app: changed_path tcp 192.0.2.0/24 port 443</summary>"), "{md}");

    let (before, after) = pair("dns-link-removed");
    let (_, md, _) = vnetsim(&["diff", &before, &after, "--format", "markdown"]);
    assert!(md.contains("#### Flows\n\n| flow | source | workspace | before | after |\n"), "{md}");
    assert!(md.contains("\n| studio-access | jumpbox | ws | works | broken |\n"), "{md}");
    assert!(!md.contains("<details>") && !md.contains("#### Traffic"), "no class changes:\n{md}");
}

#[test]
fn human_output_names_the_changed_rule_and_the_deciding_rules() {
    let (before, after) = pair("nsg-tighten");
    let (code, out, err) = vnetsim(&["diff", &before, &after]);
    assert_eq!((code, err.as_str()), (1, ""));
    assert!(
        out.starts_with(&format!(
            "diff {before} -> {after}: changed: 0 new-access, 2 lost-access and 0 changed-path class groups, \
             1 object, 0 flows, 1 expectation, 0 exfiltration findings\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "\nchanged objects:\n  ~ nsg_rule web-nsg/allow-admin: source 10.1.0.0/16 -> 10.1.2.0/24, \
             destination_ports 22, 8000-8100 -> 22, 8080\n"
        ),
        "{out}"
    );
    let entry = "\n  lost access tcp 10.0.1.4 port 22,8000-8100 (4 classes) from batch-vm\n";
    let batch = out.split(entry).nth(1).expect("batch-vm's changes");
    let lines: Vec<&str> = std::iter::once("").chain(batch.lines()).collect();
    assert!(lines[1].starts_with("    before: works at web (app/web); ") && lines[1].contains("rule allow-admin"));
    assert!(
        lines[2].starts_with("    after : denied_by_nsg; ")
            && lines[2].ends_with("rule deny-all-in priority 4000 inbound deny")
    );
    assert_eq!(lines[3], "    witness: tcp 10.1.3.4:50000 -> 10.0.1.4:22");
}

/// Runs git in `dir`, failing the test if it fails.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn git_compares_the_committed_file_with_the_working_copy() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: skipping the --git test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("vnetsim-cli-diff-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let (before, after) = pair("nsg-tighten");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = dir.join("scenario.yaml");
    std::fs::copy(root.join(&before), &file).expect("copy before.yaml");
    git(&dir, &["init", "-q"]);
    git(&dir, &["config", "user.name", "vnetsim tests"]);
    git(&dir, &["config", "user.email", "tests@vnetsim.invalid"]);
    git(&dir, &["config", "commit.gpgsign", "false"]);
    git(&dir, &["add", "scenario.yaml"]);
    git(&dir, &["commit", "-q", "-m", "before"]);
    std::fs::copy(root.join(&after), &file).expect("copy after.yaml");

    let path = file.to_str().expect("a UTF-8 temp path");
    let (code, out, err) = vnetsim(&["diff", "--git", "HEAD", path, "--format", "json"]);
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    let by_git = json(&out);
    assert_eq!((text(&by_git["before"]), text(&by_git["after"])), (format!("{path}@HEAD").as_str(), path));
    let (_, by_files) = diff_json("nsg-tighten", &[]);
    for part in ["summary", "objects", "traffic", "flows", "expectations", "exfiltration"] {
        assert_eq!(by_git[part], by_files[part], "{part} differ between --git and the file pair");
    }

    let (code, out, err) = vnetsim(&["diff", "--git", "no-such-revision", path]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.starts_with(&format!("error: --git: cannot read {path} at no-such-revision: ")), "{err}");
    std::fs::remove_dir_all(&dir).expect("remove the temp dir");
}

#[test]
fn bad_input_exits_2() {
    let (before, after) = pair("nsg-tighten");
    let broken = "tests/fixtures/diff/malformed-after.yaml";
    let (code, out, err) = vnetsim(&["diff", &before, broken]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    let headers = error_headers(&err);
    assert_eq!(headers.len(), 1, "{err}");
    assert!(headers[0].starts_with(&format!("{broken}:9:20: error: YAML syntax error: unclosed bracket")), "{err}");

    for (args, message) in [
        (vec!["diff", before.as_str()], "error: diff needs two files: BEFORE AFTER\n"),
        (vec!["diff", "--git", "HEAD", before.as_str(), after.as_str()], "error: diff --git REV takes one FILE\n"),
    ] {
        let (code, out, err) = vnetsim(&args);
        assert_eq!((code, out.as_str(), err.as_str()), (2, "", message), "{args:?}");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let (before, after) = pair("route-bypasses-firewall");
    let args = ["diff", before.as_str(), after.as_str(), "--format", "json"];
    let first = vnetsim(&args);
    assert_eq!(first, vnetsim(&args), "{args:?} differs between runs");
}

#[test]
fn everything_finds_what_the_pruned_walk_finds() {
    for case in CASES {
        let (code, mut pruned) = diff_json(case, &[]);
        let (everything_code, mut everything) = diff_json(case, &["--everything"]);
        assert_eq!(everything["work"]["everything"], true, "{case}");
        assert_eq!(code, everything_code, "{case}");
        // Only the work done may differ.
        pruned.as_object_mut().expect("an object").remove("work");
        everything.as_object_mut().expect("an object").remove("work");
        assert_eq!(pruned, everything, "{case}");
    }
}

/// Issue 21: the text reads from the top: counts first, then each change once with the sources
/// that see it. Old behaviour: no summary, and the firewall's lost PyPI rule listed once per
/// compute (`traffic from cpu-cluster:` and again `traffic from ci-alice:`).
#[test]
fn text_starts_with_the_summary_and_folds_changes_across_sources() {
    let (before, after) =
        ("scenarios/18-hub-spoke-firewall-custom-dns.yaml", "scenarios/26-variant-firewall-missing-pypi.yaml");
    let (code, out, err) = vnetsim(&["diff", before, after]);
    assert_eq!((code, err.as_str()), (1, ""));
    let at = |part: &str| out.find(part).unwrap_or_else(|| panic!("no {part:?}:\n{out}"));
    assert!(at("\nsummary:\n") < at("\nchanged objects:\n") && at("\nchanged objects:\n") < at("\ntraffic:\n"));
    assert!(out.contains("\n  objects: scenario 1 modified; firewall_rule 1 removed\n"), "{out}");
    assert!(out.contains("\n  lost access: 3 entries seen by 2 sources (6 before folding)\n"), "{out}");
    let entry = "\n  lost access tcp 203.0.113.20 port 443 named pypi.org (1 class) from cpu-cluster, ci-alice\n";
    assert!(out.contains(entry), "{out}");
    assert!(!out.contains("traffic from "), "{out}");
}

/// Issue 21: two generated landing zones differ everywhere (region, names, rules): the
/// Markdown would run past a GitHub comment (65,536 characters), so it stops short of
/// `MARKDOWN_LIMIT` (60,000) and says what it left out and where everything is. Old behaviour:
/// every class group and its traces, megabytes at 100 spokes.
#[test]
fn markdown_of_a_large_diff_stays_under_the_comment_limit_and_says_what_it_left_out() {
    let (dir, files) = generated_pair("budget");
    let (code, md, err) = vnetsim(&["diff", &files[0], &files[1], "--format", "markdown"]);
    assert_eq!((code, err.as_str()), (1, ""));
    assert!(md.len() < 60_000, "{} bytes", md.len());
    assert!(md.contains("\n#### Summary\n\n- objects: "), "{md}");
    let left_out = md.lines().find(|l| l.contains(" left out to stay under GitHub's comment size")).expect("the line");
    assert!(left_out.ends_with("`--format json` has everything.**"), "{left_out}");
    let count: usize = left_out.trim_start_matches("**").split(' ').next().unwrap().parse().expect("a count");
    // The JSON has every entry: the ones written and the ones left out.
    let (_, json_out, _) = vnetsim(&["diff", &files[0], &files[1], "--format", "json"]);
    let v = json(&json_out);
    let entries: usize =
        ["objects", "traffic", "flows", "expectations", "exfiltration"].iter().map(|part| items(&v[part]).len()).sum();
    let traffic = items(&v["traffic"]).len();
    // Traffic shows twice (its table row and its traces): entries + traffic, plus the summary.
    assert!(count > 0 && count < entries + traffic + 40, "{count} of {entries}");
    assert!(md.ends_with("per source_\n"), "the work line closes the comment");
    std::fs::remove_dir_all(&dir).expect("remove the temp dir");
}

/// Two generated zones of two spokes each, written to a fresh temp dir: a diff with thousands of
/// entries. Returns the dir (to remove) and the two files.
fn generated_pair(tag: &str) -> (std::path::PathBuf, [String; 2]) {
    let dir = std::env::temp_dir().join(format!("vnetsim-diff-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = |seed: &str| {
        let (code, yaml, err) = vnetsim(&["gen", "--spokes", "2", "--seed", seed]);
        assert_eq!((code, err.as_str()), (0, ""));
        let file = dir.join(format!("seed-{seed}.yaml"));
        std::fs::write(&file, yaml).expect("write a generated zone");
        file.display().to_string()
    };
    let files = [file("1"), file("2")];
    (dir, files)
}

/// The entries of a human section: its indented lines up to the next blank line, entries being
/// the lines indented by exactly two spaces (traffic entries have indented detail lines).
fn text_section<'a>(out: &'a str, heading: &str) -> Vec<&'a str> {
    let at = out.find(&format!("\n{heading}:\n")).unwrap_or_else(|| panic!("no {heading}:\n{out}"));
    (out[at..].lines().skip(2))
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .collect()
}

/// The human text of a large diff lists each section's first 20 entries and ends each capped
/// section with a line counting the rest, which is exactly what the JSON has beyond 20;
/// `--detail` lists every one. Old behaviour: every entry (487 MB for two 100-spoke zones).
#[test]
fn text_of_a_large_diff_caps_each_section_and_detail_lists_every_entry() {
    let (dir, [a, b]) = generated_pair("text-cap");
    let (_, json_out, _) = vnetsim(&["diff", &a, &b, "--format", "json"]);
    let v = json(&json_out);
    let (code, out, err) = vnetsim(&["diff", &a, &b]);
    assert_eq!((code, err.as_str()), (1, ""));
    let (_, detail, _) = vnetsim(&["diff", &a, &b, "--detail"]);
    let mut capped = 0;
    let sections = [
        ("changed objects", "objects"),
        ("traffic", "traffic"),
        ("flows", "flows"),
        ("expectations", "expectations"),
        ("exfiltration", "exfiltration"),
    ];
    for (heading, part) in sections {
        let total = items(&v[part]).len();
        let lines = text_section(&out, heading);
        let all = text_section(&detail, heading);
        assert_eq!(all.len(), total, "--detail lists every {part} entry");
        assert!(all.iter().all(|l| !l.contains(" more (--format json")), "{heading}");
        if total > 20 {
            capped += 1;
            let (last, entries) = lines.split_last().expect("entries");
            assert_eq!(entries.len(), 20, "{heading}");
            assert_eq!(entries, &all[..20], "the cap keeps the first entries");
            assert_eq!(*last, format!("  … and {} more (--format json or --detail lists every one)", total - 20));
        } else {
            assert_eq!(lines, all, "{heading}: under the cap, all of it");
        }
    }
    assert!(capped >= 4, "the pair has sections over the cap:\n{out}");
    // The summary is whole in both.
    let summary = |t: &str| t[..t.find("\nchanged objects:\n").expect("objects")].to_string();
    assert_eq!(summary(&out), summary(&detail));
    assert!(out.ends_with("per source\n") && detail.ends_with("per source\n"), "the work line closes the text");
    std::fs::remove_dir_all(&dir).expect("remove the temp dir");
}
