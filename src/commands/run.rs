use crate::input;
use crate::output::{Failure, emit};
use crate::sources::{default_suite, sources};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vnetsim_report::expected_errors::ExpectedErrors;
use vnetsim_report::suite::{FileResults, SuiteReport};
use vnetsim_report::{Format, visible};

/// Runs every expectation. Exit 0 when all hold, 1 when any fails, 2 when any file is invalid
/// or a path holds no scenario (valid files are still run and reported), whatever the format.
/// A file with `# expect-error:` lines is loaded only, and holds when loading fails with every
/// text it names.
pub fn run(paths: &[PathBuf], format: Format, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let (sources, mut invalid) = if paths.is_empty() { default_suite() } else { sources(paths) };
    let progress = Progress::new(sources.len());
    let mut files = Vec::new();
    let mut negative = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        progress.show(i + 1, &source.name);
        let expected = match input::expected_errors(source) {
            Ok(expected) => expected,
            Err(e) => {
                invalid.push(e.invalid_file(source.name.clone()));
                continue;
            }
        };
        if !expected.is_empty() {
            let errors = input::load(source).err().map(|e| e.text);
            negative.push(ExpectedErrors::new(source.name.clone(), expected, errors));
            continue;
        }
        match input::load_fabric_from(source) {
            Ok(fabric) => {
                let results = vnetsim_analysis::check_scenario(&fabric);
                files.push(FileResults::new(source.name.clone(), &fabric, results));
            }
            Err(e) => invalid.push(e.invalid_file(source.name.clone())),
        }
    }
    progress.clear();
    let report = SuiteReport::new(files, invalid).with_expected_errors(negative);
    emit(&report, format, out)?;
    if !report.invalid.is_empty() {
        out.flush()?;
        let errors: String = report.invalid.iter().map(|f| f.errors.as_str()).collect();
        return Err(Failure::Input(errors));
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
            // The escape sequence is ours; the file name is made visible like any name.
            let _ =
                std::io::stderr().write_all(format!("\r\x1b[2K[{done}/{}] {}", self.total, visible(file)).as_bytes());
        }
    }

    fn clear(&self) {
        if self.shown {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
        }
    }
}
