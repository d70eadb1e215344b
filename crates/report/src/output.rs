//! The one output path: every report is plain serialisable data behind [`Report`], and
//! [`render`] turns it into any format it supports. JSON always carries the report's versioned
//! schema id first; human text never carries a control character from a name.

use serde::Serialize;

/// Every output format of every command. A report lists the ones it supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Human,
    Json,
    /// A pull-request comment (`diff`).
    Markdown,
    /// JUnit XML (`run`).
    Junit,
    /// SARIF 2.1.0 (`run`).
    Sarif,
    /// Graphviz DOT (`graph`).
    Dot,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::Human, Format::Json, Format::Markdown, Format::Junit, Format::Sarif, Format::Dot];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Dot => "dot",
        }
    }
}

/// A command's output.
pub trait Report: Serialize + schemars::JsonSchema {
    /// The versioned id of the JSON schema (`docs/schemas/<id>.json`). A new optional field
    /// keeps the version; anything else bumps it.
    const SCHEMA: &'static str;
    /// The formats this report can be printed in, the default first.
    const FORMATS: &'static [Format] = &[Format::Human, Format::Json];

    fn human(&self) -> String;

    /// The formats beyond human and JSON; `None` for a format the report does not have.
    fn other(&self, _format: Format) -> Option<String> {
        None
    }
}

/// The report in `format`, or `None` when it has no such format.
pub fn render<R: Report>(report: &R, format: Format) -> Option<String> {
    match format {
        Format::Human => Some(visible(&report.human())),
        Format::Json => Some(to_json(&Envelope { schema: R::SCHEMA, report })),
        Format::Markdown => report.other(format).map(|text| visible(&text)),
        // XML escapes its own text; SARIF is JSON; DOT quotes its labels.
        Format::Junit | Format::Sarif | Format::Dot => report.other(format),
    }
}

/// What JSON output looks like: the schema id, then the report's own fields.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Envelope<'a, R> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub report: &'a R,
}

/// Pretty JSON with a trailing newline.
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("reports serialise");
    s.push('\n');
    s
}

/// Text with every control character but newline and tab, and every invisible direction or
/// zero-width mark, written as a visible escape (`\x1b`, `\u{202e}`): names come from files and
/// command lines, and must not move the cursor, ring the bell, recolour a terminal or reorder
/// what a reviewer reads.
pub fn visible(text: &str) -> String {
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !hidden(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out
}

fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// A name or any text placed in a Markdown table cell or line: HTML is escaped (a `<!--` in a
/// name would hide the rest of a pull-request comment), and so are the characters that end a
/// cell or start Markdown markup; a newline becomes a space.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            // `_` stays: GitHub never reads it as emphasis inside a word (`deny_ssh`).
            '`' | '*' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_direction_marks_become_visible() {
        let cases = [
            ("plain name", "plain name"),
            ("a\x1b[31mred", "a\\x1b[31mred"),
            ("bell\x07nul\0", "bell\\x07nul\\x00"),
            ("cr\rlf\nkept\ttab", "cr\\x0dlf\nkept\ttab"),
            ("rtl\u{202e}txt", "rtl\\u{202e}txt"),
            ("del\x7f", "del\\x7f"),
            ("ünïcödé ok", "ünïcödé ok"),
        ];
        for (input, expected) in cases {
            assert_eq!(visible(input), expected, "{input:?}");
        }
    }

    #[test]
    fn markdown_escapes_html_and_cell_breaks() {
        let cases = [
            ("nsg-1", "nsg-1"),
            ("<!-- hide", "&lt;!-- hide"),
            ("a|b", "a\\|b"),
            ("two\nlines", "two lines"),
            ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
            ("`code` *b* [l](u) snake_case", "\\`code\\` \\*b\\* \\[l\\](u) snake_case"),
        ];
        for (input, expected) in cases {
            assert_eq!(markdown(input), expected, "{input:?}");
        }
    }
}
