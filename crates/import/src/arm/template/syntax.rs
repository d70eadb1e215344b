//! Every expression of a template is parsed before any is evaluated, as Azure Resource Manager
//! validates a template before deploying it: a syntax error in a variable nothing reads, or in
//! a resource whose condition is false, is still an error. `metadata` is free text.

use super::Evaluator;
use super::expr::{self, Text};
use crate::json::{self, Node};

impl<'a> Evaluator<'a> {
    /// Reports every expression under `node` (at JSON path `path`) that does not parse.
    pub(super) fn check_syntax(&self, node: Node<'a>, path: &str) {
        match node.json {
            serde_json::Value::String(s) => self.check_string(s, node.start(), path),
            serde_json::Value::Array(_) => {
                for (i, item) in node.items().enumerate() {
                    self.check_syntax(item, &json::index(path, i));
                }
            }
            serde_json::Value::Object(_) => {
                for (key, key_at, child) in node.entries() {
                    if key.eq_ignore_ascii_case("metadata") {
                        continue;
                    }
                    let child_path = json::member(path, key);
                    self.check_string(key, key_at, &child_path);
                    self.check_syntax(child, &child_path);
                }
            }
            _ => {}
        }
    }

    fn check_string(&self, s: &str, at: usize, path: &str) {
        if let Text::Expression(src) = expr::classify(s) {
            let _ = self.parse_expression(src, at, path);
        }
    }
}
