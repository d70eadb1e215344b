//! The JSON Schema of every JSON output, generated from the report types themselves, so the
//! files in `docs/schemas/` cannot say something the output does not do. A test compares them
//! with the checked-in files, and the CLI tests validate real output against those.

use crate::output::{Envelope, Report};
use crate::{audit, bench, catalogue, check, diff, flows, graph, reach, replay, routes, suite, trace};
use schemars::Schema;
use schemars::generate::SchemaSettings;
use serde_json::json;

/// Every report's schema id and schema.
pub fn all() -> Vec<(&'static str, Schema)> {
    vec![
        of::<trace::TraceReport>(),
        of::<suite::SuiteReport>(),
        of::<flows::FlowReport>(),
        of::<catalogue::CatalogueReport>(),
        of::<reach::ReachReports>(),
        of::<audit::AuditReport>(),
        of::<diff::DiffReport>(),
        of::<replay::ReplayReport>(),
        of::<check::CheckReport>(),
        of::<check::WorkspaceCheckReport>(),
        of::<routes::RoutesReport>(),
        of::<bench::BenchReport>(),
        of::<graph::GraphReport>(),
    ]
}

/// The file a schema id is kept in under `docs/schemas/`: `vnetsim-trace/1` → `vnetsim-trace-1.json`.
pub fn file_name(id: &str) -> String {
    format!("{}.json", id.replace('/', "-"))
}

fn of<R: Report + 'static>() -> (&'static str, Schema) {
    // Output schemas: a field serde may leave out (`skip_serializing_if`) is not required.
    let generator = SchemaSettings::default().for_serialize().into_generator();
    let mut schema = generator.into_root_schema_for::<Envelope<'static, R>>();
    schema.insert("$id".into(), json!(format!("urn:vnetsim:schema:{}", R::SCHEMA)));
    schema.insert("title".into(), json!(R::SCHEMA));
    // The id is a constant of each schema: output of another version does not validate.
    if let Some(properties) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        properties.insert("schema".into(), json!({ "type": "string", "const": R::SCHEMA }));
    }
    (R::SCHEMA, schema)
}
