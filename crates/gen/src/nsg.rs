//! NSG rules as flow mappings, one per line.

/// Writes `- name: <name>` and the `rules:` key of an NSG.
pub fn header(out: &mut String, name: &str) {
    put!(out, "  - name: {name}");
    put!(out, "    rules:");
}

/// One rule; `rest` holds its protocol, addresses and ports as `key: value` pairs.
pub fn rule(out: &mut String, name: &str, priority: u32, direction: &str, access: &str, rest: &str) {
    put!(out, "      - {{name: {name}, priority: {priority}, direction: {direction}, access: {access}, {rest}}}");
}

/// The closing deny of one direction, for subnets where a 0.0.0.0/0 UDR makes VirtualNetwork
/// everything and the default rules would allow it all (N-11, N-5).
pub fn deny_all(out: &mut String, direction: &str) {
    let name = if direction == "inbound" { "deny-all-inbound" } else { "deny-all-outbound" };
    rule(out, name, 4096, direction, "deny", "protocol: '*'");
}

/// Allow rules at priorities 100, 110, … in the order given: (name, the rest of the rule).
pub fn allows<N: AsRef<str>>(out: &mut String, direction: &str, rules: &[(N, String)]) {
    for (i, (name, rest)) in rules.iter().enumerate() {
        rule(out, name.as_ref(), 100 + 10 * i as u32, direction, "allow", rest);
    }
}
