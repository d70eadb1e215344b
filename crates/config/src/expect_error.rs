//! `# expect-error: TEXT`: a scenario that must fail to load, with the errors it must give.
//!
//! The lines are comments, so every other reader of the file ignores them; `vnetsim run` reads
//! them from the file's leading comments and passes the file when loading fails with every
//! TEXT in its diagnostics (the way trybuild's UI tests pin compiler errors).

use crate::diagnostic::{Diagnostic, Diagnostics, Loc};

const DIRECTIVE: &str = "expect-error";

/// The TEXTs of the `# expect-error:` lines among the file's leading comments (blank lines and
/// comments before the first other line), in file order; empty for an ordinary scenario. A
/// directive without text, a misspelt one (`# expect_error:`) and one written below the
/// leading comments, where it would be silently ignored, are errors.
pub fn expected_errors(file: &str, source: &str) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut d = Diagnostics::new(file);
    let mut texts = Vec::new();
    let mut leading = true;
    for (i, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(comment) = trimmed.strip_prefix('#') else {
            leading &= trimmed.is_empty();
            continue;
        };
        let loc = Loc { line: i as u32 + 1, column: (line.len() - trimmed.len()) as u32 + 1 };
        let Some((key, text)) = comment.split_once(':') else { continue };
        let key = key.trim();
        if key == DIRECTIVE {
            let text = text.trim();
            if !leading {
                d.error_with_help(
                    loc,
                    "`# expect-error:` below the leading comments is not read",
                    "move it to the comments at the top of the file, before the first key",
                );
            } else if text.is_empty() {
                d.error_with_help(
                    loc,
                    "`# expect-error:` without a text",
                    "write the text the error must contain: `# expect-error: unknown key`",
                );
            } else {
                texts.push(text.to_string());
            }
        } else if leading && is_misspelt(key) {
            d.error_with_help(loc, format!("unknown directive `# {key}:`"), format!("did you mean `# {DIRECTIVE}:`?"));
        }
    }
    if d.is_empty() { Ok(texts) } else { Err(d.into_sorted()) }
}

/// A comment key that looks meant as the directive: one word made of `expect` and `error`
/// in another spelling (`expect_error`, `Expected-Errors`).
fn is_misspelt(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    !key.contains(' ') && key.starts_with("expect") && key.contains("error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_directives_are_read_in_order() {
        let src =
            "# A negative scenario.\n\n# expect-error: unknown key `vnet`\n# expect-error:  priority  \nvnet: []\n";
        assert_eq!(expected_errors("n.yaml", src).unwrap(), ["unknown key `vnet`", "priority"]);
    }

    #[test]
    fn an_ordinary_scenario_expects_nothing() {
        // A description mentioning errors is not a directive.
        let src = "# Expected: errors are explained.\nname: x # expect-error: not a leading comment line\n";
        assert_eq!(expected_errors("s.yaml", src).unwrap(), Vec::<String>::new());
    }

    /// Catches a directive silently ignored: the file would then be judged as an ordinary
    /// scenario, or pass whatever its errors are.
    #[test]
    fn misuse_is_located() {
        let cases = [
            ("# expect-error:\nname: x\n", 1, "`# expect-error:` without a text"),
            ("# expect_error: x\nname: x\n", 1, "unknown directive `# expect_error:`"),
            ("name: x\n  # expect-error: late\n", 2, "below the leading comments"),
        ];
        for (src, line, message) in cases {
            let errors = expected_errors("n.yaml", src).unwrap_err();
            assert_eq!(errors.len(), 1, "{src}");
            assert_eq!(errors[0].loc.line, line, "{src}");
            assert!(errors[0].message.contains(message), "{}", errors[0].message);
        }
    }
}
