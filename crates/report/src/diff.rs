//! `vnetsim diff` output: a summary of counts, the objects that differ, the traffic whose
//! outcome differs (each change once with the sources that see it, a witness and its traces
//! before and after), the flows, expectations and exfiltration findings whose verdict differs,
//! and the work the change allowed to skip. Human text, JSON (`vnetsim-diff/2`) and Markdown
//! for a pull request, the Markdown within a GitHub comment's size.

use crate::audit::FindingReport;
use crate::markdown as md;
use crate::plural;
use crate::reach::{abbreviated, address_ranges, destination_of, distinct_ports, traffic_summary};
use crate::trace::{DirectionReport, directions, write_direction};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::diff::objects::{ObjectChange, ObjectChangeKind, ObjectKind};
use vnetsim_analysis::diff::traffic::{Change, Folded};
use vnetsim_analysis::diff::{Diff, Gate};
use vnetsim_analysis::flows::FlowStatus;
use vnetsim_engine::Completion;
use vnetsim_engine::packet::Packet;
use vnetsim_model::Protocol;

/// One side of a changed class: what happened to its witness there.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SideReport {
    /// What the witness's connection achieved there (`engine::Completion`).
    pub completion: Completion,
    /// `works`, `one-way (reply DISPOSITION)`, or the disposition that stopped the request.
    pub outcome: String,
    /// Where the request ended, when it was delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// The object that decided the outcome, as `kind object/rule`: the last step that dropped
    /// or denied, else the last that names an object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The steps that decided, as `kind object / rule`.
    pub path: Vec<String>,
    pub request: DirectionReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<DirectionReport>,
}

/// A change of traffic, folded: every source that sees it alike (same classes, names, outcomes
/// and deciding objects), with the first source's witness and traces.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TrafficReport {
    /// Every source that sees this change, in the after file's order.
    pub sources: Vec<String>,
    pub change: Change,
    pub protocol: Protocol,
    /// The SNI or Host names the classes carry (`(none)`: no name), when names matter there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    pub addresses: Vec<String>,
    /// Destination ports, one entry per distinct set over the addresses.
    pub ports: Vec<String>,
    /// Classes per source.
    pub classes: usize,
    /// The witness as the first source sent it before.
    pub witness: Packet,
    /// The first source's witness on each side (the path of another source may pass other
    /// objects before the same deciding one: `vnetsim trace` shows it).
    pub before: SideReport,
    pub after: SideReport,
}

impl TrafficReport {
    fn new(diff: &Diff, folded: &Folded) -> TrafficReport {
        let (source, c) = folded.first(&diff.sources);
        let side = |i: usize| {
            let fabric = diff.sides.fabrics[i];
            let (verdict, request, reply) = source.replay(&diff.sides, i, c);
            let packet = source.witness(&diff.sides, i, c);
            let (forward, back) = directions(fabric, packet, verdict, &request, &reply);
            let fate = [c.before, c.after][i];
            let completion = Completion::of(fate.request, fate.reply);
            let outcome = match (completion, fate.reply) {
                (Completion::Works, _) => "works".to_string(),
                (Completion::OneWay, Some(back)) => format!("one-way (reply {})", back.name()),
                (Completion::OneWay, None) => "one-way (no reply)".to_string(),
                (Completion::Denied, _) => fate.request.name().to_string(),
            };
            let steps = forward.steps.iter().chain(back.iter().flat_map(|b| &b.steps));
            SideReport {
                completion,
                outcome,
                destination: fate
                    .request
                    .is_delivered()
                    .then(|| destination_of(fabric, fate.reached, c.witness.destination).1),
                decided_by: c.deciders[i].as_ref().map(|d| format!("{} {d}", d.kind)),
                path: steps.filter(|s| s.decided_by.is_some()).map(|s| s.headline.clone()).collect(),
                request: forward,
                reply: back,
            }
        };
        TrafficReport {
            sources: folded.sources.iter().map(|s| diff.sources[*s].source.clone()).collect(),
            change: c.change,
            protocol: c.protocol,
            names: match c.names.as_slice() {
                [None] => Vec::new(),
                names => {
                    names.iter().map(|n| n.map_or("(none)".into(), |n| diff.sides.names[n as usize].clone())).collect()
                }
            },
            addresses: address_ranges(c.ranges.iter().map(|(a, _)| *a)),
            ports: distinct_ports(c.protocol, &c.ranges),
            classes: c.classes,
            witness: c.witness,
            before: side(0),
            after: side(1),
        }
    }

    fn summary(&self) -> String {
        traffic_summary(self.protocol, &self.addresses, &self.ports, &self.names)
    }

    /// `from a, b, c, d and 6 more`.
    fn from(&self) -> String {
        format!("from {}", abbreviated(&self.sources))
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FlowReport {
    pub flow: &'static str,
    pub source: String,
    pub workspace: String,
    /// `works`, `broken`, `n/a`, or `absent` when the file has no such cell.
    pub before: &'static str,
    pub after: &'static str,
    /// Why it is broken or not applicable, on each side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ExpectationReport {
    pub kind: &'static str,
    pub expectation: String,
    /// `passed`, `failed`, or `absent` when the file does not have it.
    pub before: &'static str,
    pub after: &'static str,
    /// The after side's reason for failing, else the before side's.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ExfiltrationReport {
    /// `gained` or `lost`.
    pub change: &'static str,
    pub source: String,
    pub finding: FindingReport,
}

/// What the change let the diff skip.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct WorkReport {
    /// Fabric-wide tables differ (or `--everything`): every class of every source was walked.
    pub everything: bool,
    /// Places whose digests differ: subnets, then services and on-premises networks.
    pub changed_subnets: Vec<String>,
    pub changed_places: Vec<String>,
    /// Destination ranges where a packet can meet a change.
    pub region: Vec<String>,
    pub sources: usize,
    /// Sources whose every class was walked (their subnet changed, or replies to them can).
    pub whole_sources: usize,
    /// Classes walked, on each side.
    pub classes_walked: usize,
    /// Classes of the shared header space per source (address pieces x port pieces x
    /// protocols, before names): what a full re-analysis walks per source and side.
    pub classes_per_source: usize,
}

/// How many objects of one kind changed, each way.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ObjectCount {
    pub kind: ObjectKind,
    pub added: usize,
    pub removed: usize,
    pub modified: usize,
}

/// How many traffic entries of one change kind there are, and how many sources see them.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TrafficCount {
    pub change: Change,
    /// Folded entries.
    pub entries: usize,
    /// Entries before folding: one per source that sees each.
    pub per_source: usize,
    /// Sources with at least one.
    pub sources: usize,
}

/// Traffic entries by the objects that decide them before and after: which change moved them.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DeciderCount {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    pub entries: usize,
    pub per_source: usize,
}

/// How many verdicts went from one value to another (`works -> broken`, `absent -> passed`).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TransitionCount {
    pub before: &'static str,
    pub after: &'static str,
    pub count: usize,
}

/// Counts first, so a change of any size reads from the top.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SummaryReport {
    /// Per object kind, in the order objects are listed.
    pub objects: Vec<ObjectCount>,
    /// Per change kind: new access, lost access, changed path.
    pub traffic: Vec<TrafficCount>,
    /// Per (before, after) deciding object pair, the most widespread first.
    pub deciders: Vec<DeciderCount>,
    pub flows: Vec<TransitionCount>,
    pub expectations: Vec<TransitionCount>,
    pub exfiltration_gained: usize,
    pub exfiltration_lost: usize,
}

/// Counts of items by a key, in the order keys first appear.
fn tally<K: PartialEq>(keys: impl Iterator<Item = K>) -> Vec<(K, usize)> {
    let mut out: Vec<(K, usize)> = Vec::new();
    for k in keys {
        match out.iter_mut().find(|(seen, _)| *seen == k) {
            Some((_, n)) => *n += 1,
            None => out.push((k, 1)),
        }
    }
    out
}

fn transitions(pairs: impl Iterator<Item = (&'static str, &'static str)>) -> Vec<TransitionCount> {
    tally(pairs).into_iter().map(|((before, after), count)| TransitionCount { before, after, count }).collect()
}

impl SummaryReport {
    fn new(
        objects: &[ObjectChange],
        traffic: &[TrafficReport],
        flows: &[FlowReport],
        expectations: &[ExpectationReport],
        exfiltration: &[ExfiltrationReport],
    ) -> SummaryReport {
        let objects = ObjectKind::ALL
            .iter()
            .map(|kind| {
                let count = |c: ObjectChangeKind| objects.iter().filter(|o| o.kind == *kind && o.change == c).count();
                ObjectCount {
                    kind: *kind,
                    added: count(ObjectChangeKind::Added),
                    removed: count(ObjectChangeKind::Removed),
                    modified: count(ObjectChangeKind::Modified),
                }
            })
            .filter(|c| c.added + c.removed + c.modified > 0)
            .collect();
        let traffic_counts = [Change::NewAccess, Change::LostAccess, Change::ChangedPath]
            .into_iter()
            .map(|change| {
                let of = || traffic.iter().filter(move |t| t.change == change);
                let mut sources: Vec<&str> = of().flat_map(|t| t.sources.iter().map(String::as_str)).collect();
                sources.sort_unstable();
                sources.dedup();
                TrafficCount {
                    change,
                    entries: of().count(),
                    per_source: of().map(|t| t.sources.len()).sum(),
                    sources: sources.len(),
                }
            })
            .filter(|c| c.entries > 0)
            .collect();
        let mut deciders: Vec<DeciderCount> = Vec::new();
        let mut index: std::collections::HashMap<(Option<&str>, Option<&str>), usize> = Default::default();
        for t in traffic {
            let key = (t.before.decided_by.as_deref(), t.after.decided_by.as_deref());
            let next = deciders.len();
            let at = *index.entry(key).or_insert(next);
            if at == next {
                let (before, after) = (key.0.map(str::to_string), key.1.map(str::to_string));
                deciders.push(DeciderCount { before, after, entries: 0, per_source: 0 });
            }
            deciders[at].entries += 1;
            deciders[at].per_source += t.sources.len();
        }
        deciders.sort_by_key(|d| std::cmp::Reverse(d.per_source));
        SummaryReport {
            objects,
            traffic: traffic_counts,
            deciders,
            flows: transitions(flows.iter().map(|f| (f.before, f.after))),
            expectations: transitions(expectations.iter().map(|e| (e.before, e.after))),
            exfiltration_gained: exfiltration.iter().filter(|x| x.change == "gained").count(),
            exfiltration_lost: exfiltration.iter().filter(|x| x.change == "lost").count(),
        }
    }

    /// The summary as lines of text, without markup; `cap` bounds the deciders listed.
    fn lines(&self, cap: usize) -> Vec<String> {
        let mut out = Vec::new();
        if !self.objects.is_empty() {
            let kinds: Vec<String> = (self.objects.iter())
                .map(|c| {
                    let parts = [(c.added, "added"), (c.removed, "removed"), (c.modified, "modified")];
                    let parts: Vec<String> =
                        parts.iter().filter(|(n, _)| *n > 0).map(|(n, word)| format!("{n} {word}")).collect();
                    format!("{} {}", c.kind.name(), parts.join(", "))
                })
                .collect();
            out.push(format!("objects: {}", kinds.join("; ")));
        }
        for t in &self.traffic {
            out.push(format!(
                "{}: {} seen by {} ({} before folding)",
                t.change.name().replace('_', " "),
                plural(t.entries, "entry", "entries"),
                plural(t.sources, "source", "sources"),
                t.per_source
            ));
        }
        if !self.deciders.is_empty() {
            out.push("deciding object before -> after (entries, before folding):".into());
            let none = |d: &Option<String>| d.clone().unwrap_or_else(|| "(none)".into());
            for d in self.deciders.iter().take(cap) {
                out.push(format!("  {} -> {}: {}, {}", none(&d.before), none(&d.after), d.entries, d.per_source));
            }
            if self.deciders.len() > cap {
                out.push(format!("  and {} more", self.deciders.len() - cap));
            }
        }
        let moves = |list: &[TransitionCount]| {
            let parts: Vec<String> = list.iter().map(|t| format!("{} {} -> {}", t.count, t.before, t.after)).collect();
            parts.join(", ")
        };
        if !self.flows.is_empty() {
            out.push(format!("flows: {}", moves(&self.flows)));
        }
        if !self.expectations.is_empty() {
            out.push(format!("expectations: {}", moves(&self.expectations)));
        }
        if self.exfiltration_gained + self.exfiltration_lost > 0 {
            out.push(format!(
                "exfiltration findings: {} gained, {} lost",
                self.exfiltration_gained, self.exfiltration_lost
            ));
        }
        out
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DiffReport {
    pub before: String,
    pub after: String,
    pub changed: bool,
    pub new_access: bool,
    pub lost_access: bool,
    pub summary: SummaryReport,
    pub objects: Vec<ObjectChange>,
    /// Changes of traffic, folded across sources: new access, then lost access, then changed
    /// paths.
    pub traffic: Vec<TrafficReport>,
    pub added_sources: Vec<String>,
    pub removed_sources: Vec<String>,
    pub flows: Vec<FlowReport>,
    pub expectations: Vec<ExpectationReport>,
    pub exfiltration: Vec<ExfiltrationReport>,
    pub work: WorkReport,
    /// The human text lists every entry of every section (`--detail`), not the first few.
    #[serde(skip)]
    pub detail: bool,
}

fn status(s: Option<FlowStatus>) -> &'static str {
    s.map_or("absent", FlowStatus::name)
}

fn passed(p: Option<bool>) -> &'static str {
    match p {
        Some(true) => "passed",
        Some(false) => "failed",
        None => "absent",
    }
}

impl DiffReport {
    pub fn new(diff: &Diff, before: String, after: String, detail: bool) -> DiffReport {
        let traffic: Vec<TrafficReport> = diff.traffic.iter().map(|f| TrafficReport::new(diff, f)).collect();
        let flows: Vec<FlowReport> = (diff.flows.iter())
            .map(|f| {
                let cell = f.cell();
                let reason = |i: usize| {
                    let reason = f.cells[i].as_ref().and_then(|c| c.reason.as_ref());
                    reason.map(|r| crate::explain::flow_reason_words(diff.sides.fabrics[i], r))
                };
                FlowReport {
                    flow: cell.flow,
                    source: cell.source.clone(),
                    workspace: cell.workspace.clone(),
                    before: status(f.status(0)),
                    after: status(f.status(1)),
                    before_reason: reason(0),
                    after_reason: reason(1),
                }
            })
            .collect();
        let expectations: Vec<ExpectationReport> = (diff.expectations.iter())
            .map(|e| {
                let reason = [1, 0].into_iter().find_map(|i| {
                    let reason = e.results[i].as_ref().filter(|r| !r.passed)?.reason.as_ref();
                    Some(reason.map_or_else(String::new, |r| crate::explain::reason_words(diff.sides.fabrics[i], r)))
                });
                ExpectationReport {
                    kind: e.result().kind.name(),
                    expectation: e.result().label.clone(),
                    before: passed(e.passed(0)),
                    after: passed(e.passed(1)),
                    reason: reason.unwrap_or_default(),
                }
            })
            .collect();
        let exfiltration: Vec<ExfiltrationReport> = (diff.exfiltration.iter())
            .map(|x| ExfiltrationReport {
                change: if x.gained() { "gained" } else { "lost" },
                source: x.source.clone(),
                finding: FindingReport::new(
                    diff.sides.fabrics[x.side],
                    &diff.sides.spaces[x.side],
                    &x.audit,
                    x.finding(),
                ),
            })
            .collect();
        let header = &diff.sides.spaces[0].header;
        let per_protocol = |p: Protocol| if p.has_ports() { header.ports.len() } else { 1 };
        let work = WorkReport {
            everything: diff.scope.everything,
            changed_subnets: diff.scope.subnets.clone(),
            changed_places: diff.scope.places.clone(),
            region: address_ranges(diff.scope.region.iter().copied()),
            sources: diff.sources.len(),
            whole_sources: diff.sources.iter().filter(|s| s.whole).count(),
            classes_walked: diff.sources.iter().map(|s| s.walked).sum(),
            classes_per_source: Protocol::ALL.iter().map(|p| header.addresses.len() * per_protocol(*p)).sum(),
        };
        DiffReport {
            before,
            after,
            changed: diff.fails(Gate::Any),
            new_access: diff.fails(Gate::NewAccess),
            lost_access: diff.fails(Gate::LostAccess),
            summary: SummaryReport::new(&diff.objects, &traffic, &flows, &expectations, &exfiltration),
            objects: diff.objects.clone(),
            traffic,
            removed_sources: diff.lone_sources[0].clone(),
            added_sources: diff.lone_sources[1].clone(),
            flows,
            expectations,
            exfiltration,
            work,
            detail,
        }
    }

    /// Class groups per change kind, one per source that sees each.
    fn class_counts(&self) -> [usize; 3] {
        let count = |k: Change| self.summary.traffic.iter().filter(|t| t.change == k).map(|t| t.per_source).sum();
        [count(Change::NewAccess), count(Change::LostAccess), count(Change::ChangedPath)]
    }

    fn verdict_line(&self) -> String {
        if !self.changed {
            return "no change".to_string();
        }
        let [new, lost, path] = self.class_counts();
        format!(
            "changed: {new} new-access, {lost} lost-access and {path} changed-path class {}, {}, {}, {}, {}",
            if new + lost + path == 1 { "group" } else { "groups" },
            plural(self.objects.len(), "object", "objects"),
            plural(self.flows.len(), "flow", "flows"),
            plural(self.expectations.len(), "expectation", "expectations"),
            plural(self.exfiltration.len(), "exfiltration finding", "exfiltration findings")
        )
    }

    fn work_line(&self) -> String {
        let w = &self.work;
        let scope = if w.everything {
            "every class of every source (fabric-wide tables differ or --everything)".to_string()
        } else {
            format!(
                "{} of {} whole, the rest only inside {}",
                w.whole_sources,
                plural(w.sources, "source", "sources"),
                plural(w.region.len(), "changed range", "changed ranges")
            )
        };
        format!(
            "walked {} on each side for {} ({scope}); a full re-analysis walks {} per source",
            plural(w.classes_walked, "class", "classes"),
            plural(w.sources, "source", "sources"),
            w.classes_per_source
        )
    }

    /// The text: the verdict and the summary in full, then each section's first
    /// [`HUMAN_ENTRIES`] entries and a line counting the rest (`--detail`: every entry).
    pub fn to_human(&self) -> String {
        let budget = if self.detail { Budget::All } else { Budget::PerSection(HUMAN_ENTRIES) };
        let mut s = Sections::new(budget);
        let _ = writeln!(s.out, "diff {} -> {}: {}", self.before, self.after, self.verdict_line());
        let summary = self.summary.lines(SUMMARY_DECIDERS);
        if !summary.is_empty() {
            let _ = writeln!(s.out, "\nsummary:");
            summary.iter().for_each(|line| _ = writeln!(s.out, "  {line}"));
        }
        let more = |s: &mut Sections, shown: Shown| {
            if shown.left_out > 0 {
                let _ = writeln!(s.out, "  … and {} more (--format json or --detail lists every one)", shown.left_out);
            }
        };
        let shown = s.section(
            "\nchanged objects:\n",
            (self.objects.iter())
                .map(|o| format!("  {} {} {}{}\n", mark(&o.change), o.kind.name(), o.name, fields_inline(o))),
        );
        more(&mut s, shown);
        for (title, list) in [("removed sources", &self.removed_sources), ("added sources", &self.added_sources)] {
            let names = list.iter().enumerate().map(|(i, n)| if i == 0 { n.clone() } else { format!(", {n}") });
            let shown = s.section(&format!("\n{title}: "), names);
            if shown.written > 0 {
                s.out.push('\n');
            }
            more(&mut s, shown);
        }
        let shown = s.section(
            "\ntraffic:\n",
            self.traffic.iter().map(|t| {
                let mut entry = format!(
                    "  {} {} ({}) {}\n",
                    t.change.name().replace('_', " "),
                    t.summary(),
                    plural(t.classes, "class", "classes"),
                    t.from()
                );
                for (label, side) in [("before", &t.before), ("after ", &t.after)] {
                    let to = side.destination.as_ref().map(|d| format!(" at {d}")).unwrap_or_default();
                    let _ = writeln!(entry, "    {label}: {}{to}; {}", side.outcome, side.path.join(" -> "));
                }
                let _ = writeln!(entry, "    witness: {}", t.witness);
                entry
            }),
        );
        more(&mut s, shown);
        let shown = s.section(
            "\nflows:\n",
            self.flows.iter().map(|f| {
                let why = f.after_reason.as_ref().or(f.before_reason.as_ref());
                let why = why.map(|r| format!(": {r}")).unwrap_or_default();
                format!("  {} from {} ({}): {} -> {}{why}\n", f.flow, f.source, f.workspace, f.before, f.after)
            }),
        );
        more(&mut s, shown);
        let shown = s.section(
            "\nexpectations:\n",
            self.expectations.iter().map(|e| {
                let why = if e.reason.is_empty() { String::new() } else { format!(": {}", e.reason) };
                format!("  {} {}: {} -> {}{why}\n", e.kind, e.expectation, e.before, e.after)
            }),
        );
        more(&mut s, shown);
        let shown = s.section(
            "\nexfiltration:\n",
            self.exfiltration.iter().map(|x| {
                let f = &x.finding;
                format!(
                    "  {} from {}: {} [{}] {} to {}; opened by {}\n",
                    x.change,
                    x.source,
                    f.destination,
                    format!("{:?}", f.severity).to_lowercase(),
                    f.ports.join(", "),
                    abbreviated(&f.addresses),
                    f.opened_by.join(", ")
                )
            }),
        );
        more(&mut s, shown);
        let _ = writeln!(s.out, "\n{}", self.work_line());
        s.out
    }

    /// A pull-request comment: the verdict and the summary, then the sections by importance
    /// (expectations, exfiltration, flows, traffic, objects, traces folded in `<details>`),
    /// as many entries as fit in [`MARKDOWN_LIMIT`], and a line saying what was left out.
    pub fn to_markdown(&self) -> String {
        let mut c = Sections::new(Budget::Bytes(MARKDOWN_LIMIT));
        // Every name and label is user text: escaped, so it can neither hide the rest of the
        // comment (`<!--`) nor break a table row.
        let _ = writeln!(c.out, "### vnetsim diff: {} → {}\n", md(&self.before), md(&self.after));
        let _ = writeln!(c.out, "**{}**\n", self.verdict_line());
        let summary = self.summary.lines(SUMMARY_DECIDERS);
        // The summary's indented lines (deciding objects) are a nested list.
        let item = |line: &String| match line.strip_prefix("  ") {
            Some(nested) => format!("  - {}\n", md(nested)),
            None => format!("- {}\n", md(line)),
        };
        c.block("#### Summary\n\n", summary.iter().map(item));
        c.block(
            "#### Expectations\n\n| kind | expectation | before | after |\n| --- | --- | --- | --- |\n",
            (self.expectations.iter())
                .map(|e| format!("| {} | {} | {} | {} |\n", e.kind, md(&e.expectation), e.before, e.after)),
        );
        c.block(
            "#### Exfiltration\n\n| | source | destination | ports | opened by |\n| --- | --- | --- | --- | --- |\n",
            self.exfiltration.iter().map(|x| {
                let f = &x.finding;
                format!(
                    "| {} | {} | {} | {} | {} |\n",
                    x.change,
                    md(&x.source),
                    md(&f.destination),
                    f.ports.join(", "),
                    md(&f.opened_by.join(", "))
                )
            }),
        );
        c.block(
            "#### Flows\n\n| flow | source | workspace | before | after |\n| --- | --- | --- | --- | --- |\n",
            (self.flows.iter()).map(|f| {
                format!("| {} | {} | {} | {} | {} |\n", f.flow, md(&f.source), md(&f.workspace), f.before, f.after)
            }),
        );
        let lone = [("Removed sources", &self.removed_sources), ("Added sources", &self.added_sources)];
        c.block(
            "",
            (lone.iter().filter(|(_, list)| !list.is_empty()))
                .map(|(title, list)| format!("**{title}:** {}\n\n", md(&list.join(", "))))
                .collect::<Vec<_>>()
                .into_iter(),
        );
        c.block(
            "#### Traffic\n\n| sources | change | traffic | before | after |\n| --- | --- | --- | --- | --- |\n",
            self.traffic.iter().map(|t| {
                format!(
                    "| {} | {} | {} | {} | {} |\n",
                    md(&abbreviated(&t.sources)),
                    t.change.name(),
                    md(&t.summary()),
                    md(&side_cell(&t.before)),
                    md(&side_cell(&t.after))
                )
            }),
        );
        c.block(
            "#### Changed objects\n\n| | kind | name | fields |\n| --- | --- | --- | --- |\n",
            self.objects.iter().map(|o| {
                let fields = md(fields_inline(o).trim_start_matches(": "));
                format!("| {} | {} | {} | {fields} |\n", mark(&o.change), o.kind.name(), md(&o.name))
            }),
        );
        c.block(
            "",
            self.traffic.iter().map(|t| {
                let mut block = format!(
                    "<details><summary>{}: {} {}</summary>\n\n```\n",
                    md(&abbreviated(&t.sources)),
                    t.change.name(),
                    md(&t.summary())
                );
                for (label, side) in [("before", &t.before), ("after", &t.after)] {
                    write_direction(&mut block, &format!("{label} request"), &side.request, "");
                    if let Some(reply) = &side.reply {
                        write_direction(&mut block, &format!("{label} reply"), reply, "");
                    }
                }
                block.push_str("```\n</details>\n\n");
                block
            }),
        );
        c.finish(&format!("_{}_\n", self.work_line()))
    }
}

/// Deciding object pairs the summary lists; the JSON has them all.
const SUMMARY_DECIDERS: usize = 10;

/// The most a Markdown diff writes, in bytes (at least as many as characters): a GitHub comment
/// holds 65,536 characters, and this leaves room for the closing lines and a few of the
/// reviewer's own.
pub const MARKDOWN_LIMIT: usize = 60_000;

/// Entries per section the human text lists; `--detail` and the JSON have every one.
const HUMAN_ENTRIES: usize = 20;

/// What the closing lines may take: the work line and the line saying what was left out.
const CLOSING: usize = 1_000;

/// How many entries a rendering writes.
#[derive(Clone, Copy)]
enum Budget {
    /// Every entry (`--detail`).
    All,
    /// The first so many of each section (human text).
    PerSection(usize),
    /// Entries in order while the whole stays under so many bytes, then none (Markdown).
    Bytes(usize),
}

/// Output written section by section within a [`Budget`], counting the entries it leaves out.
struct Sections {
    out: String,
    budget: Budget,
    /// Entries left out so far, in every section.
    left_out: usize,
}

/// What a section wrote and left out.
#[derive(Clone, Copy)]
struct Shown {
    written: usize,
    left_out: usize,
}

impl Sections {
    fn new(budget: Budget) -> Sections {
        Sections { out: String::new(), budget, left_out: 0 }
    }

    /// Writes a section's entries under its heading (written with the first entry, so a
    /// section with none written has none) while the budget allows; the first entry it does not
    /// allow and every later one are left out, unbuilt.
    fn section(&mut self, heading: &str, entries: impl ExactSizeIterator<Item = String>) -> Shown {
        let total = entries.len();
        let mut written = 0;
        for entry in entries {
            let head = if written == 0 { heading } else { "" };
            let fits = match self.budget {
                Budget::All => true,
                Budget::PerSection(cap) => written < cap,
                // Sections come by importance: once one entry does not fit, nothing later is
                // written, so a big entry is never skipped for smaller, less important ones.
                Budget::Bytes(limit) => {
                    self.left_out == 0 && self.out.len() + head.len() + entry.len() + CLOSING <= limit
                }
            };
            if !fits {
                break;
            }
            self.out.push_str(head);
            self.out.push_str(&entry);
            written += 1;
        }
        self.left_out += total - written;
        Shown { written, left_out: total - written }
    }

    /// A Markdown section: a blank line after it, when it has a heading and wrote an entry.
    fn block(&mut self, heading: &str, entries: impl ExactSizeIterator<Item = String>) {
        if self.section(heading, entries).written > 0 && !heading.is_empty() {
            self.out.push('\n');
        }
    }

    /// The Markdown comment's end: how many entries it left out, and the work line.
    fn finish(mut self, work: &str) -> String {
        if self.left_out > 0 {
            let _ = writeln!(
                self.out,
                "**{} left out to stay under GitHub's comment size: `--format json` has everything.**\n",
                plural(self.left_out, "entry", "entries")
            );
        }
        self.out.push_str(work);
        self.out
    }
}

fn side_cell(s: &SideReport) -> String {
    let path = s.path.join(" → ");
    format!("{}: {path}", s.outcome)
}

fn mark(change: &ObjectChangeKind) -> &'static str {
    match change {
        ObjectChangeKind::Added => "+",
        ObjectChangeKind::Removed => "-",
        ObjectChangeKind::Modified => "~",
    }
}

/// `: field before -> after, ...` for a modified object; nothing for added or removed ones.
fn fields_inline(o: &ObjectChange) -> String {
    if o.change != ObjectChangeKind::Modified {
        return String::new();
    }
    let words: Vec<String> = (o.fields.iter())
        .map(|f| {
            let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "(none)".into());
            format!("{} {} -> {}", f.field, v(&f.before), v(&f.after))
        })
        .collect();
    format!(": {}", words.join(", "))
}

impl crate::Report for DiffReport {
    const SCHEMA: &'static str = "vnetsim-diff/2";
    const FORMATS: &'static [crate::Format] = &[crate::Format::Human, crate::Format::Json, crate::Format::Markdown];

    fn human(&self) -> String {
        self.to_human()
    }

    fn other(&self, format: crate::Format) -> Option<String> {
        (format == crate::Format::Markdown).then(|| self.to_markdown())
    }
}

#[cfg(test)]
mod tests {
    use super::{Budget, CLOSING, MARKDOWN_LIMIT, Sections};
    use vnetsim_analysis::diff::objects::ObjectKind;

    /// Once an entry does not fit, it and every later one, in later sections too, are left out
    /// and counted; a section with no entry written has no heading. Catches a budget that skips
    /// a big entry and writes smaller later ones (out of order of importance) or miscounts.
    #[test]
    fn a_comment_stops_at_the_first_entry_that_does_not_fit() {
        let mut c = Sections::new(Budget::Bytes(MARKDOWN_LIMIT));
        let row = "x".repeat(999) + "\n";
        let fits = (MARKDOWN_LIMIT - CLOSING - "## big\n".len()) / row.len();
        c.block("## big\n", (0..fits + 5).map(|_| row.clone()));
        c.block("## small\n", (0..3).map(|_| "y\n".to_string()));
        let out = c.finish("work\n");
        assert!(out.len() <= MARKDOWN_LIMIT, "{}", out.len());
        assert_eq!(out.matches(&row).count(), fits);
        assert!(!out.contains("## small") && !out.contains("y\n"));
        assert!(out.ends_with(
            "**8 entries left out to stay under GitHub's comment size: `--format json` has everything.**\n\nwork\n"
        ));
    }

    /// The human text's budget writes the first entries of every section and counts the rest
    /// per section, whatever came before. Catches a cap shared across sections (a long first
    /// section hiding the rest) or a count off by the entries written.
    #[test]
    fn human_sections_keep_their_first_entries_and_count_the_rest() {
        let mut s = Sections::new(Budget::PerSection(2));
        let a = s.section("a:\n", (0..5).map(|i| format!("{i}\n")));
        let b = s.section("b:\n", (0..1).map(|i| format!("{i}\n")));
        assert_eq!((a.written, a.left_out, b.written, b.left_out, s.left_out), (2, 3, 1, 0, 3));
        assert_eq!(s.out, "a:\n0\n1\nb:\n0\n");
        let mut all = Sections::new(Budget::All);
        assert_eq!(all.section("", (0..50).map(|i| i.to_string())).left_out, 0);
    }

    /// The words the human and Markdown diffs print for an object's kind are the JSON's.
    #[test]
    fn object_kind_names_are_their_json() {
        for kind in ObjectKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name(), "{kind:?}");
        }
    }
}
