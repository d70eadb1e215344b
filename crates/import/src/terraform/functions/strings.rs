//! String functions. Lengths and offsets count characters (Terraform counts grapheme clusters,
//! which differ only for combining sequences and emoji, never in Azure names or addresses).

use regex::Regex;

use super::args::{integer, seq, string};
use crate::value::Value;

fn text(v: &Value) -> Result<String, String> {
    string(v, "the argument").map(|s| s.into_owned())
}

/// `join(separator, lists...)`.
pub(super) fn join(args: &[Value]) -> Result<Value, String> {
    let sep = string(&args[0], "separator")?;
    let mut parts = Vec::new();
    for (i, arg) in args[1..].iter().enumerate() {
        for (j, item) in seq(arg, "each list")?.iter().enumerate() {
            parts.push(string(item, &format!("element {j} of list {}", i + 1))?);
        }
    }
    Ok(Value::string(parts.join(&sep)))
}

/// `split(separator, string)`: an empty separator splits into characters; an empty string
/// gives one empty element (Go's `strings.Split`).
pub(super) fn split(args: &[Value]) -> Result<Value, String> {
    let sep = string(&args[0], "separator")?;
    let s = string(&args[1], "string")?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::string(c.to_string())).collect()
    } else {
        s.split(&*sep).map(Value::string).collect()
    };
    Ok(Value::list(parts))
}

pub(super) fn lower(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(text(&args[0])?.to_lowercase()))
}

pub(super) fn upper(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(text(&args[0])?.to_uppercase()))
}

/// `title(string)`: upper-cases the first letter of each word, as Go's `strings.Title`: a
/// letter starts a word when the character before it is a separator (not a letter, digit or
/// `_`), so `hello_world` stays one word.
pub(super) fn title(args: &[Value]) -> Result<Value, String> {
    let s = text(&args[0])?;
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if is_separator(prev) {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => out.push(u),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        prev = c;
    }
    Ok(Value::string(out))
}

/// `replace(string, substring, replacement)`: a substring written `/.../` is a regular
/// expression, and the replacement may then refer to its groups as `$1` or `${name}`.
pub(super) fn replace(args: &[Value]) -> Result<Value, String> {
    let s = string(&args[0], "string")?;
    let needle = string(&args[1], "substring")?;
    let with = string(&args[2], "replacement")?;
    if needle.len() > 1 && needle.starts_with('/') && needle.ends_with('/') {
        let pattern = &needle[1..needle.len() - 1];
        return Ok(Value::string(compile(pattern)?.replace_all(&s, &*with).into_owned()));
    }
    Ok(Value::string(s.replace(&*needle, &with)))
}

fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern)
        .map_err(|e| format!("invalid regular expression /{pattern}/: {}", e.to_string().lines().last().unwrap_or("")))
}

/// What a match gives: the matched text without capture groups, the groups as a list when
/// they are unnamed, as an object when named (a group that took no part is null).
fn captures(re: &Regex, caps: &regex::Captures<'_>) -> Result<Value, String> {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let group = |i: usize| caps.get(i + 1).map_or(Value::Null, |m| Value::string(m.as_str()));
    let named = names.iter().filter(|n| n.is_some()).count();
    match (named, names.len() - named) {
        (0, 0) => Ok(Value::string(caps.get(0).map_or("", |m| m.as_str()))),
        (0, unnamed) => Ok(Value::list((0..unnamed).map(group).collect())),
        (_, 0) => {
            Ok(Value::map(names.iter().enumerate().filter_map(|(i, n)| Some(((*n)?.to_string(), group(i)))).collect()))
        }
        _ => Err("the pattern mixes named and unnamed capture groups".into()),
    }
}

/// `regex(pattern, string)`: the first match; no match is an error.
pub(super) fn regex(args: &[Value]) -> Result<Value, String> {
    let re = compile(&string(&args[0], "pattern")?)?;
    let s = string(&args[1], "string")?;
    let caps = re.captures(&s).ok_or("the pattern did not match any part of the string")?;
    captures(&re, &caps)
}

/// `regexall(pattern, string)`: every match, in order.
pub(super) fn regexall(args: &[Value]) -> Result<Value, String> {
    let re = compile(&string(&args[0], "pattern")?)?;
    let s = string(&args[1], "string")?;
    Ok(Value::list(re.captures_iter(&s).map(|caps| captures(&re, &caps)).collect::<Result<_, _>>()?))
}

/// `substr(string, offset, length)`: a negative offset counts from the end, a negative length
/// takes the rest; offsets past either end clamp.
pub(super) fn substr(args: &[Value]) -> Result<Value, String> {
    let s = string(&args[0], "string")?;
    let offset = integer(&args[1], "offset")?;
    let length = integer(&args[2], "length")?;
    let count = s.chars().count() as i128;
    let start = if offset < 0 { (offset + count).max(0) } else { offset.min(count) };
    let take = if length < 0 { count } else { length };
    let out: String = s.chars().skip(start as usize).take(take.min(count) as usize).collect();
    Ok(Value::string(out))
}

pub(super) fn trimprefix(args: &[Value]) -> Result<Value, String> {
    let s = text(&args[0])?;
    let prefix = string(&args[1], "prefix")?;
    Ok(Value::string(s.strip_prefix(&*prefix).unwrap_or(&s)))
}

pub(super) fn trimsuffix(args: &[Value]) -> Result<Value, String> {
    let s = text(&args[0])?;
    let suffix = string(&args[1], "suffix")?;
    Ok(Value::string(s.strip_suffix(&*suffix).unwrap_or(&s)))
}

/// `trim(string, characters)`: removes any of the characters from both ends.
pub(super) fn trim(args: &[Value]) -> Result<Value, String> {
    let s = text(&args[0])?;
    let cutset = string(&args[1], "the set of characters")?;
    Ok(Value::string(s.trim_matches(|c| cutset.contains(c))))
}

pub(super) fn trimspace(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(text(&args[0])?.trim()))
}

fn test(args: &[Value], what: &str, pred: fn(&str, &str) -> bool) -> Result<Value, String> {
    let s = text(&args[0])?;
    let part = string(&args[1], what)?;
    Ok(Value::Bool(pred(&s, &part)))
}

pub(super) fn startswith(args: &[Value]) -> Result<Value, String> {
    test(args, "prefix", |s, p| s.starts_with(p))
}

pub(super) fn endswith(args: &[Value]) -> Result<Value, String> {
    test(args, "suffix", |s, p| s.ends_with(p))
}

pub(super) fn strcontains(args: &[Value]) -> Result<Value, String> {
    test(args, "substring", |s, p| s.contains(p))
}
