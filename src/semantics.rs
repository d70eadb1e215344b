//! The switches for behaviour the Azure documentation leaves open (azure-semantics.md §12), on
//! the command line, named and spelt as the keys of a scenario's `options:` block. A flag
//! overrides that block, which overrides the documented default, for every scenario of the run.

use clap::ValueEnum;
use std::sync::OnceLock;
use vnetsim_engine::{AnyProtocol, Options};

#[derive(clap::Args)]
#[command(
    next_help_heading = "Semantics options (readings the Azure docs leave open; override the scenario's `options:`)"
)]
pub struct SemanticsArgs {
    /// N-3: what an NSG rule with protocol `Any` matches [default: all]
    #[arg(long, global = true, value_enum, value_name = "READING")]
    any_protocol: Option<AnyProtocolArg>,
    /// P-10: whether private endpoints carry TCP only [default: true]
    #[arg(long, global = true, value_name = "true|false")]
    private_endpoint_tcp_only: Option<bool>,
    /// F-9: whether a firewall application rule target `*.contoso.com` also matches the apex
    /// `contoso.com` [default: false]
    #[arg(long, global = true, value_name = "true|false")]
    firewall_wildcard_matches_apex: Option<bool>,
    /// whether `allowForwardedTraffic` also judges the replies of a flow the receiving
    /// VNet opened (the strict reading) [default: false, the reading revised from deployed
    /// networks]
    #[arg(long, global = true, value_name = "true|false")]
    forwarded_traffic_checks_replies: Option<bool>,
    /// N-16: whether security admin rules judge the replies of a flow at NICs the request
    /// passed [default: false, stateful like NSGs (N-9)]
    #[arg(long, global = true, value_name = "true|false")]
    admin_rules_judge_replies: Option<bool>,
    /// Hops through appliances before a walk is declared a loop (R-17) [default: 16]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u8).range(1..))]
    max_hops: Option<u8>,
    /// The region of the foreign resources undeclared Azure names resolve to
    /// (`someone.blob.core.windows.net`) [default: the scenario's region]
    #[arg(long, global = true, value_name = "REGION", value_parser = region)]
    foreign_region: Option<String>,
}

/// A region name as scenario files spell it (letters and digits), lower-cased.
fn region(text: &str) -> Result<String, String> {
    if !text.is_empty() && text.len() <= 40 && text.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err("a region is letters and digits, e.g. `westeurope`".to_string())
    }
}

/// The values of `options.any_protocol`, spelt as in scenario files.
#[derive(Clone, Copy, ValueEnum)]
enum AnyProtocolArg {
    /// Every IP protocol (the suggested model).
    All,
    /// The documented wording: TCP, UDP and ICMP only.
    #[value(name = "tcp_udp_icmp")]
    TcpUdpIcmp,
}

/// The flags of this run, as overrides.
#[derive(Clone, Default)]
struct Overrides {
    any_protocol: Option<AnyProtocol>,
    pe_tcp_only: Option<bool>,
    fw_wildcard_matches_apex: Option<bool>,
    forwarded_traffic_checks_replies: Option<bool>,
    admin_rules_judge_replies: Option<bool>,
    max_hops: Option<u8>,
    foreign_region: Option<String>,
}

static OVERRIDES: OnceLock<Overrides> = OnceLock::new();

/// Records the flags for [`apply`].
pub fn set(args: &SemanticsArgs) {
    let overrides = Overrides {
        any_protocol: args.any_protocol.map(|a| match a {
            AnyProtocolArg::All => AnyProtocol::AllProtocols,
            AnyProtocolArg::TcpUdpIcmp => AnyProtocol::TcpUdpIcmp,
        }),
        pe_tcp_only: args.private_endpoint_tcp_only,
        fw_wildcard_matches_apex: args.firewall_wildcard_matches_apex,
        forwarded_traffic_checks_replies: args.forwarded_traffic_checks_replies,
        admin_rules_judge_replies: args.admin_rules_judge_replies,
        max_hops: args.max_hops,
        foreign_region: args.foreign_region.clone(),
    };
    let _ = OVERRIDES.set(overrides);
}

/// `options` with this run's flags applied.
pub fn apply(mut options: Options) -> Options {
    let Some(o) = OVERRIDES.get() else { return options };
    if let Some(v) = o.any_protocol {
        options.any_protocol = v;
    }
    if let Some(v) = o.pe_tcp_only {
        options.pe_tcp_only = v;
    }
    if let Some(v) = o.fw_wildcard_matches_apex {
        options.fw_wildcard_matches_apex = v;
    }
    if let Some(v) = o.forwarded_traffic_checks_replies {
        options.forwarded_traffic_checks_replies = v;
    }
    if let Some(v) = o.admin_rules_judge_replies {
        options.admin_rules_judge_replies = v;
    }
    if let Some(v) = o.max_hops {
        options.max_hops = v;
    }
    if let Some(v) = &o.foreign_region {
        options.foreign_region = Some(v.clone());
    }
    options
}
