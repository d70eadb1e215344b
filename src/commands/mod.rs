//! One function per subcommand: each loads its input, asks the library, and emits one report.

mod audit;
mod bench;
mod check;
mod diff;
mod flows;
mod import;
mod inspect;
mod reach;
mod replay;
mod run;
mod trace;

pub use audit::audit;
pub use bench::{BenchArgs, bench};
pub use check::check;
pub use diff::{Versions, diff};
pub use flows::{FlowsArgs, flows};
pub use import::{ImportArgs, import};
pub use inspect::{graph, routes};
pub use reach::reach;
pub use replay::{ReplayArgs, replay};
pub use run::run;
pub use trace::{protocol, trace};
