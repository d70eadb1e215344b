//! The scenario an import builds, and its YAML text.
//!
//! Importers fill a [`Doc`] with the scenario format's sections; every object carries a note
//! naming the resource it came from, and every value vnetsim computed (an allocated IP, a
//! generated name) says so. [`Doc::to_yaml`] writes the text `vnetsim import` prints and the
//! loader reads, with a map from each line back to the resource it came from, so a problem the
//! loader finds in generated text is reported in the `.tf` (or JSON) file that caused it.

use crate::instance::Origin;
use std::fmt::Write;

/// A YAML value of the scenario format.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<Item>),
    Map(Vec<(String, Yaml)>),
    /// A value vnetsim computed (Azure would at apply time), with what it is.
    Computed(Box<Yaml>, String),
}

/// A list entry, with the resource it came from when it is an object of its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub note: Option<Note>,
    pub value: Yaml,
}

/// The resource an object came from: its address (or id) and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub source: String,
    pub origin: Origin,
}

impl Yaml {
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }

    /// A list of plain values.
    pub fn list(values: impl IntoIterator<Item = Yaml>) -> Yaml {
        Yaml::List(values.into_iter().map(|value| Item { note: None, value }).collect())
    }

    pub fn strs<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Yaml {
        Yaml::list(values.into_iter().map(|s| Yaml::Str(s.into())))
    }

    pub fn computed(value: Yaml, what: impl Into<String>) -> Yaml {
        Yaml::Computed(Box::new(value), what.into())
    }
}

/// A mapping built key by key, in the order the scenario format documents its keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Obj(pub Vec<(String, Yaml)>);

impl Obj {
    pub fn new() -> Obj {
        Obj(Vec::new())
    }

    pub fn set(&mut self, key: &str, value: Yaml) -> &mut Obj {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_string(), value)),
        }
        self
    }

    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Yaml> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The list under `key`, created empty when missing.
    pub fn list_mut(&mut self, key: &str) -> &mut Vec<Item> {
        if !matches!(self.get(key), Some(Yaml::List(_))) {
            self.set(key, Yaml::List(Vec::new()));
        }
        match self.get_mut(key) {
            Some(Yaml::List(items)) => items,
            _ => unreachable!("just set to a list"),
        }
    }

    pub fn into_yaml(self) -> Yaml {
        Yaml::Map(self.0)
    }
}

/// The top-level sections of a scenario, in the order they are written.
pub const SECTIONS: [&str; 16] = [
    "vnets",
    "nsgs",
    "asgs",
    "route_tables",
    "endpoints",
    "on_premises",
    "gateways",
    "ip_groups",
    "firewall_policies",
    "firewalls",
    "nat_gateways",
    "load_balancers",
    "services",
    "private_endpoints",
    "private_dns_zones",
    "service_endpoint_policies",
];

/// A scenario being built: a header comment, the region, and sections of noted objects.
#[derive(Debug, Default)]
pub struct Doc {
    pub header: Vec<String>,
    pub name: Option<String>,
    pub region: Option<String>,
    sections: Vec<(&'static str, Vec<Item>)>,
    /// Other names of places (`azurerm_linux_virtual_machine.jump`), each with its name.
    pub aliases: Vec<(String, String)>,
}

/// The generated text and, for each of its lines, the resource the line came from (an index
/// into `origins`).
pub struct Text {
    pub yaml: String,
    pub lines: Vec<Option<u32>>,
    pub origins: Vec<Origin>,
}

impl Doc {
    pub fn new() -> Doc {
        Doc::default()
    }

    /// The entries of `section` (one of [`SECTIONS`]).
    pub fn section(&mut self, section: &'static str) -> &mut Vec<Item> {
        debug_assert!(SECTIONS.contains(&section), "unknown section {section}");
        if let Some(i) = self.sections.iter().position(|(s, _)| *s == section) {
            return &mut self.sections[i].1;
        }
        self.sections.push((section, Vec::new()));
        &mut self.sections.last_mut().expect("just pushed").1
    }

    /// The entries of a section, empty when it has none.
    pub fn items(&self, section: &str) -> &[Item] {
        self.sections.iter().find(|(s, _)| *s == section).map_or(&[], |(_, items)| items)
    }

    /// Adds an object to a section, noted with its source.
    pub fn push(&mut self, section: &'static str, note: Note, obj: Obj) {
        self.section(section).push(Item { note: Some(note), value: obj.into_yaml() });
    }

    /// Writes the scenario: sections in [`SECTIONS`] order, each object preceded by a comment
    /// naming its source, every computed value followed by a comment saying so.
    pub fn to_yaml(&self) -> Text {
        let mut w = Writer { out: String::new(), lines: Vec::new(), origins: Vec::new(), origin: None };
        for h in &self.header {
            w.line(&format!("# {h}"));
        }
        if let Some(name) = &self.name {
            w.line(&format!("name: {}", quote(name)));
        }
        if let Some(region) = &self.region {
            w.line(&format!("region: {}", quote(region)));
        }
        for section in SECTIONS {
            let Some((_, items)) = self.sections.iter().find(|(s, _)| *s == section) else { continue };
            if items.is_empty() {
                continue;
            }
            w.out.push_str(section);
            w.out.push(':');
            w.end_line();
            w.items(items, 1);
        }
        if !self.aliases.is_empty() {
            w.line("aliases:");
            for (alias, name) in &self.aliases {
                w.line(&format!("  {}: {}", quote(alias), quote(name)));
            }
        }
        Text { yaml: w.out, lines: w.lines, origins: w.origins }
    }
}

struct Writer {
    out: String,
    lines: Vec<Option<u32>>,
    origins: Vec<Origin>,
    /// The origin of the lines being written.
    origin: Option<u32>,
}

impl Writer {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.end_line();
    }

    fn end_line(&mut self) {
        self.out.push('\n');
        self.lines.push(self.origin);
    }

    fn pad(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    fn items(&mut self, items: &[Item], depth: usize) {
        for item in items {
            let outer = self.origin;
            if let Some(note) = &item.note {
                self.origin = Some(u32::try_from(self.origins.len()).unwrap_or(u32::MAX));
                self.origins.push(note.origin.clone());
                self.pad(depth);
                let _ = write!(self.out, "# {}  {}", note.source, note.origin);
                self.end_line();
            }
            match &item.value {
                Yaml::Map(entries) if !entries.is_empty() => {
                    for (i, (k, v)) in entries.iter().enumerate() {
                        self.pad(depth);
                        self.out.push_str(if i == 0 { "- " } else { "  " });
                        self.entry(k, v, depth + 1);
                    }
                }
                other => {
                    self.pad(depth);
                    self.out.push_str("- ");
                    self.scalar_line(other);
                }
            }
            self.origin = outer;
        }
    }

    /// `key: value` after the indentation already written; `depth` is the key's indent.
    fn entry(&mut self, key: &str, value: &Yaml, depth: usize) {
        self.out.push_str(key);
        self.out.push(':');
        match value {
            Yaml::List(items) if items.iter().any(|i| i.note.is_some() || matches!(i.value, Yaml::Map(_))) => {
                self.end_line();
                self.items(items, depth);
            }
            Yaml::Map(entries) if !entries.is_empty() => {
                self.end_line();
                // The nested keys go one level deeper than this key.
                for (k, v) in entries {
                    self.pad(depth + 1);
                    self.entry(k, v, depth + 1);
                }
            }
            other => {
                self.out.push(' ');
                self.scalar_line(other);
            }
        }
    }

    /// A value on the rest of the line, and the comment saying what was computed in it.
    fn scalar_line(&mut self, value: &Yaml) {
        let mut computed = Vec::new();
        inline(&mut self.out, value, &mut computed);
        if !computed.is_empty() {
            let _ = write!(self.out, "  # computed: {}", computed.join("; "));
        }
        self.end_line();
    }
}

/// Writes a value in flow style, collecting what each computed part of it is.
fn inline<'y>(out: &mut String, value: &'y Yaml, computed: &mut Vec<&'y str>) {
    match value {
        Yaml::Computed(inner, what) => {
            inline(out, inner, computed);
            computed.push(what);
        }
        Yaml::Str(s) => scalar(out, s),
        Yaml::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Yaml::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Yaml::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                inline(out, &item.value, computed);
            }
            out.push(']');
        }
        Yaml::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                inline(out, v, computed);
            }
            out.push('}');
        }
    }
}

/// A string as a plain scalar when it can only be read back as that string (names, prefixes,
/// addresses), else double-quoted.
fn scalar(out: &mut String, s: &str) {
    let plain = s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'-' | b'_'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        out.push_str(s);
    } else {
        out.push_str(&quote(s));
    }
}

/// A YAML double-quoted scalar: safe for any text.
pub use vnetsim_config::yaml::quoted as quote;
