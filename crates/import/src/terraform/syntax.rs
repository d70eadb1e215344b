//! HCL syntax errors as located diagnostics.
//!
//! The parser reports where it gave up, which for the two commonest slips is far from the
//! mistake: a quoted string left open runs on into the next line (HCL strings end on their line,
//! but the parser reads on and stops at the next quote), and a block left open is noticed only
//! at the end of the file. A light scan of the text finds both where they start.

use super::source::SourceFile;
use vnetsim_config::{Diagnostic, Loc};

/// The diagnostic for a file the parser rejected with `e`.
pub fn error(source: &SourceFile, e: &hcl_edit::parser::Error) -> Diagnostic {
    let at = e.location();
    let parser = Diagnostic {
        file: source.name.clone(),
        loc: Loc {
            line: u32::try_from(at.line()).unwrap_or(u32::MAX),
            column: u32::try_from(at.column()).unwrap_or(u32::MAX),
        },
        message: format!("HCL syntax: {}", first_line(e.message())),
        help: None,
    };
    let located = |offset: usize, message: &str, help: &str| Diagnostic {
        file: source.name.clone(),
        loc: source.loc(offset),
        message: format!("HCL syntax: {message}"),
        help: Some(help.to_string()),
    };
    // A slip after the parser's error may be its consequence; an error at offset 0 is the
    // parser backing out of the whole file (as it does for a lone assignment), which says
    // nothing about where.
    let before = |offset: usize| offset <= at.offset() || at.offset() == 0;
    match scan(&source.text) {
        Some(Slip::OpenString(offset)) if before(offset) => located(
            offset,
            "unclosed string: a quoted string ends on the line it starts",
            "close it with `\"`; write text of several lines as a heredoc (`<<-EOT`)",
        ),
        Some(Slip::OpenBracket(offset, bracket)) if before(offset) => {
            let close = closer(bracket);
            located(
                offset,
                &format!("unclosed `{bracket}`: it has no matching `{close}`"),
                &format!("add the missing `{close}`"),
            )
        }
        _ => parser,
    }
}

fn first_line(message: &str) -> &str {
    message.lines().find(|l| !l.trim().is_empty()).unwrap_or(message).trim()
}

/// What the scan found: the byte offset of the opening quote or bracket.
#[derive(Debug, PartialEq)]
enum Slip {
    OpenString(usize),
    OpenBracket(usize, char),
}

/// What the scan is inside of.
enum Mode {
    /// Expressions: brackets nest here (an interpolation is one, opened by `${`/`%{`).
    Code,
    /// A quoted string opened at this offset.
    Quoted(usize),
}

/// The first quoted string that runs past its line or bracket closed by the wrong closer, or
/// else the innermost bracket still open at the end of the text. Comments and heredocs are
/// skipped.
fn scan(text: &str) -> Option<Slip> {
    let bytes = text.as_bytes();
    let mut modes = vec![Mode::Code];
    // Open brackets, innermost last, each with whether it opened an interpolation.
    let mut open: Vec<(usize, char, bool)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        match modes.last() {
            Some(Mode::Quoted(start)) => match c {
                b'\\' => i += 1,
                b'"' => {
                    modes.pop();
                }
                b'\n' => return Some(Slip::OpenString(*start)),
                // `$${` and `%%{` are escapes, not interpolations.
                b'$' | b'%' if next == Some(b'{') && i.checked_sub(1).map(|p| bytes[p]) != Some(c) => {
                    open.push((i + 1, '{', true));
                    modes.push(Mode::Code);
                    i += 1;
                }
                _ => {}
            },
            _ => match c {
                b'"' => modes.push(Mode::Quoted(i)),
                b'#' => i = line_end(text, i),
                b'/' if next == Some(b'/') => i = line_end(text, i),
                b'/' if next == Some(b'*') => i = text[i + 2..].find("*/").map_or(bytes.len(), |e| i + 2 + e + 1),
                b'<' if next == Some(b'<') => i = heredoc_end(text, i).unwrap_or(i + 1),
                b'{' | b'[' | b'(' => open.push((i, c as char, false)),
                b'}' | b']' | b')' => match open.pop() {
                    // The `}` closing an interpolation returns to its string.
                    Some((_, o, true)) if closer(o) == c as char => {
                        modes.pop();
                    }
                    Some((_, o, false)) if closer(o) == c as char => {}
                    Some((at, o, _)) => return Some(Slip::OpenBracket(at, o)),
                    None => {}
                },
                _ => {}
            },
        }
        i += 1;
    }
    if let Some(Mode::Quoted(start)) = modes.last() {
        return Some(Slip::OpenString(*start));
    }
    open.last().map(|&(at, c, _)| Slip::OpenBracket(at, c))
}

fn closer(open: char) -> char {
    match open {
        '{' => '}',
        '[' => ']',
        _ => ')',
    }
}

/// The offset of the newline ending the line `i` is on (or the end of the text).
fn line_end(text: &str, i: usize) -> usize {
    text[i..].find('\n').map_or(text.len(), |e| i + e)
}

/// For `<<EOT` or `<<-EOT` at `i`, the offset of the last character of its closing line.
fn heredoc_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let marker: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if marker.is_empty() {
        return None;
    }
    let body = line_end(text, i) + 1;
    let mut at = body;
    while at < text.len() {
        let end = line_end(text, at);
        if text[at..end].trim() == marker {
            return Some(end.saturating_sub(1).max(at));
        }
        at = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Slip, scan};

    #[test]
    fn finds_the_string_left_open_not_the_next_quote() {
        let text = "a = \"x\"\nb = \"open\nc = \"y\"\n";
        assert_eq!(scan(text), Some(Slip::OpenString(12)));
    }

    #[test]
    fn interpolations_comments_and_heredocs_are_not_slips() {
        let text = "a = \"${x[\"k\"]}-$${y}\" # \"\nb = <<-EOT\n  \"{\n  EOT\n/* { */ c = { d = [1] }\n";
        assert_eq!(scan(text), None);
    }

    #[test]
    fn finds_the_bracket_a_wrong_closer_ends() {
        let text = "r \"a\" \"b\" {\n  x = 1\n\nr \"c\" \"d\" {\n  l = [1, 2\n}\n";
        assert_eq!(scan(text), Some(Slip::OpenBracket(39, '[')));
    }

    #[test]
    fn finds_the_bracket_open_at_the_end() {
        let text = "r \"a\" \"b\" {\n  x = \"${f({})}\"\n\nr \"c\" \"d\" {\n}\n";
        assert_eq!(scan(text), Some(Slip::OpenBracket(10, '{')));
    }
}
