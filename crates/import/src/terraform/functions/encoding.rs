//! `jsonencode` and `jsondecode`. The encoding is Terraform's byte for byte: keys in lexical
//! order, no spaces, numbers without exponent, and `<`, `>`, `&`, U+2028 and U+2029 escaped as
//! Go's encoder does (`jsonencode("<")` is `"\u003c"`).

use std::fmt::Write;

use super::args::string;
use crate::value::{Value, format_number};

pub(super) fn jsonencode(args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    encode(&args[0], &mut out)?;
    Ok(Value::string(out))
}

pub(super) fn jsondecode(args: &[Value]) -> Result<Value, String> {
    let text = string(&args[0], "the argument")?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(Value::from_json(&json))
}

/// Appends `v` as JSON.
pub(super) fn encode(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_finite() => out.push_str(&format_number(*n)),
        Value::Number(n) => return Err(format!("{n} has no JSON form")),
        Value::String(s) => quote(s, out),
        Value::List(items) | Value::Set(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode(item, out)?;
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote(k, out);
                out.push(':');
                encode(item, out)?;
            }
            out.push('}');
        }
        Value::Unknown(_) => return Err(format!("{v} has no JSON form yet")),
    }
    Ok(())
}

/// Appends `s` as a JSON string, escaped as Go's `encoding/json` does.
pub(super) fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
