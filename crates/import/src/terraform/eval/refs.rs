//! References: `var.`, `local.`, `count.`, `each.`, `path.`, `terraform.`, resources, `data.`
//! and `module.`, each evaluated once per module instance and remembered.

use super::{Evaluator, Key, ModInst, Scope, Slot, poison};
use crate::value::Value;
use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use std::rc::Rc;

type Ops = [hcl_edit::Decorated<TraversalOperator>];

impl Evaluator<'_> {
    /// A bare name: an iterator or `for` variable, else a reference with no attribute.
    pub(super) fn variable(&self, sc: &Scope, name: &str, e: &Expression) -> Value {
        if let Some((_, v)) = sc.frame.vars.iter().rev().find(|(n, _)| n == name) {
            return v.clone();
        }
        self.reference(sc, name, &[], e).0
    }

    /// Resolves a reference rooted at `name`, consuming the operators that name it. Returns the
    /// value, the resource address and path when it is a resource's (for values Azure computes),
    /// and how many operators it used.
    pub(super) fn reference(
        &self,
        sc: &Scope,
        name: &str,
        ops: &Ops,
        root: &Expression,
    ) -> (Value, Option<(String, String)>, usize) {
        if let Some((_, v)) = sc.frame.vars.iter().rev().find(|(n, _)| n == name) {
            return (v.clone(), None, 0);
        }
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        let span = root.span();
        let missing = |what: &str| {
            self.error(sc.m, sc.file, span.clone(), format!("`{name}` must be followed by {what}"));
            (poison(), None, ops.len())
        };
        match name {
            "var" => {
                let Some(v) = attr(0) else { return missing("a variable name (`var.NAME`)") };
                match sc.m.vars.get(&v) {
                    Some(value) => (value.clone(), None, 1),
                    None => {
                        let hint = hint(&v, sc.m.vars.keys().map(String::as_str), "var.");
                        self.error(sc.m, sc.file, span, format!("no variable `{v}` is declared in this module{hint}"));
                        (poison(), None, 1)
                    }
                }
            }
            "local" => {
                let Some(l) = attr(0) else { return missing("a local value name (`local.NAME`)") };
                let locals = &sc.m.module.locals;
                match locals.iter().position(|x| x.item.0 == l) {
                    Some(i) => (self.local(sc, i, &l, span), None, 1),
                    None => {
                        let hint = hint(&l, locals.iter().map(|x| x.item.0.as_str()), "local.");
                        self.error(
                            sc.m,
                            sc.file,
                            span,
                            format!("no local value `{l}` is declared in this module{hint}"),
                        );
                        (poison(), None, 1)
                    }
                }
            }
            "count" => match (&sc.frame.count, attr(0).as_deref()) {
                (Some(i), Some("index")) => (i.clone(), None, 1),
                (None, _) => {
                    self.error(sc.m, sc.file, span, "`count.index` is only available in a block with `count`".into());
                    (poison(), None, 1)
                }
                _ => missing("`index`"),
            },
            "each" => match (&sc.frame.each, attr(0).as_deref()) {
                (Some((k, _)), Some("key")) => (k.clone(), None, 1),
                (Some((_, v)), Some("value")) => (v.clone(), None, 1),
                (None, _) => {
                    self.error(sc.m, sc.file, span, "`each` is only available in a block with `for_each`".into());
                    (poison(), None, 1)
                }
                _ => missing("`key` or `value`"),
            },
            "path" => match attr(0).as_deref() {
                Some("module") => (Value::string(sc.m.module.dir.display().to_string()), None, 1),
                Some("root") | Some("cwd") => (Value::string("."), None, 1),
                _ => missing("`module`, `root` or `cwd`"),
            },
            "terraform" => match attr(0).as_deref() {
                Some("workspace") => (Value::string("default"), None, 1),
                _ => missing("`workspace`"),
            },
            "self" => {
                // Only provisioners and connection blocks use `self`; their values never decide traffic.
                (Value::unknown("self", ""), None, ops.len())
            }
            "module" => {
                let Some(call) = attr(0) else { return missing("a module name (`module.NAME`)") };
                let calls = &sc.m.module.modules;
                match calls.iter().position(|c| c.item.name == call) {
                    Some(i)
                        if self.closes_cycle(sc, Key::Module(i), &format!("{}module.{call}", sc.m.prefix), &span) =>
                    {
                        (poison(), None, ops.len())
                    }
                    Some(i) => self.output(sc, i, &call, attr(1), &span),
                    None => {
                        let hint = hint(&call, calls.iter().map(|c| c.item.name.as_str()), "module.");
                        self.error(sc.m, sc.file, span, format!("no module call `{call}` in this module{hint}"));
                        (poison(), None, 1)
                    }
                }
            }
            "data" => {
                let (Some(t), Some(n)) = (attr(0), attr(1)) else {
                    return missing("a type and a name (`data.TYPE.NAME`)");
                };
                let data = &sc.m.module.data;
                match data.iter().position(|d| d.item.rtype == t && d.item.name == n) {
                    Some(i) => {
                        let address = format!("{}data.{t}.{n}", sc.m.prefix);
                        if self.closes_cycle(sc, Key::Data(i), &address, &span) {
                            return (poison(), None, ops.len());
                        }
                        (self.resource(sc.m, i, true), Some((address, String::new())), 2)
                    }
                    None => {
                        let known: Vec<String> =
                            data.iter().map(|d| format!("{}.{}", d.item.rtype, d.item.name)).collect();
                        let hint = hint(&format!("{t}.{n}"), known.iter().map(String::as_str), "data.");
                        self.error(
                            sc.m,
                            sc.file,
                            span,
                            format!("no data source `data.{t}.{n}` is declared in this module{hint}"),
                        );
                        (poison(), None, 2)
                    }
                }
            }
            rtype => {
                let Some(n) = attr(0) else { return missing("a resource name (`TYPE.NAME`)") };
                match sc.m.module.resources.iter().position(|r| r.item.rtype == rtype && r.item.name == n) {
                    Some(i) => {
                        let address = format!("{}{rtype}.{n}", sc.m.prefix);
                        if self.closes_cycle(sc, Key::Resource(i), &address, &span) {
                            return (poison(), None, ops.len());
                        }
                        (self.resource(sc.m, i, false), Some((address, String::new())), 1)
                    }
                    None => {
                        let known =
                            sc.m.module
                                .resources
                                .iter()
                                .map(|r| format!("{}.{}", r.item.rtype, r.item.name))
                                .collect::<Vec<_>>();
                        let want = format!("{rtype}.{n}");
                        let hint = hint(&want, known.iter().map(String::as_str), "");
                        self.error(
                            sc.m,
                            sc.file,
                            span,
                            format!("no resource `{want}` is declared in this module{hint}"),
                        );
                        (poison(), None, 1)
                    }
                }
            }
        }
    }

    /// Evaluates `key` of `m` once: a second request while the first is running is a cycle.
    pub(super) fn memo(
        &self,
        m: &Rc<ModInst>,
        key: Key,
        what: String,
        at: (usize, Option<std::ops::Range<usize>>),
        f: impl FnOnce() -> Value,
    ) -> Value {
        match m.memo.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::Busy) => {
                self.error(m, at.0, at.1, self.cycle(&what));
                return poison();
            }
            None => {}
        }
        m.memo.borrow_mut().insert(key, Slot::Busy);
        self.stack.borrow_mut().push(what);
        let v = f();
        self.stack.borrow_mut().pop();
        m.memo.borrow_mut().insert(key, Slot::Done(v.clone()));
        v
    }

    /// Whether `key` of the reference's module is being computed: the reference closes a
    /// cycle, reported where it is written.
    fn closes_cycle(&self, sc: &Scope, key: Key, what: &str, span: &Option<std::ops::Range<usize>>) -> bool {
        let busy = matches!(sc.m.memo.borrow().get(&key), Some(Slot::Busy));
        if busy {
            self.error(sc.m, sc.file, span.clone(), self.cycle(what));
        }
        busy
    }

    /// The message for a cycle closed by asking for `what`: the path from its first request.
    fn cycle(&self, what: &str) -> String {
        let stack = self.stack.borrow();
        let start = stack.iter().position(|s| s == what).unwrap_or(0);
        let mut cycle: Vec<&str> = stack[start..].iter().map(String::as_str).collect();
        cycle.push(what);
        format!("reference cycle: {}", cycle.join(" → "))
    }

    /// `module.NAME` followed by `attr`: an output the module does not declare is reported
    /// here, by name, since the module's value is an object of its outputs.
    fn output(
        &self,
        sc: &Scope,
        i: usize,
        call: &str,
        attr: Option<String>,
        span: &Option<std::ops::Range<usize>>,
    ) -> (Value, Option<(String, String)>, usize) {
        let value = self.module_value(sc.m, i);
        let repeated = ["count", "for_each"].iter().any(|k| sc.m.module.modules[i].item.block.body.has_attribute(k));
        let (Some(name), Some(outputs), false) = (attr, value.as_map(), repeated) else { return (value, None, 1) };
        if outputs.contains_key(&name) {
            return (outputs[&name].clone(), None, 2);
        }
        let mut hint = hint(&name, outputs.keys().map(String::as_str), &format!("module.{call}."));
        if hint.is_empty() {
            let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
            hint =
                if names.is_empty() { " (it declares none)".into() } else { format!(" (it has {})", names.join(", ")) };
        }
        self.error(sc.m, sc.file, span.clone(), format!("module `{call}` has no output `{name}`{hint}"));
        (poison(), None, 2)
    }

    fn local(&self, sc: &Scope, i: usize, name: &str, span: Option<std::ops::Range<usize>>) -> Value {
        let m = sc.m;
        let what = format!("{}local.{name}", m.prefix);
        if self.closes_cycle(sc, Key::Local(i), &what, &span) {
            return poison();
        }
        let local = &m.module.locals[i];
        let at = (local.file, local.item.1.span());
        self.memo(m, Key::Local(i), what, at, || {
            let sc = Scope { m, file: local.file, frame: Default::default() };
            self.expr(&sc, &local.item.1)
        })
    }
}

/// `; did you mean `PREFIXname`?` for the declared name closest to `want`, or nothing.
fn hint<'a>(want: &str, known: impl Iterator<Item = &'a str>, prefix: &str) -> String {
    vnetsim_config::diagnostic::did_you_mean(want, known)
        .map_or(String::new(), |k| format!("; did you mean `{prefix}{k}`?"))
}
