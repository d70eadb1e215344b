//! The engine: compiles a scenario into the fabric once, then walks packets through it.
//!
//! `fabric` holds the compiled, read-only form (effective routes, VirtualNetwork sets, flat NSG
//! rule arrays, the routing graph); `walk` moves packets hop by hop and writes steps into a
//! `trace` sink; `outcome` says what each step did, as data (kind, place, deciding object,
//! result); the words for printers are made in `vnetsim_report::explain`.

pub mod addr_set;
pub mod completion;
pub mod dns;
pub mod fabric;
pub mod flow;
pub mod intervals;
pub mod lpm;
pub mod options;
pub mod outcome;
pub mod packet;
pub mod query;
pub mod rule_masks;
pub mod service;
pub mod trace;
pub mod walk;

pub use completion::Completion;
pub use fabric::Fabric;
pub use flow::Connection;
pub use options::{AnyProtocol, Options};
pub use outcome::{Decider, DeciderKind, StepKind, StepOutcome, StepVerdict};
pub use packet::Packet;
pub use trace::{Disposition, NoTrace, Recorder, Step, TraceSink};
pub use walk::{Origin, Verdict};
