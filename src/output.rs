//! Where every report goes: [`emit`] renders it in the chosen format onto standard output. A
//! reader that closes the pipe early (`vnetsim check … | head -1`) ends the run quietly with
//! exit 0, as ripgrep does; any other write error is reported.

use crate::input::InputError;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::io::{self, Write};
use vnetsim_report::{Format, Report, render};

/// Why a command stopped early.
pub enum Failure {
    /// Bad input or usage, already rendered for the terminal: exit 2.
    Input(String),
    /// Standard output could not be written.
    Output(io::Error),
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Input(e.0)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Output(e)
    }
}

/// Writes `report` in `format`.
pub fn emit<R: Report>(report: &R, format: Format, out: &mut dyn Write) -> Result<(), Failure> {
    let text = render(report, format).ok_or_else(|| {
        let names: Vec<&str> = R::FORMATS.iter().map(|f| f.name()).collect();
        Failure::Input(format!("error: --format {}: choose one of {}\n", format.name(), names.join(", ")))
    })?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The `--format` values of a report, as clap checks and lists them in `--help`.
pub fn formats_of<R: Report>() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(R::FORMATS.iter().map(|f| f.name()))
        .map(|name| *Format::ALL.iter().find(|f| f.name() == name).expect("clap accepts only the listed names"))
}

/// A list of names for a message: the first few, then how many more, so a scenario with
/// thousands of endpoints does not print them all.
pub fn choices<S: AsRef<str>>(names: &[S]) -> String {
    const SHOWN: usize = 8;
    let mut text: Vec<&str> = names.iter().take(SHOWN).map(AsRef::as_ref).collect();
    let more = names.len().saturating_sub(SHOWN);
    let more = (more > 0).then(|| format!("… and {more} more"));
    text.extend(more.as_deref());
    text.join(", ")
}
