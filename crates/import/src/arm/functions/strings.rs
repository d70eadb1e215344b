//! String functions: `concat`, `format`, `string`, `json`, `substring`, `indexOf`, `padLeft`,
//! `split`, `join`, `replace`, and the argument joining of `uniqueString` and `guid`.

use super::Env;
use super::args::{self, count, integer, string};
use crate::value::{Value, format_number};

/// The widest padding `padLeft` and `format` make (ARM limits strings; this keeps them small).
const MAX_WIDTH: i64 = 16 * 1024;

/// A value as ARM prints it in a string: booleans `True`/`False` (.NET's), null empty, arrays
/// and objects as compact JSON.
pub(crate) fn to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => format_number(*n),
        Value::Null => String::new(),
        other => other.to_json().map_or_else(|| other.to_string(), |j| j.to_string()),
    }
}

/// `concat`: strings (numbers and booleans print) or arrays, not mixed.
pub(super) fn concat(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "concat", 1, usize::MAX)?;
    if a.iter().any(|v| v.as_seq().is_some()) {
        let mut out = Vec::new();
        for (i, v) in a.iter().enumerate() {
            match v {
                Value::Null => {}
                _ => out.extend_from_slice(args::array(a, i, "concat")?),
            }
        }
        return Ok(Value::list(out));
    }
    let mut out = String::new();
    for (i, v) in a.iter().enumerate() {
        match v {
            Value::Map(_) => {
                return Err(format!("`concat` expects strings or arrays, argument {} is an object", i + 1));
            }
            v => out.push_str(&to_text(v)),
        }
    }
    Ok(Value::string(out))
}

/// `format`: .NET composite formatting, `{0}`, `{1,-8}` and integer specifiers `{0:D3}`.
pub(super) fn format(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "format", 1, usize::MAX)?;
    let pattern = string(a, 0, "format")?;
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => spec.push(c),
                        None => return Err(format!("`format`: unclosed `{{` in {pattern:?}")),
                    }
                }
                out.push_str(&format_item(&spec, a)?);
            }
            '}' => return Err(format!("`format`: a lone `}}` in {pattern:?}; write `}}}}` for a brace")),
            c => out.push(c),
        }
    }
    Ok(Value::string(out))
}

fn format_item(spec: &str, a: &[Value]) -> Result<String, String> {
    let (head, specifier) = spec.split_once(':').map_or((spec, None), |(h, s)| (h, Some(s)));
    let (index, align) = head.split_once(',').map_or((head, None), |(i, w)| (i, Some(w)));
    let index: usize = index.trim().parse().map_err(|_| format!("`format`: `{{{spec}}}` is no argument index"))?;
    let value = a.get(index + 1).ok_or_else(|| {
        format!("`format`: `{{{index}}}` refers to argument {} but only {} are given", index + 2, a.len())
    })?;
    let mut text = match specifier {
        None => to_text(value),
        Some(s) => number_format(s, value)?,
    };
    if let Some(width) = align {
        let width: i64 = width.trim().parse().map_err(|_| format!("`format`: bad alignment in `{{{spec}}}`"))?;
        if width.abs() > MAX_WIDTH {
            return Err(format!("`format`: the alignment {width} is beyond {MAX_WIDTH}"));
        }
        let pad = (width.unsigned_abs() as usize).saturating_sub(text.chars().count());
        text = if width < 0 { format!("{text}{}", " ".repeat(pad)) } else { format!("{}{text}", " ".repeat(pad)) };
    }
    Ok(text)
}

/// The numeric specifiers templates use: `D`n (zero-padded), `X`/`x`n (hex), `N0`/`F0`.
fn number_format(spec: &str, value: &Value) -> Result<String, String> {
    let n = match value {
        Value::Number(n) if n.fract() == 0.0 => *n as i64,
        other => return Err(format!("`format`: `:{spec}` needs an integer, got {}", args::describe(other))),
    };
    let (kind, digits) = spec.split_at(spec.chars().next().map_or(0, char::len_utf8));
    let width: usize = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| bad_spec(spec))? };
    if width as i64 > MAX_WIDTH {
        return Err(bad_spec(spec));
    }
    Ok(match kind {
        "D" | "d" => format!("{}{:0width$}", if n < 0 { "-" } else { "" }, n.unsigned_abs()),
        "X" => format!("{n:0width$X}"),
        "x" => format!("{n:0width$x}"),
        "F" | "f" | "N" | "n" if width == 0 => n.to_string(),
        _ => return Err(bad_spec(spec)),
    })
}

fn bad_spec(spec: &str) -> String {
    format!("`format`: the specifier `:{spec}` is not supported (D, X and N0 are)")
}

/// `json`: text parsed as JSON; `'null'` is null.
pub(super) fn json(a: &[Value], _: &Env) -> Result<Value, String> {
    let text = string(a, 0, "json").and_then(|t| count(a, "json", 1, 1).map(|()| t))?;
    serde_json::from_str::<serde_json::Value>(text)
        .map(|j| Value::from_json(&j))
        .map_err(|e| format!("`json`: {text:?} is not valid JSON: {e}"))
}

pub(super) fn map_str(a: &[Value], f: &str, op: impl Fn(&str) -> String) -> Result<Value, String> {
    count(a, f, 1, 1)?;
    Ok(Value::string(op(string(a, 0, f)?)))
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

pub(super) fn substring(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "substring", 2, 3)?;
    let s = chars(string(a, 0, "substring")?);
    let start = integer(a, 1, "substring")?;
    let length = if a.len() == 3 { integer(a, 2, "substring")? } else { s.len() as i64 - start };
    if start < 0 || length < 0 || start + length > s.len() as i64 {
        return Err(format!(
            "`substring`: index {start} and length {length} must lie within the string of length {}",
            s.len()
        ));
    }
    Ok(Value::string(s[start as usize..(start + length) as usize].iter().collect::<String>()))
}

/// `indexOf`/`lastIndexOf`: of a substring (case-insensitive, as documented) or an array item.
pub(super) fn index_of(a: &[Value], f: &str, last: bool) -> Result<Value, String> {
    count(a, f, 2, 2)?;
    if let Some(items) = a[0].as_seq() {
        let matches = |(i, v): (usize, &Value)| (*v == a[1]).then_some(i as i64);
        let at = if last {
            items.iter().enumerate().rev().find_map(matches)
        } else {
            items.iter().enumerate().find_map(matches)
        };
        return Ok(args::int_value(at.unwrap_or(-1)));
    }
    let (hay, needle) = (string(a, 0, f)?.to_lowercase(), string(a, 1, f)?.to_lowercase());
    let byte = if last { hay.rfind(&needle) } else { hay.find(&needle) };
    Ok(args::int_value(byte.map_or(-1, |b| hay[..b].chars().count() as i64)))
}

/// `startsWith`/`endsWith`, case-insensitive as documented.
pub(super) fn affix(a: &[Value], f: &str, test: fn(&str, &str) -> bool) -> Result<Value, String> {
    count(a, f, 2, 2)?;
    Ok(Value::Bool(test(&string(a, 0, f)?.to_lowercase(), &string(a, 1, f)?.to_lowercase())))
}

pub(super) fn pad_left(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "padLeft", 2, 3)?;
    let text = match &a[0] {
        Value::String(s) => s.to_string(),
        Value::Number(n) if n.fract() == 0.0 => format_number(*n),
        other => {
            return Err(format!("`padLeft` expects a string or integer as argument 1, got {}", args::describe(other)));
        }
    };
    let width = integer(a, 1, "padLeft")?;
    let pad = if a.len() == 3 { string(a, 2, "padLeft")? } else { " " };
    let mut pad_chars = pad.chars();
    let (Some(pad), None) = (pad_chars.next(), pad_chars.next()) else {
        return Err(format!("`padLeft`: the padding must be one character, got {pad:?}"));
    };
    if width > MAX_WIDTH {
        return Err(format!("`padLeft`: the length {width} is beyond {MAX_WIDTH}"));
    }
    let missing = (width.max(0) as usize).saturating_sub(text.chars().count());
    Ok(Value::string(format!("{}{text}", pad.to_string().repeat(missing))))
}

pub(super) fn split(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "split", 2, 2)?;
    let text = string(a, 0, "split")?;
    let delimiters: Vec<&str> = match &a[1] {
        Value::String(s) => vec![s],
        Value::List(items) => items
            .iter()
            .map(|d| d.as_str().ok_or_else(|| "`split`: delimiters must be strings".to_string()))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "`split` expects a string or array of strings as argument 2, got {}",
                args::describe(other)
            ));
        }
    };
    let mut parts = vec![text.to_string()];
    for d in delimiters.iter().filter(|d| !d.is_empty()) {
        parts = parts.iter().flat_map(|p| p.split(d).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    Ok(Value::list(parts.into_iter().map(Value::string).collect()))
}

pub(super) fn join(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "join", 2, 2)?;
    let items = args::array(a, 0, "join")?;
    let sep = string(a, 1, "join")?;
    let texts: Vec<String> = items.iter().map(to_text).collect();
    Ok(Value::string(texts.join(sep)))
}

pub(super) fn replace(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "replace", 3, 3)?;
    let (s, old, new) = (string(a, 0, "replace")?, string(a, 1, "replace")?, string(a, 2, "replace")?);
    if old.is_empty() {
        return Err("`replace`: the string to replace must not be empty".into());
    }
    Ok(Value::string(s.replace(old, new)))
}

/// The arguments of `uniqueString`/`guid` joined with `-`, as Azure hashes them.
pub(super) fn joined(a: &[Value], f: &str) -> Result<String, String> {
    count(a, f, 1, usize::MAX)?;
    let parts: Vec<&str> = (0..a.len()).map(|i| string(a, i, f)).collect::<Result<_, _>>()?;
    Ok(parts.join("-"))
}
