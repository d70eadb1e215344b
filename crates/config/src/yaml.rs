//! A YAML document as a tree of located nodes.
//!
//! We build our own small tree from the parser's events (rather than deserialising straight into
//! typed structs) so that decoding can report *every* problem in a file — unknown keys, wrong
//! types, missing fields — each with its line and column, instead of stopping at the first.

use crate::diagnostic::{Diagnostics, Loc};
use granit_parser::{Event, Options, Parser, ScalarStyle, Span, Tag};
use std::borrow::Cow;
use std::collections::HashMap;

/// A node's content; scalars borrow from the source where the parser could (no escapes or
/// folding), so a large file is not copied string by string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind<'s> {
    /// A scalar's text; `plain` is false for quoted and block scalars (which are always strings).
    Scalar {
        text: Cow<'s, str>,
        plain: bool,
    },
    Seq(Vec<Node<'s>>),
    /// Entries in file order.
    Map(Vec<(Node<'s>, Node<'s>)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node<'s> {
    pub kind: NodeKind<'s>,
    pub loc: Loc,
}

impl Node<'_> {
    /// A plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, plain: true } if matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// What kind of value this is, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            _ if self.is_null() => "nothing",
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

fn loc_of(span: &Span) -> Loc {
    Loc { line: span.start.line() as u32, column: span.start.col() as u32 + 1 }
}

/// Parses one YAML document. A syntax error is reported at its location and yields `None`.
/// An empty file is an empty mapping.
pub fn parse<'s>(source: &'s str, diags: &mut Diagnostics) -> Option<Node<'s>> {
    let mut builder = Builder::default();
    // The tree keeps no comments; not collecting them makes parsing a large file ~15% faster.
    let mut options = Options::default();
    options.set_emit_comments(false);
    for item in Parser::new_from_str_with_options(source, options) {
        match item {
            Ok((event, span)) => {
                if let Err((loc, message)) = builder.event(event, &span) {
                    diags.error(loc, message);
                    return None;
                }
            }
            Err(e) => {
                let m = e.marker();
                let at = Loc { line: m.line() as u32, column: m.col() as u32 + 1 };
                // An opener still open where the parser stopped is the culprit only if nothing
                // closes it later either (a missing comma also stops the parser inside `{`).
                let at_end = unclosed(source, Loc { line: u32::MAX, column: 1 });
                let quoted = e.info().contains("quoted scalar");
                let culprit = unclosed(source, at).filter(|(loc, what)| {
                    at_end.is_some_and(|(l, _)| l == *loc) || (quoted && what.starts_with("the quote"))
                });
                match culprit {
                    Some((opened, what)) => diags.error_with_help(
                        opened,
                        format!("YAML syntax error: {what} opened here is never closed"),
                        format!("the parser stopped at line {}, column {}: {}", at.line, at.column, e.info()),
                    ),
                    None => diags.error(at, format!("YAML syntax error: {}", e.info())),
                }
                return None;
            }
        }
    }
    // Directives come before an explicit `---`: the parser keeps `%YAML` as the document's
    // version and applies `%TAG`; we support neither, so a file means the same to every reader.
    if let Some(start) = builder.explicit_start {
        for (i, line) in source.lines().enumerate().take(start.line.saturating_sub(1) as usize) {
            if line.starts_with('%') {
                let directive = line.split_whitespace().next().unwrap_or("%");
                builder.problems.push((
                    Loc { line: i as u32 + 1, column: 1 },
                    format!("YAML directives are not supported: remove `{directive}`"),
                    "a scenario file is plain YAML 1.2 without directives or tags".to_string(),
                ));
            }
        }
    }
    for (loc, message, help) in builder.problems.drain(..) {
        diags.error_with_help(loc, message, help);
    }
    Some(builder.root.unwrap_or(Node { kind: NodeKind::Map(Vec::new()), loc: Loc { line: 1, column: 1 } }))
}

/// The quote or flow bracket still open where the parser failed at `at`, if any, with where it
/// was opened: the parser reports an unclosed `"` or `[` only where it gives up, often lines
/// later. Quotes and brackets count only where a value can start (after `:`, `-`, `,`, `[`,
/// `{`, `?` or at the start of a line), so `cluster[1]` or `it's` in plain text do not.
fn unclosed(source: &str, at: Loc) -> Option<(Loc, &'static str)> {
    let mut brackets: Vec<(Loc, char)> = Vec::new();
    let mut quote: Option<(Loc, char)> = None;
    for (i, line) in source.lines().enumerate().take(at.line as usize) {
        let line_no = i as u32 + 1;
        let mut previous: Option<char> = None; // the last non-space character outside quotes
        let mut chars = line.chars().enumerate().peekable();
        while let Some((col, c)) = chars.next() {
            if line_no == at.line && col as u32 + 1 >= at.column {
                break;
            }
            let loc = Loc { line: line_no, column: col as u32 + 1 };
            match quote {
                Some((_, '"')) => match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => quote = None,
                    _ => {}
                },
                Some(_) => {
                    if c == '\'' {
                        if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                            chars.next();
                        } else {
                            quote = None;
                        }
                    }
                }
                None => {
                    let value_start = previous.is_none_or(|p| ":-,[{?".contains(p));
                    match c {
                        '#' if previous.is_none()
                            || line[..line.char_indices().nth(col).map_or(0, |(b, _)| b)].ends_with([' ', '\t']) =>
                        {
                            break;
                        }
                        '"' | '\'' if value_start => quote = Some((loc, c)),
                        '[' | '{' if value_start => brackets.push((loc, c)),
                        ']' | '}' if !brackets.is_empty() => {
                            brackets.pop();
                        }
                        _ => {}
                    }
                    if !c.is_whitespace() {
                        previous = Some(c);
                    }
                }
            }
        }
    }
    match (quote, brackets.last()) {
        (Some((loc, '"')), _) => Some((loc, "the quote `\"`")),
        (Some((loc, _)), _) => Some((loc, "the quote `'`")),
        (None, Some((loc, '['))) => Some((*loc, "the list `[`")),
        (None, Some((loc, _))) => Some((*loc, "the mapping `{`")),
        (None, None) => None,
    }
}

/// The most nodes a document may expand to through aliases: far above any real scenario,
/// far below what an alias bomb ("billion laughs") would need.
const MAX_NODES: usize = 5_000_000;

fn node_count(node: &Node<'_>) -> usize {
    match &node.kind {
        NodeKind::Scalar { .. } => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        NodeKind::Map(entries) => 1 + entries.iter().map(|(k, v)| node_count(k) + node_count(v)).sum::<usize>(),
    }
}

enum Open<'s> {
    Seq(Loc, usize, Vec<Node<'s>>),
    /// Entries so far, and a key waiting for its value.
    Map(Loc, usize, Vec<(Node<'s>, Node<'s>)>, Option<Node<'s>>),
}

#[derive(Default)]
struct Builder<'s> {
    stack: Vec<Open<'s>>,
    anchors: HashMap<usize, Node<'s>>,
    root: Option<Node<'s>>,
    documents: u32,
    /// Nodes built so far, aliases counted at their expanded size.
    nodes: usize,
    /// Where an explicit `---` starts the document (directives may precede it).
    explicit_start: Option<Loc>,
    /// Problems that do not stop the parse (tags), with a hint each.
    problems: Vec<(Loc, String, String)>,
}

/// The problem a YAML tag (`!foo`, `!!str`) is: we read plain YAML, and a tag would change
/// what a value means to other readers without changing it to us.
fn tag_problem(loc: Loc, tag: Option<&Tag>) -> Option<(Loc, String, String)> {
    let tag = tag?;
    Some((
        loc,
        format!("YAML tags are not supported: remove `{}{}`", tag.original_handle(), tag.suffix()),
        "a scenario file is plain YAML 1.2 without directives or tags".to_string(),
    ))
}

impl<'s> Builder<'s> {
    fn event(&mut self, event: Event<'s>, span: &Span) -> Result<(), (Loc, String)> {
        let loc = loc_of(span);
        match event {
            Event::DocumentStart(explicit, _) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err((loc, "a scenario file holds one YAML document; found a second".into()));
                }
                if explicit {
                    self.explicit_start = Some(loc);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.problems.extend(tag_problem(loc, tag.as_deref()));
                let plain = matches!(style, ScalarStyle::Plain);
                self.finish(Node { kind: NodeKind::Scalar { text, plain }, loc }, anchor);
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.problems.extend(tag_problem(loc, tag.as_deref()));
                self.stack.push(Open::Seq(loc, anchor, Vec::new()))
            }
            Event::MappingStart(_, anchor, tag) => {
                self.problems.extend(tag_problem(loc, tag.as_deref()));
                self.stack.push(Open::Map(loc, anchor, Vec::new(), None))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Seq(l, a, items)) => (Node { kind: NodeKind::Seq(items), loc: l }, a),
                    // The parser gives every key a value (null if unwritten), so no key is pending.
                    Some(Open::Map(l, a, entries, _)) => (Node { kind: NodeKind::Map(entries), loc: l }, a),
                    None => return Err((loc, "unbalanced YAML structure".into())),
                };
                self.finish(node, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(node) => {
                    self.nodes += node_count(node);
                    if self.nodes > MAX_NODES {
                        return Err((loc, format!("aliases expand the document past {MAX_NODES} nodes")));
                    }
                    let mut node = node.clone();
                    node.loc = loc;
                    self.finish(node, 0);
                }
                None => return Err((loc, "alias refers to an unknown anchor".into())),
            },
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, node: Node<'s>, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map(_, _, entries, key)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => self.root = Some(node),
        }
    }
}

/// `text` as a double-quoted scalar, which YAML and JSON both read back as exactly `text`
/// (quotes, backslashes and control characters escaped).
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(src: &str) -> Node<'_> {
        let mut d = Diagnostics::new("t.yaml");
        let node = parse(src, &mut d).expect("parses");
        assert!(d.is_empty());
        node
    }

    #[test]
    fn locations_are_one_based() {
        let root = parse_ok("a:\n  b: [1, 'x']\n");
        let NodeKind::Map(top) = &root.kind else { panic!() };
        let NodeKind::Map(inner) = &top[0].1.kind else { panic!() };
        assert_eq!(inner[0].0.loc, Loc { line: 2, column: 3 });
        let NodeKind::Seq(items) = &inner[0].1.kind else { panic!() };
        assert_eq!(items[1].loc, Loc { line: 2, column: 10 });
        assert_eq!(items[1].kind, NodeKind::Scalar { text: "x".into(), plain: false });
    }

    #[test]
    fn aliases_copy_their_anchor() {
        let root = parse_ok("a: &p [1, 2]\nb: *p\n");
        let NodeKind::Map(top) = &root.kind else { panic!() };
        assert_eq!(top[0].1.kind, top[1].1.kind);
    }

    #[test]
    fn syntax_errors_are_located() {
        let mut d = Diagnostics::new("t.yaml");
        assert!(parse("a: [1, 2\nb: 3\n", &mut d).is_none());
        let list = d.into_sorted();
        assert_eq!(list.len(), 1);
        assert!(list[0].message.starts_with("YAML syntax error"), "{}", list[0].message);
        assert!(list[0].loc.line >= 1);
    }

    #[test]
    fn alias_bombs_are_refused_not_expanded() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let mut d = Diagnostics::new("t.yaml");
        assert!(parse(&src, &mut d).is_none());
        let list = d.into_sorted();
        assert_eq!(list.len(), 1);
        assert!(list[0].message.starts_with("aliases expand the document past"), "{}", list[0].message);
    }
}
