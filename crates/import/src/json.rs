//! JSON read with positions: every JSON input (Terraform plans, ARM templates, parameter files,
//! exports) is parsed by serde_json, then one more pass over the accepted text ([`Span::scan`])
//! records where every value and key starts, so errors and resources are located in the file
//! the user gave.
//!
//! ARM accepts `//` and `/* */` comments where strict JSON does not: [`strip_comments`] blanks
//! them out (keeping every byte position and line) before serde_json sees the text.

use serde_json::Value as Json;
use std::borrow::Cow;
use vnetsim_config::{Diagnostic, Loc};

/// Where each line starts, to turn byte offsets into 1-based lines and character columns.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { starts }
    }

    pub fn loc(&self, text: &str, at: usize) -> Loc {
        let line = self.starts.partition_point(|&s| s <= at).max(1);
        let start = self.starts[line - 1];
        let column = text.get(start..at).map_or(at.saturating_sub(start), |s| s.chars().count()) + 1;
        Loc { line: line as u32, column: column as u32 }
    }

    /// The byte offset of a 1-based line and byte column (serde_json's positions).
    fn offset(&self, line: usize, byte_column: usize) -> usize {
        self.starts.get(line.saturating_sub(1)).copied().unwrap_or(0) + byte_column.saturating_sub(1)
    }
}

/// Parses `text` (comments already blanked when the format allows them); the error is located
/// where serde_json stopped, its message prefixed "not valid JSON".
pub fn parse(file: &str, text: &str, lines: &Lines, help: &str) -> Result<Json, Diagnostic> {
    serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let message = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
        // serde_json counts columns in bytes from 1; locations count characters.
        let offset = lines.offset(e.line(), e.column()).min(text.len());
        // A file that ends too soon is shown at its last character, where the cut is.
        let (offset, message) = if e.is_eof() {
            let last = text.trim_end().char_indices().next_back().map_or(0, |(i, _)| i);
            (last, format!("{message}: the file ends inside the document (cut short?)"))
        } else if let Some(end) = line_break_in_string(text, offset, message) {
            // serde_json stops at (or past) the line break that ends a string never closed:
            // show the string's opening quote, as a truncated line would be read.
            let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
            (open_quote(&text[line_start..end]).map_or(end, |q| line_start + q), UNCLOSED_STRING.into())
        } else if text.get(offset..).is_some_and(|t| t.starts_with("/*")) {
            (offset, UNCLOSED_COMMENT.to_string())
        } else {
            (offset, message.to_string())
        };
        Diagnostic {
            file: file.to_string(),
            loc: if e.line() == 0 && !e.is_eof() { Loc { line: 1, column: 1 } } else { lines.loc(text, offset) },
            message: format!("not valid JSON: {message}"),
            help: Some(help.to_string()),
        }
    })
}

const UNCLOSED_STRING: &str = "a string is not closed before the end of its line (a `\"` is missing)";
const UNCLOSED_COMMENT: &str = "a `/*` comment is never closed (a `*/` is missing)";

/// Where the line break is that serde_json found inside a string (a control character at
/// `offset`, or just before it when serde_json counted the `\n` as a new line).
fn line_break_in_string(text: &str, offset: usize, message: &str) -> Option<usize> {
    if !message.starts_with("control character") {
        return None;
    }
    match (text.as_bytes().get(offset), offset.checked_sub(1).and_then(|i| text.as_bytes().get(i))) {
        (Some(b'\r'), _) => Some(offset),
        (_, Some(b'\n')) => Some(offset - 1),
        _ => None,
    }
}

/// Where the string left open at the end of `line` starts (`line` starts outside any string).
fn open_quote(line: &str) -> Option<usize> {
    let (mut open, mut escaped) = (None, false);
    for (i, b) in line.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if open.is_some() => escaped = true,
            b'"' => open = if open.is_some() { None } else { Some(i) },
            _ => {}
        }
    }
    open
}

/// `text` with `//` and `/* */` comments outside strings replaced by spaces (line breaks kept),
/// so positions in the result are positions in `text`. An unclosed `/*` keeps its two
/// characters (and blanks the rest), so the parser stops there and [`parse`] says what it is.
pub fn strip_comments(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if !bytes.windows(2).any(|w| w == b"//" || w == b"/*") {
        return Cow::Borrowed(text);
    }
    let mut out = bytes.to_vec();
    let (mut i, mut in_string) = (0, false);
    while i < bytes.len() {
        match (in_string, bytes[i], bytes.get(i + 1)) {
            (true, b'\\', _) => i += 1,
            (_, b'"', _) => in_string = !in_string,
            (false, b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                continue;
            }
            (false, b'/', Some(b'*')) => {
                let (from, end) = match text[i + 2..].find("*/") {
                    Some(e) => (i, i + 2 + e + 2),
                    None => (i + 2, bytes.len()),
                };
                for b in &mut out[from..end] {
                    if *b != b'\n' && *b != b'\r' {
                        *b = b' ';
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII comment bytes (and whole multi-byte characters inside them) became spaces.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Where a JSON value starts (byte offset), and those of its parts.
pub enum Span<'a> {
    Scalar(usize),
    Array { start: usize, items: Vec<Span<'a>> },
    Object { start: usize, keys: Vec<Key<'a>> },
}

pub struct Key<'a> {
    pub name: Cow<'a, str>,
    /// Where the key's opening quote is.
    pub start: usize,
    pub value: Span<'a>,
}

impl<'a> Span<'a> {
    pub fn start(&self) -> usize {
        match self {
            Span::Scalar(start) | Span::Array { start, .. } | Span::Object { start, .. } => *start,
        }
    }

    /// The spans of text serde_json has accepted.
    pub fn scan(text: &'a str) -> Span<'a> {
        Scanner { text, at: 0 }.value()
    }
}

/// A JSON value together with where it is written.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    pub json: &'a Json,
    pub span: &'a Span<'a>,
}

impl<'a> Node<'a> {
    pub fn new(json: &'a Json, span: &'a Span<'a>) -> Node<'a> {
        Node { json, span }
    }

    pub fn get(self, key: &str) -> Option<Node<'a>> {
        let json = self.json.get(key)?;
        // serde_json keeps the last of repeated keys; so does this.
        let span = match self.span {
            Span::Object { keys, .. } => keys.iter().rev().find(|k| k.name == key).map(|k| &k.value),
            _ => None,
        }?;
        Some(Node { json, span })
    }

    /// A member whose name matches `key` ignoring ASCII case (ARM's property names), exact first.
    pub fn get_ci(self, key: &str) -> Option<Node<'a>> {
        self.get(key).or_else(|| self.entries().find(|(k, _, _)| k.eq_ignore_ascii_case(key)).map(|(_, _, n)| n))
    }

    /// An object's members in file order: name, where the key starts, value.
    pub fn entries(self) -> impl Iterator<Item = (&'a str, usize, Node<'a>)> {
        let keys: &'a [Key<'a>] = match self.span {
            Span::Object { keys, .. } => keys,
            _ => &[],
        };
        let object = self.json.as_object();
        keys.iter().filter_map(move |k| {
            let json = object?.get(k.name.as_ref())?;
            Some((k.name.as_ref(), k.start, Node { json, span: &k.value }))
        })
    }

    pub fn items(self) -> impl Iterator<Item = Node<'a>> {
        let spans: &[Span] = match self.span {
            Span::Array { items, .. } => items,
            _ => &[],
        };
        self.json.as_array().into_iter().flatten().zip(spans).map(|(json, span)| Node { json, span })
    }

    pub fn start(self) -> usize {
        self.span.start()
    }

    pub fn as_str(self) -> Option<&'a str> {
        self.json.as_str()
    }
}

/// The JSON type in words, for messages: "an object", "a string".
pub fn type_name(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// A JSON path as messages print it: `resources[3].properties.subnets[0]`.
pub fn member(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$'));
    match (plain, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{key:?}]"),
    }
}

/// `path[i]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A scanner of text serde_json has accepted: it only needs to find where things start, and
/// stops quietly at the end of the text whatever it holds. Blanked comments are whitespace.
struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Span<'a> {
        self.skip_space();
        let start = self.at;
        match self.peek() {
            Some(b'{') => {
                self.at += 1;
                let mut keys = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b'"') => {
                            let key_start = self.at;
                            let name = self.string();
                            self.skip_space();
                            self.at += 1; // the colon
                            keys.push(Key { name, start: key_start, value: self.value() });
                        }
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            break;
                        }
                        _ => break,
                    }
                }
                Span::Object { start, keys }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            break;
                        }
                        None => break,
                        Some(_) => items.push(self.value()),
                    }
                }
                Span::Array { start, items }
            }
            Some(b'"') => {
                self.string();
                Span::Scalar(start)
            }
            _ => {
                while matches!(self.peek(), Some(b) if !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                {
                    self.at += 1;
                }
                Span::Scalar(start)
            }
        }
    }

    /// A string's content, unescaped only when it has escapes.
    fn string(&mut self) -> Cow<'a, str> {
        let start = self.at;
        self.at += 1;
        let mut escaped = false;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'\\' => {
                    escaped = true;
                    self.at += 1;
                }
                b'"' => break,
                _ => {}
            }
        }
        let raw = self.text.get(start..self.at.min(self.text.len())).unwrap_or("");
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        if escaped {
            serde_json::from_str::<String>(raw).map_or(Cow::Borrowed(inner), Cow::Owned)
        } else {
            Cow::Borrowed(inner)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_blanked_keeping_positions_and_strings() {
        let text = "{\n  // a comment \"with quotes\"\n  \"a\": \"//not\", /* x\n y */ \"b\": 1\n}";
        let clean = strip_comments(text);
        assert_eq!(clean.len(), text.len());
        assert_eq!(clean.lines().count(), text.lines().count());
        let json: Json = serde_json::from_str(&clean).expect("parses");
        assert_eq!(json["a"], "//not");
        assert_eq!(clean.find("\"b\""), text.find("\"b\""));
    }

    fn error_at(text: &str) -> (Loc, String) {
        let clean = strip_comments(text);
        let d = parse("t.json", &clean, &Lines::new(&clean), "").expect_err("invalid");
        (d.loc, d.message)
    }

    /// Both were located where serde_json gave up: past the line break (a line with no
    /// snippet), and at the last character before the blanked comment.
    #[test]
    fn unclosed_strings_and_comments_are_shown_where_they_open() {
        let (loc, message) = error_at("{\n  \"a\": \"x\", \"b\": \"cut\n}");
        assert_eq!((loc.line, loc.column), (2, 18), "{message}");
        assert!(message.contains("a string is not closed"), "{message}");
        let (loc, message) = error_at("{\r\n  \"a\": \"it\\\"s\r\n}");
        assert_eq!((loc.line, loc.column), (2, 8), "{message}");
        let (loc, message) = error_at("{\n  \"a\": 1 /* open\n}");
        assert_eq!((loc.line, loc.column), (2, 10), "{message}");
        assert!(message.contains("`/*` comment is never closed"), "{message}");
    }

    #[test]
    fn paths_quote_odd_keys() {
        assert_eq!(member(&index(&member("", "resources"), 3), "properties"), "resources[3].properties");
        assert_eq!(member("outputs", "a b"), "outputs[\"a b\"]");
    }
}
