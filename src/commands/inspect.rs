use crate::input;
use crate::output::{Failure, choices, emit};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use vnetsim_engine::fabric::graph::{GraphOptions, RoutingGraph};
use vnetsim_model::SubnetId;
use vnetsim_report::Format;
use vnetsim_report::graph::GraphReport;
use vnetsim_report::routes::RoutesReport;

pub fn graph(file: &Path, with_drop_routes: bool, format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let fabric = input::load_fabric(file)?;
    let graph = RoutingGraph::build(&fabric, GraphOptions { drop_routes: with_drop_routes });
    emit(&GraphReport::new(&fabric.scenario, &graph), format, out)?;
    Ok(ExitCode::SUCCESS)
}

/// A subnet's effective routes in Azure's column order: source, state, prefix, next hop.
pub fn routes(file: &Path, subnet: &str, format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let fabric = input::load_fabric(file)?;
    let s = &fabric.scenario;
    let Some(id) = (0..s.subnets.len()).map(SubnetId::from_index).find(|i| s.subnet_path(*i) == subnet) else {
        let known: Vec<String> = (0..s.subnets.len()).map(|i| s.subnet_path(SubnetId::from_index(i))).collect();
        let hint = vnetsim_config::diagnostic::did_you_mean(subnet, known.iter().map(String::as_str))
            .map_or_else(|| format!("subnets: {}", choices(&known)), |m| format!("did you mean `{m}`?"));
        return Err(Failure::Input(format!("error: --subnet: unknown subnet `{subnet}`; {hint}\n")));
    };
    emit(&RoutesReport::new(&fabric, id), format, out)?;
    Ok(ExitCode::SUCCESS)
}
