//! Terraform's built-in functions over [`Value`]s, with Terraform's semantics (its docs and the
//! go-cty standard library it uses): the same results, the same limits (`range` stops at 1024
//! values), the same conversions between strings, numbers and bools.
//!
//! Values known only after apply propagate: a function whose result depends on an unknown
//! argument returns that unknown. Functions that only move values around (`concat`, `merge`,
//! `lookup`, `element`, `length`, …) look only at the arguments themselves, so an unknown element
//! inside a list stays where it is and `length` of such a list is still known.
//!
//! `try` and `can` are evaluated lazily by the evaluator; `file`, `templatefile`, `timestamp` and
//! `uuid` by the importer. Errors are one line without location (the evaluator adds it) and
//! always start with the function's name.

mod args;
mod cidr;
mod collections;
mod convert;
mod encoding;
mod format;
mod numeric;
mod strings;

use crate::value::Value;

/// How many arguments a function takes.
#[derive(Clone, Copy)]
enum Arity {
    Exact(usize),
    Between(usize, usize),
    AtLeast(usize),
}

/// Which unknown arguments make the whole result unknown.
#[derive(Clone, Copy)]
enum Unknowns {
    /// Any unknown value, however deep inside an argument.
    Deep,
    /// Only an argument that is itself unknown: the function moves elements around without
    /// looking at them, so unknown elements stay in place.
    Shallow,
}

struct Func {
    name: &'static str,
    arity: Arity,
    unknowns: Unknowns,
    run: fn(&[Value]) -> Result<Value, String>,
}

const fn f(name: &'static str, arity: Arity, unknowns: Unknowns, run: fn(&[Value]) -> Result<Value, String>) -> Func {
    Func { name, arity, unknowns, run }
}

use Arity::{AtLeast, Between, Exact};
use Unknowns::{Deep, Shallow};

const FUNCS: &[Func] = &[
    f("cidrhost", Exact(2), Deep, cidr::cidrhost),
    f("cidrnetmask", Exact(1), Deep, cidr::cidrnetmask),
    f("cidrsubnet", Exact(3), Deep, cidr::cidrsubnet),
    f("cidrsubnets", AtLeast(1), Deep, cidr::cidrsubnets),
    f("format", AtLeast(1), Deep, format::format),
    f("formatlist", AtLeast(1), Shallow, format::formatlist),
    f("join", AtLeast(2), Deep, strings::join),
    f("split", Exact(2), Deep, strings::split),
    f("lower", Exact(1), Deep, strings::lower),
    f("upper", Exact(1), Deep, strings::upper),
    f("title", Exact(1), Deep, strings::title),
    f("replace", Exact(3), Deep, strings::replace),
    f("regex", Exact(2), Deep, strings::regex),
    f("regexall", Exact(2), Deep, strings::regexall),
    f("substr", Exact(3), Deep, strings::substr),
    f("trimprefix", Exact(2), Deep, strings::trimprefix),
    f("trimsuffix", Exact(2), Deep, strings::trimsuffix),
    f("trim", Exact(2), Deep, strings::trim),
    f("trimspace", Exact(1), Deep, strings::trimspace),
    f("startswith", Exact(2), Deep, strings::startswith),
    f("endswith", Exact(2), Deep, strings::endswith),
    f("strcontains", Exact(2), Deep, strings::strcontains),
    f("concat", AtLeast(1), Shallow, collections::concat),
    f("merge", AtLeast(0), Shallow, collections::merge),
    f("lookup", Between(2, 3), Shallow, collections::lookup),
    f("element", Exact(2), Shallow, collections::element),
    f("length", Exact(1), Shallow, collections::length),
    f("coalescelist", AtLeast(1), Shallow, collections::coalescelist),
    f("keys", Exact(1), Shallow, collections::keys),
    f("values", Exact(1), Shallow, collections::values),
    f("flatten", Exact(1), Deep, collections::flatten),
    f("distinct", Exact(1), Deep, collections::distinct),
    f("contains", Exact(2), Deep, collections::contains),
    f("index", Exact(2), Deep, collections::index),
    f("reverse", Exact(1), Shallow, collections::reverse),
    f("sort", Exact(1), Deep, collections::sort),
    f("slice", Exact(3), Shallow, collections::slice),
    f("zipmap", Exact(2), Shallow, collections::zipmap),
    f("setunion", AtLeast(1), Deep, collections::setunion),
    f("setintersection", AtLeast(1), Deep, collections::setintersection),
    f("setsubtract", Exact(2), Deep, collections::setsubtract),
    f("compact", Exact(1), Deep, collections::compact),
    f("chunklist", Exact(2), Shallow, collections::chunklist),
    f("one", Exact(1), Shallow, collections::one),
    f("alltrue", Exact(1), Deep, collections::alltrue),
    f("anytrue", Exact(1), Deep, collections::anytrue),
    f("coalesce", AtLeast(1), Deep, convert::coalesce),
    f("tostring", Exact(1), Deep, convert::tostring),
    f("tonumber", Exact(1), Deep, convert::tonumber),
    f("tobool", Exact(1), Deep, convert::tobool),
    f("tolist", Exact(1), Shallow, convert::tolist),
    f("toset", Exact(1), Deep, convert::toset),
    f("tomap", Exact(1), Shallow, convert::tomap),
    f("sensitive", Exact(1), Shallow, convert::identity),
    f("nonsensitive", Exact(1), Shallow, convert::identity),
    f("jsonencode", Exact(1), Deep, encoding::jsonencode),
    f("jsondecode", Exact(1), Deep, encoding::jsondecode),
    f("min", AtLeast(1), Deep, numeric::min),
    f("max", AtLeast(1), Deep, numeric::max),
    f("abs", Exact(1), Deep, numeric::abs),
    f("ceil", Exact(1), Deep, numeric::ceil),
    f("floor", Exact(1), Deep, numeric::floor),
    f("parseint", Exact(2), Deep, numeric::parseint),
    f("sum", Exact(1), Deep, numeric::sum),
    f("range", Between(1, 3), Deep, numeric::range),
];

/// Terraform functions vnetsim does not evaluate (hashes, encodings, files, clocks): a
/// configuration that uses them for a value vnetsim needs gets this error instead of a guess.
const NOT_SUPPORTED: &[&str] = &[
    "base64encode",
    "base64decode",
    "base64gzip",
    "base64sha256",
    "base64sha512",
    "bcrypt",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "fileset",
    "pathexpand",
    "abspath",
    "dirname",
    "basename",
    "uuidv5",
    "plantimestamp",
    "timeadd",
    "timecmp",
    "formatdate",
    "textencodebase64",
    "textdecodebase64",
    "urlencode",
    "yamlencode",
    "yamldecode",
    "csvdecode",
    "setproduct",
    "transpose",
    "matchkeys",
    "chomp",
    "indent",
    "strrev",
    "signum",
    "log",
    "pow",
    "issensitive",
    "ephemeralasnull",
    "type",
];

/// The names of the functions [`call`] evaluates.
pub fn supported() -> impl Iterator<Item = &'static str> {
    FUNCS.iter().map(|func| func.name)
}

/// Calls the function `name`; `Err` says what is wrong with the arguments, starting with the
/// function's name.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let Some(func) = FUNCS.iter().find(|func| func.name == name) else {
        if NOT_SUPPORTED.contains(&name) {
            return Err(format!("{name}: this Terraform function is not supported by vnetsim import"));
        }
        return Err(format!("unknown function `{name}`"));
    };
    check_arity(func.arity, args.len()).map_err(|e| format!("{name}: {e}"))?;
    let unknown = match func.unknowns {
        Unknowns::Deep => args.iter().find_map(deep_unknown),
        Unknowns::Shallow => args.iter().find(|a| matches!(a, Value::Unknown(_))),
    };
    if let Some(unknown) = unknown {
        return Ok(unknown.clone());
    }
    (func.run)(&args).map_err(|e| format!("{name}: {e}"))
}

/// The first unknown value inside `v` (itself included).
fn deep_unknown(v: &Value) -> Option<&Value> {
    match v {
        Value::Unknown(_) => Some(v),
        Value::List(items) | Value::Set(items) => items.iter().find_map(deep_unknown),
        Value::Map(m) => m.values().find_map(deep_unknown),
        _ => None,
    }
}

fn check_arity(arity: Arity, got: usize) -> Result<(), String> {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    let (ok, wanted) = match arity {
        Arity::Exact(n) => (got == n, format!("takes {n} {}", plural(n))),
        Arity::Between(lo, hi) => ((lo..=hi).contains(&got), format!("takes {lo} to {hi} arguments")),
        Arity::AtLeast(n) => (got >= n, format!("takes at least {n} {}", plural(n))),
    };
    if ok { Ok(()) } else { Err(format!("{wanted}, got {got}")) }
}
