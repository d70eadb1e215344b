//! Digests of what the walk reads, place by place, for the what-if diff.
//!
//! A walk reads the fabric only where the packet is: the subnet it is in (effective routes, NSGs,
//! NICs, the devices there, the VNet and its peerings), the service it reaches, the on-premises
//! network it leaves for, and fabric-wide tables (service tags, options). Two fabrics whose
//! digests of those places agree walk a packet that stays in them alike. Digests are rendered
//! with names instead of ids (`SubnetId(spoke/training)`), so inserting an object earlier in a
//! file does not make every later one look changed.

use super::Fabric;
use rustc_hash::FxHasher;
use std::fmt::{Debug, Write};
use std::hash::Hasher;
use vnetsim_model::{IpAddr, IpNet, NextHop, NicId, OnPremId, Scenario, ServiceId, SubnetId};

/// A 64-bit digest of a rendered text.
pub type Digest = u64;

fn digest(text: &str) -> Digest {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// The name of the object an id of kind `kind` (the id type without `Id`) and `index` names.
fn name_of(s: &Scenario, kind: &str, index: usize) -> Option<String> {
    Some(match kind {
        "Vnet" => s.vnets.get(index)?.name.clone(),
        "Subnet" => (index < s.subnets.len()).then(|| s.subnet_path(SubnetId::from_index(index)))?,
        "Nsg" => s.nsgs.get(index)?.name.clone(),
        "Asg" => s.asgs.get(index)?.clone(),
        "RouteTable" => s.route_tables.get(index)?.name.clone(),
        "Endpoint" => s.endpoints.get(index)?.name.clone(),
        "Nic" => (index < s.nics.len()).then(|| nic_name(s, NicId::from_index(index)))?,
        "Peering" => {
            let p = s.peerings.get(index)?;
            format!("{}->{}", s.vnet(p.local).name, s.vnet(p.remote).name)
        }
        "OnPrem" => s.on_prem.get(index)?.name.clone(),
        "Service" => s.services.get(index)?.name.clone(),
        "PrivateEndpoint" => s.private_endpoints.get(index)?.name.clone(),
        "Zone" => s.zones.get(index)?.name.clone(),
        "Policy" => s.policies.get(index)?.name.clone(),
        "Gateway" => s.gateways.get(index)?.name.clone(),
        "Firewall" => s.firewalls.get(index)?.name.clone(),
        "NatGateway" => s.nat_gateways.get(index)?.name.clone(),
        "LoadBalancer" => s.load_balancers.get(index)?.name.clone(),
        _ => return None,
    })
}

/// A NIC as its endpoint names it: `cluster[2]#0`, the first NIC of node 2.
pub fn nic_name(s: &Scenario, nic: NicId) -> String {
    let n = s.nic(nic);
    let e = s.endpoint(n.endpoint);
    let position = e.nics.iter().filter(|k| s.nic(**k).node == n.node).position(|k| *k == nic).unwrap_or(0);
    format!("{}#{position}", s.node_name(n.endpoint, n.node))
}

/// `value`'s `Debug` text with every typed id (`SubnetId(3)`) replaced by its object's name.
pub fn named_debug(s: &Scenario, value: &impl Debug) -> String {
    let text = format!("{value:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Id(") {
        let head = &rest[..at];
        let kind_start = head.rfind(|c: char| !c.is_ascii_alphanumeric()).map_or(0, |i| i + 1);
        let tail = &rest[at + 3..];
        let digits = tail.find(|c: char| !c.is_ascii_digit()).unwrap_or(tail.len());
        let name = (digits > 0 && tail[digits..].starts_with(')'))
            .then(|| tail[..digits].parse().ok())
            .flatten()
            .and_then(|i| name_of(s, &head[kind_start..], i));
        match name {
            Some(name) => {
                let _ = write!(out, "{head}Id({name:?})");
                rest = &tail[digits + 1..];
            }
            None => {
                out.push_str(&rest[..at + 3]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Fabric {
    fn render(&self, out: &mut String, value: &impl Debug) {
        out.push_str(&named_debug(&self.scenario, value));
        out.push('\n');
    }

    /// What a walk reads while the packet is in subnet `id`: the subnet, its effective routes,
    /// NSG and security admin rules, its VNet with its peerings and gateway, its NICs with their endpoints, NSGs and
    /// devices, the firewalls, gateways, NAT gateway, load balancers and private endpoints there,
    /// and its service endpoint policies.
    pub fn subnet_digest(&self, id: SubnetId) -> Digest {
        let s = &self.scenario;
        let subnet = s.subnet(id);
        let compiled = &self.subnets[id.index()];
        let mut out = String::new();
        self.render(&mut out, subnet);
        self.render(&mut out, &compiled.routes.routes);
        self.render(&mut out, &compiled.pe_routes.as_ref().map(|r| &r.routes));
        self.render(&mut out, &compiled.nsg.map(|i| &self.nsg_instances[i.0 as usize]));
        self.render(&mut out, &subnet.nsg.map(|n| &s.nsgs[n.index()]));
        // N-16: the admin rules its NICs evaluate, by path (indexes shift between files).
        for r in compiled.admin.iter().flat_map(|a| &self.admin_instances[a.0 as usize].refs) {
            let manager = &s.network_managers[r.manager as usize].name;
            self.render(&mut out, &(manager, s.admin_rule_path(*r), s.admin_rule(*r)));
        }
        self.render(&mut out, &s.vnet(subnet.vnet));
        self.render(&mut out, &self.gateway_of_vnet[subnet.vnet.index()]);
        for p in s.peerings.iter().filter(|p| p.local == subnet.vnet || p.remote == subnet.vnet) {
            self.render(&mut out, p);
            self.render(&mut out, s.vnet(if p.local == subnet.vnet { p.remote } else { p.local }));
        }
        for p in &subnet.service_endpoint_policies {
            self.render(&mut out, &s.policies[p.index()]);
        }
        if let Some(nat) = subnet.nat_gateway {
            self.render(&mut out, &s.nat_gateways[nat.index()]);
        }
        let nics: Vec<NicId> = self.nics_in(id).collect();
        for &nic in &nics {
            let n = s.nic(nic);
            self.render(&mut out, n);
            self.render(&mut out, s.endpoint(n.endpoint));
            self.render(&mut out, &self.nics[nic.index()].nic_nsg().map(|i| &self.nsg_instances[i.0 as usize]));
            self.render(&mut out, &n.nsg.map(|g| &s.nsgs[g.index()]));
            self.render(&mut out, &self.private_endpoint_of(nic).map(|p| s.private_endpoint(p)));
            self.render(&mut out, &self.machine_public_ip[nic.index()]);
            let d = &self.devices;
            self.render(&mut out, &(d.outbound_lb.get(&n.endpoint), d.public_frontend.get(&n.endpoint)));
        }
        for fw in self.firewalls.iter().filter(|fw| nics.contains(&fw.nic)) {
            self.render(&mut out, fw);
            self.render(&mut out, &s.firewalls[fw.id.index()]);
        }
        for g in s.gateways.iter().filter(|g| nics.contains(&g.nic)) {
            self.render(&mut out, g);
            for network in &g.connections {
                self.render(&mut out, &s.on_prem[network.index()]);
            }
        }
        let backend_here = |e: &vnetsim_model::EndpointId| s.endpoint(*e).nics.iter().any(|n| nics.contains(n));
        for lb in s.load_balancers.iter().filter(|lb| lb.subnet == Some(id) || lb.backends.iter().any(backend_here)) {
            self.render(&mut out, lb);
        }
        digest(&out)
    }

    /// The NICs of subnet `id`.
    pub fn nics_in(&self, id: SubnetId) -> impl Iterator<Item = NicId> + '_ {
        (0..self.scenario.nics.len()).map(NicId::from_index).filter(move |n| self.scenario.nic(*n).subnet == id)
    }

    /// Where packets from elsewhere enter subnet `id`: its prefix, the public addresses that
    /// lead to its NICs, firewalls and NAT gateways, the frontends of load balancers with
    /// backends there, and every routed prefix whose next hop is there (an appliance in it, or
    /// its gateway). A packet whose destination is outside these never reaches the subnet,
    /// except as the reply to a packet sent from it.
    pub fn subnet_entries(&self, id: SubnetId) -> Vec<IpNet> {
        let s = &self.scenario;
        let subnet = s.subnet(id);
        let nics: Vec<NicId> = self.nics_in(id).collect();
        let mut out = vec![subnet.prefix];
        let mut add = |ip: IpAddr| out.push(IpNet::from(ip));
        nics.iter().filter_map(|n| s.nic(*n).public_ip).for_each(&mut add);
        for fw in s.firewalls.iter().filter(|fw| nics.contains(&fw.nic)) {
            fw.public_ips.iter().copied().for_each(&mut add);
        }
        if let Some(nat) = subnet.nat_gateway {
            s.nat_gateways[nat.index()].public_ips.iter().copied().for_each(&mut add);
        }
        let backend_here = |e: &vnetsim_model::EndpointId| s.endpoint(*e).nics.iter().any(|n| nics.contains(n));
        for lb in s.load_balancers.iter().filter(|lb| lb.subnet == Some(id) || lb.backends.iter().any(backend_here)) {
            add(lb.frontend);
        }
        let gateway_here = s.gateways.iter().any(|g| nics.contains(&g.nic));
        let tables = self.subnets.iter().flat_map(|f| std::iter::once(&f.routes).chain(&f.pe_routes));
        for route in tables.flat_map(|t| &t.routes) {
            let here = match route.next_hop {
                NextHop::VirtualAppliance(ip) => subnet.prefix.contains(&ip),
                NextHop::VirtualNetworkGateway => gateway_here,
                _ => false,
            };
            if here {
                out.push(route.prefix);
            }
        }
        out
    }

    /// What a walk reads at service `id`: the service with its names, and the workspace whose
    /// network settings a workspace's own services follow.
    pub fn service_digest(&self, id: ServiceId) -> Digest {
        let s = &self.scenario;
        let mut out = String::new();
        self.render(&mut out, s.service(id));
        if let Some(w) = s.service(id).workspace {
            self.render(&mut out, s.service(w));
        }
        for n in s.service_names.iter().filter(|n| n.service == id) {
            self.render(&mut out, n);
        }
        digest(&out)
    }

    /// Where packets reach service `id`: its public address, the private endpoints serving it
    /// a workspace's endpoint serves its resources too) and, for an undeclared storage
    /// account, its tag's prefixes.
    pub fn service_entries(&self, id: ServiceId) -> Vec<IpNet> {
        let s = &self.scenario;
        let service = s.service(id);
        let mut out = vec![IpNet::from(service.public_ip)];
        for pe in s.private_endpoints.iter().filter(|pe| pe.target == id || service.workspace == Some(pe.target)) {
            out.push(IpNet::from(s.nic(pe.nic).private_ip));
        }
        if service.foreign {
            let tag = service.tag.as_deref().and_then(|t| s.service_tags.get(t));
            out.extend(tag.iter().flat_map(|t| t.prefixes.iter().copied()));
        }
        out
    }

    pub fn on_prem_digest(&self, id: OnPremId) -> Digest {
        digest(&named_debug(&self.scenario, &self.scenario.on_prem[id.index()]))
    }

    /// What every walk may read: the service-tag table, the region and the options.
    pub fn global_digest(&self) -> Digest {
        let s = &self.scenario;
        digest(&format!("{:?}\n{}\n{:?}", s.service_tags, s.region, self.options))
    }

    /// DNAT rules of every firewall: the public address a packet arrives at, and the address it
    /// goes on to (F-5).
    pub fn translations(&self) -> impl Iterator<Item = (IpAddr, IpAddr)> + '_ {
        self.firewalls.iter().flat_map(|fw| fw.dnat_pairs())
    }
}
