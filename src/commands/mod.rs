//! One function per subcommand.

mod audit;
mod bench;
mod check;
mod diff;
mod flows;
mod inspect;
mod reach;
mod replay;
mod run;
mod trace;

pub use audit::audit;
pub use bench::{BenchArgs, bench};
pub use check::check;
pub use diff::{DiffFormat, Versions, diff};
pub use flows::{FlowsArgs, catalogue, flows};
pub use inspect::{graph, routes};
pub use reach::reach;
pub use replay::{ReplayArgs, replay};
pub use run::run;
pub use trace::{TraceArgs, trace};
