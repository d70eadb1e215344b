//! `vnetsim`: the command line. The only place that touches the terminal, the file system and
//! the exit code (0 success, 1 expectations failed or findings present, 2 bad input or usage,
//! 3 internal error).

mod commands;
mod imports;
mod input;
mod output;
mod progress;
mod semantics;
mod sources;

use clap::{Parser, Subcommand, ValueEnum};
use output::{Failure, formats_of};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vnetsim_report::Format;

#[derive(Parser)]
#[command(
    name = "vnetsim",
    version,
    about = "Offline packet-level traffic flow simulator for Azure network isolation",
    after_help = "Exit codes: 0 success, 1 expectations failed or findings present, 2 bad input or usage, 3 internal error."
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(clap::Args)]
#[command(next_help_heading = "Global options")]
struct GlobalArgs {
    /// Load service tags from Microsoft's ServiceTags_Public JSON instead of the built-in
    /// synthetic table.
    #[arg(long, global = true, value_name = "FILE")]
    service_tags: Option<PathBuf>,
    /// Apply the `managed_network` of an Azure ML CLI v2 workspace YAML to the scenario's
    /// workspace of the same name (or its only workspace). `check --workspace-yaml FILE` alone
    /// shows the managed network the file describes.
    #[arg(long, global = true, value_name = "FILE")]
    workspace_yaml: Option<PathBuf>,
    /// An ARM template's parameters file, for every template given where a scenario goes
    /// (repeatable; later files win).
    #[arg(long = "parameters", global = true, value_name = "FILE")]
    parameter_files: Vec<PathBuf>,
    /// An ARM template parameter, for every template given where a scenario goes (repeatable;
    /// wins over the files).
    #[arg(long = "param", global = true, value_name = "NAME=VALUE")]
    params: Vec<String>,
    #[command(flatten)]
    semantics: semantics::SemanticsArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOnArg {
    /// Traffic that newly gets through.
    NewAccess,
    /// Traffic that no longer gets through.
    LostAccess,
    /// Any difference at all.
    Any,
}

impl From<FailOnArg> for vnetsim_analysis::diff::Gate {
    fn from(f: FailOnArg) -> Self {
        match f {
            FailOnArg::NewAccess => vnetsim_analysis::diff::Gate::NewAccess,
            FailOnArg::LostAccess => vnetsim_analysis::diff::Gate::LostAccess,
            FailOnArg::Any => vnetsim_analysis::diff::Gate::Any,
        }
    }
}

/// What exhaustive analyses may assume about clients.
#[derive(clap::Args)]
struct Assumptions {
    /// Let a client send any TLS SNI to any address (no TLS inspection, F-8); by default a
    /// name only goes to an address it can resolve to.
    #[arg(long)]
    sni_spoofing: bool,
}

impl From<Assumptions> for vnetsim_analysis::reach::ReachOptions {
    fn from(a: Assumptions) -> Self {
        vnetsim_analysis::reach::ReachOptions { sni_spoofing: a.sni_spoofing }
    }
}

use vnetsim_report::bench::BenchReport;
use vnetsim_report::catalogue::CatalogueReport;
use vnetsim_report::check::CheckReport;
use vnetsim_report::graph::GraphReport;
use vnetsim_report::{
    audit::AuditReport, diff::DiffReport, flows::FlowReport, reach::ReachReports, replay::ReplayReport,
    routes::RoutesReport, suite::SuiteReport, trace::TraceReport,
};

#[derive(Subcommand)]
enum Command {
    /// Validate scenario files (or every *.yaml under folders) and print a summary of each;
    /// every error of an invalid file with its file:line:col.
    Check {
        /// Scenario files or folders.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, default_value = "human", value_parser = formats_of::<CheckReport>())]
        format: Format,
    },
    /// Trace one connection hop by hop, request and reply, with the rule that decided each step.
    Trace {
        /// The scenario file.
        file: PathBuf,
        /// Source: an endpoint (`vm1`, `cluster[2]`), `internet`, an on-premises network, or a
        /// service calling with its managed identity (a workspace, for trusted-service access).
        #[arg(long)]
        from: String,
        /// Destination: an endpoint, an IP address, `internet`, an on-premises network, a DNS name
        /// (`acct.file.core.windows.net:445`) or a URL (`https://acct.blob.core.windows.net`).
        #[arg(long)]
        to: String,
        /// IP protocol: tcp, udp, icmp, esp or ah.
        #[arg(long, default_value = "tcp")]
        proto: String,
        /// Destination port (TCP and UDP); default: the URL's or `host:port`'s, else 443.
        #[arg(long)]
        port: Option<u16>,
        /// Source port (TCP and UDP) [default: 50000]
        #[arg(long)]
        sport: Option<u16>,
        /// Output format.
        #[arg(long, default_value = "human", value_parser = formats_of::<TraceReport>())]
        format: Format,
    },
    /// Check every `expect:` in the given files or folders (default: ./scenarios when it
    /// exists, else the scenarios built into the binary).
    Run {
        /// Scenario files or folders.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format: JUnit XML has one test case per expectation, SARIF one result per
        /// failure located at its expectation.
        #[arg(long, default_value = "human", value_parser = formats_of::<SuiteReport>())]
        format: Format,
    },
    /// Replay the Azure ML flow catalogue (studio access, compute creation, image build, ...)
    /// from every source of a scenario: a flow × source matrix, and the step that blocks each
    /// broken flow.
    Flows {
        /// The scenario file (not needed with --list).
        #[arg(required_unless_present = "list")]
        file: Option<PathBuf>,
        /// Only this flow.
        #[arg(long)]
        flow: Option<String>,
        /// Only flows from this source (an endpoint, an on-premises network, `internet`, a workspace).
        #[arg(long)]
        from: Option<String>,
        /// Print the catalogue: each flow, what it needs and where the seeds document it.
        #[arg(long)]
        list: bool,
        /// Output format.
        #[arg(long, default_value = "human", value_parser = formats_of::<FlowReport>())]
        format: Format,
    },
    /// Everything a source can get delivered, proven over the whole header space: the classes
    /// of destination address, protocol, port and SNI name that reach each destination, with
    /// the path, the deciding rules and a witness packet.
    Reach {
        /// The scenario file.
        file: PathBuf,
        /// An endpoint that starts connections (`vm1`, `cluster[2]`; a cluster alone stands
        /// for its node 0) or a subnet (`vnet/subnet`: each of its endpoints).
        #[arg(long)]
        from: String,
        #[command(flatten)]
        assume: Assumptions,
        /// Output format.
        #[arg(long, default_value = "human", value_parser = formats_of::<ReachReports>())]
        format: Format,
    },
    /// Every exfiltration path from the protected sources (AML compute, AKS node pools, online
    /// deployments, or `audit: sources:`) to a write-capable destination that is not the
    /// scenario's own. Exit 1 when there is one.
    Audit {
        /// The scenario file.
        file: PathBuf,
        /// Audit these endpoints or subnets instead (repeatable).
        #[arg(long)]
        from: Vec<String>,
        /// List every finding with its witness trace, per source, instead of one line per group
        /// of findings (human format; JSON always holds every finding).
        #[arg(long)]
        detail: bool,
        #[command(flatten)]
        assume: Assumptions,
        /// Output format.
        #[arg(long, default_value = "human", value_parser = formats_of::<AuditReport>())]
        format: Format,
    },
    /// What a change does: the objects that differ, and every class of traffic (per source
    /// endpoint, over the whole header space) whose outcome differs, with witness packets and
    /// their traces before and after; flows, expectations and exfiltration findings that
    /// change. Exit 0 when nothing changed, 1 when something did (see --fail-on).
    Diff {
        /// BEFORE AFTER, or with --git the one FILE to compare with its version at REV.
        #[arg(num_args = 1..=2, required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Compare FILE at this git revision (before) with the working copy (after).
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// Which changes make the exit code 1.
        #[arg(long, value_enum, default_value = "any")]
        fail_on: FailOnArg,
        /// Walk every class of every source instead of only those the change can touch.
        #[arg(long)]
        everything: bool,
        #[command(flatten)]
        assume: Assumptions,
        /// Output format; markdown is a pull-request comment, with the traces folded.
        #[arg(long, default_value = "human", value_parser = formats_of::<DiffReport>())]
        format: Format,
        /// List every entry of every section (human format; JSON always holds every entry)
        /// instead of each section's first 20.
        #[arg(long)]
        detail: bool,
    },
    /// Write a generated enterprise landing zone as scenario YAML: a hub (firewall with
    /// thousands of rules, DNS forwarders, VPN to on premises) and N spokes, each an Azure ML
    /// workspace with its subnets, NSGs, routes, private endpoints, computes and expectations.
    /// Same seed, same file. `--format terraform` prints the same network as one azurerm v4
    /// `main.tf` instead (spokes as `for_each` over `local.spokes`; no expectations).
    Gen {
        /// Number of spokes.
        #[arg(long)]
        spokes: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// What to write: scenario YAML, a Terraform configuration (main.tf), or an Azure export
        /// (the resources' GET bodies as one JSON array) on stdout.
        #[arg(long, default_value = "yaml", value_parser = ["yaml", "terraform", "arm-export"])]
        format: String,
    },
    /// Replay the flow catalogue from every source, then a stream of generated packets, in
    /// parallel; print outcome counts by disposition and by deciding object. Memory does not
    /// grow with --packets; the counts are the same at any thread count.
    Replay {
        /// The scenario file.
        file: PathBuf,
        /// Generated packets to walk after the catalogue.
        #[arg(long, default_value_t = 1_000_000)]
        packets: u64,
        /// Worker threads (default 0: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Seed of the packet stream.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Deciding objects to list in human output (JSON lists all).
        #[arg(long, default_value_t = 15)]
        top: usize,
        /// Output format.
        #[arg(long, default_value = "human", value_parser = formats_of::<ReplayReport>())]
        format: Format,
    },
    /// Measure the engine on generated landing zones of each size: load and compile time,
    /// packet walks per second and ns per walk on one thread and on every core, peak memory.
    Bench {
        /// Sizes to measure, in spokes.
        #[arg(long, num_args = 1.., default_values_t = [10, 100, 1000])]
        spokes: Vec<usize>,
        /// Packets to walk per run.
        #[arg(long, default_value_t = 1_000_000)]
        packets: u64,
        /// Runs per thread count; the table gives the median (a shared machine's noise).
        #[arg(long, default_value_t = 3)]
        rounds: u32,
        /// Seed of the generated zones and packets.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output format; human is a Markdown table.
        #[arg(long, default_value = "human", value_parser = formats_of::<BenchReport>())]
        format: Format,
    },
    /// Print the routing graph of a scenario: subnets by VNet, appliances, firewalls, gateways,
    /// on-premises networks and the routes between them, as Graphviz DOT or JSON.
    Graph {
        /// The scenario file.
        file: PathBuf,
        /// Also draw the system routes that drop packets (the reserved ranges' `None` routes).
        #[arg(long)]
        with_drop_routes: bool,
        /// Output format: DOT for Graphviz (`| dot -Tsvg`), or JSON nodes and edges.
        #[arg(long, default_value = "dot", value_parser = formats_of::<GraphReport>())]
        format: Format,
    },
    /// Write the scenario YAML a Terraform configuration (a folder of .tf files, evaluated like
    /// `terraform plan`), `terraform show -json` output, an ARM template (with --parameters and
    /// --param) or an export of deployed resources describes, each object under a comment naming
    /// its resource and file:line, computed values marked, and the resources left aside listed at
    /// the end. Every command also takes such a folder or file where a scenario goes.
    Import {
        /// Terraform folders, plan/state JSON files, ARM templates, exports (files or folders),
        /// imported together (a `data` source of a later one finds the resources of the earlier
        /// ones).
        #[arg(required = true, value_name = "SOURCE")]
        sources: Vec<PathBuf>,
        /// A Terraform variable, like `terraform plan -var` (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// A variable file, like `terraform plan -var-file` (repeatable); `terraform.tfvars` and
        /// `*.auto.tfvars` are read anyway.
        #[arg(long = "var-file", value_name = "FILE")]
        var_files: Vec<PathBuf>,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print a subnet's effective routes, including invalid ones, as Azure shows them.
    Routes {
        /// The scenario file.
        file: PathBuf,
        /// The subnet, as `vnet/subnet`.
        #[arg(long)]
        subnet: String,
        /// Output format.
        #[arg(long, default_value = "human", value_parser = formats_of::<RoutesReport>())]
        format: Format,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(output::Stdout::new(stdout.lock()));
    // A panic is a bug, never a verdict: report it as an internal error (exit 3).
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        input::set_service_tags(cli.global.service_tags.as_deref())?;
        input::set_workspace_yaml(cli.global.workspace_yaml.as_deref())?;
        imports::set_template_parameters(&cli.global.parameter_files, &cli.global.params)
            .map_err(|e| Failure::Input(format!("error: {e}\n")))?;
        semantics::set(&cli.global.semantics);
        let code = dispatch(cli.command, &mut out)?;
        out.flush()?;
        Ok::<_, Failure>(code)
    }));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(Failure::Input(message))) => {
            output::warn(&message);
            ExitCode::from(2)
        }
        Ok(Err(Failure::Output(e))) => {
            output::warn(&format!("error: cannot write the output: {e}\n"));
            ExitCode::from(3)
        }
        Err(_) => {
            output::warn("error: internal error in vnetsim (a bug: please report it with the input that caused it)\n");
            ExitCode::from(3)
        }
    }
}

fn dispatch(command: Command, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    match command {
        Command::Check { paths, format } => commands::check(&paths, format, out),
        Command::Trace { file, from, to, proto, port, sport, format } => {
            let protocol = commands::protocol(&proto)?;
            if sport.is_some() && !protocol.has_ports() {
                return Err(Failure::Input(format!("error: --sport: {protocol} has no ports; leave --sport out\n")));
            }
            let source_port = sport.unwrap_or(vnetsim_model::scenario::DEFAULT_SOURCE_PORT);
            let request = vnetsim::TraceRequest { from: &from, to: &to, protocol, port, source_port };
            commands::trace(&file, &request, format, out)
        }
        Command::Run { paths, format } => commands::run(&paths, format, out),
        Command::Flows { list: true, format, .. } => {
            output::emit(&CatalogueReport::new(), format, out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Flows { file: Some(file), flow, from, format, .. } => {
            let args = commands::FlowsArgs { flow: flow.as_deref(), from: from.as_deref() };
            commands::flows(&file, &args, format, out)
        }
        Command::Flows { file: None, .. } => Err(Failure::Input("error: flows needs a FILE, or --list\n".into())),
        Command::Reach { file, from, assume, format } => commands::reach(&file, &from, assume.into(), format, out),
        Command::Audit { file, from, detail, assume, format } => {
            commands::audit(&file, &from, assume.into(), detail, format, out)
        }
        Command::Diff { files, git, fail_on, everything, assume, format, detail } => {
            let versions = match (git.as_deref(), files.as_slice()) {
                (None, [before, after]) => commands::Versions::Files(before, after),
                (Some(revision), [file]) => commands::Versions::Git { revision, file },
                (None, _) => return Err(Failure::Input("error: diff needs two files: BEFORE AFTER\n".into())),
                (Some(_), _) => return Err(Failure::Input("error: diff --git REV takes one FILE\n".into())),
            };
            let options = vnetsim_analysis::diff::DiffOptions { reach: assume.into(), everything };
            commands::diff(versions, options, fail_on.into(), format, detail, out)
        }
        Command::Gen { spokes, seed, format } => {
            if spokes > vnetsim_gen::MAX_SPOKES {
                let max = vnetsim_gen::MAX_SPOKES;
                return Err(Failure::Input(format!(
                    "error: --spokes {spokes}: at most {max} spokes fit the address plan\n"
                )));
            }
            let options = vnetsim_gen::Options { spokes, seed };
            let text = match format.as_str() {
                "terraform" => vnetsim_gen::generate_terraform(&options),
                "arm-export" => vnetsim_gen::generate_arm_export(&options),
                _ => vnetsim_gen::generate(&options),
            };
            out.write_all(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay { file, packets, threads, seed, top, format } => {
            commands::replay(&file, &commands::ReplayArgs { packets, threads, seed, top }, format, out)
        }
        Command::Bench { spokes, packets, rounds, seed, format } => {
            commands::bench(&commands::BenchArgs { spokes: &spokes, packets, rounds, seed }, format, out)
        }
        Command::Graph { file, with_drop_routes, format } => commands::graph(&file, with_drop_routes, format, out),
        Command::Routes { file, subnet, format } => commands::routes(&file, &subnet, format, out),
        Command::Import { sources, vars, var_files, output } => {
            let args = commands::ImportArgs {
                sources: &sources,
                vars: &vars,
                var_files: &var_files,
                output: output.as_deref(),
            };
            commands::import(&args, out)
        }
    }
}
