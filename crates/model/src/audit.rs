//! What a scenario tells the exfiltration audit (`audit:`), and what it expects of it
//! (`outcome: no_exfiltration` / `exfiltration`).

use crate::{EndpointId, ServiceId, SourceLoc};

/// The scenario's word on the audit. Everything defaults to the built-in reading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditSettings {
    /// The protected sources. Empty: every AML compute, AKS node pool and online deployment.
    pub sources: Vec<EndpointId>,
    /// Destinations the scenario declares read-only egress, overriding the built-in
    /// classification: FQDN patterns (`pypi.org`, `*.example.com`), service names or service tags.
    pub read_only: Vec<String>,
    /// Destinations the scenario declares write-capable, in the same forms.
    pub write_capable: Vec<String>,
    /// Declared services that are not the scenario's own (a partner's account): a path to them
    /// is exfiltration.
    pub foreign: Vec<ServiceId>,
}

/// What an exfiltration expectation says of a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedExfiltration {
    /// `outcome: no_exfiltration`: the audit finds no path out from the source.
    None,
    /// `outcome: exfiltration`: the audit finds at least one; with `by:`, one that the named
    /// object opens (as `by:` of a connection: `nsg`, `nsg/rule`, `firewall`, ...).
    Found { by: Option<String> },
}

/// An expectation on the exfiltration audit of one source.
#[derive(Clone, Debug)]
pub struct ExfiltrationExpectation {
    pub loc: SourceLoc,
    pub label: String,
    pub from_text: String,
    pub from: EndpointId,
    pub outcome: ExpectedExfiltration,
}
