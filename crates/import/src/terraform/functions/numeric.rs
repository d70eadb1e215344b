//! Numeric functions.

use super::args::{integer, number, seq, string};
use crate::value::Value;

/// Terraform's limit on the length of a `range`, against unbounded memory use.
const RANGE_LIMIT: usize = 1024;

fn numbers(args: &[Value]) -> Result<Vec<f64>, String> {
    args.iter().enumerate().map(|(i, v)| number(v, &format!("argument {}", i + 1))).collect()
}

fn finite(n: f64) -> Result<Value, String> {
    if n.is_finite() { Ok(Value::Number(n)) } else { Err("the result is too large".into()) }
}

pub(super) fn min(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Number(numbers(args)?.into_iter().fold(f64::INFINITY, f64::min)))
}

pub(super) fn max(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Number(numbers(args)?.into_iter().fold(f64::NEG_INFINITY, f64::max)))
}

pub(super) fn abs(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Number(number(&args[0], "the argument")?.abs()))
}

pub(super) fn ceil(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Number(number(&args[0], "the argument")?.ceil()))
}

pub(super) fn floor(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Number(number(&args[0], "the argument")?.floor()))
}

/// `sum(list)`: of a non-empty list of numbers.
pub(super) fn sum(args: &[Value]) -> Result<Value, String> {
    let items = seq(&args[0], "the argument")?;
    if items.is_empty() {
        return Err("cannot sum an empty list".into());
    }
    finite(numbers(items)?.into_iter().sum())
}

/// `parseint(string, base)`: base 2 to 62; up to base 36 letters are digits in either case,
/// beyond it `a`-`z` are 10-35 and `A`-`Z` 36-61 (Go's `big.Int`).
pub(super) fn parseint(args: &[Value]) -> Result<Value, String> {
    let text = string(&args[0], "the string")?;
    let base = integer(&args[1], "base")?;
    if !(2..=62).contains(&base) {
        return Err(format!("base must be between 2 and 62, got {base}"));
    }
    let base = base as u32;
    let bad = || format!("cannot parse {text:?} as a base {base} integer");
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, &*text),
    };
    if digits.is_empty() {
        return Err(bad());
    }
    let mut n = 0f64;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return Err(bad()),
        };
        if d >= base {
            return Err(bad());
        }
        n = n * f64::from(base) + f64::from(d);
    }
    finite(if negative { -n } else { n })
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`: the step defaults to 1
/// or -1 towards the limit; at most 1024 values.
pub(super) fn range(args: &[Value]) -> Result<Value, String> {
    let nums = numbers(args)?;
    let (start, limit, step) = match nums[..] {
        [limit] => (0.0, limit, if limit < 0.0 { -1.0 } else { 1.0 }),
        [start, limit] => (start, limit, if limit < start { -1.0 } else { 1.0 }),
        [start, limit, step] => (start, limit, step),
        _ => return Err("takes 1 to 3 arguments".into()),
    };
    if step == 0.0 {
        return Err("step must not be zero".into());
    }
    if step < 0.0 && limit > start {
        return Err(format!("limit {limit} is greater than start {start}, so step must be positive"));
    }
    if step > 0.0 && limit < start {
        return Err(format!("limit {limit} is less than start {start}, so step must be negative"));
    }
    let mut out = Vec::new();
    for i in 0.. {
        // Each value from start, not by repeated addition, so rounding does not accumulate.
        let n = start + f64::from(i) * step;
        if (step > 0.0 && n >= limit) || (step < 0.0 && n <= limit) {
            break;
        }
        if out.len() == RANGE_LIMIT {
            return Err(format!("more than {RANGE_LIMIT} values would be generated (Terraform's limit)"));
        }
        out.push(Value::Number(n));
    }
    Ok(Value::list(out))
}
