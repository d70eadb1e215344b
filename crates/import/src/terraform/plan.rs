//! `terraform show -json` output (a plan or a state) read into instances.
//!
//! A plan's `planned_values` holds every resource instance as it will be after apply, leaving
//! out what only apply will know; `resource_changes[].change.after_unknown` marks those, and
//! they become [`Value::Unknown`]. Data sources read while planning are only in `prior_state`.
//! A state's `values` holds every resource as it is. Both nest modules in `child_modules`.
//!
//! Positions come from [`crate::json`]: errors and instances are located in the file the user
//! gave.

use crate::azurerm::ids;
use crate::instance::{Instance, Mode, Origin};
use crate::json::{self, Lines, Node, Span, type_name};
use crate::value::Value;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use vnetsim_config::{Diagnostic, Loc};

/// How `terraform show -json` output is made, for messages.
const HOW_TO_MAKE: &str = "write it with `terraform show -json tfplan > plan.json` (a saved plan) or \
`terraform show -json > state.json` (the current state)";

/// The resources of a plan or state, in file order (modules after their parent's resources).
pub fn read(file: &str, text: &str) -> Result<Vec<Instance>, Vec<Diagnostic>> {
    let lines = Lines::new(text);
    let help = format!("a Terraform plan or state is JSON; {HOW_TO_MAKE}");
    let json: Json = json::parse(file, text, &lines, &help).map_err(|e| vec![e])?;
    let spans = Span::scan(text);
    let mut reader = Reader { file, text, lines: &lines, errors: Vec::new() };
    let instances = reader.document(Node::new(&json, &spans));
    if reader.errors.is_empty() { Ok(instances) } else { Err(reader.errors) }
}

/// Whether `text` looks like `terraform show -json` output: a JSON object whose first keys are
/// Terraform's. Reads only the head of the text.
pub fn looks_like_plan(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    head.starts_with('{')
        && head.contains("\"format_version\"")
        && ["\"planned_values\"", "\"values\"", "\"terraform_version\""].iter().any(|key| head.contains(key))
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    lines: &'a Lines,
    errors: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn loc(&self, at: usize) -> Loc {
        self.lines.loc(self.text, at)
    }

    fn error(&mut self, at: usize, message: String, help: Option<String>) {
        self.errors.push(Diagnostic { file: self.file.to_string(), loc: self.loc(at), message, help });
    }

    fn document(&mut self, root: Node) -> Vec<Instance> {
        if !root.json.is_object() {
            let what = type_name(root.json);
            self.error(
                root.start(),
                format!("not a Terraform plan or state: the document is {what}, not an object"),
                Some(HOW_TO_MAKE.into()),
            );
            return Vec::new();
        }
        match root.get("format_version") {
            None => {
                self.error(
                    root.start(),
                    "not a Terraform plan or state: no `format_version`".into(),
                    Some(HOW_TO_MAKE.into()),
                );
                return Vec::new();
            }
            Some(version) => self.check_version(version),
        }
        let mut instances = if let Some(planned) = root.get("planned_values") {
            self.plan(root, planned)
        } else if let Some(values) = root.get("values") {
            self.values(values, "values")
        } else {
            self.no_values(root);
            return Vec::new();
        };
        instances.iter_mut().for_each(give_id);
        instances
    }

    fn no_values(&mut self, root: Node) {
        self.error(
            root.start(),
            "not a Terraform plan or state: neither `planned_values` (a plan) nor `values` (a state)".into(),
            Some(format!("an empty state has neither and holds nothing to import; {HOW_TO_MAKE}")),
        );
    }

    /// Terraform promises to change the major version only for changes readers must know.
    fn check_version(&mut self, version: Node) {
        let Some(text) = version.json.as_str() else {
            let what = type_name(version.json);
            self.error(version.start(), format!("`format_version` is {what}, not a string"), None);
            return;
        };
        let major = text.split('.').next().and_then(|m| m.parse::<u32>().ok());
        if !matches!(major, Some(0 | 1)) {
            self.error(
                version.start(),
                format!("unsupported Terraform JSON format version {text:?}: vnetsim reads versions 0.x and 1.x"),
                None,
            );
        }
    }

    fn plan(&mut self, root: Node, planned: Node) -> Vec<Instance> {
        let unknowns = self.after_unknown(root.get("resource_changes"));
        let mut instances = self.values(planned, "planned_values");
        for inst in &mut instances {
            if let Some(&marks) = unknowns.get(inst.address.as_str()) {
                let attrs = std::mem::replace(&mut inst.attrs, Value::Null);
                inst.attrs = self.mark_unknown(attrs, marks, &inst.address, &mut String::new());
            }
        }
        // Data sources read while planning are in the prior state only.
        if let Some(prior) = root.get("prior_state").and_then(|p| p.get("values")) {
            let planned: HashSet<String> = instances.iter().map(|i| i.address.clone()).collect();
            let mut prior = self.values(prior, "prior_state.values");
            prior.retain(|i| i.mode == Mode::Data && !planned.contains(&i.address));
            instances.extend(prior);
        }
        instances
    }

    /// `resource_changes`: each resource's `after_unknown`, by address.
    fn after_unknown<'a>(&mut self, changes: Option<Node<'a>>) -> HashMap<&'a str, Node<'a>> {
        let mut by_address = HashMap::new();
        let Some(changes) = changes else { return by_address };
        if !self.expect_array(changes, "resource_changes") {
            return by_address;
        }
        for change in changes.items() {
            // A deposed object is the old one create_before_destroy has not deleted yet.
            if change.get("deposed").is_some() {
                continue;
            }
            let Some(address) = change.get("address").and_then(|a| a.json.as_str()) else {
                self.error(change.start(), "a resource change without `address`".into(), None);
                continue;
            };
            if let Some(marks) = change.get("change").and_then(|c| c.get("after_unknown")) {
                by_address.insert(address, marks);
            }
        }
        by_address
    }

    /// `values` or `planned_values`: the root module and, recursively, its children.
    fn values(&mut self, values: Node, what: &str) -> Vec<Instance> {
        let mut instances = Vec::new();
        if !values.json.is_object() {
            let found = type_name(values.json);
            self.error(values.start(), format!("`{what}` is {found}, not an object"), None);
            return instances;
        }
        match values.get("root_module") {
            Some(root) => self.module(root, &mut instances),
            None => self.error(values.start(), format!("`{what}` has no `root_module`"), None),
        }
        instances
    }

    fn module(&mut self, module: Node, out: &mut Vec<Instance>) {
        if !module.json.is_object() {
            let found = type_name(module.json);
            self.error(module.start(), format!("a module is {found}, not an object"), None);
            return;
        }
        if let Some(resources) = module.get("resources")
            && self.expect_array(resources, "resources")
        {
            out.extend(resources.items().filter_map(|r| self.resource(r)));
        }
        if let Some(children) = module.get("child_modules")
            && self.expect_array(children, "child_modules")
        {
            for child in children.items() {
                self.module(child, out);
            }
        }
    }

    fn resource(&mut self, r: Node) -> Option<Instance> {
        if !r.json.is_object() {
            let found = type_name(r.json);
            self.error(r.start(), format!("a resource is {found}, not an object"), None);
            return None;
        }
        let address = self.required_str(r, "address", "a resource")?;
        let what = format!("resource `{address}`");
        let rtype = self.required_str(r, "type", &what);
        let mode = self.required_str(r, "mode", &what).and_then(|mode| match mode {
            "managed" => Some(Mode::Managed),
            "data" => Some(Mode::Data),
            other => {
                let at = r.get("mode").map_or(r.start(), Node::start);
                self.error(at, format!("{what}: unknown `mode` {other:?}; expected \"managed\" or \"data\""), None);
                None
            }
        });
        let values = match r.get("values") {
            Some(v) if v.json.is_object() => Some(v),
            Some(v) => {
                let found = type_name(v.json);
                self.error(v.start(), format!("{what}: `values` is {found}, not an object"), None);
                None
            }
            None => {
                self.error(r.start(), format!("{what} has no `values`"), None);
                None
            }
        };
        let (rtype, mode, values) = (rtype?, mode?, values?);
        let arg_locs = match values.span {
            Span::Object { keys, .. } => keys.iter().map(|k| (k.name.to_string(), self.loc(k.start))).collect(),
            _ => BTreeMap::new(),
        };
        Some(Instance {
            address: address.to_string(),
            mode,
            rtype: rtype.to_string(),
            attrs: Value::from_json(values.json),
            origin: Origin { file: self.file.to_string(), loc: self.loc(r.start()) },
            arg_locs,
        })
    }

    fn required_str<'a>(&mut self, r: Node<'a>, key: &str, what: &str) -> Option<&'a str> {
        match r.get(key) {
            Some(Node { json: Json::String(s), .. }) => Some(s),
            Some(other) => {
                let found = type_name(other.json);
                self.error(other.start(), format!("{what}: `{key}` is {found}, not a string"), None);
                None
            }
            None => {
                self.error(r.start(), format!("{what} without `{key}`"), None);
                None
            }
        }
    }

    fn expect_array(&mut self, node: Node, key: &str) -> bool {
        let ok = node.json.is_array();
        if !ok {
            let found = type_name(node.json);
            self.error(node.start(), format!("`{key}` is {found}, not an array"), None);
        }
        ok
    }

    /// `attrs` with every part `marks` (an `after_unknown` tree) says is `true` made unknown;
    /// `path` is where `attrs` is in the resource (`ip_configuration[0]`).
    fn mark_unknown(&mut self, attrs: Value, marks: Node, address: &str, path: &mut String) -> Value {
        match marks.json {
            Json::Bool(true) => Value::unknown(address, path.as_str()),
            Json::Bool(false) | Json::Null => attrs,
            Json::Object(_) => {
                let mut map = match attrs {
                    Value::Map(m) => Rc::unwrap_or_clone(m),
                    Value::Null => BTreeMap::new(),
                    other => return self.mismatch(marks, other, address, path),
                };
                let Span::Object { keys, .. } = marks.span else { return Value::map(map) };
                for key in keys {
                    let Some(json) = marks.json.get(key.name.as_ref()) else { continue };
                    let sub = Node { json, span: &key.value };
                    let len = path.len();
                    push_key(path, &key.name);
                    let old = map.remove(key.name.as_ref()).unwrap_or(Value::Null);
                    let new = self.mark_unknown(old, sub, address, path);
                    path.truncate(len);
                    if !new.is_null() {
                        map.insert(key.name.to_string(), new);
                    }
                }
                Value::map(map)
            }
            Json::Array(marked) => {
                let mut items = match attrs {
                    Value::List(items) | Value::Set(items) => Rc::unwrap_or_clone(items),
                    Value::Null => Vec::new(),
                    other => return self.mismatch(marks, other, address, path),
                };
                items.resize(items.len().max(marked.len()), Value::Null);
                for (i, sub) in marks.items().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    items[i] = self.mark_unknown(std::mem::replace(&mut items[i], Value::Null), sub, address, path);
                    path.truncate(len);
                }
                Value::list(items)
            }
            other => {
                let found = type_name(other);
                self.error(
                    marks.start(),
                    format!("`after_unknown` of `{address}` is {found} at `{path}`; expected true, false, an object or an array"),
                    None,
                );
                attrs
            }
        }
    }

    fn mismatch(&mut self, marks: Node, attrs: Value, address: &str, path: &str) -> Value {
        let (marked, found) = (type_name(marks.json), attrs.type_name());
        self.error(
            marks.start(),
            format!("`after_unknown` of `{address}` marks {marked} at `{path}`, where the planned value is a {found}"),
            None,
        );
        attrs
    }
}

/// The id vnetsim gives a resource whose id is not known yet (a plan's resources before apply);
/// a state's real ids stay.
fn give_id(inst: &mut Instance) {
    if matches!(inst.attrs.get("id"), Some(Value::String(_))) {
        return;
    }
    let id =
        ids::resource_id(&inst.rtype, &inst.attrs).map_or_else(|| Value::unknown(&inst.address, "id"), Value::string);
    if let Value::Map(m) = &mut inst.attrs {
        Rc::make_mut(m).insert("id".into(), id);
    }
}

/// Appends `key` to an attribute path the way Terraform writes it: `.name` or `["odd key"]`.
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => path.push_str(key),
        (true, false) => {
            path.push('.');
            path.push_str(key);
        }
        (false, _) => path.push_str(&format!("[{key:?}]")),
    }
}
