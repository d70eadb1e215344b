//! JUnit XML for CI test tabs: one `<testsuite>` per scenario file and one `<testcase>` per
//! expectation; a failure carries its reason and the human trace of the connection that shows it.

use crate::suite::SuiteReport;
use std::fmt::Write;

impl SuiteReport {
    pub fn to_junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"vnetsim\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            self.passed + self.failed + self.invalid.len(),
            self.failed,
            self.invalid.len()
        );
        for f in &self.files {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
                attribute(&f.file),
                f.results.len(),
                f.failed()
            );
            for c in &f.results {
                let r = &c.result;
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"",
                    attribute(&f.scenario),
                    attribute(&r.label),
                    attribute(&f.file),
                    r.line
                );
                if r.passed {
                    out.push_str("/>\n");
                    continue;
                }
                let _ = write!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"{}\"",
                    attribute(&r.reason),
                    attribute(r.disposition.name())
                );
                match &c.trace {
                    Some(trace) => {
                        let _ = writeln!(out, ">{}</failure>", escape(&trace.to_human(), false));
                    }
                    None => out.push_str("/>\n"),
                }
                out.push_str("    </testcase>\n");
            }
            out.push_str("  </testsuite>\n");
        }
        for e in &self.expected_errors {
            let failure = if e.passed {
                String::new()
            } else {
                format!("\n      <failure message=\"{}\" type=\"expected_errors\"/>\n    ", attribute(&e.human_line()))
            };
            let _ = writeln!(
                out,
                "  <testsuite name=\"{0}\" tests=\"1\" failures=\"{1}\" errors=\"0\">\n    <testcase classname=\"{0}\" name=\"expected errors\" file=\"{0}\">{failure}</testcase>\n  </testsuite>",
                attribute(&e.file),
                usize::from(!e.passed)
            );
        }
        // A file that cannot be loaded is an error of the run, never silence.
        for f in &self.invalid {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase classname=\"{0}\" name=\"load\" file=\"{0}\">\n      <error message=\"invalid scenario file\" type=\"invalid_file\">{1}</error>\n    </testcase>\n  </testsuite>",
                attribute(&f.file),
                escape(&f.errors, false)
            );
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn attribute(s: &str) -> String {
    escape(s, true)
}

/// Escapes text for XML 1.0. Characters XML 1.0 cannot hold at all (most C0 controls, U+FFFE,
/// U+FFFF) become U+FFFD. In attributes, tabs and line breaks become character references,
/// because parsers turn literal ones into spaces there.
fn escape(s: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' if !in_attribute => out.push(c),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_controls_and_attribute_whitespace() {
        let cases = [
            ("a < b & \"c\" 'd' > e", true, "a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt; e"),
            ("line\nnext\ttab\r", true, "line&#10;next&#9;tab&#13;"),
            ("line\nnext\ttab\r", false, "line\nnext\ttab&#13;"),
            ("bell\u{7} nul\u{0} \u{fffe}", false, "bell\u{fffd} nul\u{fffd} \u{fffd}"),
            ("ünïcode ✓", true, "ünïcode ✓"),
        ];
        for (input, in_attribute, expected) in cases {
            assert_eq!(escape(input, in_attribute), expected, "escape({input:?}, {in_attribute})");
        }
    }
}
