use crate::input;
use crate::output::{Failure, choices, emit};
use crate::progress::Bar;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use vnetsim_analysis::progress::Progress;
use vnetsim_analysis::reach::{ReachOptions, Space, reach as reach_from};
use vnetsim_engine::fabric::Fabric;
use vnetsim_model::NicId;
use vnetsim_report::Format;
use vnetsim_report::reach::{ReachReport, ReachReports};

/// `--from` of `reach` and `audit`: the NICs it names (see `config::place::parse_sources`).
/// A cluster named without a node stands for its node 0, which a note on standard error says.
pub fn sources(fabric: &Fabric, from: &str) -> Result<Vec<NicId>, Failure> {
    let senders = vnetsim_config::place::parse_senders(&fabric.scenario, from).map_err(|e| {
        let hint = if e.candidates.is_empty() {
            String::new()
        } else {
            format!("; choose one of: {}", choices(&e.candidates))
        };
        Failure::Input(format!("error: --from: {}{hint}\n", e.message))
    })?;
    if let Some(note) = senders.note {
        crate::output::warn(&format!("note: --from {note}\n"));
    }
    Ok(senders.nics)
}

/// Prints everything each source can get delivered. Exit 0: reachability is an answer.
pub fn reach(
    file: &Path,
    from: &str,
    options: ReachOptions,
    format: Format,
    out: &mut dyn Write,
) -> Result<ExitCode, Failure> {
    let fabric = input::load_fabric(file)?;
    let nics = sources(&fabric, from)?;
    let space = Space::new(&fabric, options);
    // One source answers quickly; several get a bar.
    let bar = (nics.len() > 1).then(|| Bar::new("reaching", "sources"));
    bar.iter().for_each(|b| b.start(nics.len() as u64));
    let sources = nics
        .iter()
        .map(|nic| {
            let reach = reach_from(&fabric, &space, *nic);
            bar.iter().for_each(|b| b.advance(1));
            ReachReport::new(&fabric, &space, file.display().to_string(), &reach)
        })
        .collect();
    drop(bar);
    emit(&ReachReports { sources }, format, out)?;
    Ok(ExitCode::SUCCESS)
}
