//! Array and object functions: `createObject`, `union`, `intersection`, `contains`, `empty`,
//! `length`, `first`, `last`, `take`, `skip`, `range`, `items`, `flatten`.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::Env;
use super::args::{self, count, integer, object};
use crate::value::Value;

/// ARM's limit on `range` (and copy) sizes.
const RANGE_LIMIT: i64 = 10_000;

pub(super) fn create_object(a: &[Value], _: &Env) -> Result<Value, String> {
    if !a.len().is_multiple_of(2) {
        return Err(format!("`createObject` takes key-value pairs, got an odd number ({}) of arguments", a.len()));
    }
    let mut out = BTreeMap::new();
    for pair in (0..a.len()).step_by(2) {
        let key = args::string(a, pair, "createObject")?;
        out.insert(key.to_string(), a[pair + 1].clone());
    }
    Ok(Value::map(out))
}

pub(super) fn array(a: &[Value], _: &Env) -> Result<Value, String> {
    Ok(match args::one(a, "array")? {
        v @ Value::List(_) => v.clone(),
        v => Value::list(vec![v.clone()]),
    })
}

/// `union`: objects merged (later keys win, nested objects merged), or arrays joined without
/// duplicates, in order.
pub(super) fn union(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "union", 1, usize::MAX)?;
    if a[0].as_map().is_some() || a[0].is_null() {
        let mut out = BTreeMap::new();
        for i in (0..a.len()).filter(|&i| !a[i].is_null()) {
            merge(&mut out, object(a, i, "union")?);
        }
        return Ok(Value::map(out));
    }
    let mut out: Vec<Value> = Vec::new();
    for i in 0..a.len() {
        for v in args::array(a, i, "union")? {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
    }
    Ok(Value::list(out))
}

fn merge(out: &mut BTreeMap<String, Value>, from: &BTreeMap<String, Value>) {
    for (k, v) in from {
        let merged = match (out.remove(k), v) {
            (Some(Value::Map(old)), Value::Map(new)) => {
                let mut inner = Rc::unwrap_or_clone(old);
                merge(&mut inner, new);
                Value::map(inner)
            }
            (_, v) => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
}

pub(super) fn intersection(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "intersection", 2, usize::MAX)?;
    if a[0].as_map().is_some() {
        let mut out = object(a, 0, "intersection")?.clone();
        for i in 1..a.len() {
            let other = object(a, i, "intersection")?;
            out.retain(|k, v| other.get(k) == Some(v));
        }
        return Ok(Value::map(out));
    }
    let mut out: Vec<Value> = Vec::new();
    for v in args::array(a, 0, "intersection")? {
        let everywhere = (1..a.len()).map(|i| args::array(a, i, "intersection")).collect::<Result<Vec<_>, _>>()?;
        if everywhere.iter().all(|items| items.contains(v)) && !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

/// `contains`: an array item, an object key (case-insensitive), a substring (case-sensitive).
pub(super) fn contains(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "contains", 2, 2)?;
    Ok(Value::Bool(match &a[0] {
        Value::List(items) => items.contains(&a[1]),
        Value::Map(m) => {
            let key = args::string(a, 1, "contains")?;
            m.keys().any(|k| k.eq_ignore_ascii_case(key))
        }
        Value::String(s) => s.contains(&*super::strings::to_text(&a[1])),
        other => return Err(format!("`contains` expects an array, object or string, got {}", args::describe(other))),
    }))
}

pub(super) fn empty(a: &[Value], _: &Env) -> Result<Value, String> {
    Ok(Value::Bool(match args::one(a, "empty")? {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::List(items) | Value::Set(items) => items.is_empty(),
        Value::Map(m) => m.is_empty(),
        other => return Err(format!("`empty` expects an array, object or string, got {}", args::describe(other))),
    }))
}

pub(super) fn length(a: &[Value], _: &Env) -> Result<Value, String> {
    let n = match args::one(a, "length")? {
        Value::String(s) => s.chars().count(),
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(m) => m.len(),
        other => return Err(format!("`length` expects an array, object or string, got {}", args::describe(other))),
    };
    Ok(args::int_value(n as i64))
}

/// `first`/`last`: of an array (null when empty) or a string (a one-character string).
pub(super) fn end(a: &[Value], f: &str, first: bool) -> Result<Value, String> {
    Ok(match args::one(a, f)? {
        Value::List(items) => (if first { items.first() } else { items.last() }).cloned().unwrap_or(Value::Null),
        Value::String(s) => {
            let c = if first { s.chars().next() } else { s.chars().last() };
            Value::string(c.map(String::from).unwrap_or_default())
        }
        other => return Err(format!("`{f}` expects an array or string, got {}", args::describe(other))),
    })
}

/// `take`/`skip`: counts below zero count as zero, beyond the length as the length.
pub(super) fn take_skip(a: &[Value], f: &str, take: bool) -> Result<Value, String> {
    count(a, f, 2, 2)?;
    let n = integer(a, 1, f)?.max(0) as usize;
    Ok(match &a[0] {
        Value::List(items) => {
            let n = n.min(items.len());
            Value::list(if take { items[..n].to_vec() } else { items[n..].to_vec() })
        }
        Value::String(s) => {
            Value::string(if take { s.chars().take(n).collect::<String>() } else { s.chars().skip(n).collect() })
        }
        Value::Null => Value::Null,
        other => return Err(format!("`{f}` expects an array or string as argument 1, got {}", args::describe(other))),
    })
}

pub(super) fn range(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "range", 2, 2)?;
    let (start, n) = (integer(a, 0, "range")?, integer(a, 1, "range")?);
    if !(0..=RANGE_LIMIT).contains(&n) {
        return Err(format!("`range`: the count must be between 0 and {RANGE_LIMIT}, got {n}"));
    }
    Ok(Value::list((start..start + n).map(args::int_value).collect()))
}

/// `items`: an object as `[{key, value}]`, by key.
pub(super) fn items(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "items", 1, 1)?;
    let entries = object(a, 0, "items")?;
    Ok(Value::list(
        entries
            .iter()
            .map(|(k, v)| {
                Value::map(BTreeMap::from([
                    ("key".to_string(), Value::string(k.as_str())),
                    ("value".to_string(), v.clone()),
                ]))
            })
            .collect(),
    ))
}

pub(super) fn flatten(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "flatten", 1, 1)?;
    let mut out = Vec::new();
    for (i, inner) in args::array(a, 0, "flatten")?.iter().enumerate() {
        match inner {
            Value::List(items) => out.extend(Rc::unwrap_or_clone(items.clone())),
            other => return Err(format!("`flatten`: item {i} is {}, not an array", args::describe(other))),
        }
    }
    Ok(Value::list(out))
}
