//! Values of the Terraform language, as the evaluator computes them.
//!
//! Objects and maps are one kind (`Map`), kept in key order as Terraform iterates them; lists
//! and tuples are `List`; a `Set` keeps its elements sorted and distinct (Terraform orders sets
//! of strings lexically, which is the only set `for_each` accepts). A value Azure computes at
//! apply time is `Unknown`, carrying where it comes from so the importer can put in the value
//! its own allocation gives (a firewall's private IP) or say which value was missing.

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Rc<str>),
    List(Rc<Vec<Value>>),
    Set(Rc<Vec<Value>>),
    Map(Rc<BTreeMap<String, Value>>),
    Unknown(Rc<Computed>),
}

/// Where a value known only after apply comes from: the resource's address and the attribute
/// path within it (`azurerm_firewall.hub`, `ip_configuration[0].private_ip_address`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Computed {
    pub address: String,
    pub path: String,
}

impl Value {
    pub fn string(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(entries))
    }

    /// A set of `items`: sorted and distinct.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(Value::total_cmp);
        items.dedup();
        Value::Set(Rc::new(items))
    }

    /// What stands for a value known only after apply, or for a variable given no value
    /// (`address` is `var.NAME`), in words for messages.
    pub fn describe_unknown(c: &Computed) -> String {
        match c.address.strip_prefix("var.") {
            Some(var) => format!(
                "variable `{var}`, which has no value (give it with `--var {var}=…`, a .tfvars file or `vars:` of the import)"
            ),
            None if c.path.is_empty() => format!("{}, known only after apply", c.address),
            None => format!("{}.{}, known only after apply", c.address, c.path),
        }
    }

    pub fn unknown(address: impl Into<String>, path: impl Into<String>) -> Value {
        Value::Unknown(Rc::new(Computed { address: address.into(), path: path.into() }))
    }

    /// The Terraform type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Unknown(_) => "value known after apply",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if &**s == "true" => Some(true),
            Value::String(s) if &**s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The elements of a list, tuple or set.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// An attribute of an object, `None` when absent or when this is no object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// The value as a string the way Terraform converts primitives (`true`, `5`, `0.5`).
    pub fn to_plain_string(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }

    /// The first unknown value inside this one, if any.
    pub fn find_unknown(&self) -> Option<&Computed> {
        match self {
            Value::Unknown(c) => Some(c),
            Value::List(items) | Value::Set(items) => items.iter().find_map(Value::find_unknown),
            Value::Map(m) => m.values().find_map(Value::find_unknown),
            _ => None,
        }
    }

    /// A total order: by kind, then by content (sets and sorting functions need one).
    pub fn total_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Null => 0,
                Value::Bool(_) => 1,
                Value::Number(_) => 2,
                Value::String(_) => 3,
                Value::List(_) => 4,
                Value::Set(_) => 5,
                Value::Map(_) => 6,
                Value::Unknown(_) => 7,
            }
        }
        match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
                for (p, q) in x.iter().zip(y.iter()) {
                    let o = Value::total_cmp(p, q);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Value::Map(x), Value::Map(y)) => {
                for ((kp, p), (kq, q)) in x.iter().zip(y.iter()) {
                    let o = kp.cmp(kq).then_with(|| Value::total_cmp(p, q));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            _ => rank(a).cmp(&rank(b)),
        }
    }

    /// Converts parsed JSON (plan files, `jsondecode`) into a value.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(items) => Value::list(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(m) => {
                Value::map(m.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    /// The value as JSON (`jsonencode`); `None` when part of it is unknown.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => serde_json::Value::from(*n as i64),
            Value::Number(n) => {
                serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::List(items) | Value::Set(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Map(m) => serde_json::Value::Object(
                m.iter().map(|(k, v)| Some((k.clone(), v.to_json()?))).collect::<Option<_>>()?,
            ),
            Value::Unknown(_) => return None,
        })
    }
}

/// A number as Terraform prints it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unknown(c) => write!(f, "({})", Value::describe_unknown(c)),
            Value::String(s) => write!(f, "{s:?}"),
            other => match other.to_json() {
                Some(j) => write!(f, "{j}"),
                None => f.write_str("(partly known after apply)"),
            },
        }
    }
}
