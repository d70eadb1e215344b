//! ARM templates evaluated as Azure Resource Manager evaluates them at deployment: parameters
//! (files, inline values, defaults), variables, the expression language, resource and property
//! `copy` loops, `condition`, nested deployments with inner or outer scope (what Bicep modules
//! compile to), languageVersion 2.0 symbolic names, and child resources declared inline or by
//! `parent/child` name. The result is every deployed resource, its expressions evaluated.
//!
//! Evaluation is lazy where ARM's is ordered by need: a variable, a parameter default, a
//! resource's properties (for `reference`) and a nested deployment (for its resources and
//! outputs) are evaluated when first needed, and a cycle among them is an error. `dependsOn`
//! carries no meaning here.
//!
//! The deployment target is a resource group named by the `resourceGroup` pseudo-parameter
//! (default [`DEFAULT_RESOURCE_GROUP`]) in location `resourceGroupLocation` (default
//! [`DEFAULT_LOCATION`]), in subscription [`crate::azurerm::ids::SUBSCRIPTION`].

mod copy;
mod deployments;
mod eval;
mod expr;
mod parameters;
mod resources;
mod syntax;
mod variables;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use crate::arm::ArmResource;
use crate::json::{self, Lines, Node, Span};
use crate::value::Value;
use vnetsim_config::{Diagnostic, Loc};

pub use parameters::ParameterSource;

/// The resource group a template deploys to unless the caller names one.
pub const DEFAULT_RESOURCE_GROUP: &str = "rg";
/// The location of that resource group (`resourceGroup().location`) unless the caller gives one.
pub const DEFAULT_LOCATION: &str = "eastus";
/// ARM's limit on a `copy` count.
pub const COPY_LIMIT: i64 = 800;

const HELP: &str = "an ARM template is JSON (comments allowed); `bicep build main.bicep` writes one from Bicep";

/// Evaluates the template `text` (named `file` in messages) with the given parameters, in
/// order of precedence (later sources win). Every problem is reported, located by JSON path
/// and line:column.
pub fn evaluate(file: &str, text: &str, parameters: &[ParameterSource]) -> Result<Vec<ArmResource>, Vec<Diagnostic>> {
    let clean = json::strip_comments(text);
    let lines = Lines::new(&clean);
    let root_json = json::parse(file, &clean, &lines, HELP).map_err(|e| vec![e])?;
    let spans = Span::scan(&clean);
    let root = Node::new(&root_json, &spans);
    let given = parameters::read_sources(parameters)?;
    let ev = Evaluator {
        file,
        text: &clean,
        lines: &lines,
        errors: RefCell::new(Vec::new()),
        scopes: RefCell::new(Vec::new()),
        resources: RefCell::new(Vec::new()),
        location: given.location.clone(),
        depth: Cell::new(0),
        evaluating: RefCell::new(Vec::new()),
        syntax_errors: RefCell::new(HashSet::new()),
    };
    ev.check_syntax(root, "");
    let out = ev.run(root, given);
    let errors = ev.errors.into_inner();
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The state of something evaluated on first need.
#[derive(Clone)]
enum State {
    Pending,
    Busy,
    Done(Value),
    Failed,
}

/// Something evaluated on first need, while it is being evaluated: what a cycle names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    Parameter { scope: usize, index: usize },
    Variable { scope: usize, index: usize },
    Resource(usize),
}

/// One iteration of a `copy` loop: its name and index; `resource` for a resource's own loop
/// (what `copyIndex()` without a name counts).
#[derive(Clone, Debug)]
struct Loop {
    name: String,
    index: i64,
    resource: bool,
}

/// A template being evaluated: the root one or a nested deployment's with inner scope.
struct Scope<'a> {
    params: Vec<parameters::Param<'a>>,
    vars: Vec<variables::Var<'a>>,
    /// `resourceGroup().name` for expressions of this scope.
    resource_group: String,
    /// `deployment().name`.
    deployment: String,
}

/// A deployed resource (or a nested deployment), one per copy iteration.
struct Res<'a> {
    scope: usize,
    node: Node<'a>,
    path: String,
    loops: Vec<Loop>,
    rtype: String,
    name: String,
    id: String,
    resource_group: String,
    symbolic: Option<String>,
    /// Declared `existing` (languageVersion 2.0): referenced, not deployed.
    existing: bool,
    /// For `Microsoft.Resources/deployments`: its nested template's scope once expanded.
    deployment: Option<deployments::Nested>,
    properties: State,
}

impl Res<'_> {
    fn is_deployment(&self) -> bool {
        self.deployment.is_some()
    }
}

struct Evaluator<'a> {
    file: &'a str,
    text: &'a str,
    lines: &'a Lines,
    errors: RefCell<Vec<Diagnostic>>,
    scopes: RefCell<Vec<Scope<'a>>>,
    resources: RefCell<Vec<Res<'a>>>,
    location: String,
    /// How deeply expression evaluations nest right now.
    depth: Cell<usize>,
    /// What is being evaluated now, outermost first, as expressions name it
    /// (`variables('a')`): a cycle is reported as the chain that closes it.
    evaluating: RefCell<Vec<(Pending, String)>>,
    /// The strings (by offset) whose expressions do not parse, reported before evaluation.
    syntax_errors: RefCell<HashSet<usize>>,
}

impl<'a> Evaluator<'a> {
    /// Reports a problem at byte `at` of the template; `path` is the JSON path it concerns.
    fn report(&self, at: usize, path: &str, message: impl Into<String>, help: Option<String>) {
        let message = message.into();
        let message = if path.is_empty() { message } else { format!("`{path}`: {message}") };
        self.errors.borrow_mut().push(Diagnostic { file: self.file.to_string(), loc: self.loc(at), message, help });
    }

    fn loc(&self, at: usize) -> Loc {
        self.lines.loc(self.text, at)
    }

    /// Evaluates `f` with `what` (named `label`) marked as being evaluated.
    fn evaluating<T>(&self, what: Pending, label: String, f: impl FnOnce() -> T) -> T {
        self.evaluating.borrow_mut().push((what, label));
        let result = f();
        self.evaluating.borrow_mut().pop();
        result
    }

    /// The cycle that asking for `what` (named `label`) again closes: `a → b → a`.
    fn cycle(&self, what: Pending, label: &str) -> String {
        let stack = self.evaluating.borrow();
        let from = stack.iter().rposition(|(p, _)| *p == what).unwrap_or(0);
        let chain: Vec<&str> = stack[from..].iter().map(|(_, l)| l.as_str()).chain([label]).collect();
        chain.join(" → ")
    }

    /// Section `key` of a template (`parameters`, `variables`, `outputs`): an object, else an
    /// error and `None`.
    fn section(&self, template: Node<'a>, key: &str, path: &str) -> Option<Node<'a>> {
        let node = template.get_ci(key)?;
        if node.json.is_object() {
            return Some(node);
        }
        let found = json::type_name(node.json);
        self.report(node.start(), &json::member(path, key), format!("`{key}` is {found}, not an object"), None);
        None
    }

    fn run(&self, root: Node<'a>, given: parameters::Given) -> Vec<ArmResource> {
        if !root.json.is_object() {
            let found = json::type_name(root.json);
            self.report(
                root.start(),
                "",
                format!("not an ARM template: the document is {found}, not an object"),
                Some(HELP.into()),
            );
            return Vec::new();
        }
        let scope =
            self.new_scope(root, "", given.resource_group.clone(), given.deployment.clone(), given.values, true);
        self.expand_template(root, "", scope, &given.resource_group, &[]);
        self.finish()
    }

    /// Expands every nested deployment (they may add resources), evaluates every deployed
    /// resource, and gives them in template order.
    fn finish(&self) -> Vec<ArmResource> {
        let mut i = 0;
        while i < self.resources.borrow().len() {
            if self.resources.borrow()[i].is_deployment() {
                self.expand_deployment(i);
            }
            i += 1;
        }
        let count = self.resources.borrow().len();
        (0..count).filter_map(|i| self.output(i)).collect()
    }

    /// The ArmResource of resource `i`; `None` for nested deployments and `existing` ones.
    fn output(&self, i: usize) -> Option<ArmResource> {
        let (skip, node, scope, loops, path) = {
            let r = &self.resources.borrow()[i];
            (r.existing || r.is_deployment(), r.node, r.scope, r.loops.clone(), r.path.clone())
        };
        if skip {
            return None;
        }
        let properties = self.properties(i).unwrap_or(Value::Null);
        let here = eval::Here { scope, loops: &loops };
        let location = node
            .get("location")
            .and_then(|l| self.value(l, &json::member(&path, "location"), &here).ok())
            .and_then(|v| v.as_str().map(str::to_string));
        let mut extra = std::collections::BTreeMap::new();
        for key in ["sku", "zones", "kind", "identity", "tags"] {
            if let Some(n) = node.get(key)
                && let Ok(v) = self.value(n, &json::member(&path, key), &here)
                && !v.is_null()
            {
                extra.insert(key.to_string(), v);
            }
        }
        let r = &self.resources.borrow()[i];
        Some(ArmResource {
            rtype: r.rtype.clone(),
            name: r.name.clone(),
            id: r.id.clone(),
            resource_group: r.resource_group.clone(),
            location,
            properties,
            extra: Value::map(extra),
            symbolic: r.symbolic.clone(),
            origin: crate::instance::Origin { file: self.file.to_string(), loc: self.loc(r.node.start()) },
        })
    }
}
