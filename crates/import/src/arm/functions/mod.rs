//! The ARM template functions that need nothing but their arguments (and the subscription and
//! resource group ids are built in): strings, collections, comparisons, numbers, CIDR, ids and
//! the deterministic hashes. The evaluator (`arm::template::eval`) handles those that read the
//! deployment: `parameters`, `variables`, `reference`, `copyIndex`, `resourceGroup`, `if`, ….
//!
//! Names are case-insensitive, as in ARM. Errors are messages; the evaluator locates them.

mod args;
mod cidr;
mod collections;
mod hash;
mod ids;
mod logic;
mod strings;

pub use args::describe;
pub use hash::{guid, unique_string};
pub use ids::{Scope, resource_id};

use crate::value::Value;

/// Where ids are made: the subscription and resource group `resourceId` defaults to.
pub struct Env<'a> {
    pub subscription: &'a str,
    pub resource_group: &'a str,
}

type Function = fn(&[Value], &Env) -> Result<Value, String>;

/// The pure functions, by name as ARM documents it (calls match ignoring case).
const FUNCTIONS: &[(&str, Function)] = &[
    ("concat", strings::concat),
    ("format", strings::format),
    ("string", |a, _| args::one(a, "string").map(|v| Value::string(strings::to_text(v)))),
    ("int", logic::int),
    ("bool", logic::bool),
    ("json", strings::json),
    ("toLower", |a, _| strings::map_str(a, "toLower", |s| s.to_lowercase())),
    ("toUpper", |a, _| strings::map_str(a, "toUpper", |s| s.to_uppercase())),
    ("trim", |a, _| strings::map_str(a, "trim", |s| s.trim().to_string())),
    ("substring", strings::substring),
    ("indexOf", |a, _| strings::index_of(a, "indexOf", false)),
    ("lastIndexOf", |a, _| strings::index_of(a, "lastIndexOf", true)),
    ("startsWith", |a, _| strings::affix(a, "startsWith", |s, p| s.starts_with(p))),
    ("endsWith", |a, _| strings::affix(a, "endsWith", |s, p| s.ends_with(p))),
    ("padLeft", strings::pad_left),
    ("split", strings::split),
    ("join", strings::join),
    ("replace", strings::replace),
    ("uniqueString", |a, _| strings::joined(a, "uniqueString").map(|s| Value::string(unique_string(&s)))),
    ("guid", |a, _| strings::joined(a, "guid").map(|s| Value::string(guid(&s)))),
    ("base64", |a, _| strings::map_str(a, "base64", |s| hash::base64(s.as_bytes()))),
    ("createArray", |a, _| Ok(Value::list(a.to_vec()))),
    ("createObject", collections::create_object),
    ("array", collections::array),
    ("union", collections::union),
    ("intersection", collections::intersection),
    ("contains", collections::contains),
    ("empty", collections::empty),
    ("length", collections::length),
    ("first", |a, _| collections::end(a, "first", true)),
    ("last", |a, _| collections::end(a, "last", false)),
    ("take", |a, _| collections::take_skip(a, "take", true)),
    ("skip", |a, _| collections::take_skip(a, "skip", false)),
    ("range", collections::range),
    ("items", collections::items),
    ("flatten", collections::flatten),
    ("min", |a, _| logic::extreme(a, "min", std::cmp::Ordering::Less)),
    ("max", |a, _| logic::extreme(a, "max", std::cmp::Ordering::Greater)),
    ("equals", logic::equals),
    ("not", logic::not),
    ("coalesce", |a, _| Ok(a.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null))),
    ("less", |a, _| logic::compare(a, "less", |o| o.is_lt())),
    ("lessOrEquals", |a, _| logic::compare(a, "lessOrEquals", |o| o.is_le())),
    ("greater", |a, _| logic::compare(a, "greater", |o| o.is_gt())),
    ("greaterOrEquals", |a, _| logic::compare(a, "greaterOrEquals", |o| o.is_ge())),
    ("add", |a, _| logic::arithmetic(a, "add", i64::checked_add)),
    ("sub", |a, _| logic::arithmetic(a, "sub", i64::checked_sub)),
    ("mul", |a, _| logic::arithmetic(a, "mul", i64::checked_mul)),
    ("div", |a, _| logic::arithmetic(a, "div", i64::checked_div)),
    ("mod", |a, _| logic::arithmetic(a, "mod", i64::checked_rem)),
    ("true", |a, _| args::none(a, "true").map(|()| Value::Bool(true))),
    ("false", |a, _| args::none(a, "false").map(|()| Value::Bool(false))),
    ("null", |a, _| args::none(a, "null").map(|()| Value::Null)),
    ("cidrSubnet", cidr::cidr_subnet),
    ("cidrHost", cidr::cidr_host),
    ("parseCidr", cidr::parse_cidr),
    ("resourceId", |a, env| ids::resource_id_fn(a, env, Scope::ResourceGroup)),
    ("subscriptionResourceId", |a, env| ids::resource_id_fn(a, env, Scope::Subscription)),
    ("tenantResourceId", |a, env| ids::resource_id_fn(a, env, Scope::Tenant)),
    ("extensionResourceId", ids::extension_resource_id),
];

/// The functions the evaluator implements itself (they read the deployment or are lazy), for
/// "did you mean".
pub const CONTEXTUAL: &[&str] = &[
    "parameters",
    "variables",
    "reference",
    "resourceInfo",
    "copyIndex",
    "resourceGroup",
    "subscription",
    "deployment",
    "environment",
    "if",
    "and",
    "or",
];

/// Functions whose arguments may be unknown without the result being unknown as a whole.
const CONTAINERS: &[&str] = &["createArray", "createObject", "array", "union", "coalesce", "json", "items"];

/// Calls the pure function `name` (any case); `None` when there is no such pure function.
/// An unknown argument makes the result unknown (the value Azure will give).
pub fn call(name: &str, args: &[Value], env: &Env) -> Option<Result<Value, String>> {
    let (canonical, f) = FUNCTIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
    if !CONTAINERS.contains(canonical)
        && let Some(unknown) = args.iter().find(|a| matches!(a, Value::Unknown(_)))
    {
        return Some(Ok(unknown.clone()));
    }
    Some(f(args, env))
}

/// Every function name, for "did you mean".
pub fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|(n, _)| *n).chain(CONTEXTUAL.iter().copied())
}
