//! Variables: values from the command line, variable files and defaults, converted to the
//! declared type (`object({…})` attributes marked `optional` filled in), and module inputs.

use super::{Evaluator, Frame, Input, ModInst, Module, Scope, file_error, is_poison};
use crate::value::Value;
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Structure;
use std::collections::BTreeMap;
use std::rc::Rc;
use vnetsim_config::Diagnostic;

/// A declared variable type.
#[derive(Clone, Debug)]
enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    /// Attributes: name, type, and for `optional(T, default)` whether it is optional and its default.
    Object(Vec<(String, Type, Option<Option<Expression>>)>),
    Tuple(Vec<Type>),
}

impl Evaluator<'_> {
    /// The root module's variables: `--var` and the import's `vars`, then the named variable
    /// files, then `*.auto.tfvars` and `terraform.tfvars` (Terraform's precedence, highest
    /// first), then defaults. A required variable without a value is an error at its block.
    pub(super) fn root_vars(&self, module: &Rc<Module>, input: &Input) -> BTreeMap<String, Value> {
        let mut given: BTreeMap<String, (Value, Option<Diagnostic>)> = BTreeMap::new();
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        if let Ok(listed) = self.files.list(input.dir) {
            files.extend(listed.iter().filter(|p| p.file_name().is_some_and(|f| f == "terraform.tfvars")).cloned());
            files.extend(listed.into_iter().filter(|p| p.to_string_lossy().ends_with(".auto.tfvars")));
        }
        files.extend(input.var_files.iter().cloned());
        for path in files {
            for (k, v, at) in self.tfvars(&path) {
                given.insert(k, (v, Some(at)));
            }
        }
        for (k, text) in &input.vars {
            given.insert(k.clone(), (self.var_text(module, k, text), None));
        }
        let root_display = input.display.clone();
        for (k, (_, at)) in &given {
            if !module.variables.iter().any(|v| v.item.name == *k) {
                let message = format!("a value is given for `{k}`, but the configuration declares no such variable");
                let hint =
                    vnetsim_config::diagnostic::did_you_mean(k, module.variables.iter().map(|v| v.item.name.as_str()));
                let help = hint.map(|h| format!("did you mean `{h}`?"));
                let at = at.clone().unwrap_or_else(|| file_error(&root_display, String::new()));
                self.errors.borrow_mut().push(Diagnostic { message, help, ..at });
            }
        }
        let probe = Rc::new(ModInst::new(module.clone(), String::new(), input.display.clone(), BTreeMap::new(), 0));
        self.module_vars(&probe, 0, None, module, given)
    }

    /// A `-var` value: text for a string variable, else parsed as an HCL expression (lists,
    /// maps, numbers), like Terraform does.
    fn var_text(&self, module: &Rc<Module>, name: &str, text: &str) -> Value {
        let declared = module.variables.iter().find(|v| v.item.name == name);
        let is_string = declared.is_none_or(|v| {
            v.item
                .block
                .body
                .get_attribute("type")
                .is_none_or(|t| matches!(&t.value, Expression::Variable(i) if i.as_str() == "string"))
        });
        if is_string {
            return Value::string(text);
        }
        match hcl_edit::parser::parse_expr(text) {
            Ok(e) => {
                let m = Rc::new(ModInst::new(module.clone(), String::new(), String::new(), BTreeMap::new(), 0));
                self.expr(&Scope { m: &m, file: 0, frame: Frame::default() }, &e)
            }
            Err(_) => Value::string(text),
        }
    }

    /// The assignments of a `.tfvars` file (constant expressions), each with where it is
    /// written.
    fn tfvars(&self, path: &std::path::Path) -> Vec<(String, Value, Diagnostic)> {
        let display = path.display().to_string();
        let text = match self.files.read(path) {
            Ok(t) => t,
            Err(e) => {
                self.errors
                    .borrow_mut()
                    .push(file_error(&display, format!("cannot read the variable file {display}: {e}")));
                return Vec::new();
            }
        };
        let source = super::super::source::SourceFile::new(display.clone(), text);
        let body = match hcl_edit::parser::parse_body(&source.text) {
            Ok(b) => b,
            Err(e) => {
                self.errors.borrow_mut().push(super::super::syntax::error(&source, &e));
                return Vec::new();
            }
        };
        let module = Rc::new(Module {
            dir: path.parent().unwrap_or(std::path::Path::new(".")).to_path_buf(),
            files: vec![source],
            variables: Vec::new(),
            locals: Vec::new(),
            resources: Vec::new(),
            data: Vec::new(),
            modules: Vec::new(),
            outputs: Vec::new(),
        });
        let m = Rc::new(ModInst::new(module, String::new(), String::new(), BTreeMap::new(), 0));
        let sc = Scope { m: &m, file: 0, frame: Frame::default() };
        body.iter()
            .filter_map(|s| match s {
                Structure::Attribute(a) => Some((
                    a.key.as_str().to_string(),
                    self.expr(&sc, &a.value),
                    m.module.error(0, a.value.span(), String::new()),
                )),
                Structure::Block(b) => {
                    self.error(&m, 0, b.span(), "a variable file holds only assignments (`name = value`)".into());
                    None
                }
            })
            .collect()
    }

    /// A module's variables from the values given (each with where it is written, as a
    /// diagnostic without a message: in the caller, a variable file; none for `--var`),
    /// converted to their types, defaults for the rest.
    pub(super) fn module_vars(
        &self,
        caller: &Rc<ModInst>,
        call_file: usize,
        call_span: Option<std::ops::Range<usize>>,
        module: &Rc<Module>,
        mut given: BTreeMap<String, (Value, Option<Diagnostic>)>,
    ) -> BTreeMap<String, Value> {
        let decl_inst = Rc::new(ModInst::new(module.clone(), String::new(), String::new(), BTreeMap::new(), 0));
        let mut out = BTreeMap::new();
        for v in &module.variables {
            let body = &v.item.block.body;
            let sc = Scope { m: &decl_inst, file: v.file, frame: Frame::default() };
            let ty = body.get_attribute("type").map_or(Type::Any, |t| self.parse_type(&sc, &t.value));
            let value = match given.remove(&v.item.name) {
                Some((value, at)) => match convert(&value, &ty, &|e| self.expr(&sc, e)) {
                    Ok(c) => c,
                    Err(why) => {
                        if !is_poison(&value) {
                            match at {
                                Some(at) => self
                                    .errors
                                    .borrow_mut()
                                    .push(Diagnostic { message: format!("variable `{}`: {why}", v.item.name), ..at }),
                                None => self.error(
                                    &decl_inst,
                                    v.file,
                                    v.item.block.span(),
                                    format!("the value given for variable `{}` (`--var` or the import's `vars:`) is wrong: {why}", v.item.name),
                                ),
                            }
                        }
                        super::poison()
                    }
                },
                None => match body.get_attribute("default") {
                    Some(d) => {
                        let dv = self.expr(&sc, &d.value);
                        convert(&dv, &ty, &|e| self.expr(&sc, e)).unwrap_or_else(|why| {
                            if !is_poison(&dv) {
                                let message = format!("the default of variable `{}` is wrong: {why}", v.item.name);
                                self.error(&decl_inst, v.file, d.value.span(), message);
                            }
                            super::poison()
                        })
                    }
                    // A module call must pass it (Terraform refuses the call otherwise).
                    None if call_span.is_some() => {
                        self.error_with_help(
                            caller,
                            call_file,
                            call_span.clone(),
                            format!("the module call lacks the required variable `{}`", v.item.name),
                            format!("pass `{} = …` in the module block", v.item.name),
                        );
                        super::poison()
                    }
                    // At the root Terraform would ask for it; vnetsim reports it where a value
                    // that matters needs it (a variable only a password or a tag reads never does).
                    None => Value::unknown(format!("var.{}", v.item.name), String::new()),
                },
            };
            out.insert(v.item.name.clone(), value);
        }
        out
    }

    fn parse_type(&self, sc: &Scope, e: &Expression) -> Type {
        match e {
            Expression::Variable(v) => match v.as_str() {
                "string" => Type::String,
                "number" => Type::Number,
                "bool" => Type::Bool,
                _ => Type::Any,
            },
            Expression::FuncCall(f) => {
                let arg = f.args.iter().next();
                let inner = |a: Option<&Expression>| Box::new(a.map_or(Type::Any, |a| self.parse_type(sc, a)));
                match f.name.name.as_str() {
                    "list" => Type::List(inner(arg)),
                    "set" => Type::Set(inner(arg)),
                    "map" => Type::Map(inner(arg)),
                    "tuple" => match arg {
                        Some(Expression::Array(items)) => {
                            Type::Tuple(items.iter().map(|i| self.parse_type(sc, i)).collect())
                        }
                        _ => Type::Any,
                    },
                    "object" => match arg {
                        Some(Expression::Object(obj)) => Type::Object(
                            obj.iter()
                                .map(|(k, v)| {
                                    let name = match k {
                                        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                                        hcl_edit::expr::ObjectKey::Expression(e) => {
                                            self.expr(sc, e).to_plain_string().unwrap_or_default()
                                        }
                                    };
                                    match v.expr() {
                                        Expression::FuncCall(o) if o.name.name.as_str() == "optional" => {
                                            let mut args = o.args.iter();
                                            let ty = args.next().map_or(Type::Any, |a| self.parse_type(sc, a));
                                            (name, ty, Some(args.next().cloned()))
                                        }
                                        other => (name, self.parse_type(sc, other), None),
                                    }
                                })
                                .collect(),
                        ),
                        _ => Type::Any,
                    },
                    _ => Type::Any,
                }
            }
            _ => Type::Any,
        }
    }
}

/// Converts a value to a declared type the way Terraform does: primitives from strings,
/// lists and sets into each other, objects filled with their optional attributes' defaults.
fn convert(v: &Value, ty: &Type, eval: &dyn Fn(&Expression) -> Value) -> Result<Value, String> {
    if matches!(v, Value::Unknown(_) | Value::Null) {
        return Ok(v.clone());
    }
    match ty {
        Type::Any => Ok(v.clone()),
        Type::String => v
            .to_plain_string()
            .map(Value::string)
            .ok_or_else(|| format!("a string is required, found {}", v.type_name())),
        Type::Number => {
            v.as_number().map(Value::Number).ok_or_else(|| format!("a number is required, found {} {v}", v.type_name()))
        }
        Type::Bool => {
            v.as_bool().map(Value::Bool).ok_or_else(|| format!("a bool is required, found {} {v}", v.type_name()))
        }
        Type::List(_) | Type::Set(_) | Type::Tuple(_) if v.as_seq().is_none() => {
            Err(format!("a list is required, found {}", v.type_name()))
        }
        Type::List(t) => Ok(Value::list(each(v.as_seq().unwrap_or(&[]), t, eval)?)),
        Type::Set(t) => Ok(Value::set(each(v.as_seq().unwrap_or(&[]), t, eval)?)),
        Type::Tuple(ts) => {
            let items = v.as_seq().unwrap_or(&[]);
            Ok(Value::list(
                items
                    .iter()
                    .zip(ts.iter().chain(std::iter::repeat(&Type::Any)))
                    .map(|(i, t)| convert(i, t, eval))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Type::Map(t) => {
            let m = v.as_map().ok_or_else(|| format!("a map is required, found {}", v.type_name()))?;
            Ok(Value::map(m.iter().map(|(k, i)| Ok((k.clone(), convert(i, t, eval)?))).collect::<Result<_, String>>()?))
        }
        Type::Object(attrs) => {
            let m = v.as_map().ok_or_else(|| format!("an object is required, found {}", v.type_name()))?;
            let mut out = m.clone();
            for (name, t, optional) in attrs {
                match (m.get(name), optional) {
                    (Some(x), _) => {
                        out.insert(name.clone(), convert(x, t, eval).map_err(|e| format!("attribute `{name}`: {e}"))?);
                    }
                    (None, Some(default)) => {
                        let d = default.as_ref().map_or(Value::Null, eval);
                        out.insert(name.clone(), convert(&d, t, eval).unwrap_or(d));
                    }
                    (None, None) => return Err(format!("attribute `{name}` is required")),
                }
            }
            Ok(Value::map(out))
        }
    }
}

fn each(items: &[Value], t: &Type, eval: &dyn Fn(&Expression) -> Value) -> Result<Vec<Value>, String> {
    items.iter().enumerate().map(|(i, x)| convert(x, t, eval).map_err(|e| format!("element {i}: {e}"))).collect()
}
