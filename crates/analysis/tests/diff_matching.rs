//! Issue 21: a diff reads at enterprise size. Changes every source sees alike are one entry,
//! a renamed workspace is one object change and changes no flow, and an expectation whose
//! label changed is still the same expectation when it says the same thing.

use vnetsim_analysis::diff::objects::{ObjectChangeKind, ObjectKind};
use vnetsim_analysis::diff::traffic::Change;
use vnetsim_analysis::diff::{DiffOptions, diff};
use vnetsim_analysis::flows::FlowStatus;
use vnetsim_testkit::{builtin_scenario_text, compile, load};

const S18: &str = "18-hub-spoke-firewall-custom-dns";

/// Scenario 18 with every `mlws` (the workspace's name) renamed.
fn renamed_workspace() -> String {
    let text = builtin_scenario_text(S18);
    let renamed = text.replace("mlws/", "analytics/").replace(": mlws", ": analytics").replace("[mlws]", "[analytics]");
    assert_ne!(renamed, text);
    renamed
}

/// Old behaviour: flows were matched by (flow, source, workspace) only, so every cell of the
/// renamed workspace read `absent -> works` and every old one `works -> absent`; the workspace
/// itself read as one removed and one added service.
#[test]
fn renaming_a_workspace_changes_no_flow_and_is_one_object_change() {
    let before = compile(load(&builtin_scenario_text(S18)));
    let after = compile(load(&renamed_workspace()));
    let d = diff(&before, &after, DiffOptions::default());
    assert!(d.flows.is_empty(), "flows: {:?}", d.flows.iter().map(|f| f.cell().flow).collect::<Vec<_>>());
    assert!(!d.flows.iter().any(|f| f.status(0).is_none() && f.status(1) == Some(FlowStatus::Works)));
    let services: Vec<_> = d.objects.iter().filter(|o| o.kind == ObjectKind::Service).collect();
    let renames: Vec<_> = services.iter().filter(|o| o.fields.first().is_some_and(|f| f.field == "name")).collect();
    assert_eq!(renames.len(), 1, "{services:#?}");
    let rename = &renames[0];
    assert_eq!((rename.name.as_str(), &rename.change), ("analytics", &ObjectChangeKind::Modified));
    assert_eq!(rename.fields[0].before.as_deref(), Some("mlws"));
    assert!(!services.iter().any(|o| o.change != ObjectChangeKind::Modified), "{services:#?}");
    // The flow expectation naming the workspace as its source is the same expectation.
    assert!(d.expectations.is_empty(), "{:?}", d.expectations.iter().map(|e| &e.result().label).collect::<Vec<_>>());
}

/// Old behaviour: expectations were matched by label only, so renaming one read as one
/// expectation gone and another new. Its content still tells a real change apart.
#[test]
fn an_expectation_renamed_is_matched_by_what_it_says() {
    let text = builtin_scenario_text(S18);
    let old = "the registry's data name is in privatelink.azurecr.io too (P-4, A-8)";
    // The scenario's name changes too: a diff without changed objects or places runs no verdicts.
    let relabelled = text
        .replace(old, "registry data endpoint resolves privately")
        .replace("name: hub-spoke-firewall-custom-dns", "name: relabelled");
    assert!(!relabelled.contains(old) && !relabelled.contains("hub-spoke-firewall-custom-dns"));
    let before = compile(load(&text));
    let after = compile(load(&relabelled));
    let d = diff(&before, &after, DiffOptions::default());
    assert!(d.expectations.is_empty(), "{:?}", d.expectations.iter().map(|e| &e.result().label).collect::<Vec<_>>());

    // Relabelled and turned the wrong way: one change, paired across the two labels.
    let flipped = relabelled.replace(
        "to: https://mlacr.eastus.data.azurecr.io\n    resolves_to: private\n    outcome: allowed",
        "to: https://mlacr.eastus.data.azurecr.io\n    resolves_to: private\n    outcome: denied",
    );
    assert_ne!(flipped, relabelled);
    let after = compile(load(&flipped));
    let d = diff(&before, &after, DiffOptions::default());
    assert_eq!(d.expectations.len(), 1);
    assert_eq!([d.expectations[0].passed(0), d.expectations[0].passed(1)], [Some(true), Some(false)]);
}

/// Two computes of one subnet lose the same traffic when the firewall loses its PyPI rule: one
/// entry listing both, not one per compute (scenario 26 is 18 without the rule).
#[test]
fn changes_every_source_sees_alike_are_one_entry() {
    let before = compile(load(&builtin_scenario_text(S18)));
    let after = compile(load(&builtin_scenario_text("26-variant-firewall-missing-pypi")));
    let d = diff(&before, &after, DiffOptions::default());
    let per_source: usize = d.sources.iter().map(|s| s.changes.len()).sum();
    assert_eq!(d.traffic.iter().map(|f| f.sources.len()).sum::<usize>(), per_source, "no change lost or doubled");
    assert!(d.traffic.len() < per_source, "nothing folded");
    let names = |f: &vnetsim_analysis::diff::traffic::Folded| -> Vec<&str> {
        f.sources.iter().map(|s| d.sources[*s].source.as_str()).collect()
    };
    for f in &d.traffic {
        assert_eq!(names(f), ["cpu-cluster", "ci-alice"]);
        // Folded only with its equals: every source's own change is alike but for the source.
        let (_, first) = f.first(&d.sources);
        for s in &f.sources {
            let same = d.sources[*s].changes.iter().find(|c| {
                (c.change, &c.ranges, &c.names, c.before, c.after, &c.deciders)
                    == (first.change, &first.ranges, &first.names, first.before, first.after, &first.deciders)
            });
            assert!(same.is_some(), "{} has no such change", d.sources[*s].source);
        }
    }
    // New access first, then lost access, then changed paths.
    let kinds: Vec<Change> = d.traffic.iter().map(|f| f.first(&d.sources).1.change).collect();
    assert!(kinds.is_sorted(), "{kinds:?}");
}
