//! Comparisons, logic, conversions and integer arithmetic (ARM numbers are 64-bit integers).

use std::cmp::Ordering;

use super::Env;
use super::args::{self, count, integer};
use crate::value::Value;

pub(super) fn equals(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "equals", 2, 2)?;
    Ok(Value::Bool(a[0] == a[1]))
}

pub(super) fn not(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "not", 1, 1)?;
    Ok(Value::Bool(!args::boolean(a, 0, "not")?))
}

pub(super) fn int(a: &[Value], _: &Env) -> Result<Value, String> {
    Ok(match args::one(a, "int")? {
        Value::Number(n) => Value::Number(n.trunc()),
        Value::String(s) => {
            Value::Number(s.trim().parse::<i64>().map_err(|_| format!("`int`: {s:?} is not an integer"))? as f64)
        }
        other => return Err(format!("`int` expects a string or integer, got {}", args::describe(other))),
    })
}

pub(super) fn bool(a: &[Value], _: &Env) -> Result<Value, String> {
    Ok(Value::Bool(match args::one(a, "bool")? {
        Value::Bool(b) => *b,
        Value::String(s) if s.eq_ignore_ascii_case("true") => true,
        Value::String(s) if s.eq_ignore_ascii_case("false") => false,
        Value::Number(n) => *n != 0.0,
        other => {
            return Err(format!("`bool` expects \"true\", \"false\" or an integer, got {}", args::describe(other)));
        }
    }))
}

/// Integers compare as numbers, strings ordinally.
fn order(a: &[Value], f: &str) -> Result<Ordering, String> {
    match (&a[0], &a[1]) {
        (Value::Number(x), Value::Number(y)) => Ok(x.total_cmp(y)),
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        (x, y) => Err(format!(
            "`{f}` compares two integers or two strings, got {} and {}",
            args::describe(x),
            args::describe(y)
        )),
    }
}

pub(super) fn compare(a: &[Value], f: &str, test: fn(Ordering) -> bool) -> Result<Value, String> {
    count(a, f, 2, 2)?;
    Ok(Value::Bool(test(order(a, f)?)))
}

pub(super) fn arithmetic(a: &[Value], f: &str, op: fn(i64, i64) -> Option<i64>) -> Result<Value, String> {
    count(a, f, 2, 2)?;
    let (x, y) = (integer(a, 0, f)?, integer(a, 1, f)?);
    op(x, y).map(args::int_value).ok_or_else(|| {
        if y == 0 && matches!(f, "div" | "mod") {
            format!("`{f}`: division by zero")
        } else {
            format!("`{f}`: overflow")
        }
    })
}

/// `min`/`max` of integers given as arguments or as one array.
pub(super) fn extreme(a: &[Value], f: &str, keep: Ordering) -> Result<Value, String> {
    count(a, f, 1, usize::MAX)?;
    let values: &[Value] = if a.len() == 1 { args::array(a, 0, f)? } else { a };
    let mut best: Option<i64> = None;
    for i in 0..values.len() {
        let n = integer(values, i, f)?;
        if best.is_none_or(|b| n.cmp(&b) == keep) {
            best = Some(n);
        }
    }
    best.map(args::int_value).ok_or_else(|| format!("`{f}` of an empty array"))
}
