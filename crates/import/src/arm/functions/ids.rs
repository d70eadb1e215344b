//! `resourceId`, `subscriptionResourceId`, `tenantResourceId`, `extensionResourceId`: ids made
//! the way Azure makes them, so an id written in a template equals the id of the resource it
//! names (and the ids `crate::azurerm::ids` gives Terraform resources).

use super::Env;
use super::args::{self, count};
use crate::value::Value;

/// Which kind of id a function makes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    ResourceGroup,
    Subscription,
    Tenant,
}

/// The id of a resource of `rtype` (`Microsoft.Network/virtualNetworks/subnets`) named by
/// `names` (one per type segment after the namespace) under `prefix` (`/subscriptions/…/
/// resourceGroups/rg`, or a resource id for extension resources).
pub fn resource_id(prefix: &str, rtype: &str, names: &[&str]) -> Result<String, String> {
    let segments: Vec<&str> = rtype.split('/').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return Err(format!("{rtype:?} is not a resource type like \"Microsoft.Network/virtualNetworks\""));
    }
    if names.len() != segments.len() - 1 {
        return Err(format!(
            "the type {rtype:?} needs {} name{} but {} {} given",
            segments.len() - 1,
            if segments.len() == 2 { "" } else { "s" },
            names.len(),
            if names.len() == 1 { "is" } else { "are" }
        ));
    }
    let mut id = format!("{prefix}/providers/{}", segments[0]);
    for (segment, name) in segments[1..].iter().zip(names) {
        id.push_str(&format!("/{segment}/{name}"));
    }
    Ok(id)
}

/// `resourceId([subscriptionId], [resourceGroupName], resourceType, name…)` and its
/// subscription and tenant variants: the type is the first argument holding a `/`.
pub(super) fn resource_id_fn(a: &[Value], env: &Env, scope: Scope) -> Result<Value, String> {
    let f = match scope {
        Scope::ResourceGroup => "resourceId",
        Scope::Subscription => "subscriptionResourceId",
        Scope::Tenant => "tenantResourceId",
    };
    count(a, f, 2, usize::MAX)?;
    let strings: Vec<&str> = (0..a.len()).map(|i| args::string(a, i, f)).collect::<Result<_, _>>()?;
    let before = match scope {
        Scope::ResourceGroup => 2,
        Scope::Subscription => 1,
        Scope::Tenant => 0,
    };
    let at = strings.iter().take(before + 1).position(|s| s.contains('/')).ok_or_else(|| {
        format!("`{f}`: no resource type among the first {} arguments (a type reads \"Namespace/type\")", before + 1)
    })?;
    let (leading, rest) = strings.split_at(at);
    let (sub, rg) = match (scope, leading) {
        (Scope::ResourceGroup, [sub, rg]) => (*sub, Some(*rg)),
        (Scope::ResourceGroup, [rg]) => (env.subscription, Some(*rg)),
        (Scope::ResourceGroup, _) => (env.subscription, Some(env.resource_group)),
        (_, [sub]) => (*sub, None),
        (_, _) => (env.subscription, None),
    };
    let prefix = match (scope, rg) {
        (Scope::Tenant, _) => String::new(),
        (_, Some(rg)) => format!("/subscriptions/{sub}/resourceGroups/{rg}"),
        (_, None) => format!("/subscriptions/{sub}"),
    };
    resource_id(&prefix, rest[0], &rest[1..]).map(Value::string).map_err(|e| format!("`{f}`: {e}"))
}

/// `extensionResourceId(resourceId, type, name…)`: a resource that extends another.
pub(super) fn extension_resource_id(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "extensionResourceId", 3, usize::MAX)?;
    let strings: Vec<&str> =
        (0..a.len()).map(|i| args::string(a, i, "extensionResourceId")).collect::<Result<_, _>>()?;
    resource_id(strings[0].trim_end_matches('/'), strings[1], &strings[2..])
        .map(Value::string)
        .map_err(|e| format!("`extensionResourceId`: {e}"))
}
