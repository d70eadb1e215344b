use super::*;
use crate::load_scenario_from;
use vnetsim_model::ServiceTagTable;

/// A node tree in one line, without locations: `{k: v}`, `[a, b]`, scalars as written.
fn shape(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar { text, .. } => text.to_string(),
        NodeKind::Seq(items) => format!("[{}]", items.iter().map(shape).collect::<Vec<_>>().join(", ")),
        NodeKind::Map(entries) => format!(
            "{{{}}}",
            entries.iter().map(|(k, v)| format!("{}: {}", shape(k), shape(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Files by name, as a reader of `extends:` sees them (names relative to nothing).
fn reader<'f>(files: &'f [(&'f str, &'f str)]) -> impl FnMut(&str, &str) -> Result<BaseFile, String> + 'f {
    move |_, path| {
        let (name, text) = files.iter().find(|(n, _)| *n == path).ok_or_else(|| "no such file".to_string())?;
        Ok(BaseFile { name: name.to_string(), text: text.to_string() })
    }
}

/// The merged tree of `variant` over `files`, or the relocated diagnostics.
fn merged(variant: &str, files: &[(&str, &str)]) -> Result<String, Vec<Diagnostic>> {
    let mut d = Diagnostics::new("variant.yaml");
    let root = yaml::parse(variant, &mut d);
    let mut no_imports =
        |_: &str, _: &[crate::import::ImportSpec]| -> Result<ImportedFile, Vec<Diagnostic>> { Err(Vec::new()) };
    let (node, chain) = expand(root, "variant.yaml", variant, &mut reader(files), &mut no_imports, &mut d);
    match node {
        Some(node) if d.is_empty() => Ok(shape(&node)),
        _ => Err(chain.relocate(d.into_sorted())),
    }
}

const BASE: &str = "\
name: base
description: the base
region: eastus
nsgs:
  - name: web
    rules:
      - {name: allow-http, priority: 100, access: allow}
      - {name: deny-all, priority: 4000, access: deny}
  - name: db
    rules:
      - {name: allow-sql, priority: 100}
vnets:
  - name: hub
    address_space: [10.0.0.0/16]
expect:
  - {from: a, to: b, expect: allowed}
";

/// Catches a merge that replaces whole objects (losing the base's other rules), appends a
/// patched entry twice, merges unnamed lists item by item, or inherits the base's expectations.
#[test]
fn patches_merge_by_name_and_own_keys_are_not_inherited() {
    let variant = "\
extends: base.yaml
name: variant
nsgs:
  - name: web
    rules:
      - {name: allow-http, priority: 300}
      - {name: allow-ssh, priority: 200}
vnets:
  - name: hub
    address_space: [10.1.0.0/16]
";
    assert_eq!(
        merged(variant, &[("base.yaml", BASE)]).unwrap(),
        "{region: eastus, nsgs: [{name: web, rules: [{name: allow-http, priority: 300, access: allow}, \
         {name: deny-all, priority: 4000, access: deny}, {name: allow-ssh, priority: 200}]}, \
         {name: db, rules: [{name: allow-sql, priority: 100}]}], \
         vnets: [{name: hub, address_space: [10.1.0.0/16]}], name: variant}"
    );
}

/// Catches `remove:` deleting at the wrong level, or removing the first of two same-named
/// entries silently.
#[test]
fn remove_deletes_one_named_entry_below_its_mapping() {
    let nested = "extends: base.yaml\nnsgs:\n  - name: web\n    remove: [deny-all]\n";
    let out = merged(nested, &[("base.yaml", BASE)]).unwrap();
    assert!(!out.contains("deny-all") && out.contains("allow-http"), "{out}");
    let root = "extends: base.yaml\nremove: [db, allow-http]\n";
    let out = merged(root, &[("base.yaml", BASE)]).unwrap();
    assert!(!out.contains("name: db") && !out.contains("allow-http") && out.contains("deny-all"), "{out}");
    // Remove and add again: the object is replaced whole.
    let replace = "extends: base.yaml\nremove: [db]\nnsgs:\n  - {name: db, rules: []}\n";
    let out = merged(replace, &[("base.yaml", BASE)]).unwrap();
    assert!(out.contains("{name: db, rules: []}"), "{out}");
}

#[test]
fn remove_misuse_is_located_in_the_variant() {
    let base = "nsgs:\n  - {name: a, rules: [{name: r1}]}\n  - {name: b, rules: [{name: r1}]}\n";
    let cases = [
        (
            "extends: base.yaml\nremove: [r2]\n",
            (2, 10),
            "nothing named `r2` to remove in the base",
            Some("did you mean `r1`?"),
        ),
        ("extends: base.yaml\nremove: [r1]\n", (2, 10), "`r1` to remove is ambiguous", None),
        ("extends: base.yaml\nremove: r1\n", (2, 9), "expected a list of names for remove", None),
        (
            "extends: base.yaml\nnsgs:\n  - {name: c, remove: [r1]}\n",
            (3, 15),
            "`remove:` in `c`, which the base does not have",
            None,
        ),
    ];
    for (variant, (line, column), message, help) in cases {
        let errors = merged(variant, &[("base.yaml", base)]).unwrap_err();
        assert_eq!(errors.len(), 1, "{variant}: {errors:?}");
        let e = &errors[0];
        assert_eq!((e.file.as_str(), e.loc.line, e.loc.column), ("variant.yaml", line, column), "{variant}");
        assert!(e.message.contains(message), "{}", e.message);
        if let Some(help) = help {
            assert_eq!(e.help.as_deref(), Some(help));
        }
    }
}

/// Catches a chain that stops at the first base, and a cycle that recurses forever.
#[test]
fn chains_merge_in_order_and_cycles_are_errors() {
    let files = [("mid.yaml", "extends: base.yaml\nregion: westus\n"), ("base.yaml", "region: eastus\nasgs: [a]\n")];
    assert_eq!(merged("extends: mid.yaml\nname: v\n", &files).unwrap(), "{region: westus, asgs: [a], name: v}");
    let cycle = [("a.yaml", "extends: b.yaml\n"), ("b.yaml", "\nextends: a.yaml\n")];
    let errors = merged("extends: a.yaml\n", &cycle).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].file.as_str(), errors[0].loc.line), ("b.yaml", 2));
    assert!(errors[0].message.contains("cycle: a.yaml → b.yaml → a.yaml"), "{}", errors[0].message);
    let itself = merged("extends: variant.yaml\n", &[("variant.yaml", "extends: variant.yaml\n")]).unwrap_err();
    assert!(itself[0].message.contains("cycle: variant.yaml → variant.yaml"), "{}", itself[0].message);
    let missing = merged("extends: nope.yaml\n", &[]).unwrap_err();
    assert_eq!((missing[0].loc.line, missing[0].loc.column), (1, 10));
    assert_eq!(missing[0].message, "cannot read the base scenario `nope.yaml`: no such file");
}

/// Catches errors of a base reported at the variant's lines (or without saying how the base
/// was reached): they point into the base file, at its own line and column.
#[test]
fn errors_in_a_base_point_into_the_base() {
    let base = "region: eastus\nvnets:\n  - name: hub\n    address_space: [10.0.0.0/33]\n";
    let variant = "# a variant\nextends: base.yaml\nname: v\nvnets:\n  - {name: hub, dns_servers: [10.0.0.4]}\n  - {name: spoke, adress_space: []}\n";
    let tags = ServiceTagTable::builtin();
    let errors = load_scenario_from("variant.yaml", variant, &tags, None, &mut reader(&[("base.yaml", base)]))
        .expect_err("both files have errors");
    let located: Vec<(&str, u32, u32)> = errors.iter().map(|e| (e.file.as_str(), e.loc.line, e.loc.column)).collect();
    assert!(located.contains(&("variant.yaml", 6, 19)), "{errors:#?}");
    let in_base = errors.iter().find(|e| e.file == "base.yaml").expect("an error in the base");
    assert_eq!((in_base.loc.line, in_base.loc.column), (4, 21), "{in_base:?}");
    assert!(
        in_base
            .help
            .as_deref()
            .is_some_and(|h| h.ends_with("base.yaml is reached through `extends:` at variant.yaml:2:10")),
        "{in_base:?}"
    );
    let syntax = merged("extends: base.yaml\n", &[("base.yaml", "a: [1\n")]).unwrap_err();
    assert_eq!(syntax[0].file, "base.yaml");
    assert!(syntax[0].message.starts_with("YAML syntax error"), "{}", syntax[0].message);
}
