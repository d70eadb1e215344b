//! Expressions: literals, templates, operators, conditionals, `for`, splats, function calls.

use super::{Evaluator, Scope, is_poison, poison};
use crate::terraform::functions;
use crate::value::{Value, format_number};
use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, FuncCall, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use std::collections::BTreeMap;

/// How deep expressions may nest before evaluation stops (a guard for generated input).
const MAX_DEPTH: usize = 256;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Evaluator<'_> {
    /// Evaluates an expression; problems are reported and give a poisoned value.
    pub fn expr(&self, sc: &Scope, e: &Expression) -> Value {
        let depth = DEPTH.with(|d| d.get());
        if depth >= MAX_DEPTH {
            self.error(sc.m, sc.file, e.span(), "expression nested too deeply".into());
            return poison();
        }
        DEPTH.with(|d| d.set(depth + 1));
        let v = self.expr_inner(sc, e);
        DEPTH.with(|d| d.set(depth));
        v
    }

    fn expr_inner(&self, sc: &Scope, e: &Expression) -> Value {
        match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(**b),
            Expression::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => Value::string(s.as_str()),
            Expression::Array(items) => Value::list(items.iter().map(|i| self.expr(sc, i)).collect()),
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                for (k, v) in obj.iter() {
                    let key = match k {
                        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                        hcl_edit::expr::ObjectKey::Expression(ke) => {
                            let kv = self.unparen_key(sc, ke);
                            match kv.to_plain_string() {
                                Some(s) => s,
                                None if matches!(kv, Value::Unknown(_)) => return kv,
                                None => {
                                    self.error(
                                        sc.m,
                                        sc.file,
                                        ke.span(),
                                        format!("an object key must be a string, found {}", kv.type_name()),
                                    );
                                    return poison();
                                }
                            }
                        }
                    };
                    out.insert(key, self.expr(sc, v.expr()));
                }
                Value::map(out)
            }
            Expression::StringTemplate(t) => self.template(sc, t),
            Expression::HeredocTemplate(h) => {
                let mut h = (**h).clone();
                if h.indent().is_some() {
                    h.dedent();
                }
                self.template(sc, &h.template)
            }
            Expression::Parenthesis(p) => self.expr(sc, p.inner()),
            Expression::Variable(v) => self.variable(sc, v.as_str(), e),
            Expression::Conditional(c) => {
                let cond = self.expr(sc, &c.cond_expr);
                match cond.as_bool() {
                    Some(true) => self.expr(sc, &c.true_expr),
                    Some(false) => self.expr(sc, &c.false_expr),
                    None if matches!(cond, Value::Unknown(_)) => cond,
                    None => {
                        self.error(
                            sc.m,
                            sc.file,
                            c.cond_expr.span(),
                            format!("a condition must be a bool, found {} {cond}", cond.type_name()),
                        );
                        poison()
                    }
                }
            }
            Expression::FuncCall(f) => self.call(sc, f, e),
            Expression::Traversal(t) => self.traversal(sc, &t.expr, &t.operators),
            Expression::UnaryOp(u) => {
                let v = self.expr(sc, &u.expr);
                if let Value::Unknown(_) = v {
                    return v;
                }
                match *u.operator {
                    UnaryOperator::Neg => match v.as_number() {
                        Some(n) => Value::Number(-n),
                        None => self.type_error(sc, e, "-", "a number", &v),
                    },
                    UnaryOperator::Not => match v.as_bool() {
                        Some(b) => Value::Bool(!b),
                        None => self.type_error(sc, e, "!", "a bool", &v),
                    },
                }
            }
            Expression::BinaryOp(b) => self.binary(sc, e, &b.lhs_expr, *b.operator, &b.rhs_expr),
            Expression::ForExpr(f) => self.for_expr(sc, f),
        }
    }

    /// An object key written as an expression: `(var.x)` or a bare name used as a string.
    fn unparen_key(&self, sc: &Scope, e: &Expression) -> Value {
        match e {
            Expression::Variable(v) => Value::string(v.as_str()),
            other => self.expr(sc, other),
        }
    }

    fn type_error(&self, sc: &Scope, e: &Expression, op: &str, want: &str, v: &Value) -> Value {
        if !is_poison(v) {
            self.error(sc.m, sc.file, e.span(), format!("`{op}` needs {want}, found {} {v}", v.type_name()));
        }
        poison()
    }

    fn binary(&self, sc: &Scope, e: &Expression, l: &Expression, op: BinaryOperator, r: &Expression) -> Value {
        use BinaryOperator as B;
        let lv = self.expr(sc, l);
        // `&&` and `||` evaluate both sides in Terraform; no short circuit is needed for meaning.
        let rv = self.expr(sc, r);
        if let Value::Unknown(_) = lv {
            return lv;
        }
        if let Value::Unknown(_) = rv {
            return rv;
        }
        match op {
            B::Eq => Value::Bool(equal(&lv, &rv)),
            B::NotEq => Value::Bool(!equal(&lv, &rv)),
            B::And | B::Or => match (lv.as_bool(), rv.as_bool()) {
                (Some(a), Some(b)) => Value::Bool(if op == B::And { a && b } else { a || b }),
                _ => self.type_error(sc, e, op.as_str(), "two bools", if lv.as_bool().is_none() { &lv } else { &rv }),
            },
            _ => {
                let (Some(a), Some(b)) = (lv.as_number(), rv.as_number()) else {
                    return self.type_error(
                        sc,
                        e,
                        op.as_str(),
                        "two numbers",
                        if lv.as_number().is_none() { &lv } else { &rv },
                    );
                };
                match op {
                    B::Plus => Value::Number(a + b),
                    B::Minus => Value::Number(a - b),
                    B::Mul => Value::Number(a * b),
                    B::Div | B::Mod if b == 0.0 => {
                        self.error(sc.m, sc.file, e.span(), "division by zero".into());
                        poison()
                    }
                    B::Div => Value::Number(a / b),
                    B::Mod => Value::Number(a % b),
                    B::Less => Value::Bool(a < b),
                    B::LessEq => Value::Bool(a <= b),
                    B::Greater => Value::Bool(a > b),
                    B::GreaterEq => Value::Bool(a >= b),
                    _ => unreachable!("handled above"),
                }
            }
        }
    }

    fn template(&self, sc: &Scope, t: &Template) -> Value {
        let mut out = String::new();
        match self.template_into(sc, t, &mut out) {
            Some(unknown) => unknown,
            None => Value::string(out),
        }
    }

    /// Appends a template's text to `out`; returns the unknown value that makes it unknown.
    fn template_into(&self, sc: &Scope, t: &Template, out: &mut String) -> Option<Value> {
        for element in t.iter() {
            match element {
                Element::Literal(s) => out.push_str(s),
                Element::Interpolation(i) => {
                    let v = self.expr(sc, &i.expr);
                    match v.to_plain_string() {
                        Some(s) => out.push_str(&s),
                        None if matches!(v, Value::Unknown(_)) => return Some(v),
                        None if v.is_null() => {
                            self.error(
                                sc.m,
                                sc.file,
                                i.expr.span(),
                                "a null value cannot be interpolated into a string".into(),
                            );
                            return Some(poison());
                        }
                        None => {
                            self.error(
                                sc.m,
                                sc.file,
                                i.expr.span(),
                                format!("cannot interpolate {} {v} into a string", v.type_name()),
                            );
                            return Some(poison());
                        }
                    }
                }
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        let cond = self.expr(sc, &ifd.if_expr.cond_expr);
                        match cond.as_bool() {
                            Some(true) => {
                                if let Some(u) = self.template_into(sc, &ifd.if_expr.template, out) {
                                    return Some(u);
                                }
                            }
                            Some(false) => {
                                if let Some(e) = &ifd.else_expr
                                    && let Some(u) = self.template_into(sc, &e.template, out)
                                {
                                    return Some(u);
                                }
                            }
                            None => return Some(if matches!(cond, Value::Unknown(_)) { cond } else { poison() }),
                        }
                    }
                    Directive::For(f) => {
                        let coll = self.expr(sc, &f.for_expr.collection_expr);
                        let Some(pairs) = self.pairs(sc, &f.for_expr.collection_expr, &coll) else {
                            return Some(poison());
                        };
                        for (k, v) in pairs {
                            let mut inner = sc.clone();
                            if let Some(kv) = &f.for_expr.key_var {
                                inner.frame.vars.push((kv.as_str().to_string(), k));
                            }
                            inner.frame.vars.push((f.for_expr.value_var.as_str().to_string(), v));
                            if let Some(u) = self.template_into(&inner, &f.for_expr.template, out) {
                                return Some(u);
                            }
                        }
                    }
                },
            }
        }
        None
    }

    /// The (key, value) pairs a `for` iterates: indexes of a list, keys of a map, the elements
    /// of a set as their own keys.
    fn pairs(&self, sc: &Scope, e: &Expression, coll: &Value) -> Option<Vec<(Value, Value)>> {
        match coll {
            Value::List(items) => {
                Some(items.iter().enumerate().map(|(i, v)| (Value::Number(i as f64), v.clone())).collect())
            }
            Value::Set(items) => Some(items.iter().map(|v| (v.clone(), v.clone())).collect()),
            Value::Map(m) => Some(
                m.iter()
                    .filter(|(k, _)| k.as_str() != super::resources::RESOURCE_MARK)
                    .map(|(k, v)| (Value::string(k.as_str()), v.clone()))
                    .collect(),
            ),
            Value::Unknown(_) => None,
            other => {
                self.error(sc.m, sc.file, e.span(), format!("cannot iterate over {} {other}", other.type_name()));
                None
            }
        }
    }

    fn for_expr(&self, sc: &Scope, f: &ForExpr) -> Value {
        let coll = self.expr(sc, &f.intro.collection_expr);
        if let Value::Unknown(_) = coll {
            return coll;
        }
        let Some(pairs) = self.pairs(sc, &f.intro.collection_expr, &coll) else { return poison() };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in pairs {
            let mut inner = sc.clone();
            if let Some(kv) = &f.intro.key_var {
                inner.frame.vars.push((kv.as_str().to_string(), k));
            }
            inner.frame.vars.push((f.intro.value_var.as_str().to_string(), v));
            if let Some(cond) = &f.cond {
                let c = self.expr(&inner, &cond.expr);
                match c.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None if matches!(c, Value::Unknown(_)) => return c,
                    None => {
                        self.error(
                            sc.m,
                            sc.file,
                            cond.expr.span(),
                            format!("a `for` condition must be a bool, found {}", c.type_name()),
                        );
                        return poison();
                    }
                }
            }
            let value = self.expr(&inner, &f.value_expr);
            match &f.key_expr {
                None => list.push(value),
                Some(ke) => {
                    let key = self.expr(&inner, ke);
                    let Some(key) = key.to_plain_string() else {
                        if matches!(key, Value::Unknown(_)) {
                            return key;
                        }
                        self.error(
                            sc.m,
                            sc.file,
                            ke.span(),
                            format!("a `for` key must be a string, found {}", key.type_name()),
                        );
                        return poison();
                    };
                    if f.grouping {
                        groups.entry(key).or_default().push(value);
                    } else if map.insert(key.clone(), value).is_some() {
                        self.error_with_help(
                            sc.m,
                            sc.file,
                            ke.span(),
                            format!("duplicate key `{key}` in a `for` expression"),
                            "add `...` after the value to group values by key".into(),
                        );
                        return poison();
                    }
                }
            }
        }
        match &f.key_expr {
            None => Value::list(list),
            Some(_) if f.grouping => Value::map(groups.into_iter().map(|(k, v)| (k, Value::list(v))).collect()),
            Some(_) => Value::map(map),
        }
    }

    /// A function call: `try` and `can` evaluate their arguments themselves; the rest get values.
    fn call(&self, sc: &Scope, f: &FuncCall, e: &Expression) -> Value {
        let name = f.name.name.as_str();
        if !f.name.namespace.is_empty() {
            self.error(
                sc.m,
                sc.file,
                e.span(),
                format!("provider functions (`{}::…`) are not supported", f.name.namespace[0].as_str()),
            );
            return poison();
        }
        match name {
            "try" => {
                for arg in f.args.iter() {
                    let mark = self.error_count();
                    let v = self.expr(sc, arg);
                    if self.error_count() == mark && !is_poison(&v) {
                        return v;
                    }
                    self.rewind(mark);
                }
                self.error(sc.m, sc.file, e.span(), "try: no argument could be evaluated without an error".into());
                return poison();
            }
            "can" => {
                let Some(arg) = f.args.iter().next() else {
                    self.error(sc.m, sc.file, e.span(), "can takes one argument".into());
                    return poison();
                };
                let mark = self.error_count();
                let v = self.expr(sc, arg);
                let ok = self.error_count() == mark && !is_poison(&v);
                self.rewind(mark);
                return if matches!(v, Value::Unknown(_)) && ok { v } else { Value::Bool(ok) };
            }
            _ => {}
        }
        let mut args: Vec<Value> = f.args.iter().map(|a| self.expr(sc, a)).collect();
        if f.args.expand_final() {
            match args.pop() {
                Some(Value::List(items)) | Some(Value::Set(items)) => args.extend(items.iter().cloned()),
                Some(u @ Value::Unknown(_)) => return u,
                Some(other) => {
                    self.error(sc.m, sc.file, e.span(), format!("`...` expands a list, found {}", other.type_name()));
                    return poison();
                }
                None => {}
            }
        }
        if let Some(p) = args.iter().find(|a| is_poison(a)) {
            return p.clone();
        }
        let result = match name {
            "file" | "templatefile" | "filebase64" | "fileexists" => self.file_function(sc, name, &args),
            // Values that change every run: a fixed stand-in keeps imports deterministic.
            "timestamp" => Ok(Value::string("2026-01-01T00:00:00Z")),
            "uuid" => Ok(Value::string("00000000-0000-4000-8000-000000000000")),
            _ => functions::call(name, args),
        };
        result.unwrap_or_else(|message| {
            self.error(sc.m, sc.file, e.span(), message);
            poison()
        })
    }

    /// `file` and friends, relative to the module's folder.
    fn file_function(&self, sc: &Scope, name: &str, args: &[Value]) -> Result<Value, String> {
        let [path] = args else { return Err(format!("{name} takes a path")) };
        if let Value::Unknown(_) = path {
            return Ok(path.clone());
        }
        let Some(p) = path.as_str() else { return Err(format!("{name}: the path must be a string")) };
        let full = sc.m.module.dir.join(p);
        match name {
            "fileexists" => Ok(Value::Bool(self.files.read(&full).is_ok())),
            _ => match self.files.read(&full) {
                Ok(text) if name == "file" => Ok(Value::string(text)),
                // What a template renders to (cloud-init, scripts) never decides traffic.
                Ok(_) => Ok(Value::unknown(format!("{name}(\"{p}\")"), "")),
                Err(e) => Err(format!("{name}: cannot read {p}: {e}")),
            },
        }
    }

    /// A traversal: a reference (`var.x`, `azurerm_subnet.a[0].id`) or operators applied to any
    /// expression's value.
    pub(super) fn traversal(
        &self,
        sc: &Scope,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> Value {
        let (mut value, mut origin, used) = match root {
            Expression::Variable(v) => self.reference(sc, v.as_str(), ops, root),
            other => (self.expr(sc, other), None, 0),
        };
        let mut i = used;
        while i < ops.len() {
            if let Value::Unknown(c) = &value {
                // Keep the path into a value known after apply, for the message that needs it.
                let mut path = c.path.clone();
                for op in &ops[i..] {
                    push_path(&mut path, op.value(), &|e| self.expr(sc, e));
                }
                return Value::unknown(c.address.clone(), path);
            }
            match ops[i].value() {
                TraversalOperator::GetAttr(name) => {
                    value = self.get_attr(sc, &value, name.as_str(), &mut origin, ops[i].span());
                }
                TraversalOperator::Index(ie) => {
                    let key = self.expr(sc, ie);
                    value = self.index(sc, &value, &key, &mut origin, ie.span());
                }
                TraversalOperator::LegacyIndex(n) => {
                    value = self.index(sc, &value, &Value::Number(**n as f64), &mut origin, ops[i].span());
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = &ops[i + 1..];
                    let attr_only = matches!(ops[i].value(), TraversalOperator::AttrSplat(_));
                    // An attribute splat applies only the attribute accesses that follow it.
                    let take = if attr_only {
                        rest.iter().take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_))).count()
                    } else {
                        rest.len()
                    };
                    let items: Vec<Value> = match &value {
                        Value::List(items) | Value::Set(items) => items.to_vec(),
                        Value::Null => Vec::new(),
                        other => vec![other.clone()],
                    };
                    let mapped = items
                        .iter()
                        .enumerate()
                        .map(|(n, item)| {
                            let mut o = origin.clone().map(|(a, p)| (a, format!("{p}[{n}]")));
                            self.apply(sc, item.clone(), &rest[..take], &mut o)
                        })
                        .collect();
                    value = Value::list(mapped);
                    origin = None;
                    i += 1 + take;
                    continue;
                }
            }
            i += 1;
        }
        value
    }

    /// Applies traversal operators to a value (the part of a splat after `[*]`).
    fn apply(
        &self,
        sc: &Scope,
        mut value: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        origin: &mut Option<(String, String)>,
    ) -> Value {
        for op in ops {
            value = match op.value() {
                TraversalOperator::GetAttr(name) => self.get_attr(sc, &value, name.as_str(), origin, op.span()),
                TraversalOperator::Index(ie) => {
                    let key = self.expr(sc, ie);
                    self.index(sc, &value, &key, origin, ie.span())
                }
                TraversalOperator::LegacyIndex(n) => {
                    self.index(sc, &value, &Value::Number(**n as f64), origin, op.span())
                }
                _ => {
                    self.error(sc.m, sc.file, op.span(), "a splat inside a splat is not supported".into());
                    poison()
                }
            };
        }
        value
    }

    /// `value.name`. On a resource's object (`origin` set), a missing attribute is one Azure
    /// computes: unknown, remembered with its path.
    fn get_attr(
        &self,
        sc: &Scope,
        value: &Value,
        name: &str,
        origin: &mut Option<(String, String)>,
        span: Option<std::ops::Range<usize>>,
    ) -> Value {
        if let Some((_, path)) = origin.as_mut() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(name);
        }
        match value {
            Value::Unknown(c) => Value::unknown(c.address.clone(), join_path(&c.path, name)),
            Value::Map(m) => match m.get(name) {
                Some(v) => v.clone(),
                None => match (origin, m.get(super::resources::RESOURCE_MARK)) {
                    (Some((address, path)), _) => Value::unknown(address.clone(), path.clone()),
                    (None, Some(address)) => Value::unknown(address.as_str().unwrap_or(""), name),
                    (None, None) => {
                        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
                        let hint = match vnetsim_config::diagnostic::did_you_mean(name, keys.iter().copied()) {
                            Some(k) => format!("; did you mean `{k}`?"),
                            None if keys.is_empty() => " (it is empty)".into(),
                            None if keys.len() <= 10 => format!(" (it has {})", keys.join(", ")),
                            None => String::new(),
                        };
                        self.error(sc.m, sc.file, span, format!("this object has no attribute `{name}`{hint}"));
                        poison()
                    }
                },
            },
            Value::Null => {
                self.error(sc.m, sc.file, span, format!("cannot read `{name}` of a null value"));
                poison()
            }
            Value::List(_) | Value::Set(_) if origin.is_some() => {
                self.error_with_help(
                    sc.m,
                    sc.file,
                    span,
                    format!("cannot read `{name}` of a list of instances"),
                    "the resource has `count` or `for_each`: index it first (`[0]`, `[\"key\"]`) or use a splat (`[*]`)".into(),
                );
                poison()
            }
            other => {
                self.error(sc.m, sc.file, span, format!("cannot read `{name}` of {} {other}", other.type_name()));
                poison()
            }
        }
    }

    fn index(
        &self,
        sc: &Scope,
        value: &Value,
        key: &Value,
        origin: &mut Option<(String, String)>,
        span: Option<std::ops::Range<usize>>,
    ) -> Value {
        if let Value::Unknown(_) = key {
            return key.clone();
        }
        if let Some((_, path)) = origin.as_mut() {
            match key {
                Value::String(s) => path.push_str(&format!("[{s:?}]")),
                other => path.push_str(&format!("[{}]", other.to_plain_string().unwrap_or_default())),
            }
        }
        match value {
            Value::Unknown(c) => Value::unknown(c.address.clone(), c.path.clone()),
            Value::List(items) => {
                let Some(n) = key.as_number().filter(|n| n.fract() == 0.0 && *n >= 0.0) else {
                    self.error(sc.m, sc.file, span, format!("a list index must be a whole number ≥ 0, found {key}"));
                    return poison();
                };
                match items.get(n as usize) {
                    Some(v) => v.clone(),
                    None => match origin {
                        // Computed nested blocks (a firewall's `ip_configuration[0]` written
                        // in config has it; others are Azure's).
                        Some((address, path)) if items.is_empty() => Value::unknown(address.clone(), path.clone()),
                        _ => {
                            self.error(
                                sc.m,
                                sc.file,
                                span,
                                format!(
                                    "index {} is out of range: the list has {} element{}",
                                    format_number(n),
                                    items.len(),
                                    if items.len() == 1 { "" } else { "s" }
                                ),
                            );
                            poison()
                        }
                    },
                }
            }
            Value::Map(m) => {
                let Some(k) = key.to_plain_string() else {
                    self.error(sc.m, sc.file, span, format!("a map key must be a string, found {}", key.type_name()));
                    return poison();
                };
                match m.get(&k) {
                    Some(v) => v.clone(),
                    None => {
                        self.error(sc.m, sc.file, span, format!("no element with key `{k}`"));
                        poison()
                    }
                }
            }
            Value::Set(_) => {
                self.error_with_help(
                    sc.m,
                    sc.file,
                    span,
                    "a set cannot be indexed".into(),
                    "convert it with tolist() first".into(),
                );
                poison()
            }
            other => {
                self.error(sc.m, sc.file, span, format!("cannot index {} {other}", other.type_name()));
                poison()
            }
        }
    }
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
}

/// Appends a traversal operator to an attribute path, for messages.
fn push_path(path: &mut String, op: &TraversalOperator, eval: &dyn Fn(&Expression) -> Value) {
    match op {
        TraversalOperator::GetAttr(n) => *path = join_path(path, n.as_str()),
        TraversalOperator::Index(e) => path.push_str(&format!("[{}]", eval(e))),
        TraversalOperator::LegacyIndex(n) => path.push_str(&format!("[{}]", **n)),
        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => path.push_str("[*]"),
    }
}

/// Terraform's `==`: equal values of equal types (numbers by value).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|((kp, p), (kq, q))| kp == kq && equal(p, q))
        }
        _ => a == b,
    }
}
