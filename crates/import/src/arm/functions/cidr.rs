//! `parseCidr`, `cidrSubnet`, `cidrHost`, IPv4 and IPv6, as documented: `cidrHost(n, 0)` is
//! the first usable address (the network address plus one for IPv4).

use std::collections::BTreeMap;

use ipnet::IpNet;
use std::net::IpAddr;

use super::Env;
use super::args::{self, count, integer};
use crate::value::Value;

fn network(a: &[Value], f: &str) -> Result<IpNet, String> {
    let text = args::string(a, 0, f)?;
    text.parse::<IpNet>()
        .map(|n| n.trunc())
        .map_err(|_| format!("`{f}`: {text:?} is not an address range in CIDR notation like \"10.0.0.0/16\""))
}

fn bits(net: &IpNet) -> (u128, u32) {
    match net.network() {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn address(value: u128, width: u32) -> String {
    if width == 32 {
        std::net::Ipv4Addr::from(value as u32).to_string()
    } else {
        std::net::Ipv6Addr::from(value).to_string()
    }
}

pub(super) fn cidr_subnet(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "cidrSubnet", 3, 3)?;
    let net = network(a, "cidrSubnet")?;
    let (base, width) = bits(&net);
    let (new_len, index) = (integer(a, 1, "cidrSubnet")?, integer(a, 2, "cidrSubnet")?);
    if new_len < i64::from(net.prefix_len()) || new_len > i64::from(width) {
        return Err(format!(
            "`cidrSubnet`: the new prefix length {new_len} must be between {} and {width}",
            net.prefix_len()
        ));
    }
    let extra = new_len as u32 - u32::from(net.prefix_len());
    if index < 0 || (extra < 63 && index >= 1i64 << extra) {
        return Err(format!(
            "`cidrSubnet`: {net} has {} subnets of /{new_len}; index {index} is outside",
            1u128 << extra.min(127)
        ));
    }
    let start = base + (index as u128).checked_shl(width - new_len as u32).unwrap_or(0);
    Ok(Value::string(format!("{}/{new_len}", address(start, width))))
}

pub(super) fn cidr_host(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "cidrHost", 2, 2)?;
    let net = network(a, "cidrHost")?;
    let (base, width) = bits(&net);
    let index = integer(a, 1, "cidrHost")?;
    let first = if width == 32 { 1 } else { 0 };
    let size = 1u128.checked_shl(width - u32::from(net.prefix_len())).unwrap_or(u128::MAX);
    let usable = size.saturating_sub(if width == 32 { 2 } else { 0 });
    if index < 0 || index as u128 >= usable {
        return Err(format!("`cidrHost`: {net} has {usable} usable addresses; index {index} is outside"));
    }
    Ok(Value::string(address(base + first + index as u128, width)))
}

pub(super) fn parse_cidr(a: &[Value], _: &Env) -> Result<Value, String> {
    count(a, "parseCidr", 1, 1)?;
    let net = network(a, "parseCidr")?;
    let (base, width) = bits(&net);
    let host = width - u32::from(net.prefix_len());
    let last = base | (1u128.checked_shl(host).unwrap_or(0).wrapping_sub(1));
    let mut out = BTreeMap::from([
        ("network".to_string(), Value::string(address(base, width))),
        ("netmask".to_string(), Value::string(net.netmask().to_string())),
        ("cidr".to_string(), args::int_value(i64::from(net.prefix_len()))),
    ]);
    let (first, last_usable) = if width == 32 && host >= 2 { (base + 1, last - 1) } else { (base, last) };
    if width == 32 {
        out.insert("broadcast".into(), Value::string(address(last, width)));
    }
    out.insert("firstUsable".into(), Value::string(address(first, width)));
    out.insert("lastUsable".into(), Value::string(address(last_usable, width)));
    Ok(Value::map(out))
}
