use crate::imports;
use crate::input;
use crate::output::Failure;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vnetsim_import::{Disk, Request};

/// What `vnetsim import` reads and where it writes.
pub struct ImportArgs<'a> {
    pub sources: &'a [PathBuf],
    pub vars: &'a [String],
    pub var_files: &'a [PathBuf],
    pub output: Option<&'a Path>,
}

/// Writes the scenario YAML equivalent to the inputs, each object under a comment naming the
/// resource it came from, then what was left aside.
pub fn import(args: &ImportArgs, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let mut vars = Vec::new();
    for v in args.vars {
        let (k, value) = imports::parse_var(v).map_err(|e| Failure::Input(format!("error: {e}\n")))?;
        vars.push((k, value));
    }
    let imports::TemplateParameters { files: parameter_files, values: parameters } = imports::template_parameter_args();
    let mut requests = Vec::new();
    for path in args.sources {
        if !path.exists() {
            return Err(Failure::Input(format!("error: {}: no such file or folder\n", path.display())));
        }
        let Some(kind) = vnetsim_import::detect(&Disk, path) else {
            return Err(Failure::Input(format!(
                "error: {}: not a folder of .tf files, `terraform show -json` output, an ARM template or an export of Azure resources\n",
                path.display()
            )));
        };
        requests.push(Request {
            kind,
            path: path.clone(),
            display: path.display().to_string(),
            vars: vars.clone(),
            var_files: args.var_files.to_vec(),
            parameter_files: parameter_files.clone(),
            parameters: parameters.clone(),
        });
    }
    let imported = vnetsim_import::import(&requests, &Disk).map_err(|d| {
        let source = input::Source { name: args.sources[0].display().to_string(), text: String::new() };
        Failure::Input(input::rendered_chain(d, &source, &[]).text)
    })?;
    let mut text = imported.yaml;
    text.push_str(&imports::summary_comments(&imported.summary));
    match args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Failure::Input(format!("error: cannot write {}: {e}\n", path.display())))?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
