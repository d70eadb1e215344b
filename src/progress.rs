//! The progress bar of long commands (issue 22): on standard error, and only when standard
//! error is a terminal, so pipes, files and tests see nothing but the usual output. It shows
//! units done of the total with elapsed time and an ETA, and is cleared when the work ends (or
//! the command fails), so the report on standard output reads as without it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;
use vnetsim_analysis::progress::Progress;

/// A bar for one piece of work: "auditing 1,234/2,500 sources".
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar reading "`doing` done/total `units`", hidden unless standard error is a terminal.
    /// It is redrawn between reports too, so elapsed time moves while a large source is walked.
    pub fn new(doing: &str, units: &'static str) -> Bar {
        let bar = Bar::quiet(doing, units);
        if !bar.0.is_hidden() {
            bar.0.enable_steady_tick(Duration::from_millis(250));
        }
        bar
    }

    /// A bar redrawn only when work is reported, so that nothing runs beside a timed run.
    pub fn quiet(doing: &str, units: &'static str) -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        // Until the total is known (the header space is still being cut), elapsed time only.
        Bar(ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style("{prefix} {msg}: preparing… {elapsed}"))
            .with_prefix(doing.to_string())
            .with_message(units))
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_style(style("{prefix} {human_pos}/{human_len} {msg} {wide_bar} {elapsed} (ETA {eta})"));
        self.0.set_length(total);
    }

    fn advance(&self, units: u64) {
        self.0.inc(units);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("a valid template")
}
