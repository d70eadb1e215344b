//! Reading function arguments by ARM's rules: integers are whole numbers, strings are strings
//! (no implicit conversion, as Azure refuses `toLower(1)`).

use std::collections::BTreeMap;

use crate::value::{Value, format_number};

/// What a value is, for messages: "the string \"x\"", "an integer", "an object".
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {}", format_number(*n)),
        Value::String(s) => format!("the string {:?}", truncate(s)),
        Value::List(_) | Value::Set(_) => "an array".into(),
        Value::Map(_) => "an object".into(),
        Value::Unknown(_) => "a value known only after deployment".into(),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s.to_string() }
}

fn wrong(f: &str, i: usize, wanted: &str, v: &Value) -> String {
    format!("`{f}` expects {wanted} as argument {}, got {}", i + 1, describe(v))
}

pub(super) fn count(a: &[Value], f: &str, min: usize, max: usize) -> Result<(), String> {
    if a.len() >= min && a.len() <= max {
        return Ok(());
    }
    let wanted = match (min, max) {
        (m, n) if m == n => format!("{m} argument{}", if m == 1 { "" } else { "s" }),
        (m, usize::MAX) => format!("at least {m} arguments"),
        (m, n) => format!("{m} to {n} arguments"),
    };
    Err(format!("`{f}` takes {wanted}, got {}", a.len()))
}

pub(super) fn none(a: &[Value], f: &str) -> Result<(), String> {
    count(a, f, 0, 0)
}

pub(super) fn one<'a>(a: &'a [Value], f: &str) -> Result<&'a Value, String> {
    count(a, f, 1, 1)?;
    Ok(&a[0])
}

pub(super) fn string<'a>(a: &'a [Value], i: usize, f: &str) -> Result<&'a str, String> {
    a[i].as_str().ok_or_else(|| wrong(f, i, "a string", &a[i]))
}

pub(super) fn integer(a: &[Value], i: usize, f: &str) -> Result<i64, String> {
    match &a[i] {
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(*n as i64),
        other => Err(wrong(f, i, "an integer", other)),
    }
}

pub(super) fn array<'a>(a: &'a [Value], i: usize, f: &str) -> Result<&'a [Value], String> {
    a[i].as_seq().ok_or_else(|| wrong(f, i, "an array", &a[i]))
}

pub(super) fn object<'a>(a: &'a [Value], i: usize, f: &str) -> Result<&'a BTreeMap<String, Value>, String> {
    a[i].as_map().ok_or_else(|| wrong(f, i, "an object", &a[i]))
}

pub(super) fn boolean(a: &[Value], i: usize, f: &str) -> Result<bool, String> {
    match &a[i] {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong(f, i, "a boolean", other)),
    }
}

pub(super) fn int_value(n: i64) -> Value {
    Value::Number(n as f64)
}
