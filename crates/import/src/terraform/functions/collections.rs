//! Collection functions: lists, sets and maps.

use std::collections::BTreeMap;

use super::args::{boolean, integer, list, map, seq, string, unify};
use crate::value::Value;

/// `concat(lists...)`: lists and tuples only, as in Terraform.
pub(super) fn concat(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for arg in args {
        out.extend_from_slice(list(arg, "each argument")?);
    }
    Ok(Value::list(out))
}

/// `merge(maps...)`: later maps win; null arguments are skipped.
pub(super) fn merge(args: &[Value]) -> Result<Value, String> {
    let mut out = BTreeMap::new();
    for arg in args.iter().filter(|a| !a.is_null()) {
        for (k, v) in map(arg, "each argument")? {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::map(out))
}

/// `lookup(map, key)` and `lookup(map, key, default)`.
pub(super) fn lookup(args: &[Value]) -> Result<Value, String> {
    let m = map(&args[0], "the first argument")?;
    let key = string(&args[1], "key")?;
    match (m.get(&*key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("the key {key:?} does not exist in the map and no default was given")),
    }
}

/// `element(list, index)`: the index wraps around the list's length.
pub(super) fn element(args: &[Value]) -> Result<Value, String> {
    let items = list(&args[0], "the first argument")?;
    let index = integer(&args[1], "index")?;
    if index < 0 {
        return Err(format!("index must not be negative, got {index}"));
    }
    if items.is_empty() {
        return Err("cannot take an element of an empty list".into());
    }
    Ok(items[(index % items.len() as i128) as usize].clone())
}

/// `length(value)`: characters of a string, elements of a list, set or map.
pub(super) fn length(args: &[Value]) -> Result<Value, String> {
    let n = match &args[0] {
        Value::String(s) => s.chars().count(),
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(m) => m.len(),
        Value::Null => return Err("the argument must not be null".into()),
        other => return Err(format!("the argument must be a string, list, set or map, got {}", other.type_name())),
    };
    Ok(Value::Number(n as f64))
}

/// `coalescelist(lists...)`: the first non-empty list.
pub(super) fn coalescelist(args: &[Value]) -> Result<Value, String> {
    for arg in args.iter().filter(|a| !a.is_null()) {
        if !list(arg, "each argument")?.is_empty() {
            return Ok(arg.clone());
        }
    }
    Err("all the lists are empty or null".into())
}

/// `keys(map)`: in lexical order.
pub(super) fn keys(args: &[Value]) -> Result<Value, String> {
    let m = map(&args[0], "the argument")?;
    Ok(Value::list(m.keys().map(|k| Value::string(k.as_str())).collect()))
}

/// `values(map)`: in the lexical order of their keys.
pub(super) fn values(args: &[Value]) -> Result<Value, String> {
    let m = map(&args[0], "the argument")?;
    Ok(Value::list(m.values().cloned().collect()))
}

/// `flatten(list)`: nested lists and sets, however deep, become one list.
pub(super) fn flatten(args: &[Value]) -> Result<Value, String> {
    fn walk(items: &[Value], out: &mut Vec<Value>) {
        for item in items {
            match item.as_seq() {
                Some(inner) => walk(inner, out),
                None => out.push(item.clone()),
            }
        }
    }
    let mut out = Vec::new();
    walk(seq(&args[0], "the argument")?, &mut out);
    Ok(Value::list(out))
}

/// `distinct(list)`: the first of each run of equal elements, in order.
pub(super) fn distinct(args: &[Value]) -> Result<Value, String> {
    let items = unify(seq(&args[0], "the argument")?)?;
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(Value::list(out))
}

/// `contains(list, value)`: equality without conversion (`"1"` is not `1`).
pub(super) fn contains(args: &[Value]) -> Result<Value, String> {
    let items = seq(&args[0], "the first argument")?;
    Ok(Value::Bool(items.contains(&args[1])))
}

/// `index(list, value)`: the position of the first equal element.
pub(super) fn index(args: &[Value]) -> Result<Value, String> {
    let items = list(&args[0], "the first argument")?;
    match items.iter().position(|item| *item == args[1]) {
        Some(i) => Ok(Value::Number(i as f64)),
        None => Err(format!("{} is not in the list", args[1])),
    }
}

/// `reverse(list)`.
pub(super) fn reverse(args: &[Value]) -> Result<Value, String> {
    let mut items = list(&args[0], "the argument")?.to_vec();
    items.reverse();
    Ok(Value::list(items))
}

/// `sort(list)`: strings in lexical order; numbers and bools convert to strings first.
pub(super) fn sort(args: &[Value]) -> Result<Value, String> {
    let items = seq(&args[0], "the argument")?;
    let mut strings = items
        .iter()
        .enumerate()
        .map(|(i, v)| string(v, &format!("element {i}")).map(|s| s.into_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    strings.sort();
    Ok(Value::list(strings.into_iter().map(Value::string).collect()))
}

/// `slice(list, start, end)`: `end` exclusive.
pub(super) fn slice(args: &[Value]) -> Result<Value, String> {
    let items = seq(&args[0], "the first argument")?;
    let start = integer(&args[1], "start index")?;
    let end = integer(&args[2], "end index")?;
    if start < 0 {
        return Err(format!("start index must not be negative, got {start}"));
    }
    if end > items.len() as i128 {
        return Err(format!("end index {end} is greater than the length of the list ({})", items.len()));
    }
    if start > end {
        return Err(format!("start index {start} is greater than end index {end}"));
    }
    Ok(Value::list(items[start as usize..end as usize].to_vec()))
}

/// `zipmap(keys, values)`: later duplicate keys win.
pub(super) fn zipmap(args: &[Value]) -> Result<Value, String> {
    if let Some(unknown) = seq(&args[0], "keys")?.iter().find(|k| matches!(k, Value::Unknown(_))) {
        return Ok(unknown.clone());
    }
    let keys = seq(&args[0], "keys")?;
    let values = list(&args[1], "values")?;
    if keys.len() != values.len() {
        return Err(format!("{} keys but {} values; they must be as many", keys.len(), values.len()));
    }
    let mut out = BTreeMap::new();
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        out.insert(string(k, &format!("key {i}"))?.into_owned(), v.clone());
    }
    Ok(Value::map(out))
}

/// The arguments of a set function as sets of one element type.
fn sets(args: &[Value]) -> Result<Vec<Vec<Value>>, String> {
    let all: Vec<Value> = args.iter().map(|a| seq(a, "each argument")).collect::<Result<Vec<_>, _>>()?.concat();
    let mut unified = unify(&all)?.into_iter();
    Ok(args
        .iter()
        .map(|a| {
            let n = a.as_seq().map_or(0, <[Value]>::len);
            unified.by_ref().take(n).collect()
        })
        .collect())
}

/// `setunion(sets...)`.
pub(super) fn setunion(args: &[Value]) -> Result<Value, String> {
    Ok(Value::set(sets(args)?.concat()))
}

/// `setintersection(sets...)`.
pub(super) fn setintersection(args: &[Value]) -> Result<Value, String> {
    let mut sets = sets(args)?.into_iter();
    let first = sets.next().unwrap_or_default();
    let rest: Vec<Vec<Value>> = sets.collect();
    Ok(Value::set(first.into_iter().filter(|v| rest.iter().all(|s| s.contains(v))).collect()))
}

/// `setsubtract(a, b)`: the elements of `a` not in `b`.
pub(super) fn setsubtract(args: &[Value]) -> Result<Value, String> {
    let mut sets = sets(args)?.into_iter();
    let (a, b) = (sets.next().unwrap_or_default(), sets.next().unwrap_or_default());
    Ok(Value::set(a.into_iter().filter(|v| !b.contains(v)).collect()))
}

/// `compact(list)`: drops nulls and empty strings from a list of strings.
pub(super) fn compact(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for (i, item) in seq(&args[0], "the argument")?.iter().enumerate() {
        if item.is_null() {
            continue;
        }
        let s = string(item, &format!("element {i}"))?;
        if !s.is_empty() {
            out.push(Value::string(s));
        }
    }
    Ok(Value::list(out))
}

/// `chunklist(list, size)`: size 0 gives the whole list as one chunk.
pub(super) fn chunklist(args: &[Value]) -> Result<Value, String> {
    let items = seq(&args[0], "the first argument")?;
    let size = integer(&args[1], "size")?;
    if size < 0 {
        return Err(format!("size must not be negative, got {size}"));
    }
    if items.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    if size == 0 {
        return Ok(Value::list(vec![Value::list(items.to_vec())]));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::list(items.chunks(size).map(|c| Value::list(c.to_vec())).collect()))
}

/// `one(list)`: null for an empty list, the element of a one-element list.
pub(super) fn one(args: &[Value]) -> Result<Value, String> {
    match seq(&args[0], "the argument")? {
        [] => Ok(Value::Null),
        [only] => Ok(only.clone()),
        more => Err(format!("the list must have zero or one elements, it has {}", more.len())),
    }
}

/// The elements of a list of bools; `None` for a null element.
fn bools(v: &Value) -> Result<Vec<Option<bool>>, String> {
    seq(v, "the argument")?
        .iter()
        .enumerate()
        .map(|(i, item)| if item.is_null() { Ok(None) } else { boolean(item, &format!("element {i}")).map(Some) })
        .collect()
}

/// `alltrue(list)`: true for an empty list; a null element counts as false.
pub(super) fn alltrue(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(bools(&args[0])?.iter().all(|b| *b == Some(true))))
}

/// `anytrue(list)`: false for an empty list; a null element counts as false.
pub(super) fn anytrue(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(bools(&args[0])?.contains(&Some(true))))
}
