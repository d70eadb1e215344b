//! Reading function arguments with Terraform's automatic conversions: a number or bool is
//! accepted where a string is wanted, a string like `"5"` where a number is.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::value::{Value, format_number};

/// Integer arguments beyond this are out of range (well past any address or index).
const INTEGER_LIMIT: f64 = 1.0e38;

fn wrong(v: &Value, what: &str, wanted: &str) -> String {
    match v {
        Value::Null => format!("{what} must not be null"),
        Value::String(s) => format!("{what} must be {wanted}, got the string {s:?}"),
        other => format!("{what} must be {wanted}, got {}", other.type_name()),
    }
}

/// A string, converting numbers and bools the way Terraform does.
pub(super) fn string<'a>(v: &'a Value, what: &str) -> Result<Cow<'a, str>, String> {
    match v {
        Value::String(s) => Ok(Cow::Borrowed(s)),
        Value::Number(_) | Value::Bool(_) => Ok(Cow::Owned(v.to_plain_string().unwrap_or_default())),
        _ => Err(wrong(v, what, "a string")),
    }
}

/// A finite number; a string converts when it reads as one.
pub(super) fn number(v: &Value, what: &str) -> Result<f64, String> {
    match v {
        Value::Number(n) if n.is_finite() => Ok(*n),
        Value::Number(n) => Err(format!("{what} must be a finite number, got {n}")),
        Value::String(_) => v.as_number().filter(|n| n.is_finite()).ok_or_else(|| wrong(v, what, "a number")),
        _ => Err(wrong(v, what, "a number")),
    }
}

/// A whole number (an index, a count of bits, an offset).
pub(super) fn integer(v: &Value, what: &str) -> Result<i128, String> {
    let n = number(v, what)?;
    if n.fract() != 0.0 {
        return Err(format!("{what} must be a whole number, got {}", format_number(n)));
    }
    if n.abs() >= INTEGER_LIMIT {
        return Err(format!("{what} {} is out of range", format_number(n)));
    }
    Ok(n as i128)
}

pub(super) fn boolean(v: &Value, what: &str) -> Result<bool, String> {
    v.as_bool().ok_or_else(|| wrong(v, what, "a bool"))
}

/// The elements of a list, tuple or set.
pub(super) fn seq<'a>(v: &'a Value, what: &str) -> Result<&'a [Value], String> {
    v.as_seq().ok_or_else(|| wrong(v, what, "a list or set"))
}

/// The elements of a list or tuple (functions that care about order refuse sets).
pub(super) fn list<'a>(v: &'a Value, what: &str) -> Result<&'a [Value], String> {
    match v {
        Value::List(items) => Ok(items),
        _ => Err(wrong(v, what, "a list or tuple")),
    }
}

pub(super) fn map<'a>(v: &'a Value, what: &str) -> Result<&'a BTreeMap<String, Value>, String> {
    v.as_map().ok_or_else(|| wrong(v, what, "a map or object"))
}

/// What kind of element a value is, for unifying a collection's element type.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    String,
    Number,
    Bool,
    Seq,
    Map,
}

fn kind(v: &Value) -> Option<Kind> {
    match v {
        Value::String(_) => Some(Kind::String),
        Value::Number(_) => Some(Kind::Number),
        Value::Bool(_) => Some(Kind::Bool),
        Value::List(_) | Value::Set(_) => Some(Kind::Seq),
        Value::Map(_) => Some(Kind::Map),
        Value::Null | Value::Unknown(_) => None,
    }
}

/// Gives the elements of a collection one type, as Terraform does when it builds a list, set
/// or map from mixed elements: numbers and bools become strings when a string is among them
/// (`toset(["a", 3])` is `["3", "a"]`); other mixtures have no common type. Nulls and unknowns
/// fit any type.
pub(super) fn unify(items: &[Value]) -> Result<Vec<Value>, String> {
    let mut kinds: Vec<Kind> = items.iter().filter_map(kind).collect();
    kinds.sort();
    kinds.dedup();
    if kinds.len() <= 1 {
        return Ok(items.to_vec());
    }
    let primitive = kinds.iter().all(|k| matches!(k, Kind::String | Kind::Number | Kind::Bool));
    if primitive && kinds.contains(&Kind::String) {
        return Ok(items
            .iter()
            .map(|v| match v {
                Value::Number(_) | Value::Bool(_) => Value::string(v.to_plain_string().unwrap_or_default()),
                other => other.clone(),
            })
            .collect());
    }
    let names: Vec<&str> = kinds
        .iter()
        .map(|k| match k {
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Bool => "bool",
            Kind::Seq => "list",
            Kind::Map => "object",
        })
        .collect();
    Err(format!("the elements have no common type ({})", names.join(", ")))
}
