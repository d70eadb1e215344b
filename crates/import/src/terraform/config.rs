//! A Terraform module directory parsed into its blocks: variables, locals, resources, data
//! sources, module calls and outputs, each with the file it is in.

use super::source::SourceFile;
use crate::files::Files;
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use vnetsim_config::{Diagnostic, Loc};

/// A block of one file of the module.
pub struct Located<T> {
    pub file: usize,
    pub item: T,
}

/// A `resource` or `data` block: type, name and body.
pub struct ResourceBlock {
    pub rtype: String,
    pub name: String,
    pub block: Block,
}

/// A `module` block.
pub struct ModuleCall {
    pub name: String,
    pub block: Block,
}

/// A `variable` block.
pub struct Variable {
    pub name: String,
    pub block: Block,
}

pub struct Module {
    pub dir: PathBuf,
    pub files: Vec<SourceFile>,
    pub variables: Vec<Located<Variable>>,
    pub locals: Vec<Located<(String, Expression)>>,
    pub resources: Vec<Located<ResourceBlock>>,
    pub data: Vec<Located<ResourceBlock>>,
    pub modules: Vec<Located<ModuleCall>>,
    pub outputs: Vec<Located<(String, Expression)>>,
}

impl Module {
    /// Where a parsed item starts.
    pub fn loc(&self, file: usize, span: Option<std::ops::Range<usize>>) -> (String, Loc) {
        let f = &self.files[file];
        (f.name.clone(), span.map_or(Loc { line: 1, column: 1 }, |s| f.loc(s.start)))
    }

    pub fn error(&self, file: usize, span: Option<std::ops::Range<usize>>, message: String) -> Diagnostic {
        let (file, loc) = self.loc(file, span);
        Diagnostic { file, loc, message, help: None }
    }
}

/// The most `.tf` files one module may hold; a bound against a folder that is not a module.
const MAX_FILES: usize = 2000;

/// Reads and parses every `.tf` file of `dir` (sorted by name). Syntax errors are collected;
/// a folder without `.tf` files is an error.
pub fn read(files: &dyn Files, dir: &Path, display: &str, errors: &mut Vec<Diagnostic>) -> Option<Rc<Module>> {
    let listed = match files.list(dir) {
        Ok(l) => l,
        Err(e) => {
            errors.push(file_error(display, format!("cannot read the Terraform folder {display}: {e}")));
            return None;
        }
    };
    let tf: Vec<PathBuf> = listed.into_iter().filter(|p| p.extension().is_some_and(|e| e == "tf")).collect();
    if tf.is_empty() {
        errors.push(file_error(display, format!("{display} holds no `.tf` files: not a Terraform configuration")));
        return None;
    }
    let mut module = Module {
        dir: dir.to_path_buf(),
        files: Vec::new(),
        variables: Vec::new(),
        locals: Vec::new(),
        resources: Vec::new(),
        data: Vec::new(),
        modules: Vec::new(),
        outputs: Vec::new(),
    };
    for path in tf.into_iter().take(MAX_FILES) {
        let name = join_display(display, &path);
        let text = match files.read(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(file_error(&name, format!("cannot read {name}: {e}")));
                continue;
            }
        };
        let source = SourceFile::new(name, text);
        let parsed = hcl_edit::parser::parse_body(&source.text);
        let index = module.files.len();
        match parsed {
            Ok(body) => collect(&mut module, index, body, &source, errors),
            Err(e) => errors.push(super::syntax::error(&source, &e)),
        }
        module.files.push(source);
    }
    Some(Rc::new(module))
}

/// `display/file.tf`, keeping the folder as the user wrote it.
fn join_display(display: &str, path: &Path) -> String {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    if display.is_empty() || display == "." { file } else { format!("{}/{file}", display.trim_end_matches('/')) }
}

/// A diagnostic at the top of a file, for problems no expression locates.
pub(super) fn file_error(file: &str, message: String) -> Diagnostic {
    Diagnostic { file: file.to_string(), loc: Loc { line: 1, column: 1 }, message, help: None }
}

fn label(l: &BlockLabel) -> String {
    match l {
        BlockLabel::Ident(i) => i.as_str().to_string(),
        BlockLabel::String(s) => s.as_str().to_string(),
    }
}

/// Sorts a file's top-level blocks into the module; checks their labels.
fn collect(module: &mut Module, file: usize, body: Body, source: &SourceFile, errors: &mut Vec<Diagnostic>) {
    for structure in body.into_iter() {
        let block = match structure {
            Structure::Block(b) => b,
            Structure::Attribute(a) => {
                errors.push(located(
                    source,
                    a.span(),
                    format!(
                        "unexpected argument `{}` at the top level of a .tf file; expected a block",
                        a.key.as_str()
                    ),
                ));
                continue;
            }
        };
        let labels: Vec<String> = block.labels.iter().map(label).collect();
        let kind = block.ident.as_str().to_string();
        let want = match kind.as_str() {
            "resource" | "data" => 2,
            "variable" | "module" | "output" => 1,
            "locals" | "terraform" => 0,
            "provider" | "check" | "import" | "moved" | "removed" => continue,
            other => {
                errors.push(located(
                    source,
                    block.span(),
                    format!("unknown block type `{other}`: a .tf file holds resource, data, variable, locals, module, output, provider and terraform blocks"),
                ));
                continue;
            }
        };
        if labels.len() != want {
            errors.push(located(
                source,
                block.span(),
                format!(
                    "a `{kind}` block takes {want} label{}, found {}",
                    if want == 1 { "" } else { "s" },
                    labels.len()
                ),
            ));
            continue;
        }
        match kind.as_str() {
            "resource" | "data" => {
                let item = ResourceBlock { rtype: labels[0].clone(), name: labels[1].clone(), block };
                let list = if kind == "resource" { &mut module.resources } else { &mut module.data };
                if list.iter().any(|r| r.item.rtype == item.rtype && r.item.name == item.name) {
                    errors.push(located(
                        source,
                        item.block.span(),
                        format!("duplicate {kind} block `{}.{}`", item.rtype, item.name),
                    ));
                    continue;
                }
                list.push(Located { file, item });
            }
            "variable" => {
                if module.variables.iter().any(|v| v.item.name == labels[0]) {
                    errors.push(located(source, block.span(), format!("duplicate variable `{}`", labels[0])));
                    continue;
                }
                module.variables.push(Located { file, item: Variable { name: labels[0].clone(), block } });
            }
            "module" => {
                if module.modules.iter().any(|m| m.item.name == labels[0]) {
                    errors.push(located(source, block.span(), format!("duplicate module call `{}`", labels[0])));
                    continue;
                }
                module.modules.push(Located { file, item: ModuleCall { name: labels[0].clone(), block } });
            }
            "output" => {
                if let Some(value) = block.body.get_attribute("value") {
                    module.outputs.push(Located { file, item: (labels[0].clone(), value.value.clone()) });
                }
            }
            "locals" => {
                for s in block.body.into_iter() {
                    if let Structure::Attribute(a) = s {
                        let name = a.key.as_str().to_string();
                        if module.locals.iter().any(|l| l.item.0 == name) {
                            errors.push(located(source, a.span(), format!("duplicate local value `{name}`")));
                            continue;
                        }
                        module.locals.push(Located { file, item: (name, a.value) });
                    }
                }
            }
            _ => {}
        }
    }
}

fn located(source: &SourceFile, span: Option<std::ops::Range<usize>>, message: String) -> Diagnostic {
    Diagnostic {
        file: source.name.clone(),
        loc: span.map_or(Loc { line: 1, column: 1 }, |s| source.loc(s.start)),
        message,
        help: None,
    }
}
