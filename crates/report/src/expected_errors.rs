//! Suite members that must fail to load: a scenario whose leading comments hold
//! `# expect-error: TEXT` lines passes when loading fails with every TEXT in its errors.

use serde::Serialize;

/// One such file's result.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ExpectedErrors {
    pub file: String,
    /// The texts of its `# expect-error:` lines, in file order.
    pub expected: Vec<String>,
    /// Whether it loaded after all (then it fails).
    pub loaded: bool,
    /// The expected texts its errors do not contain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Its errors as printed (`file:line:col: error: …`), empty when it loaded.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub errors: String,
    pub passed: bool,
}

impl ExpectedErrors {
    /// The result of loading a file that expects `expected`: `errors` is `None` when it loaded.
    pub fn new(file: String, expected: Vec<String>, errors: Option<String>) -> ExpectedErrors {
        let loaded = errors.is_none();
        let errors = errors.unwrap_or_default();
        let missing: Vec<String> = expected.iter().filter(|t| !errors.contains(t.as_str())).cloned().collect();
        let passed = !loaded && missing.is_empty();
        ExpectedErrors { file, expected, loaded, missing, errors, passed }
    }

    /// The result's line in the suite's human output.
    pub fn human_line(&self) -> String {
        match self.failure() {
            None => format!("PASS {} fails to load as expected ({})", self.file, quoted(&self.expected)),
            Some(why) => format!("FAIL {} {why}", self.file),
        }
    }

    /// Why it fails, after the file's name; `None` when it passes.
    pub fn failure(&self) -> Option<String> {
        if self.passed {
            None
        } else if self.loaded {
            Some("loads, but its `# expect-error:` lines expect it to fail".to_string())
        } else {
            Some(format!("fails to load, but its errors lack {}", quoted(&self.missing)))
        }
    }
}

fn quoted(texts: &[String]) -> String {
    texts.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
}
