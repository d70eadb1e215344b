//! Evaluation of template JSON: strings holding expressions, objects (whose keys may be
//! expressions and whose `copy` builds array properties), arrays; and the functions that read
//! the deployment (`parameters`, `variables`, `copyIndex`, `reference`, `resourceGroup`, …) or
//! evaluate lazily (`if`, `and`, `or`). The pure functions are `arm::functions`.

use std::collections::BTreeMap;

use super::expr::{self, Expr, Text};
use super::{Evaluator, Loop};
use crate::arm::functions::{self, Env};
use crate::azurerm::ids::SUBSCRIPTION;
use crate::json::{self, Node};
use crate::value::Value;
use serde_json::Value as Json;

/// Where an expression is evaluated: its scope and the `copy` iterations around it.
pub(super) struct Here<'h> {
    pub scope: usize,
    pub loops: &'h [Loop],
}

/// Why an evaluation stopped: a problem at a byte offset of the expression string, to be
/// located by the caller, or one already reported (so nothing is reported twice).
pub(super) enum Fail {
    At { at: usize, message: String },
    Reported,
}

impl Fail {
    pub fn at(at: usize, message: impl Into<String>) -> Fail {
        Fail::At { at, message: message.into() }
    }
}

pub(super) type R<T> = Result<T, Fail>;

/// How deeply evaluations may nest (each variable, default or `reference` read inside another).
const MAX_EVALUATION_DEPTH: usize = 100;

/// A value read from `reference(…)`: the resource's id and the path read so far, so a
/// property Azure allocates (and the template does not set) becomes an unknown value naming it.
struct Origin {
    id: String,
    path: String,
    /// `reference(…, 'Full')`: paths start below `properties`.
    full: bool,
}

impl Origin {
    fn member(self, name: &str) -> Origin {
        if self.full && self.path.is_empty() && name.eq_ignore_ascii_case("properties") {
            return Origin { full: false, ..self };
        }
        let path = if self.path.is_empty() { name.to_string() } else { format!("{}.{name}", self.path) };
        Origin { path, ..self }
    }

    fn index(self, i: usize) -> Origin {
        Origin { path: format!("{}[{i}]", self.path), ..self }
    }
}

fn unknown_member(c: &crate::value::Computed, name: &str) -> Value {
    let path = if c.path.is_empty() { name.to_string() } else { format!("{}.{name}", c.path) };
    Value::unknown(c.address.clone(), path)
}

impl<'a> Evaluator<'a> {
    /// The value of a template JSON node.
    pub(super) fn value(&self, node: Node<'a>, path: &str, here: &Here) -> R<Value> {
        match node.json {
            Json::String(s) => self.string(s, node.start(), path, here),
            Json::Array(_) => {
                let mut items = Vec::new();
                let mut failed = false;
                for (i, item) in node.items().enumerate() {
                    match self.value(item, &json::index(path, i), here) {
                        Ok(v) => items.push(v),
                        Err(_) => failed = true,
                    }
                }
                if failed { Err(Fail::Reported) } else { Ok(Value::list(items)) }
            }
            Json::Object(_) => {
                let mut out = BTreeMap::new();
                let mut failed = false;
                for (key, key_at, child) in node.entries() {
                    let result = if key.eq_ignore_ascii_case("copy") && child.json.is_array() {
                        let copy_path = json::member(path, key);
                        child.items().enumerate().try_for_each(|(i, elem)| {
                            let (name, items) = self.copy_array(elem, &json::index(&copy_path, i), here)?;
                            out.insert(name, items);
                            Ok(())
                        })
                    } else {
                        let child_path = json::member(path, key);
                        let key = self.string(key, key_at, &child_path, here).and_then(|k| match k {
                            Value::String(s) => Ok(s.to_string()),
                            other => {
                                self.report(
                                    key_at,
                                    &child_path,
                                    format!(
                                        "a property name must be a string, the expression gives {}",
                                        functions::describe(&other)
                                    ),
                                    None,
                                );
                                Err(Fail::Reported)
                            }
                        });
                        key.and_then(|k| {
                            let v = self.value(child, &child_path, here)?;
                            out.insert(k, v);
                            Ok(())
                        })
                    };
                    failed |= result.is_err();
                }
                if failed { Err(Fail::Reported) } else { Ok(Value::map(out)) }
            }
            other => Ok(Value::from_json(other)),
        }
    }

    /// A JSON string at byte `at` (its opening quote): a literal, or an expression evaluated.
    pub(super) fn string(&self, s: &str, at: usize, path: &str, here: &Here) -> R<Value> {
        let src = match expr::classify(s) {
            Text::Literal(t) => return Ok(Value::string(t.as_ref())),
            Text::Expression(src) => src,
        };
        let parsed = self.parse_expression(src, at, path)?;
        self.eval(&parsed, here).map_err(|f| match f {
            Fail::At { at: offset, message } => {
                self.report(self.locate(src, at, offset), path, message, None);
                Fail::Reported
            }
            Fail::Reported => Fail::Reported,
        })
    }

    /// The expression `src` of the JSON string at byte `at`, parsed; a syntax error is
    /// reported once however often the string is evaluated.
    pub(super) fn parse_expression(&self, src: &str, at: usize, path: &str) -> R<Expr> {
        expr::parse(src).map_err(|e| {
            if self.syntax_errors.borrow_mut().insert(at) {
                self.report(self.locate(src, at, e.at), path, format!("bad expression: {}", e.message), None);
            }
            Fail::Reported
        })
    }

    /// The file offset of byte `offset` of expression `src`, written in the JSON string at
    /// `at`: exact when the string has no escapes, else the string's start.
    fn locate(&self, src: &str, at: usize, offset: usize) -> usize {
        let verbatim = self.text.get(at + 1..at + 1 + src.len()) == Some(src);
        if verbatim { at + 1 + offset } else { at }
    }

    /// Evaluates `e`; lazily evaluated variables, defaults and properties nest evaluations, so
    /// their depth is bounded (a long chain is an error, not a stack overflow).
    pub(super) fn eval(&self, e: &Expr, here: &Here) -> R<Value> {
        let depth = self.depth.get();
        if depth >= MAX_EVALUATION_DEPTH {
            return Err(Fail::at(
                e.at(),
                format!(
                    "evaluation nests deeper than {MAX_EVALUATION_DEPTH} levels (variables or references chained too long)"
                ),
            ));
        }
        self.depth.set(depth + 1);
        let result = self.access(e, here).map(|(v, _)| v);
        self.depth.set(depth);
        result
    }

    fn access(&self, e: &Expr, here: &Here) -> R<(Value, Option<Origin>)> {
        match e {
            Expr::Str(s) => Ok((Value::string(s.as_str()), None)),
            Expr::Int(n) => Ok((Value::Number(*n as f64), None)),
            Expr::Call { name, args, at } if name.eq_ignore_ascii_case("reference") => self.reference(args, *at, here),
            Expr::Call { name, args, at } => Ok((self.call(name, args, *at, here)?, None)),
            Expr::Member { base, name, at } => {
                let (value, origin) = self.access(base, here)?;
                self.member(value, origin, name, *at)
            }
            Expr::Index { base, index, at } => {
                let (value, origin) = self.access(base, here)?;
                let key = self.eval(index, here)?;
                match (&value, &key) {
                    (_, Value::String(k)) if value.as_map().is_some() || matches!(value, Value::Unknown(_)) => {
                        self.member(value.clone(), origin, k, *at)
                    }
                    (Value::List(items), Value::Number(n)) if n.fract() == 0.0 => {
                        let i = *n as i64;
                        match (usize::try_from(i).ok().and_then(|i| items.get(i)), origin) {
                            (Some(v), origin) => Ok((v.clone(), origin.map(|o| o.index(i as usize)))),
                            (None, Some(o)) => {
                                let o = o.index(i.max(0) as usize);
                                Ok((Value::unknown(o.id, o.path), None))
                            }
                            (None, None) => {
                                Err(Fail::at(*at, format!("index {i} is outside the array of {} items", items.len())))
                            }
                        }
                    }
                    (Value::Unknown(c), Value::Number(n)) => {
                        Ok((Value::unknown(c.address.clone(), format!("{}[{}]", c.path, *n as i64)), None))
                    }
                    (_, Value::Unknown(_)) => Ok((key.clone(), None)),
                    _ => Err(Fail::at(
                        *at,
                        format!("cannot index {} with {}", functions::describe(&value), functions::describe(&key)),
                    )),
                }
            }
        }
    }

    /// `value.name`: a property (names match ignoring case, as in ARM).
    fn member(&self, value: Value, origin: Option<Origin>, name: &str, at: usize) -> R<(Value, Option<Origin>)> {
        match &value {
            Value::Map(m) => {
                let found =
                    m.get(name).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v));
                match (found, origin) {
                    (Some(v), origin) => Ok((v.clone(), origin.map(|o| o.member(name)))),
                    // Not written in the template: Azure fills it in (an allocated address).
                    (None, Some(o)) => {
                        let o = o.member(name);
                        Ok((Value::unknown(o.id, o.path), None))
                    }
                    (None, None) => {
                        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
                        let hint = match vnetsim_config::diagnostic::did_you_mean(name, keys.iter().copied()) {
                            Some(k) => format!("; did you mean `{k}`?"),
                            None if keys.is_empty() => " (it is empty)".to_string(),
                            None if keys.len() <= 8 => format!(" (it has {})", keys.join(", ")),
                            None => String::new(),
                        };
                        Err(Fail::at(at, format!("the object has no property `{name}`{hint}")))
                    }
                }
            }
            Value::Unknown(c) => Ok((unknown_member(c, name), None)),
            other => Err(Fail::at(at, format!("cannot read property `{name}` of {}", functions::describe(other)))),
        }
    }

    fn args(&self, args: &[Expr], here: &Here) -> R<Vec<Value>> {
        args.iter().map(|a| self.eval(a, here)).collect()
    }

    fn env(&self, scope: usize) -> (String, String) {
        let scopes = self.scopes.borrow();
        (scopes[scope].resource_group.clone(), scopes[scope].deployment.clone())
    }

    fn call(&self, name: &str, args: &[Expr], at: usize, here: &Here) -> R<Value> {
        let lower = name.to_ascii_lowercase();
        let count = |min: usize, max: usize| {
            if args.len() < min || args.len() > max {
                let wanted = if min == max { format!("{min}") } else { format!("{min} to {max}") };
                Err(Fail::at(at, format!("`{name}` takes {wanted} argument(s), got {}", args.len())))
            } else {
                Ok(())
            }
        };
        let text_arg = |i: usize| -> R<String> {
            match self.eval(&args[i], here)? {
                Value::String(s) => Ok(s.to_string()),
                other => Err(Fail::at(
                    args[i].at().max(at),
                    format!("`{name}` expects a string, got {}", functions::describe(&other)),
                )),
            }
        };
        match lower.as_str() {
            "parameters" => {
                count(1, 1)?;
                self.parameter(here.scope, &text_arg(0)?, at)
            }
            "variables" => {
                count(1, 1)?;
                self.variable(here.scope, &text_arg(0)?, at)
            }
            "if" => {
                count(3, 3)?;
                match self.eval(&args[0], here)? {
                    Value::Bool(c) => self.eval(&args[if c { 1 } else { 2 }], here),
                    v @ Value::Unknown(_) => Ok(v),
                    other => Err(Fail::at(
                        at,
                        format!("`if` expects a boolean condition, got {}", functions::describe(&other)),
                    )),
                }
            }
            "and" | "or" => {
                count(2, usize::MAX)?;
                let stop = lower == "or";
                for a in args {
                    match self.eval(a, here)? {
                        Value::Bool(b) if b == stop => return Ok(Value::Bool(stop)),
                        Value::Bool(_) => {}
                        v @ Value::Unknown(_) => return Ok(v),
                        other => {
                            return Err(Fail::at(
                                at,
                                format!("`{name}` expects booleans, got {}", functions::describe(&other)),
                            ));
                        }
                    }
                }
                Ok(Value::Bool(!stop))
            }
            "copyindex" => {
                count(0, 2)?;
                let values = self.args(args, here)?;
                let (loop_name, offset) = match values.as_slice() {
                    [] => (None, 0),
                    [Value::String(n)] => (Some(n.to_string()), 0),
                    [Value::Number(o)] => (None, *o as i64),
                    [Value::String(n), Value::Number(o)] => (Some(n.to_string()), *o as i64),
                    _ => {
                        return Err(Fail::at(
                            at,
                            "`copyIndex` takes an optional loop name and an optional integer offset",
                        ));
                    }
                };
                let found = match &loop_name {
                    Some(n) => here.loops.iter().rev().find(|l| l.name.eq_ignore_ascii_case(n)),
                    None => here.loops.iter().rev().find(|l| l.resource).or(here.loops.last()),
                };
                match found {
                    Some(l) => Ok(Value::Number((l.index + offset) as f64)),
                    None => Err(Fail::at(
                        at,
                        match loop_name {
                            Some(n) => format!("`copyIndex('{n}')` is used outside a copy loop named `{n}`"),
                            None => "`copyIndex()` is used outside a copy loop".to_string(),
                        },
                    )),
                }
            }
            "resourcegroup" => {
                count(0, 0)?;
                let (rg, _) = self.env(here.scope);
                Ok(object(&[
                    ("id", Value::string(format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}"))),
                    ("name", Value::string(rg)),
                    ("type", Value::string("Microsoft.Resources/resourceGroups")),
                    ("location", Value::string(self.location.as_str())),
                    ("properties", object(&[("provisioningState", Value::string("Succeeded"))])),
                ]))
            }
            "subscription" => {
                count(0, 0)?;
                Ok(object(&[
                    ("id", Value::string(format!("/subscriptions/{SUBSCRIPTION}"))),
                    ("subscriptionId", Value::string(SUBSCRIPTION)),
                    ("tenantId", Value::string(SUBSCRIPTION)),
                    ("displayName", Value::string("vnetsim")),
                ]))
            }
            "deployment" => {
                count(0, 0)?;
                let (_, deployment) = self.env(here.scope);
                Ok(object(&[
                    ("name", Value::string(deployment)),
                    (
                        "properties",
                        object(&[
                            ("mode", Value::string("Incremental")),
                            ("provisioningState", Value::string("Accepted")),
                        ]),
                    ),
                ]))
            }
            "environment" => {
                count(0, 0)?;
                Ok(azure_cloud())
            }
            "resourceinfo" => {
                count(1, 1)?;
                let symbol = text_arg(0)?;
                let i = self.find_resource(&symbol, here.scope).ok_or_else(|| {
                    Fail::at(at, format!("`resourceInfo('{symbol}')`: no resource has the symbolic name `{symbol}`"))
                })?;
                let r = &self.resources.borrow()[i];
                Ok(object(&[
                    ("id", Value::string(r.id.as_str())),
                    ("name", Value::string(r.name.as_str())),
                    ("type", Value::string(r.rtype.as_str())),
                ]))
            }
            // Secrets and moments: values no template can know and no traffic depends on.
            _ if lower.starts_with("list") || lower == "utcnow" || lower == "newguid" => {
                let values = self.args(args, here)?;
                let address =
                    values.first().and_then(Value::as_str).map_or_else(|| format!("{name}()"), str::to_string);
                Ok(Value::unknown(address, name))
            }
            _ => {
                let values = self.args(args, here)?;
                let (rg, _) = self.env(here.scope);
                let env = Env { subscription: SUBSCRIPTION, resource_group: &rg };
                match functions::call(name, &values, &env) {
                    Some(result) => result.map_err(|m| Fail::at(at, m)),
                    None => {
                        let hint = vnetsim_config::diagnostic::did_you_mean(&lower, functions::names())
                            .map_or(String::new(), |n| format!("; did you mean `{n}`?"));
                        Err(Fail::at(at, format!("unknown function `{name}`{hint}")))
                    }
                }
            }
        }
    }

    /// `reference(resource, [apiVersion], ['Full'])`: the evaluated properties of a resource
    /// this deployment deploys (its outputs for a nested deployment); what Azure allocates is
    /// unknown, named by the resource id and path.
    fn reference(&self, args: &[Expr], at: usize, here: &Here) -> R<(Value, Option<Origin>)> {
        if args.is_empty() || args.len() > 3 {
            return Err(Fail::at(at, format!("`reference` takes 1 to 3 arguments, got {}", args.len())));
        }
        let values = self.args(args, here)?;
        let target = match &values[0] {
            Value::String(s) => s.to_string(),
            v @ Value::Unknown(_) => return Ok((v.clone(), None)),
            other => {
                return Err(Fail::at(
                    at,
                    format!("`reference` expects a resource id or name, got {}", functions::describe(other)),
                ));
            }
        };
        let full = values.get(2).and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("full"));
        let found = self.find_resource(&target, here.scope).or_else(|| {
            self.expand_all_deployments();
            self.find_resource(&target, here.scope)
        });
        let Some(i) = found else {
            if let Some(embedded) = self.embedded_child(&target, here.scope, at)? {
                return Ok((embedded, Some(Origin { id: target, path: String::new(), full: false })));
            }
            return Err(Fail::at(
                at,
                format!(
                    "`reference` names `{target}`, which this deployment does not deploy (a missing resource, or one whose condition is false)"
                ),
            ));
        };
        let (id, existing, deployment) = {
            let r = &self.resources.borrow()[i];
            (r.id.clone(), r.existing, r.is_deployment())
        };
        if existing {
            return Ok((Value::unknown(id, ""), None));
        }
        let properties = self.properties_at(i, at)?;
        let value = if full {
            let r = &self.resources.borrow()[i];
            object(&[
                ("id", Value::string(r.id.as_str())),
                ("name", Value::string(r.name.as_str())),
                ("type", Value::string(r.rtype.as_str())),
                ("properties", properties),
            ])
        } else {
            properties
        };
        // A nested deployment's outputs are all known: one it lacks is a mistake, not a
        // value Azure fills in.
        let origin = (!deployment).then_some(Origin { id, path: String::new(), full });
        Ok((value, origin))
    }

    /// A child written inside its parent's properties (a subnet in a VNet's `subnets`), by id.
    fn embedded_child(&self, id: &str, scope: usize, at: usize) -> R<Option<Value>> {
        let parts: Vec<&str> = id.trim_end_matches('/').rsplitn(3, '/').collect();
        let [name, segment, parent_id] = parts[..] else { return Ok(None) };
        let Some(parent) = self.find_resource(parent_id, scope) else { return Ok(None) };
        let properties = self.properties_at(parent, at)?;
        let children =
            properties.as_map().and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(segment))).map(|(_, v)| v);
        Ok(children.and_then(Value::as_seq).and_then(|items| {
            items
                .iter()
                .find(|c| c.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
                .map(|c| c.get("properties").cloned().unwrap_or(Value::Null))
        }))
    }
}

fn object(entries: &[(&str, Value)]) -> Value {
    Value::map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

/// `environment()` in Azure's public cloud.
fn azure_cloud() -> Value {
    let s = |v: &str| Value::string(v);
    object(&[
        ("name", s("AzureCloud")),
        ("gallery", s("https://gallery.azure.com/")),
        ("graph", s("https://graph.windows.net/")),
        ("portal", s("https://portal.azure.com")),
        ("graphAudience", s("https://graph.windows.net/")),
        ("activeDirectoryDataLake", s("https://datalake.azure.net/")),
        ("batch", s("https://batch.core.windows.net/")),
        ("media", s("https://rest.media.azure.net")),
        ("sqlManagement", s("https://management.core.windows.net:8443/")),
        (
            "vmImageAliasDoc",
            s(
                "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
            ),
        ),
        ("resourceManager", s("https://management.azure.com/")),
        (
            "authentication",
            object(&[
                ("loginEndpoint", s("https://login.microsoftonline.com/")),
                (
                    "audiences",
                    Value::list(vec![s("https://management.core.windows.net/"), s("https://management.azure.com/")]),
                ),
                ("tenant", s("common")),
                ("identityProvider", s("AAD")),
            ]),
        ),
        (
            "suffixes",
            object(&[
                ("acrLoginServer", s(".azurecr.io")),
                ("azureDatalakeAnalyticsCatalogAndJob", s("azuredatalakeanalytics.net")),
                ("azureDatalakeStoreFileSystem", s("azuredatalakestore.net")),
                ("azureFrontDoorEndpointSuffix", s("azurefd.net")),
                ("keyvaultDns", s(".vault.azure.net")),
                ("sqlServerHostname", s(".database.windows.net")),
                ("storage", s("core.windows.net")),
            ]),
        ),
    ])
}
