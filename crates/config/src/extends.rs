//! `extends:`: a variant scenario is its base plus patches by name.
//!
//! The merge works on located node trees before decoding, so a variant is decoded, resolved
//! and reported exactly like the file it stands for. The files of a chain are laid out one
//! after another in one line space (the variant first, at its own lines; each base after the
//! file that extends it), the way a compiler's source map lays out files: every node keeps a
//! location in that space, and [`Chain::relocate`] turns a diagnostic's location back into a
//! file, line and column, saying for a base which `extends:` reached it.
//!
//! Merge rules (documented in `docs/scenario-format.md`, "Variants: `extends:`"):
//! - mappings merge key by key, recursively; a key only the variant writes is added;
//! - a list whose entries all have a `name` merges by name: an entry named like a base entry
//!   merges into it, a new name is appended; any other list (addresses, NICs, unnamed
//!   peerings) is replaced whole, as is a scalar;
//! - `remove: [names]` in any mapping deletes the named entries of the base found anywhere
//!   below that mapping (before the mapping's other patches apply, so remove-and-add replaces
//!   an object whole); a name found nowhere or more than once is an error;
//! - the variant's `name`, `description` and `expect:` are its own: never inherited.

use crate::diagnostic::{Diagnostic, Diagnostics, Loc, did_you_mean};
use crate::yaml::{self, Node, NodeKind};
use std::borrow::Cow;

/// A base file as the caller read it (the core does no I/O).
pub struct BaseFile {
    /// The name diagnostics print; two reads that give the same name are the same file.
    pub name: String,
    pub text: String,
}

/// A scenario an import generated, as the caller made it.
pub struct ImportedFile {
    /// What diagnostics call it when a line has no origin (`import of ../infra`).
    pub name: String,
    pub text: String,
    pub origins: LineOrigins,
}

/// Where each line of a generated text came from.
pub struct LineOrigins {
    /// Per line, the index in `places` of what it came from.
    pub lines: Vec<Option<u32>>,
    /// Files and positions.
    pub places: Vec<(String, Loc)>,
}

/// Runs a file's `import:` entries: given the file that writes them (as named in diagnostics)
/// and the entries, the generated scenario, or the located problems of its inputs.
pub type ReadImport<'r> = dyn FnMut(&str, &[crate::import::ImportSpec]) -> Result<ImportedFile, Vec<Diagnostic>> + 'r;

/// Reads the base a file extends: given the file that writes `extends:` (as named in
/// diagnostics) and the path as written, the base, or why it cannot be read.
pub type ReadBase<'r> = dyn FnMut(&str, &str) -> Result<BaseFile, String> + 'r;

/// The most files a chain may hold: far above any real variant, and a bound on a chain whose
/// names never repeat (a folder that links to itself).
const MAX_CHAIN: usize = 32;

/// The keys of a scenario a variant never inherits from its base.
const OWN_KEYS: [&str; 3] = ["name", "description", "expect"];

/// One file of a chain: where its lines start in the merged line space, and the `extends:`
/// that reached it (`file:line:col`), `None` for the variant itself.
struct Part {
    name: String,
    offset: u32,
    via: Option<String>,
    /// For a scenario an import generated: where each of its lines came from (the `.tf` or
    /// JSON file and position), so problems are reported there.
    origins: Option<LineOrigins>,
}

/// The files a variant was merged from, to put diagnostics back into them.
pub struct Chain {
    parts: Vec<Part>,
    /// Lines used so far in the merged line space.
    next_offset: u32,
    /// Problems found inside a base before it could be merged (its syntax), already located in
    /// the base.
    base_errors: Vec<Diagnostic>,
}

impl Chain {
    fn new(file: &str, source: &str) -> Chain {
        Chain {
            parts: vec![Part { name: file.to_string(), offset: 0, via: None, origins: None }],
            next_offset: line_count(source),
            base_errors: Vec::new(),
        }
    }

    /// The diagnostics of the merged tree, each moved to the file its location is in, then
    /// the base's own syntax errors.
    pub fn relocate(self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = diagnostics
            .into_iter()
            .map(|mut d| {
                let part = self.parts.iter().rev().find(|p| d.loc.line > p.offset).unwrap_or(&self.parts[0]);
                d.loc.line -= part.offset;
                if let Some(origins) = &part.origins {
                    let at = origins.lines.get(d.loc.line as usize - 1).copied().flatten();
                    let origin = at.and_then(|i| origins.places.get(i as usize)).cloned();
                    let note = format!("in what vnetsim made of {} (`vnetsim import` prints it)", part.name);
                    if let Some((file, loc)) = origin {
                        d.file = file;
                        d.loc = loc;
                    } else {
                        d.file = part.name.clone();
                    }
                    d.help = Some(match d.help.take() {
                        Some(h) => format!("{h}; {note}"),
                        None => note,
                    });
                } else if let Some(via) = &part.via {
                    d.file = part.name.clone();
                    d.help = Some(with_via(d.help.take(), &part.name, via));
                }
                d
            })
            .collect();
        out.extend(self.base_errors);
        out
    }
}

fn line_count(text: &str) -> u32 {
    u32::try_from(text.lines().count()).unwrap_or(u32::MAX / 2) + 1
}

fn with_via(help: Option<String>, file: &str, via: &str) -> String {
    let note = format!("{file} is reached through `extends:` at {via}");
    match help {
        Some(h) => format!("{h}; {note}"),
        None => note,
    }
}

/// Merges the chain of bases `root` extends into it. Without `extends:` the tree is returned
/// as it is. `None` when a base cannot be read or parsed (reported), or `root` is `None`.
pub fn expand<'s>(
    root: Option<Node<'s>>,
    file: &str,
    source: &str,
    read: &mut ReadBase,
    import: &mut ReadImport,
    d: &mut Diagnostics,
) -> (Option<Node<'s>>, Chain) {
    let mut chain = Chain::new(file, source);
    let Some(root) = root else { return (None, chain) };
    let root = with_imports(root, 0, &mut chain, import, d);
    let Some(mut root) = root else { return (None, chain) };
    let Some(extends) = take_key(&mut root, "extends") else { return (Some(root), chain) };
    let merged = base_of(&extends, 0, &mut chain, read, import, d).map(|base| merge_root(base, root, d));
    (merged, chain)
}

/// A file's tree with what its `import:` names merged under it (the file patches the imported
/// scenario by name, like a variant its base). `None` when the import failed (reported).
fn with_imports<'s>(
    mut node: Node<'s>,
    from: usize,
    chain: &mut Chain,
    import: &mut ReadImport,
    d: &mut Diagnostics,
) -> Option<Node<'s>> {
    let Some(spec) = take_key(&mut node, "import") else { return Some(node) };
    let includer = chain.parts[from].name.clone();
    let local = |loc: Loc| Loc { line: loc.line - chain.parts[from].offset, column: loc.column };
    let specs = crate::import::specs(&spec, &local, d)?;
    let imported = match import(&includer, &specs) {
        Ok(f) => f,
        Err(errors) => {
            chain.base_errors.extend(errors);
            return None;
        }
    };
    let offset = chain.next_offset;
    chain.next_offset = chain.next_offset.saturating_add(line_count(&imported.text));
    chain.parts.push(Part { name: imported.name.clone(), offset, via: None, origins: Some(imported.origins) });
    let mut own = Diagnostics::new(&imported.name);
    let parsed = yaml::parse(&imported.text, &mut own).map(|n| owned(n, offset));
    let errors = own.into_sorted();
    if !errors.is_empty() {
        chain.base_errors.extend(errors);
        return None;
    }
    let base = parsed?;
    Some(merge_root(base, node, d))
}

/// Reads, parses and (recursively) expands the base that `extends` (a node of part `from`)
/// names.
fn base_of(
    extends: &Node,
    from: usize,
    chain: &mut Chain,
    read: &mut ReadBase,
    import: &mut ReadImport,
    d: &mut Diagnostics,
) -> Option<Node<'static>> {
    let Some(path) = extends.as_scalar().filter(|_| !extends.is_null()) else {
        d.error_with_help(
            extends.loc,
            format!("expected the base scenario's file for extends, found {}", extends.describe()),
            "write the path of the base, relative to this file: `extends: 18-hub-spoke.yaml`",
        );
        return None;
    };
    let includer = chain.parts[from].name.clone();
    let base = match read(&includer, path) {
        Ok(base) => base,
        Err(why) => {
            d.error(extends.loc, format!("cannot read the base scenario `{path}`: {why}"));
            return None;
        }
    };
    let via = {
        let local = Loc { line: extends.loc.line - chain.parts[from].offset, column: extends.loc.column };
        format!("{includer}:{}:{}", local.line, local.column)
    };
    if chain.parts.len() > MAX_CHAIN {
        d.error(extends.loc, format!("`extends:` goes more than {MAX_CHAIN} files deep"));
        return None;
    }
    if let Some(seen) = chain.parts.iter().position(|p| p.name == base.name) {
        let cycle: Vec<&str> = chain.parts[seen..].iter().map(|p| p.name.as_str()).collect();
        d.error_with_help(
            extends.loc,
            format!("`extends:` makes a cycle: {} → {}", cycle.join(" → "), base.name),
            "a base cannot extend (directly or through other files) a file that extends it",
        );
        return None;
    }
    let offset = chain.next_offset;
    chain.next_offset = chain.next_offset.saturating_add(line_count(&base.text));
    chain.parts.push(Part { name: base.name.clone(), offset, via: Some(via.clone()), origins: None });
    let index = chain.parts.len() - 1;
    let mut own = Diagnostics::new(&base.name);
    let parsed = yaml::parse(&base.text, &mut own).map(|n| owned(n, offset));
    let errors = own.into_sorted();
    if !errors.is_empty() {
        chain.base_errors.extend(errors.into_iter().map(|mut e| {
            e.help = Some(with_via(e.help.take(), &base.name, &via));
            e
        }));
        return None;
    }
    let node = parsed?;
    if !matches!(node.kind, NodeKind::Map(_)) {
        d.error(node.loc, format!("expected a scenario (a mapping) in the base, found {}", node.describe()));
        return None;
    }
    let mut node = with_imports(node, index, chain, import, d)?;
    match take_key(&mut node, "extends") {
        None => Some(node),
        Some(next) => base_of(&next, index, chain, read, import, d).map(|base| merge_root(base, node, d)),
    }
}

/// The tree with its text owned and its lines moved by `offset`, so it can join a tree of
/// another file.
fn owned(node: Node<'_>, offset: u32) -> Node<'static> {
    let loc = Loc { line: node.loc.line + offset, column: node.loc.column };
    let kind = match node.kind {
        NodeKind::Scalar { text, plain } => NodeKind::Scalar { text: Cow::Owned(text.into_owned()), plain },
        NodeKind::Seq(items) => NodeKind::Seq(items.into_iter().map(|n| owned(n, offset)).collect()),
        NodeKind::Map(entries) => {
            NodeKind::Map(entries.into_iter().map(|(k, v)| (owned(k, offset), owned(v, offset))).collect())
        }
    };
    Node { kind, loc }
}

/// Removes `key` from a mapping and gives its value.
fn take_key<'s>(node: &mut Node<'s>, key: &str) -> Option<Node<'s>> {
    let NodeKind::Map(entries) = &mut node.kind else { return None };
    let i = entries.iter().position(|(k, _)| k.as_scalar() == Some(key))?;
    Some(entries.remove(i).1)
}

fn merge_root<'s>(mut base: Node<'s>, variant: Node<'s>, d: &mut Diagnostics) -> Node<'s> {
    for key in OWN_KEYS {
        take_key(&mut base, key);
    }
    merge(base, variant, d)
}

/// The variant's node patched onto the base's.
fn merge<'s>(base: Node<'s>, variant: Node<'s>, d: &mut Diagnostics) -> Node<'s> {
    match (base.kind, variant.kind) {
        (NodeKind::Map(base_entries), NodeKind::Map(entries)) => {
            Node { kind: NodeKind::Map(merge_map(base_entries, entries, d)), loc: base.loc }
        }
        (NodeKind::Seq(base_items), NodeKind::Seq(items))
            if !items.is_empty() && items.iter().all(|i| name_of(i).is_some()) =>
        {
            Node { kind: NodeKind::Seq(merge_named(base_items, items, d)), loc: base.loc }
        }
        (_, kind) => {
            let node = Node { kind, loc: variant.loc };
            check_no_remove(&node, d);
            node
        }
    }
}

type Entries<'s> = Vec<(Node<'s>, Node<'s>)>;

fn merge_map<'s>(mut base: Entries<'s>, entries: Entries<'s>, d: &mut Diagnostics) -> Entries<'s> {
    let (removes, patches): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| k.as_scalar() == Some("remove"));
    for (_, names) in removes {
        remove_all(&mut base, &names, d);
    }
    for (key, value) in patches {
        match base.iter().position(|(k, _)| k.as_scalar().is_some() && k.as_scalar() == key.as_scalar()) {
            Some(i) => {
                let (base_key, base_value) = base.remove(i);
                base.insert(i, (base_key, merge(base_value, value, d)));
            }
            None => {
                check_no_remove(&value, d);
                base.push((key, value));
            }
        }
    }
    base
}

fn merge_named<'s>(mut base: Vec<Node<'s>>, items: Vec<Node<'s>>, d: &mut Diagnostics) -> Vec<Node<'s>> {
    for item in items {
        let name = name_of(&item).map(str::to_string);
        match base.iter().position(|b| name_of(b).is_some() && name_of(b) == name.as_deref()) {
            Some(i) => {
                let patched = merge(base.remove(i), item, d);
                base.insert(i, patched);
            }
            None => {
                check_no_remove(&item, d);
                base.push(item);
            }
        }
    }
    base
}

/// An entry's `name`, when it is a mapping with a scalar one.
fn name_of<'a>(node: &'a Node<'_>) -> Option<&'a str> {
    let NodeKind::Map(entries) = &node.kind else { return None };
    entries.iter().find(|(k, _)| k.as_scalar() == Some("name")).and_then(|(_, v)| v.as_scalar())
}

/// `remove:` patches a base object; in an object the base does not have it has nothing to act on.
fn check_no_remove(node: &Node, d: &mut Diagnostics) {
    let NodeKind::Map(entries) = &node.kind else { return };
    if let Some((key, _)) = entries.iter().find(|(k, _)| k.as_scalar() == Some("remove")) {
        let what = name_of(node).map_or_else(|| "this mapping".to_string(), |n| format!("`{n}`"));
        d.error_with_help(
            key.loc,
            format!("`remove:` in {what}, which the base does not have"),
            "`remove:` deletes entries of a base object: write it under an object the base defines",
        );
    }
}

/// A named entry found below a mapping: the indices that lead to it, and where it is in words.
struct Found {
    path: Vec<usize>,
    place: String,
}

fn remove_all(base: &mut Entries<'_>, names: &Node, d: &mut Diagnostics) {
    let NodeKind::Seq(items) = &names.kind else {
        d.error_with_help(
            names.loc,
            format!("expected a list of names for remove, found {}", names.describe()),
            "write `remove: [name, …]`",
        );
        return;
    };
    for item in items {
        let Some(name) = item.as_scalar().filter(|_| !item.is_null()) else {
            d.error(item.loc, format!("expected a name in remove, found {}", item.describe()));
            continue;
        };
        let mut found = Vec::new();
        let mut all_names = Vec::new();
        find_in_entries(base, name, &mut Vec::new(), "", &mut found, &mut all_names);
        match found.as_slice() {
            [one] => remove_at(base, &one.path),
            [] => {
                let help = match did_you_mean(name, all_names.iter().map(String::as_str)) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "`remove:` deletes entries the base defines below the object it is written in".into(),
                };
                d.error_with_help(item.loc, format!("nothing named `{name}` to remove in the base"), help);
            }
            [first, second, ..] => d.error_with_help(
                item.loc,
                format!(
                    "`{name}` to remove is ambiguous: the base has one in {} and one in {}",
                    first.place, second.place
                ),
                "write `remove:` under the object that holds the one to delete",
            ),
        }
    }
}

/// Every named entry called `name` in the lists below `entries`, at any depth; `all` collects
/// every name seen, for "did you mean". A path holds a mapping's entry index or a list's item
/// index at each level.
fn find_in_entries(
    entries: &Entries<'_>,
    name: &str,
    path: &mut Vec<usize>,
    place: &str,
    found: &mut Vec<Found>,
    all: &mut Vec<String>,
) {
    for (i, (key, value)) in entries.iter().enumerate() {
        let key = key.as_scalar().unwrap_or("?");
        let place = if place.is_empty() { format!("`{key}`") } else { format!("{place} › `{key}`") };
        path.push(i);
        match &value.kind {
            NodeKind::Map(inner) => find_in_entries(inner, name, path, &place, found, all),
            NodeKind::Seq(items) => find_in_items(items, name, path, &place, found, all),
            NodeKind::Scalar { .. } => {}
        }
        path.pop();
    }
}

fn find_in_items(
    items: &[Node<'_>],
    name: &str,
    path: &mut Vec<usize>,
    place: &str,
    found: &mut Vec<Found>,
    all: &mut Vec<String>,
) {
    for (j, item) in items.iter().enumerate() {
        let Some(item_name) = name_of(item) else { continue };
        path.push(j);
        all.push(item_name.to_string());
        if item_name == name {
            found.push(Found { path: path.clone(), place: place.to_string() });
        }
        if let NodeKind::Map(inner) = &item.kind {
            find_in_entries(inner, name, path, &format!("{place} › `{item_name}`"), found, all);
        }
        path.pop();
    }
}

/// Deletes the list item at the end of `path` (as [`find_in_entries`] makes it).
fn remove_at(entries: &mut Entries<'_>, path: &[usize]) {
    let Some((entry, rest)) = path.split_first() else { return };
    remove_in(&mut entries[*entry].1, rest);
}

fn remove_in(node: &mut Node<'_>, path: &[usize]) {
    match (&mut node.kind, path) {
        (NodeKind::Seq(items), [item]) => {
            items.remove(*item);
        }
        (NodeKind::Seq(items), [item, rest @ ..]) => remove_in(&mut items[*item], rest),
        (NodeKind::Map(entries), _) => remove_at(entries, path),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
