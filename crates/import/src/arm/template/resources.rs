//! Resources of a template: the `resources` array (or, in languageVersion 2.0, the object keyed
//! by symbolic name), each expanded by its `copy` loop, skipped when its `condition` is false,
//! named and typed in full (a child declared inline inside its parent's `resources` has a type
//! and name relative to the parent), and given the id Azure gives it.

use super::eval::{Fail, Here, R};
use super::{Evaluator, Loop, Pending, Res, Scope, State};
use crate::arm::functions;
use crate::azurerm::ids::SUBSCRIPTION;
use crate::json::{self, Node};
use crate::value::Value;

/// The parent of an inline child: its full type and name.
struct Parent {
    rtype: String,
    name: String,
}

impl<'a> Evaluator<'a> {
    /// A new scope for `template` (parameters and variables declared, not yet evaluated).
    pub(super) fn new_scope(
        &self,
        template: Node<'a>,
        path: &str,
        resource_group: String,
        deployment: String,
        values: Vec<super::parameters::GivenValue>,
        root: bool,
    ) -> usize {
        let params = self.declare_parameters(template, path, values, root);
        let vars = self.declare_variables(template, path);
        let mut scopes = self.scopes.borrow_mut();
        scopes.push(Scope { params, vars, resource_group, deployment });
        scopes.len() - 1
    }

    /// Adds the resources of `template` (evaluated in `scope`, deployed to `resource_group`).
    pub(super) fn expand_template(
        &self,
        template: Node<'a>,
        path: &str,
        scope: usize,
        resource_group: &str,
        loops: &[Loop],
    ) {
        let Some(resources) = template.get_ci("resources") else { return };
        let path = json::member(path, "resources");
        match resources.json {
            serde_json::Value::Array(_) => {
                for (i, decl) in resources.items().enumerate() {
                    self.expand(decl, &json::index(&path, i), scope, resource_group, loops, None, None);
                }
            }
            serde_json::Value::Object(_) => {
                for (symbol, _, decl) in resources.entries() {
                    self.expand(decl, &json::member(&path, symbol), scope, resource_group, loops, None, Some(symbol));
                }
            }
            other => {
                let found = json::type_name(other);
                self.report(
                    resources.start(),
                    &path,
                    format!("`resources` is {found}, not an array (or a symbolic-name object)"),
                    None,
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expand(
        &self,
        decl: Node<'a>,
        path: &str,
        scope: usize,
        resource_group: &str,
        loops: &[Loop],
        parent: Option<&Parent>,
        symbolic: Option<&str>,
    ) {
        if !decl.json.is_object() {
            let found = json::type_name(decl.json);
            self.report(decl.start(), path, format!("a resource is {found}, not an object"), None);
            return;
        }
        let iterations: Vec<Vec<Loop>> = match decl.get_ci("copy") {
            None => vec![loops.to_vec()],
            Some(copy) => {
                let copy_path = json::member(path, "copy");
                let Ok(n) = self.copy_count(copy, &copy_path, &Here { scope, loops }) else { return };
                let name = copy.get_ci("name").and_then(Node::as_str).unwrap_or("").to_string();
                (0..n)
                    .map(|index| {
                        let mut l = loops.to_vec();
                        l.push(Loop { name: name.clone(), index, resource: true });
                        l
                    })
                    .collect()
            }
        };
        for loops in iterations {
            let _ = self.instance(decl, path, scope, resource_group, loops, parent, symbolic);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn instance(
        &self,
        decl: Node<'a>,
        path: &str,
        scope: usize,
        resource_group: &str,
        loops: Vec<Loop>,
        parent: Option<&Parent>,
        symbolic: Option<&str>,
    ) -> R<()> {
        let here = Here { scope, loops: &loops };
        if let Some(condition) = decl.get_ci("condition") {
            let cpath = json::member(path, "condition");
            match self.value(condition, &cpath, &here)? {
                Value::Bool(true) => {}
                Value::Bool(false) => return Ok(()),
                other => {
                    self.report(
                        condition.start(),
                        &cpath,
                        format!("a condition must be a boolean, got {}", functions::describe(&other)),
                        None,
                    );
                    return Err(Fail::Reported);
                }
            }
        }
        let rtype = self.required_text(decl, "type", path, &here)?;
        let name = self.required_text(decl, "name", path, &here)?;
        let (rtype, name) = match parent {
            Some(p) => child_names(p, &rtype, &name),
            None => (rtype, name),
        };
        let resource_group = match decl.get_ci("resourceGroup") {
            Some(_) => self.required_text(decl, "resourceGroup", path, &here)?,
            None => resource_group.to_string(),
        };
        let names: Vec<&str> = name.split('/').collect();
        let id = match decl.get_ci("scope") {
            Some(_) => {
                let target = self.required_text(decl, "scope", path, &here)?;
                let prefix = if target.starts_with('/') {
                    target
                } else {
                    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}/providers/{target}")
                };
                functions::resource_id(prefix.trim_end_matches('/'), &rtype, &names)
            }
            None => functions::resource_id(
                &format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}"),
                &rtype,
                &names,
            ),
        };
        let id = id.map_err(|e| {
            let at = decl.get_ci("name").map_or(decl.start(), Node::start);
            self.report(at, &json::member(path, "name"), format!("the name {name:?} does not fit the type: {e}"), None);
            Fail::Reported
        })?;
        let existing = decl.get_ci("existing").is_some_and(|e| e.json.as_bool() == Some(true));
        let deployment = rtype.eq_ignore_ascii_case("Microsoft.Resources/deployments").then(Default::default);
        let me = Parent { rtype: rtype.clone(), name: name.clone() };
        self.resources.borrow_mut().push(Res {
            scope,
            node: decl,
            path: path.to_string(),
            loops: loops.clone(),
            rtype,
            name,
            id,
            resource_group: resource_group.clone(),
            symbolic: symbolic.map(str::to_string),
            existing,
            deployment,
            properties: State::Pending,
        });
        if let Some(children) = decl.get_ci("resources").filter(|c| c.json.is_array()) {
            let children_path = json::member(path, "resources");
            for (i, child) in children.items().enumerate() {
                self.expand(child, &json::index(&children_path, i), scope, &resource_group, &loops, Some(&me), None);
            }
        }
        Ok(())
    }

    fn required_text(&self, decl: Node<'a>, key: &str, path: &str, here: &Here) -> R<String> {
        let Some(node) = decl.get_ci(key) else {
            self.report(decl.start(), path, format!("a resource without `{key}`"), None);
            return Err(Fail::Reported);
        };
        let key_path = json::member(path, key);
        match self.value(node, &key_path, here)? {
            Value::String(s) => Ok(s.to_string()),
            other => {
                self.report(
                    node.start(),
                    &key_path,
                    format!("`{key}` must be a string, got {}", functions::describe(&other)),
                    None,
                );
                Err(Fail::Reported)
            }
        }
    }

    /// The resource `target` names: an id (any case), else a symbolic name or a name of a
    /// resource of the same template.
    pub(super) fn find_resource(&self, target: &str, scope: usize) -> Option<usize> {
        let resources = self.resources.borrow();
        if target.starts_with('/') {
            return resources.iter().position(|r| r.id.eq_ignore_ascii_case(target));
        }
        resources
            .iter()
            .position(|r| r.scope == scope && r.symbolic.as_deref() == Some(target))
            .or_else(|| resources.iter().position(|r| r.scope == scope && r.name.eq_ignore_ascii_case(target)))
    }

    /// The evaluated properties of resource `i` (a nested deployment's: its outputs); `at` is
    /// where the `reference` asking for them is, for a cycle.
    pub(super) fn properties_at(&self, i: usize, at: usize) -> R<Value> {
        {
            let mut resources = self.resources.borrow_mut();
            let r = &mut resources[i];
            match &r.properties {
                State::Done(v) => return Ok(v.clone()),
                State::Failed => return Err(Fail::Reported),
                State::Busy => {
                    let label = format!("reference('{}')", r.name);
                    drop(resources);
                    let cycle = self.cycle(Pending::Resource(i), &label);
                    return Err(Fail::at(at, format!("a cycle through `reference`: {cycle}")));
                }
                State::Pending => r.properties = State::Busy,
            }
        }
        let (node, path, scope, loops, nested, label) = {
            let r = &self.resources.borrow()[i];
            (r.node, r.path.clone(), r.scope, r.loops.clone(), r.is_deployment(), format!("reference('{}')", r.name))
        };
        let result = self.evaluating(Pending::Resource(i), label, || {
            if nested {
                self.deployment_outputs(i, at)
            } else {
                match node.get_ci("properties") {
                    Some(p) => self.value(p, &json::member(&path, "properties"), &Here { scope, loops: &loops }),
                    None => Ok(Value::map(Default::default())),
                }
            }
        });
        self.resources.borrow_mut()[i].properties = match &result {
            Ok(v) => State::Done(v.clone()),
            Err(_) => State::Failed,
        };
        result
    }

    pub(super) fn properties(&self, i: usize) -> Option<Value> {
        let at = self.resources.borrow()[i].node.start();
        self.properties_at(i, at).ok()
    }
}

/// An inline child's full type and name: relative ones (`subnets`, `web`) are put under the
/// parent's; full ones (`Microsoft.Network/virtualNetworks/subnets`, `vnet/web`) stay.
fn child_names(parent: &Parent, rtype: &str, name: &str) -> (String, String) {
    let full_type = match rtype.split_once('/') {
        Some((namespace, _)) if namespace.contains('.') => rtype.to_string(),
        _ => format!("{}/{rtype}", parent.rtype),
    };
    let wanted = full_type.split('/').count() - 1;
    let full_name =
        if name.split('/').count() >= wanted { name.to_string() } else { format!("{}/{name}", parent.name) };
    (full_type, full_name)
}
