//! Located problems in input files, rendered the way compilers do.

use std::fmt::{self, Write};

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub line: u32,
    pub column: u32,
}

/// One problem in one file, with an optional hint on how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
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

    /// Renders every diagnostic of one file, splitting the source into lines once.
    pub fn render_all(diagnostics: &[Diagnostic], source: &str) -> String {
        let lines: Vec<&str> = source.lines().collect();
        let rendered: Vec<String> = diagnostics
            .iter()
            .map(|d| d.render_with_line(lines.get(d.loc.line.saturating_sub(1) as usize).copied()))
            .collect();
        rendered.join("\n")
    }

    fn render_with_line(&self, line: Option<&str>) -> String {
        let mut out = format!("{}:{}:{}: error: {}\n", self.file, self.loc.line, self.loc.column, self.message);
        if let Some(text) = line {
            let gutter = self.loc.line.to_string();
            let pad = " ".repeat(gutter.len());
            let caret_at = text.chars().take(self.loc.column.saturating_sub(1) as usize).count();
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

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.loc.line, self.loc.column, self.message)
    }
}

/// Collects diagnostics for one file so every problem is reported, not just the first.
#[derive(Debug)]
pub struct Diagnostics {
    file: String,
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: impl Into<String>) -> Self {
        Diagnostics { file: file.into(), list: Vec::new() }
    }

    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.push(loc, message.into(), None);
    }

    pub fn error_with_help(&mut self, loc: Loc, message: impl Into<String>, help: impl Into<String>) {
        self.push(loc, message.into(), Some(help.into()));
    }

    fn push(&mut self, loc: Loc, message: String, help: Option<String>) {
        self.list.push(Diagnostic { file: self.file.clone(), loc, message, help });
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
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
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
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
