use crate::input::{self, InputError};
use std::path::Path;
use std::process::ExitCode;
use vnetsim_analysis::reach::{ReachOptions, Space, reach as reach_from};
use vnetsim_engine::fabric::Fabric;
use vnetsim_model::{NicId, SubnetId};
use vnetsim_report::Format;
use vnetsim_report::reach::ReachReport;

/// `--from`: an endpoint (`vm1`, `cluster[2]`: its NIC in that node; node 0 otherwise) or a
/// subnet `vnet/subnet` (every NIC there that starts connections).
pub fn sources(fabric: &Fabric, from: &str) -> Result<Vec<NicId>, InputError> {
    let s = &fabric.scenario;
    if let Some(subnet) = (0..s.subnets.len()).map(SubnetId::from_index).find(|i| s.subnet_path(*i) == from) {
        let nics: Vec<NicId> = (0..s.nics.len())
            .map(NicId::from_index)
            .filter(|n| s.nic(*n).subnet == subnet && s.endpoint(s.nic(*n).endpoint).kind.starts_connections())
            .filter(|n| s.primary_nic(s.nic(*n).endpoint, s.nic(*n).node) == Some(*n))
            .collect();
        if nics.is_empty() {
            return Err(InputError(format!(
                "error: --from: subnet `{from}` has no endpoint that starts connections\n"
            )));
        }
        return Ok(nics);
    }
    let (name, node) = match from.strip_suffix(']').and_then(|f| f.split_once('[')) {
        Some((name, node)) => (name, node.parse::<u32>().ok()),
        None => (from, Some(0)),
    };
    let endpoint = s.endpoints.iter().position(|e| e.name == name && e.kind.starts_connections());
    match (endpoint, node) {
        (Some(e), Some(node)) => match s.primary_nic(vnetsim_model::EndpointId::from_index(e), node) {
            Some(nic) => Ok(vec![nic]),
            None => Err(InputError(format!("error: --from: `{name}` has no node {node}\n"))),
        },
        _ => {
            let mut known: Vec<String> =
                s.endpoints.iter().filter(|e| e.kind.starts_connections()).map(|e| e.name.clone()).collect();
            known.extend((0..s.subnets.len()).map(|i| s.subnet_path(SubnetId::from_index(i))));
            Err(InputError(format!(
                "error: --from: `{from}` is not an endpoint that starts connections or a subnet; choose one of: {}\n",
                known.join(", ")
            )))
        }
    }
}

/// Prints everything each source can get delivered. Exit 0: reachability is an answer.
pub fn reach(file: &Path, from: &str, options: ReachOptions, format: Format) -> Result<ExitCode, InputError> {
    let fabric = input::load_fabric(file)?;
    let nics = sources(&fabric, from)?;
    let space = Space::new(&fabric, options);
    let reports: Vec<ReachReport> = nics
        .iter()
        .map(|nic| ReachReport::new(&fabric, &space, file.display().to_string(), &reach_from(&fabric, &space, *nic)))
        .collect();
    match format {
        Format::Human => {
            let texts: Vec<String> = reports.iter().map(ReachReport::to_human).collect();
            print!("{}", texts.join("\n"));
        }
        Format::Json => print!("{}", vnetsim_report::to_json(&reports)),
    }
    Ok(ExitCode::SUCCESS)
}
