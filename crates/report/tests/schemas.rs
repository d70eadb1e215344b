//! Issue 18: the checked-in JSON Schemas (`docs/schemas/`) are the ones the report types generate.
//! After changing a report type on purpose: `UPDATE_SCHEMAS=1 cargo test -p vnetsim-report --test
//! schemas`, and review the diff (a changed field needs a new schema version, docs/schemas/README.md).

use std::path::Path;
use vnetsim_report::schemas::{all, file_name};

#[test]
fn issue_18_checked_in_schemas_match_the_report_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (id, schema) in all() {
        let path = dir.join(file_name(id));
        let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if update {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "schemas differ from the report types: {stale:?}; run UPDATE_SCHEMAS=1 cargo test -p vnetsim-report --test schemas"
    );
}

#[test]
fn every_schema_id_is_versioned_and_unique() {
    let ids: Vec<&str> = all().into_iter().map(|(id, _)| id).collect();
    for id in &ids {
        let (name, version) = id.split_once('/').expect("name/version");
        assert!(name.starts_with("vnetsim-") && version.parse::<u32>().is_ok(), "{id}");
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}
