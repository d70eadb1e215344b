//! `format` and `formatlist`: printf-style verbs with Terraform's (go-cty's) rules.
//!
//! A verb is `%` flags (`0 # - + space`), a width, `.precision`, an argument index `[n]` and a
//! letter: `%v` (strings as is, numbers as `%g`, anything else as JSON), `%#v` (JSON), `%t`,
//! `%b %d %o %x %X` (integers), `%e %E %f %g %G` (numbers), `%s`, `%q` (a JSON-quoted string),
//! `%%`. Every argument must be used. Widths count characters.

use super::args::{number, string};
use super::encoding::{encode, quote};
use crate::value::Value;

/// Widths and precisions beyond this are refused rather than allocated.
const MAX_WIDTH: usize = 4096;

pub(super) fn format(args: &[Value]) -> Result<Value, String> {
    let spec = string(&args[0], "the format string")?;
    sprintf(&spec, &args[1..]).map(Value::string)
}

/// `formatlist(spec, values...)`: list and set arguments (all of one length) are iterated,
/// other arguments repeat; an iteration with an unknown argument gives an unknown element.
pub(super) fn formatlist(args: &[Value]) -> Result<Value, String> {
    let spec = string(&args[0], "the format string")?;
    let rest = &args[1..];
    let mut length: Option<(usize, usize)> = None;
    for (i, arg) in rest.iter().enumerate() {
        let Some(items) = arg.as_seq() else { continue };
        match length {
            None => length = Some((items.len(), i)),
            Some((n, j)) if n != items.len() => {
                return Err(format!(
                    "argument {} has {} elements but argument {} has {n}; lists must be as long as each other",
                    i + 2,
                    items.len(),
                    j + 2
                ));
            }
            Some(_) => {}
        }
    }
    let count = length.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let call: Vec<Value> =
            rest.iter().map(|a| a.as_seq().map_or_else(|| a.clone(), |items| items[k].clone())).collect();
        match call.iter().find_map(super::deep_unknown) {
            Some(unknown) => out.push(unknown.clone()),
            None => out.push(Value::string(sprintf(&spec, &call).map_err(|e| format!("element {k}: {e}"))?)),
        }
    }
    Ok(Value::list(out))
}

#[derive(Default)]
struct Verb<'a> {
    raw: &'a str,
    offset: usize,
    /// One-based.
    arg: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    minus: bool,
    plus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Reads a run of decimal digits.
fn digits(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> usize {
    let mut n = 0usize;
    while let Some(d) = it.peek().and_then(|(_, c)| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d as usize);
        it.next();
    }
    n
}

fn sprintf(spec: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut next_arg = 1;
    let mut highest = 0;
    let mut it = spec.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if it.next_if(|(_, c)| *c == '%').is_some() {
            out.push('%');
            continue;
        }
        let mut verb = Verb { offset: start, arg: next_arg, ..Verb::default() };
        while let Some((_, c)) = it.next_if(|(_, c)| matches!(c, '0' | '#' | '-' | '+' | ' ')) {
            match c {
                '0' => verb.zero = true,
                '#' => verb.sharp = true,
                '-' => verb.minus = true,
                '+' => verb.plus = true,
                _ => verb.space = true,
            }
        }
        if it.peek().is_some_and(|(_, c)| matches!(c, '1'..='9')) {
            verb.width = Some(digits(&mut it));
        }
        if it.next_if(|(_, c)| *c == '.').is_some() {
            verb.prec = Some(digits(&mut it));
        }
        if it.next_if(|(_, c)| *c == '[').is_some() {
            match it.peek() {
                Some((_, '1'..='9')) => verb.arg = digits(&mut it),
                Some(&(at, c)) => return Err(format!("unexpected {c:?} at offset {at} in an argument index")),
                None => return Err(format!("the format string ends inside the verb at offset {start}")),
            }
            match it.next() {
                Some((_, ']')) => {}
                Some((at, c)) => return Err(format!("unexpected {c:?} at offset {at} in an argument index")),
                None => return Err(format!("the format string ends inside the verb at offset {start}")),
            }
        }
        let (end, mode) = match it.next() {
            Some((at, c)) if c.is_ascii_alphabetic() => (at, c),
            Some((at, c)) => return Err(format!("unrecognized format character {c:?} at offset {at}")),
            None => return Err(format!("the format string ends inside the verb at offset {start}")),
        };
        verb.mode = mode;
        verb.raw = &spec[start..=end];
        if verb.width.unwrap_or(0) > MAX_WIDTH || verb.prec.unwrap_or(0) > MAX_WIDTH {
            return Err(format!("{:?} at offset {start}: width or precision above {MAX_WIDTH}", verb.raw));
        }
        highest = highest.max(verb.arg);
        append(&verb, &mut out, args)?;
        next_arg = verb.arg.saturating_add(1);
    }
    match highest {
        _ if highest >= args.len() => Ok(out),
        0 => Err("too many arguments: the format string has no verbs".into()),
        n => Err(format!("too many arguments: the format string uses {n}, {} given", args.len())),
    }
}

fn append(verb: &Verb<'_>, out: &mut String, args: &[Value]) -> Result<(), String> {
    let here = || format!("{:?} at offset {}", verb.raw, verb.offset);
    let Some(arg) = args.get(verb.arg - 1) else {
        return Err(format!(
            "not enough arguments for {}: it needs argument {}, {} given",
            here(),
            verb.arg,
            args.len()
        ));
    };
    if verb.mode != 'v' && arg.is_null() {
        return Err(format!("{} cannot format null", here()));
    }
    let unsupported = |e: String| format!("unsupported value for {}: {e}", here());
    match verb.mode {
        'v' => out.push_str(&pad(verb, &as_is(verb, arg)?)),
        't' => {
            let b = arg.as_bool().ok_or_else(|| unsupported(format!("{} is not a bool", arg.type_name())))?;
            out.push_str(if b { "true" } else { "false" });
        }
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = number(arg, "the value").map_err(unsupported)?;
            out.push_str(&integer(verb, n).map_err(unsupported)?);
        }
        'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = number(arg, "the value").map_err(unsupported)?;
            out.push_str(&float(verb, n));
        }
        's' | 'q' => {
            let s = string(arg, "the value").map_err(unsupported)?;
            let s: String = match verb.prec {
                Some(p) if p > 0 => s.chars().take(p).collect(),
                _ => s.into_owned(),
            };
            let s = if verb.mode == 'q' {
                let mut quoted = String::new();
                quote(&s, &mut quoted);
                quoted
            } else {
                s
            };
            out.push_str(&pad(verb, &s));
        }
        other => return Err(format!("unsupported format verb {other:?} in {}", here())),
    }
    Ok(())
}

/// `%v`: strings as they are, numbers as `%g`, everything else (and everything with `#`) JSON.
fn as_is(verb: &Verb<'_>, arg: &Value) -> Result<String, String> {
    match arg {
        Value::String(s) if !verb.sharp => Ok(s.to_string()),
        Value::Number(n) if !verb.sharp && n.is_finite() => {
            Ok(format!("{}{}", sign(verb, *n < 0.0), general(n.abs(), None, 'e')))
        }
        _ => {
            let mut json = String::new();
            encode(arg, &mut json).map_err(|e| format!("unsupported value for {:?}: {e}", verb.raw))?;
            Ok(json)
        }
    }
}

/// Pads to the verb's width with spaces (zeros with `0`), on the left (right with `-`).
fn pad(verb: &Verb<'_>, s: &str) -> String {
    let len = s.chars().count();
    let Some(width) = verb.width.filter(|w| *w > len) else { return s.to_string() };
    let fill = if verb.zero { "0" } else { " " }.repeat(width - len);
    if verb.minus { format!("{s}{fill}") } else { format!("{fill}{s}") }
}

fn sign(verb: &Verb<'_>, negative: bool) -> &'static str {
    match () {
        _ if negative => "-",
        _ if verb.plus => "+",
        _ if verb.space => " ",
        _ => "",
    }
}

/// The integer verbs, as Go formats a `big.Int`.
fn integer(verb: &Verb<'_>, n: f64) -> Result<String, String> {
    if n.fract() != 0.0 {
        return Err("an integer is required".into());
    }
    let magnitude = n.abs();
    let mut digits = if magnitude < 1.7e38 {
        let m = magnitude as u128;
        match verb.mode {
            'b' => format!("{m:b}"),
            'o' => format!("{m:o}"),
            'x' => format!("{m:x}"),
            'X' => format!("{m:X}"),
            _ => m.to_string(),
        }
    } else if verb.mode == 'd' {
        format!("{magnitude:.0}")
    } else {
        return Err("the number is too large for this verb".into());
    };
    let prefix = match verb.mode {
        'b' if verb.sharp => "0b",
        'o' if verb.sharp => "0",
        'x' if verb.sharp => "0x",
        'X' if verb.sharp => "0X",
        _ => "",
    };
    let sign = sign(verb, n < 0.0);
    let mut zeros = 0;
    if let Some(p) = verb.prec {
        if digits == "0" && p == 0 {
            digits.clear();
        }
        zeros = p.saturating_sub(digits.len());
    }
    let length = sign.len() + prefix.len() + zeros + digits.len();
    let spaces = verb.width.map_or(0, |w| w.saturating_sub(length));
    if verb.minus {
        return Ok(format!("{sign}{prefix}{}{digits}{}", "0".repeat(zeros), " ".repeat(spaces)));
    }
    if verb.zero && verb.prec.is_none() {
        return Ok(format!("{sign}{prefix}{}{digits}", "0".repeat(zeros + spaces)));
    }
    Ok(format!("{}{sign}{prefix}{}{digits}", " ".repeat(spaces), "0".repeat(zeros)))
}

/// The float verbs, as Go formats a `big.Float`: default precision 6 for `%e` and `%f`, the
/// shortest exact form for `%g`.
fn float(verb: &Verb<'_>, n: f64) -> String {
    let x = n.abs();
    let exp_char = if verb.mode.is_ascii_uppercase() { 'E' } else { 'e' };
    let body = match verb.mode {
        'f' => format!("{x:.*}", verb.prec.unwrap_or(6)),
        'e' | 'E' => {
            let formatted = format!("{x:.*e}", verb.prec.unwrap_or(6));
            let (mantissa, exp) = split_exp(&formatted);
            go_exp(mantissa, exp_char, exp)
        }
        _ => general(x, verb.prec, exp_char),
    };
    let sign = sign(verb, n < 0.0);
    let padding = verb.width.map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    if verb.zero {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if verb.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

/// Rust's `1.5e6` as its mantissa and exponent.
fn split_exp(s: &str) -> (&str, i32) {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    (mantissa, exp.parse().unwrap_or(0))
}

/// Go's exponent form: a sign and at least two digits (`1.5e+06`).
fn go_exp(mantissa: &str, exp_char: char, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}{exp_char}{sign}{:02}", exp.unsigned_abs())
}

/// `%g` of a non-negative `x`: `prec` significant digits (the shortest exact form when absent),
/// in exponent form when the exponent is below -4 or at least the precision (6 for the
/// shortest form), trailing zeros dropped.
fn general(x: f64, prec: Option<usize>, exp_char: char) -> String {
    let formatted = match prec {
        None => format!("{x:e}"),
        Some(p) => format!("{x:.*e}", p.max(1) - 1),
    };
    let (mantissa, exp) = split_exp(&formatted);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        d => d,
    };
    let nd = digits.len();
    // Where the decimal point goes: after `point` digits.
    let point = exp as i64 + 1;
    let eprec = match prec {
        None => 6,
        Some(p) if p.max(1) > nd && nd as i64 >= point => nd,
        Some(p) => p.max(1),
    };
    if exp < -4 || i64::from(exp) >= eprec as i64 {
        let mantissa = if nd > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.to_string() };
        return go_exp(&mantissa, exp_char, exp);
    }
    if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= nd {
        format!("{digits}{}", "0".repeat(point as usize - nd))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    }
}
