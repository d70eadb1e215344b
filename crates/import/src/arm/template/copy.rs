//! `copy` loops: their count (an integer from 0 to [`COPY_LIMIT`], as ARM allows) and the
//! arrays property and variable loops build (`{name, count, input}`, `copyIndex('name')`).

use super::eval::{Fail, Here, R};
use super::{COPY_LIMIT, Evaluator, Loop};
use crate::arm::functions;
use crate::json::{self, Node};
use crate::value::Value;

impl<'a> Evaluator<'a> {
    /// A loop's `count`, evaluated and checked.
    pub(super) fn copy_count(&self, copy: Node<'a>, path: &str, here: &Here) -> R<i64> {
        let Some(count) = copy.get_ci("count") else {
            self.report(copy.start(), path, "a `copy` needs a `count`", None);
            return Err(Fail::Reported);
        };
        let count_path = json::member(path, "count");
        let value = self.value(count, &count_path, here)?;
        let n = match value {
            Value::Number(n) if n.fract() == 0.0 => n as i64,
            Value::Unknown(c) => {
                let what = Value::describe_unknown(&c);
                self.report(
                    count.start(),
                    &count_path,
                    format!("the copy count is {what}; vnetsim needs it known"),
                    None,
                );
                return Err(Fail::Reported);
            }
            other => {
                self.report(
                    count.start(),
                    &count_path,
                    format!("the copy count must be an integer, got {}", functions::describe(&other)),
                    None,
                );
                return Err(Fail::Reported);
            }
        };
        if !(0..=COPY_LIMIT).contains(&n) {
            self.report(
                count.start(),
                &count_path,
                format!("the copy count is {n}; ARM allows 0 to {COPY_LIMIT}"),
                (n < 0).then(|| "a negative count is refused at deployment".to_string()),
            );
            return Err(Fail::Reported);
        }
        Ok(n)
    }

    /// The name of a property or variable loop `{name, count, input}` that has all three;
    /// else `None`, what it lacks reported.
    pub(super) fn check_loop(&self, copy: Node<'a>, path: &str) -> Option<&'a str> {
        let Some(name) = copy.get_ci("name").and_then(Node::as_str) else {
            self.report(copy.start(), path, "a `copy` needs a `name` (the property or variable it builds)", None);
            return None;
        };
        for (key, what) in [("count", "the number of items"), ("input", "the item it repeats")] {
            if copy.get_ci(key).is_none() {
                self.report(copy.start(), path, format!("the `copy` of `{name}` needs `{key}` ({what})"), None);
                return None;
            }
        }
        Some(name)
    }

    /// A property or variable loop `{name, count, input}`: its name and the array it builds.
    pub(super) fn copy_array(&self, copy: Node<'a>, path: &str, here: &Here) -> R<(String, Value)> {
        let (Some(name), Some(input)) = (self.check_loop(copy, path), copy.get_ci("input")) else {
            return Err(Fail::Reported);
        };
        let n = self.copy_count(copy, path, here)?;
        let input_path = json::member(path, "input");
        let mut items = Vec::with_capacity(n as usize);
        let mut failed = false;
        for index in 0..n {
            let mut loops = here.loops.to_vec();
            loops.push(Loop { name: name.to_string(), index, resource: false });
            match self.value(input, &input_path, &Here { scope: here.scope, loops: &loops }) {
                Ok(v) => items.push(v),
                Err(_) => failed = true,
            }
            if failed {
                break;
            }
        }
        if failed { Err(Fail::Reported) } else { Ok((name.to_string(), Value::list(items))) }
    }
}
