//! The YAML writers' output read back with the scenario loader's YAML parser, for the writers
//! of other formats (Terraform, ARM exports) to translate object by object.

use vnetsim_config::diagnostic::Diagnostics;
use vnetsim_config::yaml::{self, Node, NodeKind};

pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A section the YAML writers wrote (`  - …` items), parsed: the writers' own output, so a
/// failure is a bug here.
pub fn parse_section(key: &str, body: &str) -> Node<'static> {
    let text = format!("{key}:\n{body}");
    let mut diags = Diagnostics::new("generated");
    let root = yaml::parse(&text, &mut diags).map(|n| owned(&n));
    assert!(diags.is_empty(), "the generator wrote YAML it cannot read back: {:?}", diags.into_sorted());
    root.and_then(|r| get(&r, key).map(owned))
        .unwrap_or(Node { kind: NodeKind::Seq(Vec::new()), loc: Default::default() })
}

fn owned(node: &Node) -> Node<'static> {
    let kind = match &node.kind {
        NodeKind::Scalar { text, plain } => NodeKind::Scalar { text: text.to_string().into(), plain: *plain },
        NodeKind::Seq(items) => NodeKind::Seq(items.iter().map(owned).collect()),
        NodeKind::Map(entries) => NodeKind::Map(entries.iter().map(|(k, v)| (owned(k), owned(v))).collect()),
    };
    Node { kind, loc: node.loc }
}

pub fn get<'n, 's>(node: &'n Node<'s>, key: &str) -> Option<&'n Node<'s>> {
    match &node.kind {
        NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.as_scalar() == Some(key)).map(|(_, v)| v),
        _ => None,
    }
}

pub fn str_of<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    get(node, key).and_then(Node::as_scalar)
}

/// A list's items (a sequence), or nothing.
pub fn items<'n, 's>(node: &'n Node<'s>) -> impl Iterator<Item = &'n Node<'s>> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter(),
        _ => [].iter(),
    }
}

pub fn items_of<'n, 's>(node: &'n Node<'s>, key: &str) -> impl Iterator<Item = &'n Node<'s>> {
    get(node, key).into_iter().flat_map(items)
}

/// A scalar or a list of scalars, as strings.
pub fn node_strs(node: &Node) -> Vec<String> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().filter_map(Node::as_scalar).map(String::from).collect(),
        _ => node.as_scalar().map(String::from).into_iter().collect(),
    }
}

pub fn strs(node: &Node, key: &str) -> Vec<String> {
    get(node, key).map(node_strs).unwrap_or_default()
}
