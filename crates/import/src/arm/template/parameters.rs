//! Template parameters: values from parameter files (`{"parameters": {"x": {"value": …}}}`,
//! with or without the `deploymentParameters` `$schema`) and inline `name=value` pairs, in
//! order (later wins); else the declared `defaultValue` (an expression that may read other
//! parameters). Names are case-insensitive, as in ARM. A required parameter without a value is
//! an error naming it, except a secure one (`securestring`, `secureObject`): a secret never
//! decides traffic, so it stays unknown.

use super::eval::{Fail, Here, R};
use super::{Evaluator, Pending, State};
use crate::json::{self, Lines, Node, Span};
use crate::value::Value;
use vnetsim_config::{Diagnostic, Loc};

/// Where parameter values come from.
#[derive(Clone, Debug)]
pub enum ParameterSource {
    /// A parameters file: its name (for messages) and text.
    File { name: String, text: String },
    /// `name=value` pairs (`--param`, a YAML `parameters:` map). Strings convert to the
    /// parameter's declared type (`--param count=3` gives an int). The pseudo-parameters
    /// `resourceGroup` and `resourceGroupLocation` name the deployment's resource group.
    Inline(Vec<(String, Value)>),
}

/// One given value and where it was given (for "no such parameter" and a wrong value).
#[derive(Clone)]
pub(super) struct GivenValue {
    pub name: String,
    pub value: Value,
    pub inline: bool,
    /// Where the value is written: file, line:column of its name, JSON path of the value.
    pub at: Option<(String, Loc, String)>,
}

/// Everything the caller gives a deployment.
pub(super) struct Given {
    pub values: Vec<GivenValue>,
    pub resource_group: String,
    pub location: String,
    pub deployment: String,
}

const PSEUDO: [&str; 2] = ["resourceGroup", "resourceGroupLocation"];

/// Reads every source; problems in parameter files are reported all together.
pub(super) fn read_sources(sources: &[ParameterSource]) -> Result<Given, Vec<Diagnostic>> {
    let mut given = Given {
        values: Vec::new(),
        resource_group: super::DEFAULT_RESOURCE_GROUP.into(),
        location: super::DEFAULT_LOCATION.into(),
        deployment: "main".into(),
    };
    let mut errors = Vec::new();
    for source in sources {
        match source {
            ParameterSource::File { name, text } => match read_file(name, text) {
                Ok(values) => given.values.extend(values),
                Err(e) => errors.extend(e),
            },
            ParameterSource::Inline(pairs) => given.values.extend(pairs.iter().map(|(name, value)| GivenValue {
                name: name.clone(),
                value: value.clone(),
                inline: true,
                at: None,
            })),
        }
    }
    for v in &given.values {
        match v.value.as_str() {
            Some(s) if v.name.eq_ignore_ascii_case(PSEUDO[0]) => given.resource_group = s.to_string(),
            Some(s) if v.name.eq_ignore_ascii_case(PSEUDO[1]) => given.location = s.to_string(),
            _ => {}
        }
    }
    if errors.is_empty() { Ok(given) } else { Err(errors) }
}

fn read_file(file: &str, text: &str) -> Result<Vec<GivenValue>, Vec<Diagnostic>> {
    let help = "a parameters file reads {\"parameters\": {\"name\": {\"value\": …}}}";
    let clean = json::strip_comments(text);
    let lines = Lines::new(&clean);
    let root_json = json::parse(file, &clean, &lines, help).map_err(|e| vec![e])?;
    let spans = Span::scan(&clean);
    let root = Node::new(&root_json, &spans);
    let error = |at: usize, message: String| Diagnostic {
        file: file.to_string(),
        loc: lines.loc(&clean, at),
        message,
        help: Some(help.into()),
    };
    let Some(params) = root.get("parameters").filter(|p| p.json.is_object()) else {
        return Err(vec![error(root.start(), "not a parameters file: no `parameters` object".into())]);
    };
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for (name, key_at, entry) in params.entries() {
        let value = if let Some(v) = entry.get("value") {
            Value::from_json(v.json)
        } else if entry.get("reference").is_some() {
            // A Key Vault secret: its value is not in the file and never decides traffic.
            Value::unknown(format!("parameter {name}"), "Key Vault secret")
        } else {
            errors.push(error(
                entry.start(),
                format!("`parameters.{name}`: expected an object with `value` (or a Key Vault `reference`)"),
            ));
            continue;
        };
        values.push(GivenValue {
            name: name.to_string(),
            value,
            inline: false,
            at: Some((file.to_string(), lines.loc(&clean, key_at), format!("parameters.{name}.value"))),
        });
    }
    if errors.is_empty() { Ok(values) } else { Err(errors) }
}

/// A declared parameter of a scope.
pub(super) struct Param<'a> {
    pub name: String,
    decl: Node<'a>,
    path: String,
    given: Option<GivenValue>,
    state: State,
}

/// The types a parameter may declare (any case).
const TYPES: [&str; 7] = ["string", "secureString", "int", "bool", "array", "object", "secureObject"];

impl<'a> Evaluator<'a> {
    /// The parameters `template` declares, given `values` (matched ignoring case); values for
    /// parameters it does not declare are errors, except the pseudo-parameters at the root.
    pub(super) fn declare_parameters(
        &self,
        template: Node<'a>,
        path: &str,
        values: Vec<GivenValue>,
        root: bool,
    ) -> Vec<Param<'a>> {
        let section = self.section(template, "parameters", path);
        let section_path = json::member(path, "parameters");
        let mut params: Vec<Param<'a>> = section
            .into_iter()
            .flat_map(|s| s.entries())
            .map(|(name, _, decl)| {
                let path = json::member(&section_path, name);
                // A broken declaration is reported once; its uses fail quietly.
                let state = if self.check_declaration(decl, &path) { State::Pending } else { State::Failed };
                Param { name: name.to_string(), decl, path, given: None, state }
            })
            .collect();
        for v in values {
            match params.iter_mut().find(|p| p.name.eq_ignore_ascii_case(&v.name)) {
                Some(p) => p.given = Some(v),
                None if root && PSEUDO.iter().any(|p| p.eq_ignore_ascii_case(&v.name)) => {}
                None => {
                    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                    let help = vnetsim_config::diagnostic::did_you_mean(&v.name, names.iter().copied())
                        .map(|n| format!("did you mean `{n}`?"));
                    let message =
                        format!("a value is given for parameter `{}`, which the template does not declare", v.name);
                    match v.at {
                        Some((file, loc, path)) => {
                            let message = format!("`{path}`: {message}");
                            self.errors.borrow_mut().push(Diagnostic { file, loc, message, help })
                        }
                        None => {
                            self.report(section.map_or(template.start(), Node::start), &section_path, message, help)
                        }
                    }
                }
            }
        }
        params
    }

    /// Whether a parameter declaration is an object with a known `type`; else reported.
    fn check_declaration(&self, decl: Node<'a>, path: &str) -> bool {
        if !decl.json.is_object() {
            let found = json::type_name(decl.json);
            self.report(decl.start(), path, format!("a parameter declaration is {found}, not an object"), None);
            return false;
        }
        let Some(rtype) = decl.get_ci("type") else {
            self.report(decl.start(), path, "a parameter needs a `type`", Some(format!("one of {}", TYPES.join(", "))));
            return false;
        };
        match rtype.as_str() {
            Some(t) if TYPES.iter().any(|k| k.eq_ignore_ascii_case(t)) => true,
            _ => {
                let written = rtype.json.to_string();
                let hint = rtype
                    .as_str()
                    .and_then(|t| vnetsim_config::diagnostic::did_you_mean(t, TYPES))
                    .map_or(String::new(), |k| format!("; did you mean `{k}`?"));
                self.report(
                    rtype.start(),
                    &json::member(path, "type"),
                    format!("{written} is not a parameter type{hint}"),
                    Some(format!("one of {}", TYPES.join(", "))),
                );
                false
            }
        }
    }

    /// `parameters(name)` in scope `scope`.
    pub(super) fn parameter(&self, scope: usize, name: &str, at: usize) -> R<Value> {
        let found = {
            let mut scopes = self.scopes.borrow_mut();
            let params = &mut scopes[scope].params;
            match params.iter().position(|p| p.name.eq_ignore_ascii_case(name)) {
                None => {
                    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                    let hint = vnetsim_config::diagnostic::did_you_mean(name, names.iter().copied())
                        .map_or(String::new(), |n| format!("; did you mean `{n}`?"));
                    return Err(Fail::at(at, format!("the template declares no parameter `{name}`{hint}")));
                }
                Some(i) => match &params[i].state {
                    State::Done(v) => return Ok(v.clone()),
                    State::Failed => return Err(Fail::Reported),
                    State::Busy => {
                        let label = format!("parameters('{}')", params[i].name);
                        drop(scopes);
                        let cycle = self.cycle(Pending::Parameter { scope, index: i }, &label);
                        return Err(Fail::at(at, format!("a cycle among parameter defaults: {cycle}")));
                    }
                    State::Pending => {
                        params[i].state = State::Busy;
                        i
                    }
                },
            }
        };
        let (decl, path, given, pname) = {
            let scopes = self.scopes.borrow();
            let p = &scopes[scope].params[found];
            (p.decl, p.path.clone(), p.given.clone(), p.name.clone())
        };
        let label = format!("parameters('{pname}')");
        let result = self.evaluating(Pending::Parameter { scope, index: found }, label, || {
            self.parameter_value(scope, decl, &path, &pname, given)
        });
        self.scopes.borrow_mut()[scope].params[found].state = match &result {
            Ok(v) => State::Done(v.clone()),
            Err(_) => State::Failed,
        };
        result
    }

    fn parameter_value(
        &self,
        scope: usize,
        decl: Node<'a>,
        path: &str,
        name: &str,
        given: Option<GivenValue>,
    ) -> R<Value> {
        let declared = decl.get_ci("type").and_then(Node::as_str).unwrap_or("").to_ascii_lowercase();
        let value = match &given {
            Some(g) => coerce(g.value.clone(), &declared, g.inline).map_err(|e| {
                self.report_given(g, decl, path, format!("the value given for parameter `{name}` {e}"));
                Fail::Reported
            })?,
            None => {
                match decl.get_ci("defaultValue") {
                    Some(default) => {
                        let default_path = json::member(path, "defaultValue");
                        let v = self.value(default, &default_path, &Here { scope, loops: &[] })?;
                        // ARM refuses a default of another type than the declared one.
                        coerce(v, &declared, false).map_err(|e| {
                            let message = format!("the default value of parameter `{name}` {e}");
                            self.report(default.start(), &default_path, message, None);
                            Fail::Reported
                        })?
                    }
                    None if declared.starts_with("secure") => Value::unknown(format!("parameter {name}"), "secret"),
                    None => {
                        self.report(
                        decl.start(),
                        path,
                        format!("parameter `{name}` is required: it has no default and no value is given"),
                        Some(format!("give it in a parameters file, with `--param {name}=…`, or in the import's `parameters:`")),
                    );
                        return Err(Fail::Reported);
                    }
                }
            }
        };
        if let Some(allowed) = decl.get_ci("allowedValues")
            && let Some(options) = allowed.json.as_array()
            && !matches!(value, Value::Unknown(_))
            && !options.iter().any(|o| same(&Value::from_json(o), &value))
        {
            let list: Vec<String> = options.iter().map(|o| o.to_string()).collect();
            let message =
                format!("parameter `{name}` is {value}, which is not among its allowedValues ({})", list.join(", "));
            match &given {
                Some(g) => self.report_given(g, allowed, path, message),
                None => self.report(allowed.start(), path, message, None),
            }
            return Err(Fail::Reported);
        }
        Ok(value)
    }

    /// A problem with a given value: where it is written (a parameters file, a deployment's
    /// `parameters`), else (`--param`) at `decl` of the template.
    fn report_given(&self, given: &GivenValue, decl: Node<'a>, path: &str, message: String) {
        match &given.at {
            Some((file, loc, value_path)) => {
                let declared = self.loc(decl.start());
                let help = Some(format!("declared at {}:{}:{}", self.file, declared.line, declared.column));
                let message = format!("`{value_path}`: {message}");
                self.errors.borrow_mut().push(Diagnostic { file: file.clone(), loc: *loc, message, help });
            }
            None => self.report(decl.start(), path, message, None),
        }
    }
}

/// Allowed values compare strings ignoring case, as ARM does.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

/// A given value as the declared type; inline strings (`--param k=v`) convert.
fn coerce(v: Value, declared: &str, inline: bool) -> Result<Value, String> {
    let text = v.as_str().filter(|_| inline).map(str::to_string);
    let ok = match (declared, &v) {
        (_, Value::Unknown(_)) | ("", _) => true,
        ("string" | "securestring", Value::String(_)) => true,
        ("int", Value::Number(n)) => n.fract() == 0.0,
        ("bool", Value::Bool(_)) => true,
        ("array", Value::List(_)) => true,
        ("object" | "secureobject", Value::Map(_)) => true,
        _ => false,
    };
    if ok {
        return Ok(v);
    }
    let converted = match (declared, text) {
        ("int", Some(t)) => t.trim().parse::<i64>().ok().map(|n| Value::Number(n as f64)),
        ("bool", Some(t)) if t.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
        ("bool", Some(t)) if t.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
        ("array" | "object" | "secureobject", Some(t)) => serde_json::from_str::<serde_json::Value>(&t)
            .ok()
            .map(|j| Value::from_json(&j))
            .filter(|j| match declared {
                "array" => j.as_seq().is_some(),
                _ => j.as_map().is_some(),
            }),
        ("string" | "securestring", _) if inline => v.to_plain_string().map(Value::string),
        _ => None,
    };
    converted
        .ok_or_else(|| format!("is {}, not of its declared type `{declared}`", crate::arm::functions::describe(&v)))
}
