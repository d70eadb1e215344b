//! One function per subcommand.

mod check;
mod flows;
mod inspect;
mod run;
mod trace;

pub use check::check;
pub use flows::{FlowsArgs, catalogue, flows};
pub use inspect::{graph, routes};
pub use run::run;
pub use trace::{TraceArgs, trace};
