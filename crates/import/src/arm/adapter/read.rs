//! Reading ARM property values: keys compared case-insensitively (ARM does), references read
//! out of `{ "id": … }` objects.

use crate::value::Value;

/// The value at a dotted path of keys (`addressSpace.addressPrefixes`); `None` when a step is
/// absent or null.
pub(super) fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, key| get(v, key))
}

/// One key of an object, exact spelling first, then any casing.
pub(super) fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    let m = v.as_map()?;
    let found = m.get(key).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))?;
    (!found.is_null()).then_some(found)
}

/// The elements of the list at `path` (none when absent or not a list).
pub(super) fn seq<'v>(v: &'v Value, path: &str) -> &'v [Value] {
    at(v, path).and_then(Value::as_seq).unwrap_or_default()
}

/// A string (or number, or bool) at `path`, as text.
pub(super) fn text(v: &Value, path: &str) -> Option<String> {
    at(v, path)?.to_plain_string()
}

/// The resource id of the reference object at `path` (`subnet` → `subnet.id`).
pub(super) fn id(v: &Value, path: &str) -> Option<String> {
    text(v, &format!("{path}.id"))
}

/// The ids of a list of reference objects (`publicIpAddresses[].id`).
pub(super) fn ids(v: &Value, path: &str) -> Vec<String> {
    seq(v, path).iter().filter_map(|r| text(r, "id")).collect()
}

/// The texts of a list (a single value counts as a list of one).
pub(super) fn texts(v: &Value, path: &str) -> Vec<String> {
    match at(v, path) {
        Some(Value::List(items)) | Some(Value::Set(items)) => items.iter().filter_map(Value::to_plain_string).collect(),
        Some(one) => one.to_plain_string().into_iter().collect(),
        None => Vec::new(),
    }
}

/// A comma-separated setting (`"AzureServices, Logging"`, `"10.0.0.0/8,172.16.0.0/12"`) as a list.
pub(super) fn comma_list(v: Option<&Value>) -> Vec<String> {
    let Some(text) = v.and_then(Value::to_plain_string) else { return Vec::new() };
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// A list of strings as a value.
pub(super) fn string_list(values: Vec<String>) -> Value {
    Value::list(values.into_iter().map(Value::string).collect())
}
