//! Where every report goes: [`emit`] renders it in the chosen format onto standard output. A
//! reader that closes the pipe early (`vnetsim check … | head -1`) is no error: the rest of the
//! output is dropped quietly and the command ends with the exit code of its verdict (0, or 1
//! for failed expectations or findings, 2 for invalid input), so `set -o pipefail` never turns a
//! failing suite green. Any other write error is reported. Messages go to standard error through
//! [`warn`], which never fails the run either.

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
        Failure::Input(e.text)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Output(e)
    }
}

/// Standard output as a reader may leave it: once a write meets a closed pipe, it and every
/// later write are dropped as if written.
pub struct Stdout<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Stdout<W> {
    pub fn new(inner: W) -> Self {
        Stdout { inner, closed: false }
    }

    fn quietly(&mut self, result: io::Result<usize>, len: usize) -> io::Result<usize> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(len)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.quietly(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush().map(|()| 0);
        self.quietly(result, 0).map(|_| ())
    }
}

/// Writes a message to standard error with its control characters made visible; a closed
/// standard error loses the message, never the run.
pub fn warn(message: &str) {
    let _ = io::stderr().write_all(vnetsim_report::visible(message).as_bytes());
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
