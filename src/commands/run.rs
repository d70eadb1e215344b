use crate::input::{self, InputError, Source};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use vnetsim_report::SuiteFormat;
use vnetsim_report::suite::{FileResults, SuiteReport};

/// Runs every expectation. Exit 0 when all hold, 1 when any fails, 2 when any file is invalid
/// (valid files are still run and reported), whatever the format.
pub fn run(paths: &[PathBuf], format: SuiteFormat) -> Result<ExitCode, InputError> {
    let mut bad_input = String::new();
    let sources: Vec<Source> = if paths.is_empty() {
        input::builtin()
    } else {
        // An unreadable file is reported like an invalid one; the others still run.
        input::expand(paths)?.iter().filter_map(|p| input::read(p).map_err(|e| bad_input.push_str(&e.0)).ok()).collect()
    };
    let progress = Progress::new(sources.len());
    let mut files = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        progress.show(i + 1, &source.name);
        match input::load(source) {
            Ok(scenario) => {
                let fabric = input::compile(scenario);
                let results = vnetsim_analysis::check_scenario(&fabric);
                files.push(FileResults::new(source.name.clone(), &fabric, results));
            }
            Err(e) => bad_input.push_str(&e.0),
        }
    }
    progress.clear();
    let report = SuiteReport::new(files);
    let output = match format {
        SuiteFormat::Human => report.to_human(),
        SuiteFormat::Json => vnetsim_report::to_json(&report),
        SuiteFormat::Junit => report.to_junit(),
        SuiteFormat::Sarif => report.to_sarif(),
    };
    print!("{output}");
    if !bad_input.is_empty() {
        return Err(InputError(bad_input));
    }
    Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `[3/17] file` on stderr while a suite of more than a few files runs. Only on a terminal, so
/// logs, pipes and tests never see it; stdout is untouched, so every format can show it.
struct Progress {
    total: usize,
    shown: bool,
}

impl Progress {
    const MIN_FILES: usize = 5;

    fn new(total: usize) -> Progress {
        Progress { total, shown: total > Self::MIN_FILES && std::io::stderr().is_terminal() }
    }

    fn show(&self, done: usize, file: &str) {
        if self.shown {
            // `\r` and erase-line redraw the one line in place.
            eprint!("\r\x1b[2K[{done}/{}] {file}", self.total);
        }
    }

    fn clear(&self) {
        if self.shown {
            eprint!("\r\x1b[2K");
        }
    }
}
