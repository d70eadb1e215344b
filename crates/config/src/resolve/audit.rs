//! `audit:` resolved: the endpoints the exfiltration audit protects, and the declared services
//! that are not the scenario's own.

use super::Resolver;
use crate::decode::Sp;
use crate::place::End;
use crate::raw::RawAudit;
use vnetsim_model::*;

impl Resolver<'_> {
    pub(super) fn audit(&mut self, raw: &RawAudit) {
        let sources = raw.sources.iter().filter_map(|s| self.audit_source(s)).collect();
        let foreign = raw.foreign.iter().filter_map(|f| self.foreign_service(f)).collect();
        let texts = |list: &[Sp<String>]| list.iter().map(|e| e.value.clone()).collect();
        self.s.audit = AuditSettings {
            sources,
            read_only: texts(&raw.read_only),
            write_capable: texts(&raw.write_capable),
            foreign,
        };
    }

    /// An endpoint the audit looks for paths out of, as `sources:` and an audit expectation's
    /// `from:` name it: one that starts connections (not a private endpoint or gateway, P-2, nor a
    /// firewall, F-12), written without a node index since the audit covers every node.
    pub(super) fn audit_source(&mut self, text: &Sp<String>) -> Option<EndpointId> {
        let what = match self.place(text, End::Source)? {
            Place::Endpoint { endpoint, .. } => {
                let name = &self.s.endpoint(endpoint).name;
                if *name == text.value {
                    return Some(endpoint);
                }
                self.d.error(text.loc, format!("the exfiltration audit covers every node of `{name}`: write `{name}`"));
                return None;
            }
            Place::Internet(_) => "the internet",
            Place::OnPrem { .. } => "an on-premises network",
            Place::Service(_) => "a service",
            Place::Address(_) => "an address",
        };
        self.d.error(
            text.loc,
            format!(
                "`{}` is {what}, not an endpoint: the exfiltration audit looks for paths out of the scenario's endpoints",
                text.value
            ),
        );
        None
    }

    /// A declared service that is not the scenario's own. Built-in ones are already either
    /// Microsoft's or, for storage accounts nobody declared, foreign.
    fn foreign_service(&mut self, name: &Sp<String>) -> Option<ServiceId> {
        if self.services.get(&name.value).is_none() && self.s.services.iter().any(|s| s.builtin && s.name == name.value)
        {
            self.d.error(
                name.loc,
                format!("`{}` is a built-in service: `foreign` lists services the scenario declares", name.value),
            );
            return None;
        }
        self.services.resolve(name, self.d)
    }
}
