//! `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets`, IPv4 and IPv6.
//!
//! Addresses are `u128` (an IPv4 address in the low 32 bits). Like Terraform, a prefix's host
//! bits are ignored (`10.1.2.3/24` is `10.1.2.0/24`) and IPv4 octets with leading zeros read as
//! decimal (Terraform's documented "historical accident").

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::args::{integer, string};
use crate::value::Value;

/// An address prefix: the network address (host bits cleared) and its length.
#[derive(Clone, Copy)]
struct Prefix {
    network: u128,
    len: u32,
    /// 32 or 128.
    bits: u32,
}

impl Prefix {
    fn parse(text: &str) -> Result<Prefix, String> {
        let bad =
            || format!("invalid CIDR address {text:?}: expected an address and a prefix length, like 10.0.0.0/16");
        let (addr, len) = text.split_once('/').ok_or_else(bad)?;
        let (address, bits) = match parse_ipv4(addr) {
            Some(a) => (u128::from(a), 32),
            None => (u128::from(addr.parse::<Ipv6Addr>().map_err(|_| bad())?), 128),
        };
        let len: u32 = match len.parse() {
            Ok(n) if n <= bits && len.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(bad()),
        };
        Ok(Prefix { network: address & !host_mask(bits - len), len, bits })
    }

    fn family(&self) -> &'static str {
        if self.bits == 32 { "IPv4" } else { "IPv6" }
    }

    fn host_bits(&self) -> u32 {
        self.bits - self.len
    }

    fn address(&self, a: u128) -> String {
        if self.bits == 32 { Ipv4Addr::from(a as u32).to_string() } else { Ipv6Addr::from(a).to_string() }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address(self.network), self.len)
    }
}

/// Dotted-decimal IPv4, octets of one to three decimal digits (leading zeros allowed).
fn parse_ipv4(text: &str) -> Option<u32> {
    let mut octets = text.split('.');
    let mut address = 0u32;
    for _ in 0..4 {
        let octet = octets.next()?;
        if octet.is_empty() || octet.len() > 3 || !octet.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        address = (address << 8) | u32::from(octet.parse::<u8>().ok()?);
    }
    octets.next().is_none().then_some(address)
}

/// The low `n` bits set.
fn host_mask(n: u32) -> u128 {
    if n >= 128 { u128::MAX } else { (1u128 << n) - 1 }
}

/// Whether `n` (non-negative) fits in `bits` bits.
fn fits(n: i128, bits: u32) -> bool {
    bits >= 127 || n < (1i128 << bits)
}

fn prefix_arg(v: &Value) -> Result<Prefix, String> {
    Prefix::parse(&string(v, "prefix")?)
}

/// `cidrhost(prefix, hostnum)`: a negative hostnum counts back from the end of the range.
pub(super) fn cidrhost(args: &[Value]) -> Result<Value, String> {
    let prefix = prefix_arg(&args[0])?;
    let hostnum = integer(&args[1], "hostnum")?;
    let host_bits = prefix.host_bits();
    let offset = if hostnum < 0 {
        // -1 is the last address: add the size of the range.
        let size = if host_bits >= 127 { None } else { Some(1i128 << host_bits) };
        match size {
            Some(size) if hostnum + size >= 0 => hostnum + size,
            Some(_) => return Err(no_host(&prefix, hostnum)),
            None => {
                return Ok(Value::string(prefix.address(prefix.network | (hostnum as u128 & host_mask(host_bits)))));
            }
        }
    } else {
        hostnum
    };
    if !fits(offset, host_bits) {
        return Err(no_host(&prefix, hostnum));
    }
    Ok(Value::string(prefix.address(prefix.network | offset as u128)))
}

fn no_host(prefix: &Prefix, hostnum: i128) -> String {
    format!("prefix {prefix} has {} host bits, too few for host number {hostnum}", prefix.host_bits())
}

/// `cidrnetmask(prefix)`: IPv4 only.
pub(super) fn cidrnetmask(args: &[Value]) -> Result<Value, String> {
    let prefix = prefix_arg(&args[0])?;
    if prefix.bits != 32 {
        return Err(format!("only IPv4 prefixes have a netmask, {prefix} is IPv6"));
    }
    let mask = !host_mask(prefix.host_bits()) as u32;
    Ok(Value::string(Ipv4Addr::from(mask).to_string()))
}

/// `cidrsubnet(prefix, newbits, netnum)`.
pub(super) fn cidrsubnet(args: &[Value]) -> Result<Value, String> {
    let prefix = prefix_arg(&args[0])?;
    let newbits = integer(&args[1], "newbits")?;
    let netnum = integer(&args[2], "netnum")?;
    if newbits < 0 {
        return Err(format!("newbits must not be negative, got {newbits}"));
    }
    if newbits > i128::from(prefix.host_bits()) {
        return Err(format!(
            "prefix {prefix} has no room for {newbits} more bits (an {} prefix is at most {} bits)",
            prefix.family(),
            prefix.bits
        ));
    }
    let newbits = newbits as u32;
    if netnum < 0 {
        return Err(format!("netnum must not be negative, got {netnum}"));
    }
    if !fits(netnum, newbits) {
        return Err(format!("{newbits} new bits do not accommodate a subnet numbered {netnum}"));
    }
    let len = prefix.len + newbits;
    let shift = prefix.bits - len;
    let network = prefix.network | (netnum as u128).checked_shl(shift).unwrap_or(0);
    Ok(Value::string(Prefix { network, len, ..prefix }.to_string()))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets, each aligned to its own size after the
/// previous one (so a smaller subnet after a larger one leaves no gap, a larger after a smaller
/// one skips to its next boundary).
pub(super) fn cidrsubnets(args: &[Value]) -> Result<Value, String> {
    let prefix = prefix_arg(&args[0])?;
    let last = prefix.network | host_mask(prefix.host_bits());
    // The next free address; `None` once the allocation reached the end of the address space.
    let mut next = Some(prefix.network);
    let mut out = Vec::with_capacity(args.len() - 1);
    for (i, arg) in args[1..].iter().enumerate() {
        let newbits = integer(arg, &format!("newbits argument {}", i + 1))?;
        // Terraform extends by at most 32 bits in one call, even for IPv6.
        if !(1..=32).contains(&newbits) {
            return Err(format!("newbits argument {} must be between 1 and 32, got {newbits}", i + 1));
        }
        let len = prefix.len + newbits as u32;
        if len > prefix.bits {
            return Err(format!(
                "prefix {prefix} has no room for {newbits} more bits (an {} prefix is at most {} bits)",
                prefix.family(),
                prefix.bits
            ));
        }
        let size_mask = host_mask(prefix.bits - len);
        let start = next.and_then(|n| n.checked_add(size_mask)).map(|n| n & !size_mask);
        let Some(start) = start.filter(|s| s.checked_add(size_mask).is_some_and(|end| end <= last)) else {
            let used = out.last().map_or(String::new(), |p: &Prefix| format!(" after {p}"));
            return Err(format!("prefix {prefix} has no room left for a /{len}{used}"));
        };
        next = (start + size_mask).checked_add(1);
        out.push(Prefix { network: start, len, ..prefix });
    }
    Ok(Value::list(out.iter().map(|p| Value::string(p.to_string())).collect()))
}
