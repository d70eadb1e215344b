//! Evaluating a Terraform configuration the way `terraform plan` would, for what the network
//! needs: every resource instance with its arguments' values.
//!
//! Evaluation is on demand: a reference evaluates what it names (a local, a resource, a module's
//! outputs) once and remembers it, so declaration order does not matter and a reference cycle is
//! found when a value is asked for while it is being computed. Afterwards every resource, data
//! source and module call is forced in declaration order, which fixes the instances' order.
//! Errors are collected, located in the `.tf` file, and evaluation goes on with a poisoned value
//! (an unknown that reports nothing further), so one file reports all its problems at once.

mod expr;
mod refs;
mod resources;
mod types;

use super::config::{self, Module, file_error};
use crate::files::Files;
use crate::instance::Instance;
use crate::summary::MissingModule;
use crate::value::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use vnetsim_config::Diagnostic;

/// What one Terraform configuration directory is evaluated with.
pub struct Input<'a> {
    pub dir: &'a Path,
    /// The folder as diagnostics print it.
    pub display: String,
    /// `-var` values, as written: converted to each variable's type.
    pub vars: Vec<(String, String)>,
    /// Variable files besides `terraform.tfvars` and `*.auto.tfvars`, which are read too.
    pub var_files: Vec<PathBuf>,
}

/// The deepest module nesting followed; beyond it a module call is an error (a module that
/// calls itself).
const MAX_MODULE_DEPTH: usize = 16;

/// The most instances one `count` or `for_each` may make.
pub const MAX_INSTANCES: usize = 100_000;

pub struct Evaluator<'f> {
    files: &'f dyn Files,
    /// Instances of the imports evaluated before this one, which `data` sources look up.
    prior: &'f [Instance],
    errors: RefCell<Vec<Diagnostic>>,
    missing: RefCell<Vec<MissingModule>>,
    cache: RefCell<HashMap<PathBuf, Rc<Module>>>,
    /// What is being computed, innermost last: the path a cycle is reported with.
    stack: RefCell<Vec<String>>,
}

/// One instance of a module: the root, or a `module` call (one per `count`/`for_each` key).
pub struct ModInst {
    module: Rc<Module>,
    /// `module.net.` for a child, `` for the root: the prefix of its addresses.
    prefix: String,
    /// The folder as diagnostics print it (nested modules' files are named under it).
    display: String,
    vars: BTreeMap<String, Value>,
    memo: RefCell<HashMap<Key, Slot>>,
    /// Per module call (by index), its instances once made.
    children: RefCell<BTreeMap<usize, Vec<Rc<ModInst>>>>,
    /// Per resource block (data blocks after managed ones), its instances once evaluated.
    made: RefCell<BTreeMap<(bool, usize), Vec<Instance>>>,
    depth: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Local(usize),
    Resource(usize),
    Data(usize),
    Module(usize),
}

enum Slot {
    Busy,
    Done(Value),
}

/// The names an expression sees besides the module's: `count.index`, `each.key/value`,
/// iterator and `for` variables.
#[derive(Clone, Default)]
pub struct Frame {
    count: Option<Value>,
    each: Option<(Value, Value)>,
    vars: Vec<(String, Value)>,
}

/// Where an expression is evaluated: a module instance, the file it is written in, the frame.
#[derive(Clone)]
pub struct Scope<'m> {
    m: &'m Rc<ModInst>,
    file: usize,
    frame: Frame,
}

/// A value that stands for one already reported as an error: it propagates like an unknown
/// and nothing reports it again.
pub fn poison() -> Value {
    Value::unknown("", "")
}

pub fn is_poison(v: &Value) -> bool {
    matches!(v.find_unknown(), Some(c) if c.address.is_empty())
}

/// The evaluated configuration: its instances in declaration order and the modules it could
/// not read.
pub struct Evaluated {
    pub instances: Vec<Instance>,
    pub missing: Vec<MissingModule>,
}

impl<'f> Evaluator<'f> {
    pub fn new(files: &'f dyn Files, prior: &'f [Instance]) -> Evaluator<'f> {
        Evaluator {
            files,
            prior,
            errors: RefCell::new(Vec::new()),
            missing: RefCell::new(Vec::new()),
            cache: RefCell::new(HashMap::new()),
            stack: RefCell::new(Vec::new()),
        }
    }

    /// Evaluates the configuration in `input.dir`.
    pub fn run(self, input: &Input) -> Result<Evaluated, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let module = config::read(self.files, input.dir, &input.display, &mut errors);
        self.errors.borrow_mut().extend(errors);
        let Some(module) = module else { return Err(self.errors.into_inner()) };
        let vars = self.root_vars(&module, input);
        let root = Rc::new(ModInst::new(module, String::new(), input.display.clone(), vars, 0));
        let mut instances = Vec::new();
        self.force(&root, &mut instances);
        let errors = self.errors.into_inner();
        let mut missing = self.missing.into_inner();
        // Found in the order references asked for them; listed in the order they are written.
        missing.sort_by(|a, b| (&a.origin.file, a.origin.loc).cmp(&(&b.origin.file, b.origin.loc)));
        if errors.is_empty() { Ok(Evaluated { instances, missing }) } else { Err(errors) }
    }

    /// Evaluates every resource, data source and module call of `m`, then its children, and
    /// collects the instances in that order.
    fn force(&self, m: &Rc<ModInst>, out: &mut Vec<Instance>) {
        for i in 0..m.module.resources.len() {
            self.resource(m, i, false);
        }
        for i in 0..m.module.data.len() {
            self.resource(m, i, true);
        }
        for i in 0..m.module.modules.len() {
            self.module_instances(m, i);
        }
        out.extend(std::mem::take(&mut *m.made.borrow_mut()).into_values().flatten());
        let children: Vec<Rc<ModInst>> = m.children.borrow().values().flatten().cloned().collect();
        for child in &children {
            self.force(child, out);
        }
    }

    fn error(&self, m: &ModInst, file: usize, span: Option<std::ops::Range<usize>>, message: String) {
        self.errors.borrow_mut().push(m.module.error(file, span, message));
    }

    fn error_with_help(
        &self,
        m: &ModInst,
        file: usize,
        span: Option<std::ops::Range<usize>>,
        message: String,
        help: String,
    ) {
        let mut d = m.module.error(file, span, message);
        d.help = Some(help);
        self.errors.borrow_mut().push(d);
    }

    fn error_count(&self) -> usize {
        self.errors.borrow().len()
    }

    /// Drops the errors reported since `mark` (`try` and `can` swallow them).
    fn rewind(&self, mark: usize) {
        self.errors.borrow_mut().truncate(mark);
    }
}

impl ModInst {
    fn new(module: Rc<Module>, prefix: String, display: String, vars: BTreeMap<String, Value>, depth: usize) -> Self {
        ModInst {
            module,
            prefix,
            display,
            vars,
            memo: RefCell::new(HashMap::new()),
            children: RefCell::new(BTreeMap::new()),
            made: RefCell::new(BTreeMap::new()),
            depth,
        }
    }
}
