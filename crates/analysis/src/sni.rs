//! The names a flow can carry as its TLS SNI or HTTP Host header, which firewall application
//! rules match (F-8). The name is the client's choice, so exhaustive reachability has to try the
//! names that matter; the set of all names is infinite, but application rules only tell names
//! apart by the patterns they list, so one representative per pattern region is exact.
//!
//! By default a name travels only to an address it can resolve to (the client cannot make
//! `pypi.org` resolve to its own server): a service's names go to its public IP and the private
//! endpoints that serve it; names the attacker can register (`<anything>.blob.core.windows.net`,
//! `<anything>.azurefd.net`, their own domain) go to the undeclared accounts and hosts they
//! would own; third-party names a rule lists (`update.code.visualstudio.com`,
//! `*.pythonhosted.org`) go to addresses no declared service holds, and so does, for a suffix
//! rule (`*pytorch.org`, F-9's field note), a name outside the intended domain that still ends
//! in the suffix (`attacker-chosen-pytorch.org`), which anyone can register. `sni_spoofing` drops the
//! pairing: every name with every address, as an HTTPS client that lies in its SNI can do
//! without TLS inspection (F-8: "HTTPS without TLS inspection matches on SNI only").

use rustc_hash::FxHashMap;
use vnetsim_engine::fabric::Fabric;
use vnetsim_engine::walk::FlowName;
use vnetsim_model::name_pattern::NamePattern;
use vnetsim_model::{IpAddr, ServiceId};

/// Storage endpoints under which anyone can create an account (A-9 names).
pub use vnetsim_model::service::STORAGE_DOMAINS;

/// Multi-tenant domains outside storage where anyone can get a name: Front Door, CDN, App
/// Service, cloud services and Traffic Manager.
pub const CLAIMABLE_DOMAINS: [&str; 5] =
    ["azurefd.net", "azureedge.net", "azurewebsites.net", "cloudapp.azure.com", "trafficmanager.net"];

/// The first label of the name an attacker registers under a multi-tenant domain.
pub const ATTACKER_LABEL: &str = "attacker-chosen";
/// A domain of the attacker's own (RFC 2606 `.example`).
pub const ATTACKER_DOMAIN: &str = "attacker-domain.example";
/// The label that stands for "any host" under a wildcard (`*.pythonhosted.org`).
const ANY_HOST: &str = "any-host";

/// Name representatives and which addresses each may travel to.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Every representative, indexed by the ids below.
    pub list: Vec<String>,
    /// The service each name belongs to, for the walk (A-9: a private endpoint serving several
    /// services hands the flow to the named one).
    pub server: Vec<Option<ServiceId>>,
    by_address: FxHashMap<IpAddr, Vec<u32>>,
    foreign_storage: Vec<u32>,
    elsewhere: Vec<u32>,
    /// Registrable names that only a `*suffix` target matches, with that target (F-9).
    registrable: Vec<(u32, String)>,
    all: Vec<u32>,
    spoofing: bool,
}

/// `*.x.y` as the representative `any-host.x.y`, `*x.y` as the intended `x.y`; other names
/// unchanged.
fn instance(pattern: &str) -> String {
    match NamePattern::parse(pattern) {
        Ok(NamePattern::Wildcard { parent }) => format!("{ANY_HOST}.{parent}"),
        Ok(NamePattern::Suffix(suffix)) => suffix.to_string(),
        _ => pattern.to_string(),
    }
}

/// For `*suffix` (F-9's field note), a name the suffix rule matches outside the domain it was
/// written for: the attacker's label glued to the suffix (`attacker-chosen-pytorch.org` for
/// `*pytorch.org`), one label anyone can register under the suffix's parent.
fn registrable(pattern: &str) -> Option<String> {
    match NamePattern::parse(pattern) {
        Ok(NamePattern::Suffix(suffix)) if suffix.starts_with('-') => Some(format!("{ATTACKER_LABEL}{suffix}")),
        Ok(NamePattern::Suffix(suffix)) => Some(format!("{ATTACKER_LABEL}-{suffix}")),
        _ => None,
    }
}

/// Whether `name` is under `domain` (what `*.domain` matches, F-9).
fn under(name: &str, domain: &str) -> bool {
    NamePattern::Wildcard { parent: domain }.matches(name, false)
}

/// The service a name belongs to in `fabric`, which the walk hands a flow carrying it to.
pub fn server_of(fabric: &Fabric, name: &str) -> Option<ServiceId> {
    fabric.public_names.lookup(name).map(|(i, _)| fabric.scenario.service_names[i as usize].service)
}

impl Names {
    pub fn new(fabric: &Fabric, sni_spoofing: bool) -> Names {
        let s = &fabric.scenario;
        let mut names = Names { spoofing: sni_spoofing, ..Names::default() };
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut add = |names: &mut Names, name: String| -> u32 {
            *index.entry(name).or_insert_with_key(|n| {
                names.list.push(n.clone());
                names.server.push(server_of(fabric, n));
                names.list.len() as u32 - 1
            })
        };
        for n in &s.service_names {
            let id = add(&mut names, instance(&n.fqdn));
            let service = s.service(n.service);
            let served_by_pe = s
                .private_endpoints
                .iter()
                .filter(|pe| pe.target == n.service || service.workspace == Some(pe.target))
                .map(|pe| s.nic(pe.nic).private_ip);
            for address in std::iter::once(service.public_ip).chain(served_by_pe) {
                let ids = names.by_address.entry(address).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        for domain in STORAGE_DOMAINS {
            let id = add(&mut names, format!("{ATTACKER_LABEL}.{domain}"));
            names.foreign_storage.push(id);
        }
        let own = add(&mut names, ATTACKER_DOMAIN.to_string());
        names.elsewhere.push(own);
        for domain in CLAIMABLE_DOMAINS {
            let id = add(&mut names, format!("{ATTACKER_LABEL}.{domain}"));
            names.elsewhere.push(id);
        }
        // Third-party names the firewalls list: they resolve somewhere no declared service is.
        for fw in &fabric.firewalls {
            for (target, _) in fw.application_targets() {
                if let Some(name) = registrable(target) {
                    let id = add(&mut names, name);
                    if !names.elsewhere.contains(&id) {
                        names.elsewhere.push(id);
                        names.registrable.push((id, target.to_string()));
                    }
                }
                let rep = instance(target);
                let known = fabric.public_names.lookup(&rep).is_some();
                let multi_tenant = STORAGE_DOMAINS.iter().chain(&CLAIMABLE_DOMAINS).any(|d| under(&rep, d));
                if NamePattern::parse(target) == Ok(NamePattern::Any) || known || multi_tenant {
                    continue;
                }
                let id = add(&mut names, rep);
                if !names.elsewhere.contains(&id) {
                    names.elsewhere.push(id);
                }
            }
        }
        names.all = (0..names.list.len() as u32).collect();
        names
    }

    /// Whether any name may go to any address (`--sni-spoofing`): then a name says nothing about
    /// where a flow goes.
    pub fn spoofing(&self) -> bool {
        self.spoofing
    }

    /// The `*suffix` target name `n` stands for when `n` is a registrable name outside the
    /// target's intended domain (F-9's field note).
    pub fn registrable_under(&self, n: u32) -> Option<&str> {
        self.registrable.iter().find(|(id, _)| *id == n).map(|(_, pattern)| pattern.as_str())
    }

    /// Name `n` as the walk takes it.
    pub fn flow_name(&self, n: u32) -> FlowName<'_> {
        FlowName { server: self.server[n as usize], name: Some(self.list[n as usize].as_str()) }
    }

    /// The names a flow to `address` can carry besides none.
    pub fn candidates(&self, fabric: &Fabric, address: IpAddr) -> &[u32] {
        if self.spoofing {
            return &self.all;
        }
        if let Some(ids) = self.by_address.get(&address) {
            return ids;
        }
        match fabric.service_at(address) {
            Some(s) if fabric.scenario.service(s).foreign => &self.foreign_storage,
            _ => &self.elsewhere,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_become_any_host_and_suffixes_respect_labels() {
        assert_eq!(instance("*.pythonhosted.org"), "any-host.pythonhosted.org");
        assert_eq!(instance("pypi.org"), "pypi.org");
        assert_eq!(instance("*pytorch.org"), "pytorch.org");
        assert_eq!(registrable("*pytorch.org").as_deref(), Some("attacker-chosen-pytorch.org"));
        assert_eq!(registrable("*-mirror.example").as_deref(), Some("attacker-chosen-mirror.example"));
        assert_eq!(registrable("*.pytorch.org"), None);
        assert!(under("x.blob.core.windows.net", "blob.core.windows.net"));
        assert!(!under("xblob.core.windows.net", "blob.core.windows.net"));
        assert!(!under("blob.core.windows.net", "blob.core.windows.net"));
    }
}
