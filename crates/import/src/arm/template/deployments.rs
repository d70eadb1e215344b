//! Nested deployments (`Microsoft.Resources/deployments` with an inline `template`, what Bicep
//! modules compile to). With `expressionEvaluationOptions.scope: inner` (and always for
//! languageVersion 2.0 templates) the nested template has its own parameters, given by the
//! deployment's `parameters`, and variables; with outer scope (ARM's default) its expressions
//! read the parent's. Its resources deploy to the deployment's `resourceGroup` (else the
//! parent's); its `outputs` are what `reference('name').outputs.x.value` reads.

use std::collections::BTreeMap;

use super::eval::{Fail, Here, R};
use super::parameters::GivenValue;
use super::{Evaluator, Loop};
use crate::json::{self, Node};
use crate::value::Value;

/// A nested deployment's expansion.
#[derive(Default)]
pub(super) struct Nested {
    state: Expansion,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Expansion {
    #[default]
    Pending,
    Busy,
    /// Expanded; the scope its template evaluates in.
    Done(usize),
    Failed,
}

impl<'a> Evaluator<'a> {
    /// Expands every nested deployment not expanded yet (a `reference` by id may name one of
    /// their resources).
    pub(super) fn expand_all_deployments(&self) {
        let mut i = 0;
        while i < self.resources.borrow().len() {
            let pending = self.resources.borrow()[i].deployment.as_ref().is_some_and(|d| d.state == Expansion::Pending);
            if pending {
                self.expand_deployment(i);
            }
            i += 1;
        }
    }

    /// Expands nested deployment `i` (once): its template's resources join the deployment.
    /// Returns the scope of its template.
    pub(super) fn expand_deployment(&self, i: usize) -> Option<usize> {
        let (node, path, scope, loops, rg, name) = {
            let mut resources = self.resources.borrow_mut();
            let r = &mut resources[i];
            let nested = r.deployment.as_mut()?;
            match nested.state {
                Expansion::Done(s) => return Some(s),
                Expansion::Busy | Expansion::Failed => return None,
                Expansion::Pending => nested.state = Expansion::Busy,
            }
            (r.node, r.path.clone(), r.scope, r.loops.clone(), r.resource_group.clone(), r.name.clone())
        };
        let result = self.expand_nested(node, &path, scope, &loops, &rg, &name);
        if let Some(nested) = self.resources.borrow_mut()[i].deployment.as_mut() {
            nested.state = result.map_or(Expansion::Failed, Expansion::Done);
        }
        result
    }

    fn expand_nested(
        &self,
        node: Node<'a>,
        path: &str,
        scope: usize,
        loops: &[Loop],
        rg: &str,
        name: &str,
    ) -> Option<usize> {
        let props_path = json::member(path, "properties");
        let Some(props) = node.get_ci("properties") else {
            self.report(node.start(), path, "a deployment without `properties`", None);
            return None;
        };
        let Some(template) = props.get_ci("template").filter(|t| t.json.is_object()) else {
            let message = if props.get_ci("templateLink").is_some() {
                "a deployment of a linked template (`templateLink`): vnetsim reads only inline templates"
            } else {
                "a deployment without an inline `template` object"
            };
            self.report(
                props.start(),
                &props_path,
                message,
                Some("inline the module (`bicep build` writes modules inline)".into()),
            );
            return None;
        };
        let template_path = json::member(&props_path, "template");
        let inner = template.get_ci("languageVersion").is_some()
            || props
                .get_ci("expressionEvaluationOptions")
                .and_then(|o| o.get_ci("scope"))
                .and_then(Node::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        let inner_scope = if inner {
            let values = self.deployment_parameters(props, &props_path, &Here { scope, loops }).ok()?;
            self.new_scope(template, &template_path, rg.to_string(), name.to_string(), values, false)
        } else {
            scope
        };
        self.expand_template(template, &template_path, inner_scope, rg, &[]);
        Some(inner_scope)
    }

    /// The `parameters` a deployment passes to its inner-scope template, evaluated in the parent.
    fn deployment_parameters(&self, props: Node<'a>, path: &str, here: &Here) -> R<Vec<GivenValue>> {
        let Some(params) = props.get_ci("parameters") else { return Ok(Vec::new()) };
        let params_path = json::member(path, "parameters");
        let mut values = Vec::new();
        let mut failed = false;
        for (name, key_at, entry) in params.entries() {
            let entry_path = json::member(&params_path, name);
            let value = match entry.get_ci("value") {
                Some(v) => self.value(v, &json::member(&entry_path, "value"), here),
                None if entry.get_ci("reference").is_some() => {
                    Ok(Value::unknown(format!("parameter {name}"), "Key Vault secret"))
                }
                None => {
                    self.report(entry.start(), &entry_path, "a deployment parameter needs a `value`", None);
                    Err(Fail::Reported)
                }
            };
            match value {
                Ok(value) => values.push(GivenValue {
                    name: name.to_string(),
                    value,
                    inline: false,
                    at: Some((self.file.to_string(), self.loc(key_at), json::member(&entry_path, "value"))),
                }),
                Err(_) => failed = true,
            }
        }
        if failed { Err(Fail::Reported) } else { Ok(values) }
    }

    /// What `reference` gives for nested deployment `i`: `{outputs: {name: {type, value}}}`.
    pub(super) fn deployment_outputs(&self, i: usize, at: usize) -> R<Value> {
        let Some(scope) = self.expand_deployment(i) else {
            let r = &self.resources.borrow()[i];
            return match r.deployment.as_ref().map(|d| d.state) {
                Some(Expansion::Busy) => {
                    Err(Fail::at(at, format!("the deployment `{}` reads its own outputs (a cycle)", r.name)))
                }
                _ => Err(Fail::Reported),
            };
        };
        let (node, path) = {
            let r = &self.resources.borrow()[i];
            (r.node, r.path.clone())
        };
        let template_path = json::member(&json::member(&path, "properties"), "template");
        let template = node.get_ci("properties").and_then(|p| p.get_ci("template"));
        let outputs = match template {
            Some(t) => self.outputs(t, &template_path, scope)?,
            None => BTreeMap::new(),
        };
        let mut out = BTreeMap::new();
        out.insert("outputs".to_string(), Value::map(outputs));
        out.insert("provisioningState".to_string(), Value::string("Succeeded"));
        Ok(Value::map(out))
    }

    /// A template's `outputs`, evaluated in `scope`: `{name: {type, value}}`, `condition` and
    /// output `copy` (`{count, input}`) applied.
    pub(super) fn outputs(&self, template: Node<'a>, path: &str, scope: usize) -> R<BTreeMap<String, Value>> {
        let mut out = BTreeMap::new();
        let Some(outputs) = self.section(template, "outputs", path) else { return Ok(out) };
        let outputs_path = json::member(path, "outputs");
        let here = Here { scope, loops: &[] };
        let mut failed = false;
        for (name, _, decl) in outputs.entries() {
            let decl_path = json::member(&outputs_path, name);
            let result: R<Option<Value>> = (|| {
                if let Some(c) = decl.get_ci("condition")
                    && self.value(c, &json::member(&decl_path, "condition"), &here)? == Value::Bool(false)
                {
                    return Ok(None);
                }
                if let Some(copy) = decl.get_ci("copy") {
                    let copy_path = json::member(&decl_path, "copy");
                    let n = self.copy_count(copy, &copy_path, &here)?;
                    let input = copy.get_ci("input").ok_or(Fail::Reported)?;
                    let items = (0..n)
                        .map(|index| {
                            let loops = [Loop { name: String::new(), index, resource: true }];
                            self.value(input, &json::member(&copy_path, "input"), &Here { scope, loops: &loops })
                        })
                        .collect::<R<Vec<_>>>()?;
                    return Ok(Some(Value::list(items)));
                }
                match decl.get_ci("value") {
                    Some(v) => self.value(v, &json::member(&decl_path, "value"), &here).map(Some),
                    None => Ok(Some(Value::Null)),
                }
            })();
            match result {
                Ok(Some(value)) => {
                    let rtype = decl.get_ci("type").and_then(Node::as_str).unwrap_or("object");
                    let entry =
                        BTreeMap::from([("type".to_string(), Value::string(rtype)), ("value".to_string(), value)]);
                    out.insert(name.to_string(), Value::map(entry));
                }
                Ok(None) => {}
                Err(_) => failed = true,
            }
        }
        if failed { Err(Fail::Reported) } else { Ok(out) }
    }
}
