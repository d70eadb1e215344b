//! Resources, data sources and module calls: `count` and `for_each` expansion, block bodies
//! (nested and `dynamic` blocks), the values Azure computes, and `data` lookups.

use super::{Evaluator, Frame, Key, MAX_INSTANCES, MAX_MODULE_DEPTH, ModInst, Scope, is_poison, poison};
use crate::azurerm::ids;
use crate::files::lexically_normal;
use crate::instance::{Instance, Mode, Origin};
use crate::summary::MissingModule;
use crate::value::{Value, format_number};
use hcl_edit::Span;
use hcl_edit::structure::{Block, Body, Structure};
use std::collections::BTreeMap;
use std::rc::Rc;
use vnetsim_config::{Diagnostic, Loc};

/// Arguments of a resource or module block that are Terraform's, not the resource's.
const META: &[&str] = &["count", "for_each", "depends_on", "provider", "providers", "source", "version"];
/// Nested blocks that are Terraform's.
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection", "timeouts", "precondition", "postcondition"];

/// One expansion of a block: its key in the address and the frame its body sees.
struct Expansion {
    key: Option<Value>,
    frame: Frame,
}

impl Evaluator<'_> {
    /// The value a reference to resource (or data) block `i` of `m` gives: an object, a list of
    /// them (`count`) or a map of them (`for_each`). Evaluates the instances once.
    pub(super) fn resource(&self, m: &Rc<ModInst>, i: usize, data: bool) -> Value {
        let list = if data { &m.module.data } else { &m.module.resources };
        let r = &list[i];
        let base = format!("{}{}{}.{}", m.prefix, if data { "data." } else { "" }, r.item.rtype, r.item.name);
        let key = if data { Key::Data(i) } else { Key::Resource(i) };
        self.memo(m, key, base.clone(), (r.file, r.item.block.span()), || {
            let Some(expansions) = self.expand(m, r.file, &r.item.block.body, &base) else { return poison() };
            let counted = r.item.block.body.get_attribute("count").is_some();
            let mut instances = Vec::new();
            let mut values = Vec::new();
            for x in expansions {
                let address = match &x.key {
                    None => base.clone(),
                    Some(Value::Number(n)) => format!("{base}[{}]", format_number(*n)),
                    Some(k) => format!("{base}[{:?}]", k.to_plain_string().unwrap_or_default()),
                };
                let sc = Scope { m, file: r.file, frame: x.frame };
                let (attrs, arg_locs) = self.body(&sc, &r.item.block.body, true);
                let attrs = if data {
                    self.lookup(&sc, &r.item.rtype, &address, attrs, r.item.block.span())
                } else {
                    with_computed(&r.item.rtype, &address, attrs)
                };
                let (file, loc) = m.module.loc(r.file, r.item.block.span());
                instances.push(Instance {
                    address,
                    mode: if data { Mode::Data } else { Mode::Managed },
                    rtype: r.item.rtype.clone(),
                    attrs: attrs.clone(),
                    origin: Origin { file, loc },
                    arg_locs,
                });
                values.push((x.key, attrs));
            }
            m.made.borrow_mut().insert((data, i), instances);
            shape(counted, values)
        })
    }

    /// The instances `count` or `for_each` make of a block (one without either makes one).
    fn expand(&self, m: &Rc<ModInst>, file: usize, body: &Body, what: &str) -> Option<Vec<Expansion>> {
        let sc = Scope { m, file, frame: Frame::default() };
        if let Some(count) = body.get_attribute("count") {
            let v = self.expr(&sc, &count.value);
            if is_poison(&v) {
                return None;
            }
            let Some(n) = v.as_number().filter(|n| n.fract() == 0.0 && *n >= 0.0) else {
                match v {
                    Value::Unknown(c) => self.error_with_help(
                        m,
                        file,
                        count.value.span(),
                        format!("the `count` of {what} depends on {}", Value::describe_unknown(&c)),
                        "Terraform refuses this too: base count on variables, locals or literals".into(),
                    ),
                    other => self.error(
                        m,
                        file,
                        count.value.span(),
                        format!("`count` must be a whole number ≥ 0, found {} {other}", other.type_name()),
                    ),
                }
                return None;
            };
            if n > MAX_INSTANCES as f64 {
                self.error(
                    m,
                    file,
                    count.value.span(),
                    format!(
                        "`count` of {what} is {}: more than the {MAX_INSTANCES} instances vnetsim imports",
                        format_number(n)
                    ),
                );
                return None;
            }
            return Some(
                (0..n as usize)
                    .map(|i| Expansion {
                        key: Some(Value::Number(i as f64)),
                        frame: Frame { count: Some(Value::Number(i as f64)), ..Frame::default() },
                    })
                    .collect(),
            );
        }
        if let Some(fe) = body.get_attribute("for_each") {
            let v = self.expr(&sc, &fe.value);
            let pairs: Vec<(Value, Value)> = match &v {
                Value::Map(map) => map.iter().map(|(k, v)| (Value::string(k.as_str()), v.clone())).collect(),
                Value::Set(items) if items.iter().all(|i| i.as_str().is_some()) => {
                    items.iter().map(|i| (i.clone(), i.clone())).collect()
                }
                _ if is_poison(&v) => return None,
                Value::Unknown(c) => {
                    self.error_with_help(
                        m,
                        file,
                        fe.value.span(),
                        format!("the `for_each` of {what} depends on {}", Value::describe_unknown(c)),
                        "Terraform refuses this too: its keys must be known at plan time".into(),
                    );
                    return None;
                }
                other => {
                    self.error_with_help(
                        m,
                        file,
                        fe.value.span(),
                        format!("`for_each` must be a map or a set of strings, found {} {other}", other.type_name()),
                        "convert a list with toset(…)".into(),
                    );
                    return None;
                }
            };
            if pairs.len() > MAX_INSTANCES {
                self.error(
                    m,
                    file,
                    fe.value.span(),
                    format!(
                        "`for_each` of {what} makes {} instances: more than the {MAX_INSTANCES} vnetsim imports",
                        pairs.len()
                    ),
                );
                return None;
            }
            return Some(
                pairs
                    .into_iter()
                    .map(|(k, v)| Expansion {
                        key: Some(k.clone()),
                        frame: Frame { each: Some((k, v)), ..Frame::default() },
                    })
                    .collect(),
            );
        }
        Some(vec![Expansion { key: None, frame: Frame::default() }])
    }

    /// A block body as an object: arguments by name, nested blocks as lists of objects
    /// (`dynamic` blocks expanded). At the top level, Terraform's own arguments and blocks are
    /// left out and each argument's location is returned.
    fn body(&self, sc: &Scope, body: &Body, top: bool) -> (Value, BTreeMap<String, Loc>) {
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        let mut locs = BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let key = a.key.as_str();
                    if top && META.contains(&key) {
                        continue;
                    }
                    if top {
                        locs.insert(key.to_string(), sc.m.module.loc(sc.file, a.span()).1);
                    }
                    out.insert(key.to_string(), self.expr(sc, &a.value));
                }
                Structure::Block(b) => {
                    let ident = b.ident.as_str();
                    if META_BLOCKS.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        self.dynamic(sc, b, &mut out);
                        continue;
                    }
                    if top {
                        locs.entry(ident.to_string()).or_insert_with(|| sc.m.module.loc(sc.file, b.span()).1);
                    }
                    let inner = self.body(sc, &b.body, false).0;
                    push_block(&mut out, ident, inner);
                }
            }
        }
        (Value::map(out), locs)
    }

    /// `dynamic "NAME" { for_each = …, iterator = IT, content { … } }`: one `NAME` block per
    /// element, with `IT.key` and `IT.value` (IT defaults to NAME).
    fn dynamic(&self, sc: &Scope, b: &Block, out: &mut BTreeMap<String, Value>) {
        let Some(name) = b.labels.first().map(|l| match l {
            hcl_edit::structure::BlockLabel::Ident(i) => i.as_str().to_string(),
            hcl_edit::structure::BlockLabel::String(s) => s.as_str().to_string(),
        }) else {
            self.error(sc.m, sc.file, b.span(), "a `dynamic` block takes the nested block's name as its label".into());
            return;
        };
        let Some(fe) = b.body.get_attribute("for_each") else {
            self.error(sc.m, sc.file, b.span(), format!("dynamic \"{name}\" needs `for_each`"));
            return;
        };
        let Some(content) = b.body.get_blocks("content").next() else {
            self.error(sc.m, sc.file, b.span(), format!("dynamic \"{name}\" needs a `content` block"));
            return;
        };
        let iterator = match b.body.get_attribute("iterator").map(|a| &a.value) {
            Some(hcl_edit::expr::Expression::Variable(v)) => v.as_str().to_string(),
            _ => name.clone(),
        };
        let coll = self.expr(sc, &fe.value);
        let pairs: Vec<(Value, Value)> = match &coll {
            Value::List(items) => items.iter().enumerate().map(|(i, v)| (Value::Number(i as f64), v.clone())).collect(),
            Value::Set(items) => items.iter().map(|v| (v.clone(), v.clone())).collect(),
            Value::Map(m) => m.iter().map(|(k, v)| (Value::string(k.as_str()), v.clone())).collect(),
            Value::Null => Vec::new(),
            Value::Unknown(_) => {
                out.insert(name.clone(), coll.clone());
                return;
            }
            other => {
                self.error(
                    sc.m,
                    sc.file,
                    fe.value.span(),
                    format!("dynamic \"{name}\": `for_each` must be a collection, found {}", other.type_name()),
                );
                return;
            }
        };
        out.entry(name.clone()).or_insert_with(|| Value::list(Vec::new()));
        for (k, v) in pairs {
            let mut inner = sc.clone();
            let it = Value::map(BTreeMap::from([("key".to_string(), k), ("value".to_string(), v)]));
            inner.frame.vars.push((iterator.clone(), it));
            let value = self.body(&inner, &content.body, false).0;
            push_block(out, &name, value);
        }
    }

    /// A `data` source: the resource of the same id among the imports before this one (its
    /// attributes, with the lookup's arguments on top). A network object found nowhere is an
    /// error saying what to import; other data sources keep their arguments, and what they
    /// would read is known only after apply.
    fn lookup(
        &self,
        sc: &Scope,
        rtype: &str,
        address: &str,
        args: Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Value {
        let id = ids::resource_id(rtype, &args);
        let found = id.as_ref().and_then(|id| {
            self.prior.iter().find(|i| {
                i.mode == Mode::Managed
                    && i.rtype == rtype
                    && i.attrs.get("id").and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(id))
            })
        });
        if let Some(inst) = found {
            let mut attrs = inst.attrs.as_map().cloned().unwrap_or_default();
            attrs.insert(RESOURCE_MARK.to_string(), Value::string(address));
            if let Some(a) = args.as_map() {
                attrs.extend(a.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            return Value::map(attrs);
        }
        match rtype {
            "azurerm_client_config" | "azurerm_subscription" => {
                let zero = Value::string(ids::SUBSCRIPTION);
                let fields = ["tenant_id", "subscription_id", "client_id", "object_id"];
                return Value::map(fields.iter().map(|f| (f.to_string(), zero.clone())).collect());
            }
            "azurerm_resource_group" => return with_computed(rtype, address, args),
            _ => {}
        }
        if rtype.starts_with("azurerm_") && ids::is_network_kind(rtype) && !is_poison(&args) {
            // Say what is missing: a name that needs a variable, or the candidates of that
            // name (a resource group that differs is the usual slip).
            let name = args.get("name").and_then(Value::as_str);
            let help = match (args.as_map().and_then(|m| m.values().find_map(Value::find_unknown)), name) {
                (Some(c), _) => format!("its lookup needs {}", Value::describe_unknown(c)),
                (None, Some(name)) => {
                    let near: Vec<&str> = (self.prior.iter())
                        .filter(|i| i.mode == Mode::Managed && i.rtype == rtype)
                        .filter(|i| i.attrs.get("name").and_then(Value::as_str) == Some(name))
                        .filter_map(|i| i.attrs.get("id").and_then(Value::as_str))
                        .collect();
                    match near.first() {
                        Some(other) => format!("an earlier import has one of that name with id {other}: check the lookup's resource group and parent names"),
                        None => "import the configuration that creates it first (`import: [{terraform: …}, {terraform: …}]`), or import a plan (`terraform show -json`) where Terraform has read it".into(),
                    }
                }
                (None, None) => "give the lookup its `name`".into(),
            };
            self.error_with_help(
                sc.m,
                sc.file,
                span,
                format!(
                    "{address}: no {rtype} with id {} among the resources imported before this configuration",
                    id.as_deref().unwrap_or("(its names are not known)")
                ),
                help,
            );
            return poison();
        }
        with_computed(rtype, address, args)
    }

    /// The instances of module call `i` of `m`, made once.
    pub(super) fn module_instances(&self, m: &Rc<ModInst>, i: usize) -> Vec<Rc<ModInst>> {
        if let Some(made) = m.children.borrow().get(&i) {
            return made.clone();
        }
        let call = &m.module.modules[i];
        let base = format!("{}module.{}", m.prefix, call.item.name);
        let made = self.make_module(m, i, &base).unwrap_or_default();
        m.children.borrow_mut().insert(i, made.clone());
        made
    }

    fn make_module(&self, m: &Rc<ModInst>, i: usize, base: &str) -> Option<Vec<Rc<ModInst>>> {
        let call = &m.module.modules[i];
        let body = &call.item.block.body;
        let sc = Scope { m, file: call.file, frame: Frame::default() };
        let source_attr = body.get_attribute("source");
        let source = source_attr.map(|a| self.expr(&sc, &a.value)).and_then(|v| v.as_str().map(str::to_string));
        let Some(source) = source else {
            self.error(
                m,
                call.file,
                call.item.block.span(),
                format!("module `{}` needs a string `source`", call.item.name),
            );
            return None;
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            let (file, loc) = m.module.loc(call.file, source_attr.and_then(|a| a.value.span()));
            self.missing.borrow_mut().push(MissingModule {
                address: base.to_string(),
                source,
                origin: Origin { file, loc },
            });
            return None;
        }
        if m.depth + 1 > MAX_MODULE_DEPTH {
            self.error(
                m,
                call.file,
                call.item.block.span(),
                format!("modules nested more than {MAX_MODULE_DEPTH} deep (does `{source}` call itself?)"),
            );
            return None;
        }
        let dir = lexically_normal(&m.module.dir.join(&source));
        let display = lexically_normal(&std::path::Path::new(&m.display).join(&source)).display().to_string();
        let source_span = source_attr.and_then(|a| a.value.span());
        let module = self.read_module(&dir, &display, m.module.error(call.file, source_span, String::new()))?;
        let expansions = self.expand(m, call.file, body, base)?;
        let mut out = Vec::new();
        for x in expansions {
            let prefix = match &x.key {
                None => format!("{base}."),
                Some(Value::Number(n)) => format!("{base}[{}].", format_number(*n)),
                Some(k) => format!("{base}[{:?}].", k.to_plain_string().unwrap_or_default()),
            };
            let sc = Scope { m, file: call.file, frame: x.frame };
            let mut given = BTreeMap::new();
            for s in body.iter() {
                if let Structure::Attribute(a) = s
                    && !META.contains(&a.key.as_str())
                {
                    if !module.variables.iter().any(|v| v.item.name == a.key.as_str()) {
                        self.error(
                            m,
                            call.file,
                            a.span(),
                            format!("module `{}` ({source}) declares no variable `{}`", call.item.name, a.key.as_str()),
                        );
                        continue;
                    }
                    let at = m.module.error(call.file, a.span(), String::new());
                    given.insert(a.key.as_str().to_string(), (self.expr(&sc, &a.value), Some(at)));
                }
            }
            let vars = self.module_vars(m, call.file, call.item.block.span(), &module, given);
            out.push(Rc::new(ModInst::new(module.clone(), prefix, display.clone(), vars, m.depth + 1)));
        }
        Some(out)
    }

    /// The module in `dir`, read once. A folder that is missing or holds no `.tf` files is
    /// reported at the call's `source` (`at`, without a message).
    fn read_module(&self, dir: &std::path::Path, display: &str, at: Diagnostic) -> Option<Rc<super::Module>> {
        if let Some(m) = self.cache.borrow().get(dir) {
            return Some(m.clone());
        }
        let mut errors = Vec::new();
        let module = super::config::read(self.files, dir, display, &mut errors);
        for e in &mut errors {
            if e.file == display {
                let (message, help) = if self.files.is_dir(dir) {
                    (std::mem::take(&mut e.message), None)
                } else {
                    let help = "a local `source` is a folder relative to the module that calls it";
                    (format!("no module folder {display}"), Some(help.to_string()))
                };
                *e = Diagnostic { message, help, ..at.clone() };
            }
        }
        self.errors.borrow_mut().extend(errors);
        let module = module?;
        self.cache.borrow_mut().insert(dir.to_path_buf(), module.clone());
        Some(module)
    }

    /// What `module.NAME` gives: an object of its outputs, a list or a map of them with
    /// `count`/`for_each`, unknown for a module that could not be read.
    pub(super) fn module_value(&self, m: &Rc<ModInst>, i: usize) -> Value {
        let call = &m.module.modules[i];
        let base = format!("{}module.{}", m.prefix, call.item.name);
        self.memo(m, Key::Module(i), base.clone(), (call.file, call.item.block.span()), || {
            let instances = self.module_instances(m, i);
            if instances.is_empty() && self.missing.borrow().iter().any(|x| x.address == base) {
                return Value::unknown(base.clone(), "");
            }
            let counted = call.item.block.body.get_attribute("count").is_some();
            let keyed = call.item.block.body.get_attribute("for_each").is_some();
            let values: Vec<(Option<Value>, Value)> = instances
                .iter()
                .map(|child| {
                    let outputs = child.module.outputs.iter().map(|o| {
                        let sc = Scope { m: child, file: o.file, frame: Frame::default() };
                        (o.item.0.clone(), self.expr(&sc, &o.item.1))
                    });
                    let key = keyed.then(|| key_of(&child.prefix, &base));
                    (key, Value::map(outputs.collect()))
                })
                .collect();
            shape(counted, values)
        })
    }
}

/// A module instance's key, read back from its prefix (`module.x["a"].` → `a`).
fn key_of(prefix: &str, base: &str) -> Value {
    let inner = prefix.strip_prefix(base).unwrap_or("").trim_end_matches('.');
    let inner = inner.trim_start_matches("[\"").trim_end_matches("\"]");
    Value::string(inner)
}

/// The value of a resource or module: a list with `count`, a map with `for_each`, else the one
/// object.
fn shape(counted: bool, values: Vec<(Option<Value>, Value)>) -> Value {
    if counted {
        return Value::list(values.into_iter().map(|(_, v)| v).collect());
    }
    match values.first() {
        Some((None, _)) => values.into_iter().next().map_or(Value::Null, |(_, v)| v),
        _ => Value::map(values.into_iter().filter_map(|(k, v)| Some((k?.to_plain_string()?, v))).collect()),
    }
}

fn push_block(out: &mut BTreeMap<String, Value>, ident: &str, value: Value) {
    let mut items = match out.remove(ident) {
        Some(Value::List(items)) => (*items).clone(),
        _ => Vec::new(),
    };
    items.push(value);
    out.insert(ident.to_string(), Value::list(items));
}

/// A resource's arguments plus what Azure (or a `random_` provider) computes that vnetsim can
/// know: its id, and deterministic stand-ins for random values.
fn with_computed(rtype: &str, address: &str, attrs: Value) -> Value {
    let mut map = attrs.as_map().cloned().unwrap_or_default();
    map.insert(RESOURCE_MARK.to_string(), Value::string(address));
    if !map.contains_key("id")
        && let Some(id) = ids::resource_id(rtype, &attrs)
    {
        map.insert("id".into(), Value::string(id));
    }
    if let Some(random) = random_value(rtype, address, &attrs) {
        for key in ["result", "id", "hex", "b64_url", "dec"] {
            map.entry(key.to_string()).or_insert_with(|| random.clone());
        }
    }
    Value::map(map)
}

/// The key that marks an object as a resource's, holding its address: an attribute it lacks is
/// one Azure computes (known after apply), wherever the object travelled (a local, a module
/// output), not a mistake.
pub const RESOURCE_MARK: &str = "\u{0}resource";

/// A `random_*` resource's value: derived from its address, so every import agrees.
fn random_value(rtype: &str, address: &str, attrs: &Value) -> Option<Value> {
    let seed = address.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    // What the resource's character classes allow (special characters are left out: a stand-in
    // Terraform could also have drawn, and one every Azure name accepts).
    let allowed = |key: &str| attrs.get(key).and_then(Value::as_bool) != Some(false);
    let mut classes = String::new();
    if allowed("lower") {
        classes.push_str("abcdefghijklmnopqrstuvwxyz");
    }
    if allowed("numeric") && allowed("number") {
        classes.push_str("0123456789");
    }
    if classes.is_empty() && allowed("upper") {
        classes.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    }
    if classes.is_empty() {
        classes.push('x');
    }
    let text = |len: usize, alphabet: &[u8]| -> String {
        let mut h = seed;
        (0..len)
            .map(|_| {
                h = h.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                alphabet[(h >> 33) as usize % alphabet.len()] as char
            })
            .collect()
    };
    let length =
        attrs.get("length").and_then(Value::as_number).filter(|n| *n >= 1.0 && *n <= 256.0).unwrap_or(8.0) as usize;
    Some(match rtype {
        "random_string" | "random_password" => Value::string(text(length, classes.as_bytes())),
        "random_pet" => {
            let prefix = attrs.get("prefix").and_then(Value::as_str).map(|p| format!("{p}-")).unwrap_or_default();
            Value::string(format!("{prefix}pet-{}", text(6, b"abcdefghijklmnopqrstuvwxyz0123456789")))
        }
        "random_integer" => attrs.get("min").cloned().unwrap_or(Value::Number(0.0)),
        // `byte_length` bytes, as hex.
        "random_id" => {
            let bytes = attrs.get("byte_length").and_then(Value::as_number).filter(|n| *n >= 1.0 && *n <= 128.0);
            Value::string(text(bytes.unwrap_or(8.0) as usize * 2, b"0123456789abcdef"))
        }
        "random_uuid" => Value::string(format!("00000000-0000-4000-8000-{:012x}", seed & 0xffff_ffff_ffff)),
        _ => return None,
    })
}
