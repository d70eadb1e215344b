//! Exports of what runs: the JSON Azure returns for deployed resources — one resource body
//! (a REST GET, `az … show`), an array of them (`az … list`), a `{"value": […]}` page (a REST
//! list), a Resource Graph `{"data": […]}` result, or Azure's REST API example wrapper (the body
//! under `responses."200".body`) — and a folder of such files.
//!
//! Values are resolved already; resources are named by their ids, from which the full type and
//! name (`vnet/subnet`) are read. Read-only properties (provisioningState, etag, resourceGuid,
//! Azure's defaultSecurityRules) stay in `properties` for the adapter to read or ignore; child
//! resources embedded in their parent (a VNet's `subnets`) stay embedded.

use std::collections::{BTreeMap, HashSet};

use crate::arm::ArmResource;
use crate::azurerm::ids;
use crate::instance::Origin;
use crate::json::{self, Lines, Node, Span};
use crate::value::Value;
use vnetsim_config::Diagnostic;

const HELP: &str = "an export is a resource body, an array of them, a {\"value\": […]} page or a REST example (responses.\"200\".body), as `az … show/list -o json` or a REST GET writes";

/// The resources of one export file.
pub fn read(file: &str, text: &str) -> Result<Vec<ArmResource>, Vec<Diagnostic>> {
    let clean = json::strip_comments(text);
    let lines = Lines::new(&clean);
    let root_json = json::parse(file, &clean, &lines, HELP).map_err(|e| vec![e])?;
    let spans = Span::scan(&clean);
    let mut reader = Reader { file, text: &clean, lines: &lines, errors: Vec::new(), out: Vec::new() };
    reader.document(Node::new(&root_json, &spans), "");
    if reader.errors.is_empty() { Ok(reader.out) } else { Err(reader.errors) }
}

/// The resources of a folder of exports, given as (name, text) pairs in the order to read them.
/// A resource exported twice (a list and a GET of it, or two examples of one id) counts once:
/// the first reading is kept, in the order the files are given.
pub fn read_all(files: &[(String, String)]) -> Result<Vec<ArmResource>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (name, text) in files {
        match read(name, text) {
            Ok(resources) => {
                out.extend(resources.into_iter().filter(|r| seen.insert(r.id.to_ascii_lowercase())));
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Whether `text` is an ARM template: a `$schema` naming `deploymentTemplate`, or `resources`
/// with a `contentVersion` (and no `deploymentParameters` schema).
pub fn looks_like_template(text: &str) -> bool {
    let schema = text.find("\"$schema\"").and_then(|at| text[at..].lines().next());
    match schema {
        Some(line) if line.contains("deploymentTemplate") => true,
        Some(line) if line.contains("deploymentParameters") => false,
        _ => text.contains("\"contentVersion\"") && text.contains("\"resources\""),
    }
}

/// Whether `text` is an export: an object or array whose resources have an `id` under
/// `providers/Microsoft.…` (and, when typed, a `Microsoft.` type), or a REST example wrapper.
pub fn looks_like_export(text: &str) -> bool {
    if looks_like_template(text) {
        return false;
    }
    let clean = json::strip_comments(text);
    let Ok(root) = serde_json::from_str::<serde_json::Value>(&clean) else { return false };
    fn resource(v: &serde_json::Value) -> bool {
        let id = v
            .get("id")
            .and_then(|i| i.as_str())
            .is_some_and(|i| i.to_ascii_lowercase().contains("/providers/microsoft."));
        let typed = v.get("type").and_then(|t| t.as_str()).is_none_or(|t| t.starts_with("Microsoft."));
        id && typed
    }
    fn items(v: &serde_json::Value) -> bool {
        v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(resource))
    }
    match &root {
        serde_json::Value::Array(_) => items(&root),
        serde_json::Value::Object(m) => {
            m.get("responses").is_some_and(|r| r.is_object())
                || m.get("value").is_some_and(items)
                || m.get("data").is_some_and(items)
                || resource(&root)
        }
        _ => false,
    }
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    lines: &'a Lines,
    errors: Vec<Diagnostic>,
    out: Vec<ArmResource>,
}

impl Reader<'_> {
    fn error(&mut self, at: usize, path: &str, message: String) {
        let message = if path.is_empty() { message } else { format!("`{path}`: {message}") };
        self.errors.push(Diagnostic {
            file: self.file.to_string(),
            loc: self.lines.loc(self.text, at),
            message,
            help: Some(HELP.into()),
        });
    }

    fn document(&mut self, node: Node, path: &str) {
        match node.json {
            serde_json::Value::Array(_) => {
                for (i, item) in node.items().enumerate() {
                    self.resource(item, &json::index(path, i));
                }
            }
            serde_json::Value::Object(_) => {
                if let Some(responses) = node.get("responses") {
                    let rpath = json::member(path, "responses");
                    match responses.get("200").or_else(|| responses.get("201")).and_then(|r| r.get("body")) {
                        Some(body) => self.document(body, &json::member(&json::member(&rpath, "200"), "body")),
                        None => self.error(
                            responses.start(),
                            &rpath,
                            "a REST example without a `200` response `body`".into(),
                        ),
                    }
                } else if let Some(list) = node.get("value").or_else(|| node.get("data")).filter(|v| v.json.is_array())
                {
                    let key = if node.get("value").is_some() { "value" } else { "data" };
                    self.document(list, &json::member(path, key));
                } else {
                    self.resource(node, path);
                }
            }
            other => {
                let found = json::type_name(other);
                self.error(
                    node.start(),
                    path,
                    format!("not an export: {found}, where a resource or a list of them belongs"),
                );
            }
        }
    }

    fn resource(&mut self, node: Node, path: &str) {
        if !node.json.is_object() {
            let found = json::type_name(node.json);
            self.error(node.start(), path, format!("a resource is {found}, not an object"));
            return;
        }
        let Some(id) = node.get("id").and_then(Node::as_str) else {
            self.error(
                node.start(),
                path,
                "an exported resource without `id` (vnetsim names resources by their ids)".into(),
            );
            return;
        };
        let Some(parsed) = ids::parse(id).filter(|p| !p.segments.is_empty()) else {
            let at = node.get("id").map_or(node.start(), Node::start);
            self.error(
                at,
                &json::member(path, "id"),
                format!("{id:?} is not the id of a resource in a resource group"),
            );
            return;
        };
        let mut rtype = parsed.segments[0].0.to_string();
        for (segment, _) in &parsed.segments[1..] {
            rtype.push('/');
            rtype.push_str(segment);
        }
        let name = parsed.segments.iter().map(|(_, n)| *n).collect::<Vec<_>>().join("/");
        if let Some(declared) = node.get("type").and_then(Node::as_str)
            && !declared.eq_ignore_ascii_case(&rtype)
        {
            let at = node.get("type").map_or(node.start(), Node::start);
            self.error(
                at,
                &json::member(path, "type"),
                format!("the type {declared:?} does not match the id, which names a {rtype}"),
            );
            return;
        }
        let mut extra = BTreeMap::new();
        for key in ["sku", "zones", "kind", "identity", "tags"] {
            if let Some(v) = node.get(key) {
                extra.insert(key.to_string(), Value::from_json(v.json));
            }
        }
        self.out.push(ArmResource {
            rtype,
            name,
            id: id.to_string(),
            resource_group: parsed.resource_group.to_string(),
            location: node.get("location").and_then(Node::as_str).map(str::to_string),
            properties: node
                .get("properties")
                .map_or_else(|| Value::map(BTreeMap::new()), |p| Value::from_json(p.json)),
            extra: Value::map(extra),
            symbolic: None,
            origin: Origin { file: self.file.to_string(), loc: self.lines.loc(self.text, node.start()) },
        });
    }
}
