//! `vnetsim diff` output: the objects that differ, the traffic whose outcome differs (per
//! source, each group of classes with a witness and its traces before and after), the flows,
//! expectations and exfiltration findings whose verdict differs, and the work the change
//! allowed to skip. Human text, JSON (`vnetsim-diff/1`) and Markdown for a pull request.

use crate::audit::FindingReport;
use crate::markdown as md;
use crate::plural;
use crate::reach::{abbreviated, address_ranges, destination_of, distinct_ports, traffic_summary};
use crate::trace::{DirectionReport, directions, write_direction};
use serde::Serialize;
use std::fmt::Write;
use vnetsim_analysis::diff::objects::{ObjectChange, ObjectChangeKind};
use vnetsim_analysis::diff::traffic::{Change, ClassChange, SourceDiff};
use vnetsim_analysis::diff::{Diff, Gate};
use vnetsim_analysis::flows::FlowStatus;
use vnetsim_engine::packet::Packet;
use vnetsim_model::Protocol;

/// One side of a changed class: what happened to its witness there.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SideReport {
    /// `works`, `delivered` (no reply needed), or the disposition that stopped it.
    pub outcome: String,
    /// Where the request ended, when it was delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// The steps that decided, as `kind object / rule`.
    pub path: Vec<String>,
    pub request: DirectionReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<DirectionReport>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ClassReport {
    pub change: Change,
    pub protocol: Protocol,
    /// The SNI or Host names the classes carry (`(none)`: no name), when names matter there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    pub addresses: Vec<String>,
    /// Destination ports, one entry per distinct set over the addresses.
    pub ports: Vec<String>,
    pub classes: usize,
    /// The witness as the source sent it before.
    pub witness: Packet,
    pub before: SideReport,
    pub after: SideReport,
}

impl ClassReport {
    fn new(diff: &Diff, source: &SourceDiff, c: &ClassChange) -> ClassReport {
        let side = |i: usize| {
            let fabric = diff.sides.fabrics[i];
            let (verdict, request, reply) = source.replay(&diff.sides, i, c);
            let packet = source.witness(&diff.sides, i, c);
            let (forward, back) = directions(fabric, packet, verdict, &request, &reply);
            let fate = [c.before, c.after][i];
            let outcome = match (fate.request, fate.reply) {
                (r, Some(back)) if r.is_delivered() && back.is_delivered() => "works".to_string(),
                (r, Some(back)) if r.is_delivered() => format!("reply {}", back.name()),
                (r, None) if r.is_delivered() => "delivered".to_string(),
                (r, _) => r.name().to_string(),
            };
            let steps = forward.steps.iter().chain(back.iter().flat_map(|b| &b.steps));
            SideReport {
                outcome,
                destination: fate
                    .request
                    .is_delivered()
                    .then(|| destination_of(fabric, fate.reached, c.witness.destination).1),
                path: steps.filter(|s| s.decided_by.is_some()).map(|s| s.headline.clone()).collect(),
                request: forward,
                reply: back,
            }
        };
        ClassReport {
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
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SourceReport {
    pub source: String,
    pub classes: Vec<ClassReport>,
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

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DiffReport {
    pub before: String,
    pub after: String,
    pub changed: bool,
    pub new_access: bool,
    pub lost_access: bool,
    pub objects: Vec<ObjectChange>,
    pub sources: Vec<SourceReport>,
    pub added_sources: Vec<String>,
    pub removed_sources: Vec<String>,
    pub flows: Vec<FlowReport>,
    pub expectations: Vec<ExpectationReport>,
    pub exfiltration: Vec<ExfiltrationReport>,
    pub work: WorkReport,
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
    pub fn new(diff: &Diff, before: String, after: String) -> DiffReport {
        let sources = (diff.sources.iter())
            .filter(|s| !s.changes.is_empty())
            .map(|s| SourceReport {
                source: s.source.clone(),
                classes: s.changes.iter().map(|c| ClassReport::new(diff, s, c)).collect(),
            })
            .collect();
        let flows = (diff.flows.iter())
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
        let expectations = (diff.expectations.iter())
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
        let exfiltration = (diff.exfiltration.iter())
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
            objects: diff.objects.clone(),
            sources,
            removed_sources: diff.lone_sources[0].clone(),
            added_sources: diff.lone_sources[1].clone(),
            flows,
            expectations,
            exfiltration,
            work,
        }
    }

    fn class_counts(&self) -> [usize; 3] {
        let count = |k: Change| self.sources.iter().flat_map(|s| &s.classes).filter(|c| c.change == k).count();
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

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "diff {} -> {}: {}", self.before, self.after, self.verdict_line());
        if !self.objects.is_empty() {
            let _ = writeln!(out, "\nchanged objects:");
            for o in &self.objects {
                let _ = writeln!(out, "  {} {} {}{}", mark(&o.change), o.kind.name(), o.name, fields_inline(o));
            }
        }
        for (title, list) in [("removed sources", &self.removed_sources), ("added sources", &self.added_sources)] {
            if !list.is_empty() {
                let _ = writeln!(out, "\n{title}: {}", list.join(", "));
            }
        }
        for s in &self.sources {
            let _ = writeln!(out, "\ntraffic from {}:", s.source);
            for c in &s.classes {
                let _ = writeln!(
                    out,
                    "  {} {} ({})",
                    c.change.name().replace('_', " "),
                    c.summary(),
                    plural(c.classes, "class", "classes")
                );
                for (label, side) in [("before", &c.before), ("after ", &c.after)] {
                    let to = side.destination.as_ref().map(|d| format!(" at {d}")).unwrap_or_default();
                    let _ = writeln!(out, "    {label}: {}{to}; {}", side.outcome, side.path.join(" -> "));
                }
                let _ = writeln!(out, "    witness: {}", c.witness);
            }
        }
        if !self.flows.is_empty() {
            let _ = writeln!(out, "\nflows:");
            for f in &self.flows {
                let why = f.after_reason.as_ref().or(f.before_reason.as_ref());
                let why = why.map(|r| format!(": {r}")).unwrap_or_default();
                let _ =
                    writeln!(out, "  {} from {} ({}): {} -> {}{why}", f.flow, f.source, f.workspace, f.before, f.after);
            }
        }
        if !self.expectations.is_empty() {
            let _ = writeln!(out, "\nexpectations:");
            for e in &self.expectations {
                let why = if e.reason.is_empty() { String::new() } else { format!(": {}", e.reason) };
                let _ = writeln!(out, "  {} {}: {} -> {}{why}", e.kind, e.expectation, e.before, e.after);
            }
        }
        if !self.exfiltration.is_empty() {
            let _ = writeln!(out, "\nexfiltration:");
            for x in &self.exfiltration {
                let f = &x.finding;
                let _ = writeln!(
                    out,
                    "  {} from {}: {} [{}] {} to {}; opened by {}",
                    x.change,
                    x.source,
                    f.destination,
                    format!("{:?}", f.severity).to_lowercase(),
                    f.ports.join(", "),
                    abbreviated(&f.addresses),
                    f.opened_by.join(", ")
                );
            }
        }
        let _ = writeln!(out, "\n{}", self.work_line());
        out
    }

    /// A pull-request comment: a summary table, then each change with its traces folded.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        // Every name and label is user text: escaped, so it can neither hide the rest of the
        // comment (`<!--`) nor break a table row.
        let _ = writeln!(out, "### vnetsim diff: {} → {}\n", md(&self.before), md(&self.after));
        let _ = writeln!(out, "**{}**\n", self.verdict_line());
        if !self.objects.is_empty() {
            let _ = writeln!(out, "#### Changed objects\n\n| | kind | name | fields |\n| --- | --- | --- | --- |");
            for o in &self.objects {
                let fields = md(fields_inline(o).trim_start_matches(": "));
                let _ = writeln!(out, "| {} | {} | {} | {fields} |", mark(&o.change), o.kind.name(), md(&o.name));
            }
            out.push('\n');
        }
        for (title, list) in [("Removed sources", &self.removed_sources), ("Added sources", &self.added_sources)] {
            if !list.is_empty() {
                let _ = writeln!(out, "**{title}:** {}\n", md(&list.join(", ")));
            }
        }
        if !self.sources.is_empty() {
            let _ = writeln!(out, "#### Traffic\n");
            let _ = writeln!(out, "| source | change | traffic | before | after |\n| --- | --- | --- | --- | --- |");
            for s in &self.sources {
                for c in &s.classes {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} |",
                        md(&s.source),
                        c.change.name(),
                        md(&c.summary()),
                        md(&side_cell(&c.before)),
                        md(&side_cell(&c.after))
                    );
                }
            }
            out.push('\n');
            for s in &self.sources {
                for c in &s.classes {
                    let _ = writeln!(
                        out,
                        "<details><summary>{}: {} {}</summary>\n\n```",
                        md(&s.source),
                        c.change.name(),
                        md(&c.summary())
                    );
                    for (label, side) in [("before", &c.before), ("after", &c.after)] {
                        write_direction(&mut out, &format!("{label} request"), &side.request, "");
                        if let Some(reply) = &side.reply {
                            write_direction(&mut out, &format!("{label} reply"), reply, "");
                        }
                    }
                    let _ = writeln!(out, "```\n</details>\n");
                }
            }
        }
        if !self.flows.is_empty() {
            let _ = writeln!(
                out,
                "#### Flows\n\n| flow | source | workspace | before | after |\n| --- | --- | --- | --- | --- |"
            );
            for f in &self.flows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    f.flow,
                    md(&f.source),
                    md(&f.workspace),
                    f.before,
                    f.after
                );
            }
            out.push('\n');
        }
        if !self.expectations.is_empty() {
            let _ = writeln!(
                out,
                "#### Expectations\n\n| kind | expectation | before | after |\n| --- | --- | --- | --- |"
            );
            for e in &self.expectations {
                let _ = writeln!(out, "| {} | {} | {} | {} |", e.kind, md(&e.expectation), e.before, e.after);
            }
            out.push('\n');
        }
        if !self.exfiltration.is_empty() {
            let _ = writeln!(
                out,
                "#### Exfiltration\n\n| | source | destination | ports | opened by |\n| --- | --- | --- | --- | --- |"
            );
            for x in &self.exfiltration {
                let f = &x.finding;
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    x.change,
                    md(&x.source),
                    md(&f.destination),
                    f.ports.join(", "),
                    md(&f.opened_by.join(", "))
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "_{}_", self.work_line());
        out
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
    const SCHEMA: &'static str = "vnetsim-diff/1";
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
    use vnetsim_analysis::diff::objects::ObjectKind;

    /// The words the human and Markdown diffs print for an object's kind are the JSON's.
    #[test]
    fn object_kind_names_are_their_json() {
        for kind in ObjectKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name(), "{kind:?}");
        }
    }
}
