//! Located problems in input files, rendered the way compilers do.

use std::collections::HashSet;
use std::fmt::Write;

/// The most diagnostics of one file that are rendered; the rest are counted in one line.
pub const MAX_RENDERED: usize = 200;
/// The longest piece of user text (a name, a value) quoted in a message, in characters.
pub const MAX_QUOTED: usize = 120;
/// The longest message or hint, in characters.
pub const MAX_MESSAGE: usize = 1000;
/// The longest source line shown in a snippet, in characters; longer lines show a window around
/// the caret.
pub const MAX_SNIPPET: usize = 160;
/// Errors after which costly hints are no longer computed (see [`Diagnostics::wants_hints`]).
const HINT_BUDGET: usize = 250;
/// The most names a "defined: …" hint lists.
pub const MAX_LISTED: usize = 5;

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub line: u32,
    pub column: u32,
}

/// One problem in one file, with an optional hint on how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", loc.line, loc.column)]
pub struct Diagnostic {
    pub file: String,
    pub loc: Loc,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    /// Renders `file:line:col: error: message`, the offending source line with a caret, and the
    /// hint. `source` is the file's text (for the snippet); pass `""` when it is not at hand.
    pub fn render(&self, source: &str) -> String {
        self.render_with_line(source.lines().nth(self.loc.line.saturating_sub(1) as usize))
    }

    /// Renders the diagnostics of one file, splitting the source into lines once: the first
    /// [`MAX_RENDERED`], then one line counting the rest.
    pub fn render_all(diagnostics: &[Diagnostic], source: &str) -> String {
        let lines: Vec<&str> = source.lines().collect();
        let mut rendered: Vec<String> = diagnostics
            .iter()
            .take(MAX_RENDERED)
            .map(|d| d.render_with_line(lines.get(d.loc.line.saturating_sub(1) as usize).copied()))
            .collect();
        if let Some(first) = diagnostics.first()
            && diagnostics.len() > MAX_RENDERED
        {
            rendered.push(format!(
                "{}: {} more {} not shown; fix the ones above first\n",
                first.file,
                diagnostics.len() - MAX_RENDERED,
                if diagnostics.len() - MAX_RENDERED == 1 { "error" } else { "errors" }
            ));
        }
        rendered.join("\n")
    }

    fn render_with_line(&self, line: Option<&str>) -> String {
        let mut out = format!("{}:{}:{}: error: {}\n", self.file, self.loc.line, self.loc.column, self.message);
        if let Some(text) = line {
            let gutter = self.loc.line.to_string();
            let pad = " ".repeat(gutter.len());
            let (text, caret_at) = snippet_window(text, self.loc.column.saturating_sub(1) as usize);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{gutter} | {text}");
            let _ = writeln!(out, "{pad} | {}^", " ".repeat(caret_at));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// At most [`MAX_SNIPPET`] characters of `line` around character `column` (0-based), with `…`
/// where it was cut, and the caret's column in the result.
fn snippet_window(line: &str, column: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= MAX_SNIPPET {
        return (line.to_string(), column.min(count));
    }
    let start = column.saturating_sub(MAX_SNIPPET / 4).min(count - MAX_SNIPPET);
    let mut text: String = line.chars().skip(start).take(MAX_SNIPPET).collect();
    let mut caret = column.min(count) - start;
    if start > 0 {
        text.insert(0, '…');
        caret += 1;
    }
    if start + MAX_SNIPPET < count {
        text.push('…');
    }
    (text, caret)
}

/// `text` cut to `max` characters, with `…` when it was longer.
pub fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((end, _)) => format!("{}…", &text[..end]).into(),
    }
}

/// A message with its control characters escaped (`\n`, `\u{1b}`): a message quotes names
/// and values as written, and one line of it must stay one line.
fn printable(message: String) -> String {
    if !message.chars().any(char::is_control) {
        return message;
    }
    message.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
}

/// A message with every backtick-quoted piece cut to [`MAX_QUOTED`] characters and the whole to
/// [`MAX_MESSAGE`], so a megabyte-long name in a file prints as a line, not a megabyte.
fn bounded(message: String) -> String {
    if message.len() <= MAX_QUOTED {
        return message;
    }
    let mut out = String::new();
    for (i, piece) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd pieces are inside backticks.
        out.push_str(if i % 2 == 1 { shorten(piece, MAX_QUOTED) } else { piece.into() }.as_ref());
    }
    shorten(&out, MAX_MESSAGE).into_owned()
}

/// Collects diagnostics for one file so every problem is reported, not just the first.
///
/// It also remembers, per kind of object, the names of objects left out after an error and the
/// dangling names already reported, so that what depends on them is skipped silently instead of
/// raising one follow-on error per reference.
#[derive(Debug)]
pub struct Diagnostics {
    file: String,
    list: Vec<Diagnostic>,
    left_out: HashSet<(&'static str, String)>,
    dangling: HashSet<(&'static str, String)>,
}

impl Diagnostics {
    pub fn new(file: impl Into<String>) -> Self {
        Diagnostics { file: file.into(), list: Vec::new(), left_out: HashSet::new(), dangling: HashSet::new() }
    }

    /// Records that the `kind` object `name` was written but left out after an error of its own.
    pub fn leave_out(&mut self, kind: &'static str, name: &str) {
        self.left_out.insert((kind, name.to_string()));
    }

    /// Whether the `kind` object `name` was left out after an error: references to it are not
    /// reported again.
    pub fn is_left_out(&self, kind: &'static str, name: &str) -> bool {
        self.left_out.contains(&(kind, name.to_string()))
    }

    /// Whether a reference to the missing `kind` object `name` is the first; later ones are
    /// not reported again.
    pub fn first_dangling(&mut self, kind: &'static str, name: &str) -> bool {
        self.dangling.insert((kind, name.to_string()))
    }

    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.push(loc, message.into(), None);
    }

    pub fn error_with_help(&mut self, loc: Loc, message: impl Into<String>, help: impl Into<String>) {
        self.push(loc, message.into(), Some(help.into()));
    }

    fn push(&mut self, loc: Loc, message: String, help: Option<String>) {
        let message = bounded(printable(message));
        let help = help.map(|h| bounded(printable(h)));
        self.list.push(Diagnostic { file: self.file.clone(), loc, message, help });
    }

    /// Whether hints that cost a scan of every name (did you mean, defined: …) are still worth
    /// computing: past a few hundred errors they would not be printed, and a file with
    /// hundreds of thousands of dangling names must not cost names × names comparisons.
    pub fn wants_hints(&self) -> bool {
        self.list.len() < HINT_BUDGET
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many problems were recorded so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The diagnostics in source order (stable output whatever order the checks ran in).
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.list.sort_by(|a, b| a.loc.cmp(&b.loc).then_with(|| a.message.cmp(&b.message)));
        self.list.dedup();
        self.list
    }
}

/// The closest candidate to a misspelt word, if one is close enough to suggest.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let length = word.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            let limit = (c.len() / 3).max(2);
            // The length difference bounds the distance from below: most candidates stop here.
            if c.chars().count().abs_diff(length) > limit {
                return None;
            }
            let d = edit_distance(&word, &c.to_ascii_lowercase());
            (d <= limit).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The Levenshtein distance between `a` and `b`, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_snippet_and_help() {
        let d = Diagnostic {
            file: "a.yaml".into(),
            loc: Loc { line: 2, column: 5 },
            message: "unknown key `adress_space`".into(),
            help: Some("did you mean `address_space`?".into()),
        };
        let text = d.render("vnets:\n  - adress_space: []\n");
        assert_eq!(
            text,
            "a.yaml:2:5: error: unknown key `adress_space`\n  |\n2 |   - adress_space: []\n  |     ^\n  = help: did you mean `address_space`?\n"
        );
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(did_you_mean("adress_space", ["address_space", "subnets"]), Some("address_space"));
        assert_eq!(did_you_mean("zzz", ["address_space", "subnets"]), None);
    }
}
