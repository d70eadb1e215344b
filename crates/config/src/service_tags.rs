//! Microsoft's service tag file (`ServiceTags_Public_YYYYMMDD.json`, T-1/T-2) as a
//! [`ServiceTagTable`], with every problem located.
//!
//! JSON is YAML 1.2, so the file goes through the same located node tree ([`crate::yaml`]) and
//! [`Fields`] reader as scenarios, and a bad file reports all its problems at once, each with its
//! line and column.
//!
//! # How strict
//!
//! * **Top level** (`changeNumber`, `cloud`, `values`, all required) and **each value** (`name`,
//!   `id`, `properties`, all required) are strict: an unknown key is an error. These shapes have
//!   not changed since the file was first published, so an unknown key there means the file is not
//!   a service tag file (or was edited by hand).
//! * **`properties`** is tolerant: keys we do not know are ignored, because Microsoft adds fields
//!   there over time. The known ones are type-checked: `addressPrefixes` (required, a list of CIDR
//!   strings, parsed strictly: host bits set is an error), `region`, `platform`, `systemService`,
//!   `state` (strings, may be empty), `regionId`, `changeNumber` (whole numbers) and
//!   `networkFeatures` (a list of strings, or null). Only `addressPrefixes` and `region` reach the
//!   table; the others are checked and dropped.
//! * JSON types are enforced: a string field must be a quoted string and a number an unquoted one.
//!
//! # Building the table
//!
//! One [`ServiceTag`] per value, named by `name` (the canonical spelling; `id` must equal it).
//! A name `X.Y` whose `X` is itself a tag in the file is regional: its parent is `X` (as spelled
//! in the file) and its region is `properties.region` in lower case, or `Y` in lower case when
//! `region` is empty. A dotted name whose `X` is not in the file (`AzureFrontDoor.Backend`) is a
//! top-level tag. Each prefix of a regional tag must lie inside the union of its parent's
//! prefixes (T-3); one that does not is reported where it is written. Names are unique ignoring
//! case (T-3), and a file with no values is refused.
//!
//! The result *replaces* the built-in synthetic table: tags the file lacks are simply absent.
//! The contextual tags (`VirtualNetwork`, `Internet`, `AzureLoadBalancer`) are resolved before the
//! table is consulted, so an entry for one of them in the file is kept but never used.

use crate::decode::{self, Fields, Sp};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::yaml::{self, Node, NodeKind};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use vnetsim_model::{IpNet, ServiceTag, ServiceTagTable};

/// Loads a service tag file from its text. `file` is the name used in diagnostics.
///
/// See the module docs for what is checked and how the table is built.
pub fn load_service_tags(file: &str, text: &str) -> Result<ServiceTagTable, Vec<Diagnostic>> {
    let mut diags = Diagnostics::new(file);
    // Files saved by some tools start with a byte order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let table = yaml::parse(text, &mut diags)
        .and_then(|root| read_file(&root, &mut diags))
        .map(|values| build(&values, &mut diags));
    match table {
        Some(t) if diags.is_empty() => Ok(t),
        _ => Err(diags.into_sorted()),
    }
}

/// One entry of `values` as written.
struct RawTag {
    name: Sp<String>,
    /// `None` when `properties` had an error that left nothing usable (already reported).
    props: Option<RawProps>,
}

struct RawProps {
    /// `properties.region` in lower case; `None` when empty or absent.
    region: Option<String>,
    prefixes: Vec<Sp<IpNet>>,
    /// False when some prefix was invalid (already reported): the list is then not the whole
    /// tag, and regional tags are not checked against it.
    complete: bool,
}

fn read_file(root: &Node, d: &mut Diagnostics) -> Option<Vec<RawTag>> {
    let mut f = Fields::open(root, "service tag file", d)?;
    if let Some(n) = f.require("changeNumber", d) {
        json_integer(n, "changeNumber", d);
    }
    if let Some(n) = f.require("cloud", d) {
        json_string(n, "cloud", false, d);
    }
    let values = f.require("values", d);
    f.finish(d);
    let values = values?;
    let items = decode::objects(values, "service tags", d);
    if matches!(values.kind, NodeKind::Seq(_)) && items.is_empty() {
        d.error(values.loc, "`values` is empty: the file lists no service tags");
    }
    Some(items.iter().filter_map(|n| read_value(n, d)).collect())
}

fn read_value(node: &Node, d: &mut Diagnostics) -> Option<RawTag> {
    let mut f = Fields::open(node, "service tag", d)?;
    let name = f.require("name", d).and_then(|n| json_string(n, "tag name", false, d));
    let id = f.require("id", d).and_then(|n| json_string(n, "tag id", false, d));
    let props = f.require("properties", d);
    f.finish(d);
    if let (Some(name), Some(id)) = (&name, &id)
        && name.value != id.value
    {
        d.error_with_help(
            id.loc,
            format!("tag id `{}` differs from its name `{}`", id.value, name.value),
            "in the service tag file every value's `id` equals its `name` (T-2)",
        );
    }
    let props = props.and_then(|p| read_properties(p, d));
    Some(RawTag { name: name?, props })
}

fn read_properties(node: &Node, d: &mut Diagnostics) -> Option<RawProps> {
    let mut f = Fields::open(node, "service tag properties", d)?;
    let prefixes = f.get("addressPrefixes");
    let region = f
        .get("region")
        .and_then(|n| json_string(n, "region", true, d))
        .map(|s| s.value.to_ascii_lowercase())
        .filter(|r| !r.is_empty());
    for key in ["regionId", "changeNumber"] {
        if let Some(n) = f.get(key) {
            json_integer(n, key, d);
        }
    }
    for key in ["platform", "systemService", "state"] {
        if let Some(n) = f.get(key) {
            json_string(n, key, true, d);
        }
    }
    if let Some(n) = f.get("networkFeatures") {
        match &n.kind {
            NodeKind::Seq(items) => {
                for item in items {
                    json_string(item, "network feature", false, d);
                }
            }
            _ => d.error(n.loc, format!("expected a list or null for networkFeatures, found {}", describe(n))),
        }
    }
    // No `f.finish`: unknown keys in `properties` are tolerated (see the module docs).

    let Some(prefixes) = prefixes else {
        missing_prefixes(node, f.has("addressPrefixes"), d);
        return None;
    };
    let NodeKind::Seq(items) = &prefixes.kind else {
        d.error(prefixes.loc, format!("expected a list of prefixes for addressPrefixes, found {}", describe(prefixes)));
        return None;
    };
    let mut list = Vec::with_capacity(items.len());
    let mut complete = true;
    for item in items {
        match decode::prefix(item, "address prefix", d) {
            Some(p) => list.push(p),
            None => complete = false,
        }
    }
    Some(RawProps { region, prefixes: list, complete })
}

/// Reports a missing (or null) `addressPrefixes` at the `properties` mapping, suggesting a
/// misspelt key if one is close.
fn missing_prefixes(props: &Node, written_as_null: bool, d: &mut Diagnostics) {
    if written_as_null {
        d.error(props.loc, "`addressPrefixes` is null in service tag properties; expected a list of prefixes");
        return;
    }
    let message = "missing key `addressPrefixes` in service tag properties";
    let keys = match &props.kind {
        NodeKind::Map(entries) => entries.iter().filter_map(|(k, _)| k.as_scalar()).collect(),
        _ => Vec::new(),
    };
    match keys.into_iter().find(|k| did_you_mean(k, ["addressPrefixes"]).is_some()) {
        Some(near) => {
            d.error_with_help(props.loc, message, format!("`{near}` is written; did you mean `addressPrefixes`?"))
        }
        None => d.error(props.loc, message),
    }
}

/// A JSON string (a quoted scalar). `allow_empty` admits `""`.
fn json_string(node: &Node, what: &str, allow_empty: bool, d: &mut Diagnostics) -> Option<Sp<String>> {
    match &node.kind {
        NodeKind::Scalar { text, plain: false } if allow_empty || !text.trim().is_empty() => {
            Some(Sp { value: text.trim().to_string(), loc: node.loc })
        }
        NodeKind::Scalar { plain: false, .. } => {
            d.error(node.loc, format!("{what} is empty"));
            None
        }
        _ => {
            d.error(node.loc, format!("expected a string for {what}, found {}", describe(node)));
            None
        }
    }
}

/// A JSON whole number (an unquoted scalar).
fn json_integer(node: &Node, what: &str, d: &mut Diagnostics) -> Option<u64> {
    match &node.kind {
        NodeKind::Scalar { text, plain: true } if text.parse::<u64>().is_ok() => text.parse().ok(),
        _ => {
            d.error(node.loc, format!("expected a whole number for {what}, found {}", describe(node)));
            None
        }
    }
}

/// What a node is, in JSON terms.
fn describe(node: &Node) -> String {
    match &node.kind {
        _ if node.is_null() => "null".into(),
        NodeKind::Scalar { text, plain: true } => format!("`{text}`"),
        NodeKind::Scalar { text, plain: false } => format!("the string \"{text}\""),
        NodeKind::Seq(_) => "a list".into(),
        NodeKind::Map(_) => "an object".into(),
    }
}

fn build(tags: &[RawTag], d: &mut Diagnostics) -> ServiceTagTable {
    // T-3: names are case-insensitive, so `Storage` and `storage` are the same tag.
    let mut by_lower: HashMap<String, usize> = HashMap::with_capacity(tags.len());
    let mut duplicate = vec![false; tags.len()];
    for (i, tag) in tags.iter().enumerate() {
        match by_lower.entry(tag.name.value.to_ascii_lowercase()) {
            Entry::Occupied(first) => {
                let first = &tags[*first.get()].name;
                d.error_with_help(
                    tag.name.loc,
                    format!(
                        "duplicate service tag `{}` (first as `{}` at line {})",
                        tag.name.value, first.value, first.loc.line
                    ),
                    "service tag names are case-insensitive (T-3)",
                );
                duplicate[i] = true;
            }
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }

    let mut table = ServiceTagTable::default();
    let mut parent_cover: HashMap<usize, Vec<Span>> = HashMap::new();
    for (tag, _) in tags.iter().zip(&duplicate).filter(|(_, dup)| !**dup) {
        let Some(props) = &tag.props else { continue };
        let name = &tag.name.value;
        let parent = name.rsplit_once('.').and_then(|(x, y)| by_lower.get(&x.to_ascii_lowercase()).map(|&p| (p, y)));
        let (region, parent_name) = match parent {
            Some((p, y)) => {
                let parent = &tags[p];
                if let Some(parent_props) = parent.props.as_ref().filter(|pp| pp.complete) {
                    let cover = parent_cover.entry(p).or_insert_with(|| merged_spans(&parent_props.prefixes));
                    for prefix in props.prefixes.iter().filter(|pr| !covered(cover, &pr.value)) {
                        d.error_with_help(
                            prefix.loc,
                            format!(
                                "prefix {} of `{name}` is not inside parent tag `{}` (T-3)",
                                prefix.value, parent.name.value
                            ),
                            "a regional tag's prefixes must lie within its parent tag's prefixes",
                        );
                    }
                }
                let region = props.region.clone().unwrap_or_else(|| y.to_ascii_lowercase());
                (Some(region), Some(parent.name.value.clone()))
            }
            None => (None, None),
        };
        table.insert(ServiceTag {
            name: name.clone(),
            region,
            parent: parent_name,
            prefixes: props.prefixes.iter().map(|p| p.value).collect(),
        });
    }
    table
}

/// An inclusive address range in one family (`v6` false for IPv4), for containment checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    v6: bool,
    first: u128,
    last: u128,
}

fn span(net: &IpNet) -> Span {
    match net {
        IpNet::V4(n) => Span { v6: false, first: u32::from(n.network()).into(), last: u32::from(n.broadcast()).into() },
        IpNet::V6(n) => Span { v6: true, first: n.network().into(), last: n.broadcast().into() },
    }
}

/// The prefixes' union as sorted, disjoint, non-adjacent ranges.
fn merged_spans(prefixes: &[Sp<IpNet>]) -> Vec<Span> {
    let mut spans: Vec<Span> = prefixes.iter().map(|p| span(&p.value)).collect();
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(m) if m.v6 == s.v6 && s.first <= m.last.saturating_add(1) => m.last = m.last.max(s.last),
            _ => merged.push(s),
        }
    }
    merged
}

/// Whether `net` lies inside the union `cover` (from [`merged_spans`]).
fn covered(cover: &[Span], net: &IpNet) -> bool {
    let s = span(net);
    let after = cover.partition_point(|c| (c.v6, c.first) <= (s.v6, s.first));
    after > 0 && {
        let c = cover[after - 1];
        c.v6 == s.v6 && c.last >= s.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Loc;

    /// A whole file around `values` (written one per line, starting on line 5).
    fn file(values: &[String]) -> String {
        format!(
            "{{\n  \"changeNumber\": 7,\n  \"cloud\": \"Public\",\n  \"values\": [\n{}\n  ]\n}}\n",
            values.join(",\n")
        )
    }

    /// One value on one line.
    fn value(name: &str, region: &str, prefixes: &[&str]) -> String {
        let list: Vec<String> = prefixes.iter().map(|p| format!("\"{p}\"")).collect();
        format!(
            "    {{\"name\": \"{name}\", \"id\": \"{name}\", \"properties\": {{\"changeNumber\": 1, \"region\": \"{region}\", \
             \"addressPrefixes\": [{}], \"networkFeatures\": [\"NSG\", \"UDR\"]}}}}",
            list.join(", ")
        )
    }

    fn load(text: &str) -> ServiceTagTable {
        load_service_tags("tags.json", text).unwrap_or_else(|d| panic!("{}", Diagnostic::render_all(&d, text)))
    }

    fn errors(text: &str) -> Vec<Diagnostic> {
        let diags = load_service_tags("tags.json", text).expect_err("the file has errors");
        assert!(diags.iter().all(|d| d.file == "tags.json"));
        diags
    }

    /// Where the only occurrence of `needle` starts in `text` (1-based, ASCII text).
    fn at(text: &str, needle: &str) -> Loc {
        assert_eq!(text.matches(needle).count(), 1, "`{needle}` must occur once in:\n{text}");
        let offset = text.find(needle).unwrap();
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32 + 1;
        let column = (offset - before.rfind('\n').map_or(0, |n| n + 1)) as u32 + 1;
        Loc { line, column }
    }

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn lookup_ignores_case_and_keeps_the_file_spelling() {
        let table = load(&file(&[
            value("Storage", "", &["20.38.0.0/16"]),
            value("Storage.WestUS", "westus", &["20.38.96.0/20"]),
        ]));
        assert_eq!(table.get("storage.westus").unwrap().name, "Storage.WestUS");
        assert_eq!(table.get("STORAGE").unwrap().name, "Storage");
        assert!(table.get("Storage.eastus").is_none(), "tags the file lacks are not invented");
        assert!(table.get("AzureCloud").is_none(), "the built-in table is replaced, not merged");
    }

    #[test]
    fn regional_names_take_the_region_from_properties_or_the_name() {
        let table = load(&file(&[
            value("AzureCloud", "", &["4.0.0.0/8", "2603:1030::/32"]),
            value("AzureCloud.EastUS", "", &["4.156.0.0/15", "2603:1030:210::/48"]),
            value("Storage.WestUS", "westus", &["20.38.96.0/20"]),
            value("AzureFrontDoor.Backend", "", &["13.73.248.8/29"]),
            value("Sql", "", &["13.64.0.0/16"]),
            value("Sql.EastUS2", "EastUS2", &["13.64.16.0/20"]),
        ]));
        let cloud = table.get("AzureCloud.eastus").unwrap();
        assert_eq!((cloud.region.as_deref(), cloud.parent.as_deref()), (Some("eastus"), Some("AzureCloud")));
        assert_eq!(cloud.prefixes, vec![net("4.156.0.0/15"), net("2603:1030:210::/48")]);
        let sql = table.get("Sql.EastUS2").unwrap();
        assert_eq!((sql.region.as_deref(), sql.parent.as_deref()), (Some("eastus2"), Some("Sql")));
        // No `Storage` or `AzureFrontDoor` tag in the file: these are top-level.
        for name in ["Storage.WestUS", "AzureFrontDoor.Backend"] {
            let tag = table.get(name).unwrap();
            assert_eq!((tag.region.as_deref(), tag.parent.as_deref()), (None, None), "{name}");
        }
        let names: Vec<&str> = table.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names[0..2], ["AzureCloud", "AzureCloud.EastUS"], "file order is kept");
    }

    #[test]
    fn unknown_keys_in_properties_are_tolerated_and_null_features_accepted() {
        let text = file(&[concat!(
            r#"    {"name": "Sql", "id": "Sql", "properties": {"changeNumber": 3, "region": "", "regionId": 0, "#,
            r#""platform": "Azure", "systemService": "AzureSQL", "addressPrefixes": ["13.64.0.0/16"], "#,
            r#""networkFeatures": null, "state": "GA", "addedIn2030": {"anything": [1, 2]}}}"#
        )
        .to_string()]);
        let table = load(&text);
        assert_eq!(table.get("sql").unwrap().prefixes, vec![net("13.64.0.0/16")]);
    }

    #[test]
    fn unknown_top_level_and_value_keys_are_errors() {
        let text = file(&[value("Sql", "", &["13.64.0.0/16"]).replace("{\"name\"", "{\"nmae\": \"x\", \"name\"")])
            .replace("\"cloud\"", "\"clouds\": 1, \"cloud\"");
        let diags = errors(&text);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(
            (diags[0].message.as_str(), diags[0].loc),
            ("unknown key `clouds` in service tag file", at(&text, "\"clouds\""))
        );
        assert_eq!(
            (diags[1].message.as_str(), diags[1].loc),
            ("unknown key `nmae` in service tag", at(&text, "\"nmae\""))
        );
        assert!(diags[1].help.as_deref().unwrap().starts_with("did you mean `name`?"));
    }

    #[test]
    fn prefix_with_host_bits_is_located() {
        let text = file(&[value("Sql", "", &["13.64.0.0/16", "13.65.0.5/16"])]);
        let diags = errors(&text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].loc, at(&text, "\"13.65.0.5/16\""));
        assert_eq!(diags[0].loc.line, 5);
        assert_eq!(
            diags[0].message,
            "address prefix: invalid prefix `13.65.0.5/16`: host bits are set (did you mean 13.65.0.0/16?)"
        );
    }

    #[test]
    fn missing_address_prefixes_is_located_at_properties() {
        let text = file(&[
            value("Sql", "", &["13.64.0.0/16"]),
            value("Storage", "", &["20.38.0.0/16"]).replace("addressPrefixes", "addressPrefix"),
        ]);
        let diags = errors(&text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "missing key `addressPrefixes` in service tag properties");
        assert_eq!(
            diags[0].loc,
            Loc { line: 6, column: at(&text, "{\"changeNumber\": 1, \"region\": \"\", \"addressPrefix\"").column }
        );
        assert_eq!(diags[0].help.as_deref(), Some("`addressPrefix` is written; did you mean `addressPrefixes`?"));
    }

    #[test]
    fn wrong_types_are_located() {
        let text = file(&[
            r#"    {"name": 42, "id": "x", "properties": {"addressPrefixes": []}}"#.to_string(),
            r#"    {"name": "Sql", "id": "Sql", "properties": {"addressPrefixes": "13.64.0.0/16"}}"#.to_string(),
            r#"    {"name": "Web", "id": "Web", "properties": {"regionId": "32", "addressPrefixes": [["1.0.0.0/8"]], "networkFeatures": "NSG"}}"#.to_string(),
        ]);
        let diags = errors(&text);
        let got: Vec<(&str, Loc)> = diags.iter().map(|d| (d.message.as_str(), d.loc)).collect();
        assert_eq!(
            got,
            vec![
                ("expected a string for tag name, found `42`", at(&text, "42")),
                (
                    "expected a list of prefixes for addressPrefixes, found the string \"13.64.0.0/16\"",
                    at(&text, "\"13.64.0.0/16\"")
                ),
                ("expected a whole number for regionId, found the string \"32\"", at(&text, "\"32\"")),
                ("expected a string for address prefix, found a list", at(&text, "[\"1.0.0.0/8\"]")),
                ("expected a list or null for networkFeatures, found the string \"NSG\"", at(&text, "\"NSG\"")),
            ]
        );
    }

    #[test]
    fn duplicate_tags_differing_in_case_are_located() {
        let text = file(&[
            value("Storage", "", &["20.38.0.0/16"]),
            value("Sql", "", &["13.64.0.0/16"]),
            value("STORAGE", "", &["20.39.0.0/16"]),
        ]);
        let diags = errors(&text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "duplicate service tag `STORAGE` (first as `Storage` at line 5)");
        assert_eq!(diags[0].loc, at(&text, "\"STORAGE\", \"id\""));
        assert_eq!(diags[0].loc.line, 7);
        assert_eq!(diags[0].help.as_deref(), Some("service tag names are case-insensitive (T-3)"));
    }

    #[test]
    fn id_differing_from_name_is_located_at_the_id() {
        let text = file(&[value("Sql", "", &["13.64.0.0/16"]).replace("\"id\": \"Sql\"", "\"id\": \"Sql2\"")]);
        let diags = errors(&text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "tag id `Sql2` differs from its name `Sql`");
        assert_eq!(diags[0].loc, at(&text, "\"Sql2\""));
    }

    #[test]
    fn empty_values_is_an_error() {
        let text = "{\"changeNumber\": 1, \"cloud\": \"Public\", \"values\": []}";
        let diags = errors(text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "`values` is empty: the file lists no service tags");
        assert_eq!(diags[0].loc, at(text, "[]"));
    }

    #[test]
    fn regional_prefix_outside_its_parent_is_located() {
        let text = file(&[
            value("Storage", "", &["20.38.0.0/16", "2603:1030::/32"]),
            value(
                "Storage.EastUS",
                "eastus",
                &["20.38.16.0/20", "20.99.0.0/24", "2603:1030:210::/48", "2603:1040::/48"],
            ),
        ]);
        let diags = errors(&text);
        let got: Vec<(&str, Loc)> = diags.iter().map(|d| (d.message.as_str(), d.loc)).collect();
        assert_eq!(
            got,
            vec![
                (
                    "prefix 20.99.0.0/24 of `Storage.EastUS` is not inside parent tag `Storage` (T-3)",
                    at(&text, "\"20.99.0.0/24\"")
                ),
                (
                    "prefix 2603:1040::/48 of `Storage.EastUS` is not inside parent tag `Storage` (T-3)",
                    at(&text, "\"2603:1040::/48\"")
                ),
            ]
        );
    }

    #[test]
    fn parent_coverage_is_the_union_of_its_prefixes() {
        // 10.0.0.0/24 lies in neither /25 alone but in their union.
        let table = load(&file(&[
            value("Sql", "", &["10.0.0.128/25", "10.0.0.0/25", "::/0"]),
            value("Sql.uksouth", "", &["10.0.0.0/24", "2001:db8::/32"]),
        ]));
        assert_eq!(table.get("Sql.UKSouth").unwrap().region.as_deref(), Some("uksouth"));
        let diags = errors(&file(&[
            value("Sql", "", &["10.0.0.0/25", "10.0.1.0/25"]),
            value("Sql.uksouth", "", &["10.0.0.0/24"]),
        ]));
        assert_eq!(diags.len(), 1, "a gap between the parent's prefixes is not covered: {diags:?}");
        assert!(diags[0].message.starts_with("prefix 10.0.0.0/24 of `Sql.uksouth` is not inside"));
    }

    #[test]
    fn every_problem_is_reported_at_once_without_cascades() {
        // The parent's bad prefix is reported once; its child is not blamed for the gap it leaves.
        let text = file(&[
            value("Sql", "", &["13.64.0.0/16", "13.65.0.1/16"]),
            value("Sql.westus", "", &["13.65.1.0/24"]),
            value("Web", "", &["bogus"]),
        ]);
        let diags = errors(&text);
        let got: Vec<(&str, Loc)> = diags.iter().map(|d| (d.message.as_str(), d.loc)).collect();
        assert_eq!(
            got,
            vec![
                (
                    "address prefix: invalid prefix `13.65.0.1/16`: host bits are set (did you mean 13.65.0.0/16?)",
                    at(&text, "\"13.65.0.1/16\"")
                ),
                ("address prefix: invalid prefix `bogus`", at(&text, "\"bogus\"")),
            ]
        );
    }

    #[test]
    fn syntax_errors_and_a_byte_order_mark() {
        let diags = errors("{\"changeNumber\": 1,\n \"cloud\": \"Public\"\n \"values\": []}");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].message.starts_with("YAML syntax error"), "{}", diags[0].message);
        assert!(diags[0].message.contains("expected ','"), "{}", diags[0].message);
        // The missing comma is noticed at the key that follows it.
        assert_eq!(diags[0].loc, Loc { line: 3, column: 2 });
        let with_bom = format!("\u{feff}{}", file(&[value("Sql", "", &["13.64.0.0/16"])]));
        assert_eq!(load(&with_bom).len(), 1);
    }
}
