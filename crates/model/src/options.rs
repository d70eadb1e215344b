//! Semantic switches for behaviour the documentation leaves open (azure-semantics.md §12).
//!
//! A scenario sets them in its `options:` block (`Scenario::options`); the engine compiles a
//! fabric with them. Callers may override them by changing `scenario.options` before
//! `Fabric::compile`.

/// N-3: what an NSG rule with protocol `Any` matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AnyProtocol {
    /// Every IP protocol (the suggested model).
    #[default]
    AllProtocols,
    /// The documented wording: TCP, UDP and ICMP only.
    TcpUdpIcmp,
}

/// The switches, with the documented or suggested reading as the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub any_protocol: AnyProtocol,
    /// Hops through appliances before a walk is declared a loop.
    pub max_hops: u8,
    /// P-10 (third-party, unconfirmed): private endpoints carry TCP only. On by default, as the
    /// suggested model; off lets UDP and ICMP through.
    pub pe_tcp_only: bool,
    /// F-9 (unconfirmed): whether an application rule target `*.contoso.com` also matches the
    /// apex `contoso.com`. Off by default, the documented reading.
    pub fw_wildcard_matches_apex: bool,
    /// R-15 ([FIELD]): whether `allowForwardedTraffic` also judges the replies of a flow that a
    /// NIC of the receiving VNet opened. Off by default, the revised reading: deployed hub-spoke
    /// networks get their internet replies back through a hub firewall with the flag off.
    pub forwarded_traffic_checks_replies: bool,
    /// N-16 (unconfirmed): whether security admin rules judge the replies of a flow at NICs
    /// where the request created a flow record. Off by default: the docs place admin rules in
    /// the NSG evaluation and say nothing of replies, so they are read as stateful like NSGs
    /// (N-9); on, a reply meets the admin rules of its direction like a new packet.
    pub admin_rules_judge_replies: bool,
    /// The region of the foreign resources that undeclared Azure names resolve to
    /// (`someone.blob.core.windows.net` is another tenant's storage account there). `None`: the
    /// scenario's region.
    pub foreign_region: Option<String>,
}

impl Options {
    /// The most hops through appliances a scenario may allow.
    pub const MAX_HOPS_LIMIT: u8 = u8::MAX;
}

impl Default for Options {
    fn default() -> Self {
        Options {
            any_protocol: AnyProtocol::default(),
            max_hops: 16,
            pe_tcp_only: true,
            fw_wildcard_matches_apex: false,
            forwarded_traffic_checks_replies: false,
            admin_rules_judge_replies: false,
            foreign_region: None,
        }
    }
}
