//! Template variables, evaluated on first use (a variable may use one declared after it), and
//! `copy` in variables (an array variable built by a loop). A cycle is an error.

use super::eval::{Fail, Here, R};
use super::{Evaluator, Pending, State};
use crate::json::{self, Node};
use crate::value::Value;

enum Def<'a> {
    Plain(Node<'a>),
    /// An element of the variables' `copy` array: `{name, count, input}`.
    Copy(Node<'a>),
}

pub(super) struct Var<'a> {
    pub name: String,
    def: Def<'a>,
    path: String,
    state: State,
}

impl<'a> Evaluator<'a> {
    pub(super) fn declare_variables(&self, template: Node<'a>, path: &str) -> Vec<Var<'a>> {
        let Some(section) = self.section(template, "variables", path) else { return Vec::new() };
        let section_path = json::member(path, "variables");
        let mut vars = Vec::new();
        for (name, _, node) in section.entries() {
            if name.eq_ignore_ascii_case("copy") && node.json.is_array() {
                let copy_path = json::member(&section_path, name);
                for (i, elem) in node.items().enumerate() {
                    let elem_path = json::index(&copy_path, i);
                    // A malformed loop is an error even if nothing reads the variable.
                    if let Some(n) = self.check_loop(elem, &elem_path) {
                        vars.push(Var {
                            name: n.to_string(),
                            def: Def::Copy(elem),
                            path: elem_path,
                            state: State::Pending,
                        });
                    }
                }
            } else {
                vars.push(Var {
                    name: name.to_string(),
                    def: Def::Plain(node),
                    path: json::member(&section_path, name),
                    state: State::Pending,
                });
            }
        }
        vars
    }

    /// `variables(name)` in scope `scope`.
    pub(super) fn variable(&self, scope: usize, name: &str, at: usize) -> R<Value> {
        let found = {
            let mut scopes = self.scopes.borrow_mut();
            let vars = &mut scopes[scope].vars;
            let Some(i) = vars.iter().position(|v| v.name.eq_ignore_ascii_case(name)) else {
                let names: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
                let hint = vnetsim_config::diagnostic::did_you_mean(name, names.iter().copied())
                    .map_or(String::new(), |n| format!("; did you mean `{n}`?"));
                return Err(Fail::at(at, format!("the template declares no variable `{name}`{hint}")));
            };
            match &vars[i].state {
                State::Done(v) => return Ok(v.clone()),
                State::Failed => return Err(Fail::Reported),
                State::Busy => {
                    let what = Pending::Variable { scope, index: i };
                    let label = format!("variables('{}')", vars[i].name);
                    drop(scopes);
                    return Err(Fail::at(at, format!("a cycle among variables: {}", self.cycle(what, &label))));
                }
                State::Pending => vars[i].state = State::Busy,
            }
            i
        };
        let (node, is_copy, path, label) = {
            let scopes = self.scopes.borrow();
            let v = &scopes[scope].vars[found];
            let label = format!("variables('{}')", v.name);
            match v.def {
                Def::Plain(n) => (n, false, v.path.clone(), label),
                Def::Copy(n) => (n, true, v.path.clone(), label),
            }
        };
        let here = Here { scope, loops: &[] };
        let result = self.evaluating(Pending::Variable { scope, index: found }, label, || {
            if is_copy { self.copy_array(node, &path, &here).map(|(_, v)| v) } else { self.value(node, &path, &here) }
        });
        self.scopes.borrow_mut()[scope].vars[found].state = match &result {
            Ok(v) => State::Done(v.clone()),
            Err(_) => State::Failed,
        };
        result
    }
}
