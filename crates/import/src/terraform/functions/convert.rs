//! Type conversions (`tostring`, `tolist`, …) and `coalesce`. A null converts to null.

use super::args::{number, unify};
use crate::value::Value;

fn cannot(v: &Value, to: &str) -> String {
    format!("cannot convert {} to {to}", v.type_name())
}

/// `coalesce(values...)`: the first that is neither null nor an empty string. As in Terraform,
/// when the arguments mix strings with numbers or bools, the result is a string.
pub(super) fn coalesce(args: &[Value]) -> Result<Value, String> {
    let found = args
        .iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or("all the arguments are null or empty strings")?;
    let any_string = args.iter().any(|v| matches!(v, Value::String(_)));
    Ok(match found {
        Value::Number(_) | Value::Bool(_) if any_string => Value::string(found.to_plain_string().unwrap_or_default()),
        other => other.clone(),
    })
}

pub(super) fn tostring(args: &[Value]) -> Result<Value, String> {
    match &args[0] {
        Value::Null | Value::String(_) => Ok(args[0].clone()),
        v @ (Value::Number(_) | Value::Bool(_)) => Ok(Value::string(v.to_plain_string().unwrap_or_default())),
        v => Err(cannot(v, "string")),
    }
}

pub(super) fn tonumber(args: &[Value]) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v @ (Value::Number(_) | Value::String(_)) => number(v, "the argument").map(Value::Number),
        v => Err(cannot(v, "number")),
    }
}

pub(super) fn tobool(args: &[Value]) -> Result<Value, String> {
    match &args[0] {
        Value::Null | Value::Bool(_) => Ok(args[0].clone()),
        Value::String(s) => match &**s {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("cannot convert the string {s:?} to bool (only \"true\" and \"false\" convert)")),
        },
        v => Err(cannot(v, "bool")),
    }
}

/// `tolist(value)`: a list, tuple or set (in its order) as a list of one element type.
pub(super) fn tolist(args: &[Value]) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::List(items) | Value::Set(items) => Ok(Value::list(unify(items)?)),
        v => Err(cannot(v, "list")),
    }
}

/// `toset(value)`: sorted and distinct after conversion to one element type.
pub(super) fn toset(args: &[Value]) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::List(items) | Value::Set(items) => Ok(Value::set(unify(items)?)),
        v => Err(cannot(v, "set")),
    }
}

/// `tomap(value)`: an object as a map of one element type.
pub(super) fn tomap(args: &[Value]) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Map(m) => {
            let values: Vec<Value> = m.values().cloned().collect();
            Ok(Value::map(m.keys().cloned().zip(unify(&values)?).collect()))
        }
        v => Err(cannot(v, "map")),
    }
}

/// `sensitive` and `nonsensitive`: vnetsim keeps no sensitivity marks, so the value itself.
pub(super) fn identity(args: &[Value]) -> Result<Value, String> {
    Ok(args[0].clone())
}
