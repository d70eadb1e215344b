//! Terraform's built-in functions (`terraform::functions::call`), checked against the examples
//! of Terraform's documentation (https://developer.hashicorp.com/terraform/language/functions/NAME,
//! "Examples" section, cited per test as `doc: NAME`) and go-cty's behaviour where the docs are
//! silent; plus errors (each names the function), unknown propagation, and a property test that
//! no input panics.

use proptest::prelude::*;
use serde_json::json;
use vnetsim_import::Value;
use vnetsim_import::terraform::functions::{call, supported};

fn v(j: serde_json::Value) -> Value {
    Value::from_json(&j)
}

fn set(items: serde_json::Value) -> Value {
    match v(items) {
        Value::List(items) => Value::set(items.to_vec()),
        other => panic!("not a list: {other}"),
    }
}

fn ok_with(name: &str, args: Vec<Value>) -> Value {
    call(name, args).unwrap_or_else(|e| panic!("{name} failed: {e}"))
}

/// Calls `name` with JSON arguments, expecting success.
fn ok(name: &str, args: serde_json::Value) -> Value {
    let serde_json::Value::Array(args) = args else { panic!("args must be an array") };
    ok_with(name, args.into_iter().map(v).collect())
}

fn err_with(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(got) => panic!("{name} should fail, gave {got}"),
        Err(e) => {
            assert!(e.starts_with(&format!("{name}: ")), "error does not name {name}: {e}");
            assert!(!e.contains('\n'), "error is not one line: {e}");
            e
        }
    }
}

/// Calls `name` with JSON arguments, expecting an error naming the function.
fn err(name: &str, args: serde_json::Value) -> String {
    let serde_json::Value::Array(args) = args else { panic!("args must be an array") };
    err_with(name, args.into_iter().map(v).collect())
}

fn s(text: &str) -> Value {
    Value::string(text)
}

fn unknown() -> Value {
    Value::unknown("azurerm_firewall.hub", "ip_configuration[0].private_ip_address")
}

// ---- cidr ----

#[test]
fn cidrsubnet_doc_examples() {
    // doc: cidrsubnet
    assert_eq!(ok("cidrsubnet", json!(["172.16.0.0/12", 4, 2])), s("172.18.0.0/16"));
    assert_eq!(ok("cidrsubnet", json!(["10.1.2.0/24", 4, 15])), s("10.1.2.240/28"));
    assert_eq!(ok("cidrsubnet", json!(["fd00:fd12:3456:7890::/56", 16, 162])), s("fd00:fd12:3456:7800:a200::/72"));
}

#[test]
fn cidrsubnet_ignores_host_bits_and_accepts_leading_zeros() {
    // The prefix's host bits are cleared (Go's ParseCIDR), and octets with leading zeros read
    // as decimal (doc: cidrsubnet, the "historical accident" note). Catches a parser that keeps
    // host bits (10.1.2.3/24 -> 10.1.2.3/28) or rejects 010.
    assert_eq!(ok("cidrsubnet", json!(["10.1.2.3/24", 4, 1])), s("10.1.2.16/28"));
    assert_eq!(ok("cidrsubnet", json!(["010.001.0.0/16", 8, 2])), s("10.1.2.0/24"));
    // Numbers given as strings convert.
    assert_eq!(ok("cidrsubnet", json!(["10.0.0.0/16", "8", "3"])), s("10.0.3.0/24"));
    assert_eq!(ok("cidrsubnet", json!(["10.0.0.0/16", 0, 0])), s("10.0.0.0/16"));
    assert_eq!(ok("cidrsubnet", json!(["::/0", 128, 1])), s("::1/128"));
}

#[test]
fn cidrsubnet_errors() {
    let e = err("cidrsubnet", json!(["10.0.0.0/30", 8, 0]));
    assert!(e.contains("prefix 10.0.0.0/30 has no room for 8 more bits"), "{e}");
    let e = err("cidrsubnet", json!(["10.0.0.0/16", 8, 256]));
    assert!(e.contains("subnet numbered 256"), "{e}");
    let e = err("cidrsubnet", json!(["10.0.0.0/16", 8, -1]));
    assert!(e.contains("netnum must not be negative"), "{e}");
    let e = err("cidrsubnet", json!(["10.0.0.0/16", 1.5, 0]));
    assert!(e.contains("newbits must be a whole number, got 1.5"), "{e}");
    let e = err("cidrsubnet", json!(["10.0.0.0", 8, 0]));
    assert!(e.contains("invalid CIDR address \"10.0.0.0\""), "{e}");
    for bad in ["10.0.0.0/33", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/-1", "fd00::/129", "x/8", "10.0.0.0/ 8"] {
        err("cidrsubnet", json!([bad, 1, 0]));
    }
    err("cidrsubnet", json!(["10.0.0.0/16", 1e300, 0]));
    err("cidrsubnet", json!(["10.0.0.0/16", 8]));
    err("cidrsubnet", json!([["10.0.0.0/16"], 8, 0]));
}

#[test]
fn cidrsubnets_doc_examples() {
    // doc: cidrsubnets
    assert_eq!(
        ok("cidrsubnets", json!(["10.1.0.0/16", 4, 4, 8, 4])),
        v(json!(["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]))
    );
    assert_eq!(
        ok("cidrsubnets", json!(["fd00:fd12:3456:7890::/56", 16, 16, 16, 32])),
        v(json!([
            "fd00:fd12:3456:7800::/72",
            "fd00:fd12:3456:7800:100::/72",
            "fd00:fd12:3456:7800:200::/72",
            "fd00:fd12:3456:7800:300::/88"
        ]))
    );
    assert_eq!(ok("cidrsubnets", json!(["10.0.0.0/8"])), v(json!([])));
}

#[test]
fn cidrsubnets_fills_exactly_and_then_errors() {
    // Two /25 fill a /24 exactly; a third has no room (catches an off-by-one at the end).
    assert_eq!(ok("cidrsubnets", json!(["10.0.0.0/24", 1, 1])), v(json!(["10.0.0.0/25", "10.0.0.128/25"])));
    let e = err("cidrsubnets", json!(["10.0.0.0/24", 1, 1, 1]));
    assert!(e.contains("no room left for a /25 after 10.0.0.128/25"), "{e}");
    // The whole IPv4 space, up to its very last address, without overflow.
    assert_eq!(ok("cidrsubnets", json!(["0.0.0.0/0", 1, 1])), v(json!(["0.0.0.0/1", "128.0.0.0/1"])));
    err("cidrsubnets", json!(["0.0.0.0/0", 1, 1, 1]));
    assert_eq!(ok("cidrsubnets", json!(["::/0", 1, 1])), v(json!(["::/1", "8000::/1"])));
    err("cidrsubnets", json!(["::/0", 1, 1, 1]));
    // Terraform extends by 1 to 32 bits per subnet.
    assert!(err("cidrsubnets", json!(["10.0.0.0/8", 0])).contains("between 1 and 32"));
    assert!(err("cidrsubnets", json!(["fd00::/8", 33])).contains("between 1 and 32"));
    assert!(err("cidrsubnets", json!(["10.0.0.0/24", 9])).contains("no room for 9 more bits"));
}

#[test]
fn cidrhost_doc_examples() {
    // doc: cidrhost
    assert_eq!(ok("cidrhost", json!(["10.12.112.0/20", 16])), s("10.12.112.16"));
    assert_eq!(ok("cidrhost", json!(["10.12.112.0/20", 268])), s("10.12.113.12"));
    assert_eq!(ok("cidrhost", json!(["fd00:fd12:3456:7890:00a2::/72", 34])), s("fd00:fd12:3456:7890::22"));
    assert_eq!(ok("cidrhost", json!(["10.0.0.0/8", 2])), s("10.0.0.2"));
    assert_eq!(ok("cidrhost", json!(["10.0.0.0/8", -2])), s("10.255.255.254"));
}

#[test]
fn cidrhost_edges() {
    assert_eq!(ok("cidrhost", json!(["10.0.0.0/24", 255])), s("10.0.0.255"));
    assert_eq!(ok("cidrhost", json!(["10.0.0.0/24", -256])), s("10.0.0.0"));
    assert_eq!(ok("cidrhost", json!(["::/0", -1])), s("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    assert_eq!(ok("cidrhost", json!(["10.0.0.5/32", 0])), s("10.0.0.5"));
    let e = err("cidrhost", json!(["10.0.0.0/24", 256]));
    assert!(e.contains("host number 256"), "{e}");
    err("cidrhost", json!(["10.0.0.0/24", -257]));
    err("cidrhost", json!(["10.0.0.0/24", 0.5]));
}

#[test]
fn cidrnetmask_doc_example_and_ipv6_error() {
    // doc: cidrnetmask
    assert_eq!(ok("cidrnetmask", json!(["172.16.0.0/12"])), s("255.240.0.0"));
    assert_eq!(ok("cidrnetmask", json!(["0.0.0.0/0"])), s("0.0.0.0"));
    assert_eq!(ok("cidrnetmask", json!(["10.0.0.1/32"])), s("255.255.255.255"));
    // doc: "If you use an IPv6 address, cidrnetmask returns an error."
    assert!(err("cidrnetmask", json!(["fd00::/8"])).contains("IPv6"));
}

// ---- format ----

#[test]
fn format_doc_examples() {
    // doc: format
    assert_eq!(ok("format", json!(["Hello, %s!", "Ander"])), s("Hello, Ander!"));
    assert_eq!(ok("format", json!(["There are %d lights", 4])), s("There are 4 lights"));
    assert_eq!(ok("format", json!(["%#v", "hello"])), s("\"hello\""));
    assert_eq!(ok("format", json!(["%#v", true])), s("true"));
    assert_eq!(ok("format", json!(["%#v", 1])), s("1"));
    assert_eq!(ok("format", json!(["%#v", {"a": 1}])), s("{\"a\":1}"));
    assert_eq!(ok("format", json!(["%#v", [true]])), s("[true]"));
    assert_eq!(ok("format", json!(["%#v", null])), s("null"));
}

#[test]
fn format_verbs_widths_and_indexes() {
    let cases = json!([
        ["%02d", 5, "05"],
        ["%5d|%-5d|%+d", 42, 42, 42, "   42|42   |+42"],
        ["%05d", -3, "-0003"],
        ["%.3d", 7, "007"],
        ["%x %X %o %b", 255, 255, 8, 5, "ff FF 10 101"],
        ["%#x", 255, "0xff"],
        ["%d", "12", "12"],
        ["%s-%s", "vnet", 1, "vnet-1"],
        ["%.3s|%5s|%-5s|", "abcdef", "ab", "ab", "abc|   ab|ab   |"],
        ["%q", "a\"b<", "\"a\\\"b\\u003c\""],
        ["%t %t", true, "false", "true false"],
        ["%f", 2.71, "2.710000"],
        ["%.2f|%8.3f|%-8.1f|%08.2f", 2.5, 7.12345, 1.25, -1.5, "2.50|   7.123|1.2     |-0001.50"],
        ["%e %E", 1234.5678, 0.000123, "1.234568e+03 1.230000E-04"],
        ["%g %g %g %g", 100000, 1000000, 0.0001, 0.00001, "100000 1e+06 0.0001 1e-05"],
        ["%.3g %G", 7.12545, 1e21, "7.13 1E+21"],
        ["%v %v %v", "s", 1.5, true, "s 1.5 true"],
        ["%v", 1234567, "1.234567e+06"],
        ["%v", [1, "a"], "[1,\"a\"]"],
        ["%v", null, "null"],
        ["%5v|", 7, "    7|"],
        ["100%%", "100%"],
        ["%[2]s %[1]s %s", "a", "b", "b a b"],
        ["", ""],
        ["héllo %s", "wörld", "héllo wörld"]
    ]);
    for case in case_list(cases) {
        let (expected, args) = case.split_last().expect("case");
        assert_eq!(ok_with("format", args.iter().cloned().map(v).collect()), v(expected.clone()), "{args:?}");
    }
}

fn case_list(cases: serde_json::Value) -> Vec<Vec<serde_json::Value>> {
    let serde_json::Value::Array(cases) = cases else { panic!("cases") };
    cases.into_iter().map(|c| if let serde_json::Value::Array(c) = c { c } else { panic!("case") }).collect()
}

#[test]
fn format_errors() {
    // Each catches a printf that silently prints something for a bad call.
    assert!(err("format", json!(["%d", 1.5])).contains("an integer is required"));
    assert!(err("format", json!(["%d %d", 1])).contains("not enough arguments"));
    assert!(err("format", json!(["%d", 1, 2])).contains("too many arguments"));
    assert!(err("format", json!(["hello", 1])).contains("no verbs"));
    assert!(err("format", json!(["%s", null])).contains("cannot format null"));
    assert!(err("format", json!(["%y", 1])).contains("unsupported format verb 'y'"));
    assert!(err("format", json!(["%d", "abc"])).contains("unsupported value"));
    assert!(err("format", json!(["%t", 1])).contains("not a bool"));
    assert!(err("format", json!(["%s", [1]])).contains("unsupported value"));
    assert!(err("format", json!(["abc %", 1])).contains("ends inside the verb"));
    assert!(err("format", json!(["%!", 1])).contains("unrecognized format character '!'"));
    assert!(err("format", json!(["%[0]d", 1])).contains("argument index"));
    assert!(err("format", json!(["%[99999999999999999999999]d", 1])).contains("not enough arguments"));
    assert!(err("format", json!(["%99999999999999999999d", 1])).contains("width or precision"));
    err("format", json!([]));
}

#[test]
fn formatlist_doc_examples() {
    // doc: formatlist
    assert_eq!(
        ok("formatlist", json!(["Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"]])),
        v(json!(["Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!"]))
    );
    assert_eq!(
        ok("formatlist", json!(["%s, %s!", "Salutations", ["Valentina", "Ander", "Olivia", "Sam"]])),
        v(json!(["Salutations, Valentina!", "Salutations, Ander!", "Salutations, Olivia!", "Salutations, Sam!"]))
    );
    assert_eq!(ok("formatlist", json!(["%s", []])), v(json!([])));
    assert_eq!(ok("formatlist", json!(["x"])), v(json!(["x"])));
    assert!(err("formatlist", json!(["%s%s", ["a"], ["b", "c"]])).contains("as long as each other"));
    assert!(err("formatlist", json!(["%d", ["a"]])).contains("element 0"));
}

#[test]
fn formatlist_keeps_unknown_elements_in_place() {
    // An unknown element makes only its own result unknown (go-cty), not the whole list.
    let got = ok_with("formatlist", vec![s("ip-%s"), Value::list(vec![s("a"), unknown()])]);
    assert_eq!(got, Value::list(vec![s("ip-a"), unknown()]));
}

// ---- strings ----

#[test]
fn join_and_split_doc_examples() {
    // doc: join
    assert_eq!(ok("join", json!(["-", ["foo", "bar", "baz"]])), s("foo-bar-baz"));
    assert_eq!(ok("join", json!([", ", ["foo", "bar", "baz"]])), s("foo, bar, baz"));
    assert_eq!(ok("join", json!([", ", ["foo"]])), s("foo"));
    assert_eq!(ok("join", json!([",", ["a", 1, true], ["b"]])), s("a,1,true,b"));
    assert!(err("join", json!([",", ["a", null]])).contains("element 1 of list 1 must not be null"));
    err("join", json!([","]));
    // doc: split
    assert_eq!(ok("split", json!([",", "foo"])), v(json!(["foo"])));
    assert_eq!(ok("split", json!([",", "foo,bar,baz"])), v(json!(["foo", "bar", "baz"])));
    assert_eq!(ok("split", json!([",", ""])), v(json!([""])));
    // An empty separator splits into characters (Go's strings.Split), not ["", "a", "b", ""].
    assert_eq!(ok("split", json!(["", "ab"])), v(json!(["a", "b"])));
    err("split", json!([",", ["a"]]));
}

#[test]
fn case_functions_doc_examples() {
    // doc: lower, upper, title
    assert_eq!(ok("lower", json!(["HELLO"])), s("hello"));
    assert_eq!(ok("lower", json!(["АЛЛО!"])), s("алло!"));
    assert_eq!(ok("upper", json!(["hello"])), s("HELLO"));
    assert_eq!(ok("upper", json!(["алло!"])), s("АЛЛО!"));
    assert_eq!(ok("title", json!(["hello world"])), s("Hello World"));
    // Go's strings.Title: `_` and digits do not start a word, `-` does.
    assert_eq!(ok("title", json!(["snake_case kebab-case 1st"])), s("Snake_case Kebab-Case 1st"));
    err("lower", json!([{"a": 1}]));
}

#[test]
fn replace_doc_examples() {
    // doc: replace
    assert_eq!(ok("replace", json!(["1 + 2 + 3", "+", "-"])), s("1 - 2 - 3"));
    assert_eq!(ok("replace", json!(["hello world", "/w.*d/", "everybody"])), s("hello everybody"));
    // Groups in the replacement, and a plain "/" that is no regex.
    assert_eq!(ok("replace", json!(["vnet-hub-01", "/^vnet-(\\w+)-(\\d+)$/", "$2-$1"])), s("01-hub"));
    assert_eq!(ok("replace", json!(["a/b", "/", "_"])), s("a_b"));
    assert!(err("replace", json!(["x", "/(/", "y"])).contains("invalid regular expression"));
}

#[test]
fn regex_doc_examples() {
    // doc: regex
    assert_eq!(ok("regex", json!(["[a-z]+", "53453453.345345aaabbbccc23454"])), s("aaabbbccc"));
    assert_eq!(ok("regex", json!(["(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01"])), v(json!(["2019", "02", "01"])));
    assert_eq!(
        ok("regex", json!(["^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/"])),
        v(json!({"authority": "terraform.io", "scheme": "https"}))
    );
    assert!(err("regex", json!(["[a-z]+", "53453453.34534523454"])).contains("did not match"));
    // A group that took no part in the match is null (go-cty).
    assert_eq!(ok("regex", json!(["(a)|(b)", "b"])), v(json!([null, "b"])));
    assert!(err("regex", json!(["(a)(?P<n>b)", "ab"])).contains("mixes named and unnamed"));
    // doc: regexall
    assert_eq!(ok("regexall", json!(["[a-z]+", "1234abcd5678efgh9"])), v(json!(["abcd", "efgh"])));
    assert_eq!(ok("regexall", json!(["[a-z]+", "123456789"])), v(json!([])));
    assert!(err("regexall", json!(["[", "x"])).contains("invalid regular expression"));
}

#[test]
fn sensitive_marks_are_not_kept() {
    // doc: sensitive, nonsensitive: the value is unchanged; vnetsim keeps no marks.
    assert_eq!(ok("sensitive", json!([{"a": 1}])), v(json!({"a": 1})));
    assert_eq!(ok("nonsensitive", json!(["x"])), s("x"));
}

#[test]
fn substr_doc_examples() {
    // doc: substr
    assert_eq!(ok("substr", json!(["hello world", 1, 4])), s("ello"));
    assert_eq!(ok("substr", json!(["🤔🤷", 0, 1])), s("🤔"));
    assert_eq!(ok("substr", json!(["hello world", -5, -1])), s("world"));
    assert_eq!(ok("substr", json!(["hello world", 6, 10])), s("world"));
    // Offsets past either end clamp rather than fail (go-cty).
    assert_eq!(ok("substr", json!(["hello", 10, 2])), s(""));
    assert_eq!(ok("substr", json!(["hello", -10, 2])), s("he"));
    assert_eq!(ok("substr", json!(["hello", 1, 0])), s(""));
    assert!(err("substr", json!(["hello", 0.5, 1])).contains("offset must be a whole number"));
}

#[test]
fn trim_functions_doc_examples() {
    // doc: trimprefix, trimsuffix, trim, trimspace
    assert_eq!(ok("trimprefix", json!(["helloworld", "hello"])), s("world"));
    assert_eq!(ok("trimprefix", json!(["helloworld", "cat"])), s("helloworld"));
    assert_eq!(ok("trimsuffix", json!(["helloworld", "world"])), s("hello"));
    assert_eq!(ok("trim", json!(["?!hello?!", "!?"])), s("hello"));
    assert_eq!(ok("trim", json!(["foobar", "far"])), s("oob"));
    assert_eq!(ok("trim", json!(["   hello! world.!  ", "! "])), s("hello! world."));
    assert_eq!(ok("trimspace", json!(["  hello\n\n"])), s("hello"));
}

#[test]
fn string_tests_doc_examples() {
    // doc: startswith, endswith, strcontains
    assert_eq!(ok("startswith", json!(["hello world", "hello"])), Value::Bool(true));
    assert_eq!(ok("startswith", json!(["hello world", "world"])), Value::Bool(false));
    assert_eq!(ok("endswith", json!(["hello world", "world"])), Value::Bool(true));
    assert_eq!(ok("endswith", json!(["hello world", "hello"])), Value::Bool(false));
    assert_eq!(ok("strcontains", json!(["hello world", "wor"])), Value::Bool(true));
    assert_eq!(ok("strcontains", json!(["hello world", "wod"])), Value::Bool(false));
    err("startswith", json!(["a", null]));
}

// ---- collections ----

#[test]
fn concat_merge_doc_examples() {
    // doc: concat
    assert_eq!(ok("concat", json!([["a", ""], ["b", "c"]])), v(json!(["a", "", "b", "c"])));
    assert!(err_with("concat", vec![v(json!(["a"])), set(json!(["b"]))]).contains("list or tuple, got set"));
    err("concat", json!([]));
    // doc: merge
    assert_eq!(
        ok("merge", json!([{"a": "b", "c": "d"}, {"e": "f", "c": "z"}])),
        v(json!({"a": "b", "c": "z", "e": "f"}))
    );
    assert_eq!(
        ok("merge", json!([{"a": "b"}, {"a": [1, 2], "c": "z"}, {"d": 3}])),
        v(json!({"a": [1, 2], "c": "z", "d": 3}))
    );
    assert_eq!(ok("merge", json!([null, {"a": 1}])), v(json!({"a": 1})));
    assert_eq!(ok("merge", json!([])), v(json!({})));
    assert!(err("merge", json!([{"a": 1}, ["x"]])).contains("map or object, got list"));
}

#[test]
fn lookup_and_element_doc_examples() {
    // doc: lookup
    assert_eq!(ok("lookup", json!([{"a": "ay", "b": "bee"}, "a", "what?"])), s("ay"));
    assert_eq!(ok("lookup", json!([{"a": "ay", "b": "bee"}, "c", "what?"])), s("what?"));
    assert_eq!(ok("lookup", json!([{"a": "ay"}, "a"])), s("ay"));
    assert!(err("lookup", json!([{"a": "ay"}, "c"])).contains("\"c\" does not exist"));
    assert!(err("lookup", json!([{"a": 1}])).contains("takes 2 to 3 arguments, got 1"));
    // doc: element
    assert_eq!(ok("element", json!([["a", "b", "c"], 1])), s("b"));
    assert_eq!(ok("element", json!([["a", "b", "c"], 3])), s("a"));
    assert_eq!(ok("element", json!([["a", "b", "c"], 2])), s("c"));
    assert!(err("element", json!([[], 0])).contains("empty list"));
    assert!(err("element", json!([["a"], -1])).contains("must not be negative"));
    err("element", json!([["a"], 1e300]));
}

#[test]
fn length_doc_examples() {
    // doc: length (its emoji example counts grapheme clusters; vnetsim counts characters)
    assert_eq!(ok("length", json!([[]])), Value::Number(0.0));
    assert_eq!(ok("length", json!([["a", "b"]])), Value::Number(2.0));
    assert_eq!(ok("length", json!([{"a": "b"}])), Value::Number(1.0));
    assert_eq!(ok("length", json!(["hello"])), Value::Number(5.0));
    assert_eq!(ok("length", json!(["🤔🤷"])), Value::Number(2.0));
    assert_eq!(ok_with("length", vec![set(json!(["a", "a", "b"]))]), Value::Number(2.0));
    err("length", json!([null]));
    err("length", json!([5]));
}

#[test]
fn coalesce_doc_examples() {
    // doc: coalesce
    assert_eq!(ok("coalesce", json!(["a", "b"])), s("a"));
    assert_eq!(ok("coalesce", json!(["", "b"])), s("b"));
    assert_eq!(ok("coalesce", json!([1, 2])), Value::Number(1.0));
    assert_eq!(ok("coalesce", json!([null, 2])), Value::Number(2.0));
    // Mixed strings and numbers unify to string.
    assert_eq!(ok("coalesce", json!([null, 1, "a"])), s("1"));
    assert!(err("coalesce", json!([null, ""])).contains("null or empty"));
    // doc: coalescelist
    assert_eq!(ok("coalescelist", json!([["a", "b"], ["c", "d"]])), v(json!(["a", "b"])));
    assert_eq!(ok("coalescelist", json!([[], ["c", "d"]])), v(json!(["c", "d"])));
    err("coalescelist", json!([[], []]));
}

#[test]
fn keys_values_doc_examples() {
    // doc: keys, values (lexical key order)
    assert_eq!(ok("keys", json!([{"a": 1, "c": 2, "d": 3}])), v(json!(["a", "c", "d"])));
    assert_eq!(ok("values", json!([{"a": 3, "c": 2, "d": 1}])), v(json!([3, 2, 1])));
    err("keys", json!([["a"]]));
}

#[test]
fn flatten_distinct_doc_examples() {
    // doc: flatten
    assert_eq!(ok("flatten", json!([[["a", "b"], [], ["c"]]])), v(json!(["a", "b", "c"])));
    assert_eq!(ok("flatten", json!([[[["a", "b"], []], ["c"]]])), v(json!(["a", "b", "c"])));
    assert_eq!(ok("flatten", json!([[{"a": [1]}, [2]]])), v(json!([{"a": [1]}, 2])));
    // doc: distinct
    assert_eq!(ok("distinct", json!([["a", "b", "a", "c", "d", "b"]])), v(json!(["a", "b", "c", "d"])));
}

#[test]
fn contains_index_doc_examples() {
    // doc: contains
    assert_eq!(ok("contains", json!([["a", "b", "c"], "a"])), Value::Bool(true));
    assert_eq!(ok("contains", json!([["a", "b", "c"], "d"])), Value::Bool(false));
    // doc: index
    assert_eq!(ok("index", json!([["a", "b", "c"], "b"])), Value::Number(1.0));
    assert!(err("index", json!([["a"], "z"])).contains("is not in the list"));
}

#[test]
fn range_doc_examples() {
    // doc: range
    assert_eq!(ok("range", json!([3])), v(json!([0, 1, 2])));
    assert_eq!(ok("range", json!([1, 4])), v(json!([1, 2, 3])));
    assert_eq!(ok("range", json!([1, 8, 2])), v(json!([1, 3, 5, 7])));
    assert_eq!(ok("range", json!([1, 4, 0.5])), v(json!([1, 1.5, 2, 2.5, 3, 3.5])));
    assert_eq!(ok("range", json!([4, 1])), v(json!([4, 3, 2])));
    assert_eq!(ok("range", json!([10, 5, -2])), v(json!([10, 8, 6])));
    assert_eq!(ok("range", json!([0])), v(json!([])));
    assert_eq!(ok("range", json!([-2])), v(json!([0, -1])));
    // Exactly 1024 values are allowed, the 1025th is an error (doc: range, "artificial limit").
    let Value::List(items) = ok("range", json!([1024])) else { panic!() };
    assert_eq!(items.len(), 1024);
    assert!(err("range", json!([1025])).contains("more than 1024 values"));
    assert!(err("range", json!([1e300])).contains("more than 1024 values"));
    assert!(err("range", json!([0, 1, 0])).contains("step must not be zero"));
    assert!(err("range", json!([0, 5, -1])).contains("step must be positive"));
    assert!(err("range", json!([5, 0, 1])).contains("step must be negative"));
    err("range", json!([]));
    err("range", json!([1, 2, 3, 4]));
}

#[test]
fn ordering_functions_doc_examples() {
    // doc: reverse, sort, slice
    assert_eq!(ok("reverse", json!([[1, 2, 3]])), v(json!([3, 2, 1])));
    assert_eq!(ok("sort", json!([["e", "d", "a", "x"]])), v(json!(["a", "d", "e", "x"])));
    // Numbers sort as strings, lexically.
    assert_eq!(ok("sort", json!([[10, 9, 1]])), v(json!(["1", "10", "9"])));
    assert_eq!(ok("slice", json!([["a", "b", "c", "d"], 1, 3])), v(json!(["b", "c"])));
    assert_eq!(ok("slice", json!([["a"], 1, 1])), v(json!([])));
    assert!(err("slice", json!([["a"], 0, 2])).contains("greater than the length"));
    assert!(err("slice", json!([["a", "b"], 2, 1])).contains("greater than end index"));
    assert!(err("slice", json!([["a"], -1, 1])).contains("must not be negative"));
}

#[test]
fn zipmap_doc_example() {
    // doc: zipmap
    assert_eq!(ok("zipmap", json!([["a", "b"], [1, 2]])), v(json!({"a": 1, "b": 2})));
    assert!(err("zipmap", json!([["a"], [1, 2]])).contains("1 keys but 2 values"));
}

#[test]
fn set_functions_doc_examples() {
    // doc: setunion, setintersection, setsubtract (sets print sorted)
    assert_eq!(ok("setunion", json!([["a", "b"], ["b", "c"], ["d"]])), set(json!(["a", "b", "c", "d"])));
    assert_eq!(ok("setintersection", json!([["a", "b"], ["b", "c"], ["b", "d"]])), set(json!(["b"])));
    assert_eq!(ok("setsubtract", json!([["a", "b", "c"], ["a", "c"]])), set(json!(["b"])));
    assert!(err("setunion", json!([["a"], [["b"]]])).contains("no common type"));
}

#[test]
fn compact_chunklist_one_doc_examples() {
    // doc: compact
    assert_eq!(ok("compact", json!([["a", "", "b", null, "c"]])), v(json!(["a", "b", "c"])));
    // doc: chunklist
    assert_eq!(ok("chunklist", json!([["a", "b", "c", "d", "e"], 2])), v(json!([["a", "b"], ["c", "d"], ["e"]])));
    assert_eq!(ok("chunklist", json!([["a", "b", "c", "d", "e"], 1])), v(json!([["a"], ["b"], ["c"], ["d"], ["e"]])));
    assert_eq!(ok("chunklist", json!([["a", "b"], 0])), v(json!([["a", "b"]])));
    assert_eq!(ok("chunklist", json!([[], 3])), v(json!([])));
    assert!(err("chunklist", json!([["a"], -1])).contains("must not be negative"));
    // doc: one
    assert_eq!(ok("one", json!([[]])), Value::Null);
    assert_eq!(ok("one", json!([["hello"]])), s("hello"));
    assert_eq!(ok_with("one", vec![set(json!(["hello", "hello"]))]), s("hello"));
    assert!(err("one", json!([["hello", "goodbye"]])).contains("zero or one elements"));
}

#[test]
fn alltrue_anytrue_doc_examples() {
    // doc: alltrue, anytrue
    assert_eq!(ok("alltrue", json!([["true", true]])), Value::Bool(true));
    assert_eq!(ok("alltrue", json!([[true, false]])), Value::Bool(false));
    assert_eq!(ok("alltrue", json!([[]])), Value::Bool(true));
    assert_eq!(ok("anytrue", json!([["true"]])), Value::Bool(true));
    assert_eq!(ok("anytrue", json!([[true, false]])), Value::Bool(true));
    assert_eq!(ok("anytrue", json!([[]])), Value::Bool(false));
    // A null element counts as false (go-cty).
    assert_eq!(ok("alltrue", json!([[true, null]])), Value::Bool(false));
    assert_eq!(ok("anytrue", json!([[null]])), Value::Bool(false));
    assert!(err("alltrue", json!([[false, "yes"]])).contains("element 1 must be a bool"));
}

// ---- conversions ----

#[test]
fn type_conversions_doc_examples() {
    // doc: toset, tolist, tomap
    assert_eq!(ok("toset", json!([["a", "b", "c", "b"]])), set(json!(["a", "b", "c"])));
    assert_eq!(ok("toset", json!([["a", "b", 3]])), set(json!(["3", "a", "b"])));
    assert_eq!(ok("tolist", json!([["a", "b", 3]])), v(json!(["a", "b", "3"])));
    assert_eq!(ok_with("tolist", vec![set(json!(["b", "a"]))]), v(json!(["a", "b"])));
    assert_eq!(ok("tomap", json!([{"a": "foo", "b": true}])), v(json!({"a": "foo", "b": "true"})));
    assert!(err("tolist", json!([[1, true]])).contains("no common type"));
    assert!(err("tomap", json!([["a"]])).contains("cannot convert list to map"));
    // doc: tostring, tonumber, tobool
    assert_eq!(ok("tostring", json!(["hello"])), s("hello"));
    assert_eq!(ok("tostring", json!([1])), s("1"));
    assert_eq!(ok("tostring", json!([true])), s("true"));
    assert_eq!(ok("tostring", json!([null])), Value::Null);
    assert!(err("tostring", json!([[]])).contains("cannot convert list to string"));
    assert_eq!(ok("tonumber", json!([1])), Value::Number(1.0));
    assert_eq!(ok("tonumber", json!(["1"])), Value::Number(1.0));
    assert_eq!(ok("tonumber", json!([null])), Value::Null);
    assert!(err("tonumber", json!(["no"])).contains("must be a number"));
    err("tonumber", json!(["NaN"]));
    assert_eq!(ok("tobool", json!([true])), Value::Bool(true));
    assert_eq!(ok("tobool", json!(["true"])), Value::Bool(true));
    assert_eq!(ok("tobool", json!([null])), Value::Null);
    assert!(err("tobool", json!(["no"])).contains("\"no\""));
    assert!(err("tobool", json!([1])).contains("cannot convert number to bool"));
}

#[test]
fn json_doc_examples() {
    // doc: jsonencode, jsondecode
    assert_eq!(ok("jsonencode", json!([{"hello": "world"}])), s("{\"hello\":\"world\"}"));
    assert_eq!(ok("jsondecode", json!(["{\"hello\": \"world\"}"])), v(json!({"hello": "world"})));
    assert_eq!(ok("jsondecode", json!(["true"])), Value::Bool(true));
    // Go's encoder: HTML characters escaped, keys sorted, numbers without exponent.
    assert_eq!(
        ok("jsonencode", json!([{"b": "<&>", "a": [1.5, 1e20, null]}])),
        s("{\"a\":[1.5,100000000000000000000,null],\"b\":\"\\u003c\\u0026\\u003e\"}")
    );
    assert!(err("jsondecode", json!(["{"])).contains("invalid JSON"));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    err("jsondecode", json!([deep]));
}

// ---- numbers ----

#[test]
fn numeric_doc_examples() {
    // doc: min, max, abs, ceil, floor, sum
    assert_eq!(ok("min", json!([12, 54, 3])), Value::Number(3.0));
    assert_eq!(ok("max", json!([12, 54, 3])), Value::Number(54.0));
    assert_eq!(ok("max", json!(["12", 5])), Value::Number(12.0));
    assert!(err("min", json!([])).contains("takes at least 1 argument, got 0"));
    assert!(err("max", json!([[1, 2]])).contains("argument 1 must be a number, got list"));
    assert_eq!(ok("abs", json!([23])), Value::Number(23.0));
    assert_eq!(ok("abs", json!([0])), Value::Number(0.0));
    assert_eq!(ok("abs", json!([-12.4])), Value::Number(12.4));
    assert_eq!(ok("ceil", json!([5])), Value::Number(5.0));
    assert_eq!(ok("ceil", json!([5.1])), Value::Number(6.0));
    assert_eq!(ok("floor", json!([5])), Value::Number(5.0));
    assert_eq!(ok("floor", json!([4.9])), Value::Number(4.0));
    assert_eq!(ok("sum", json!([[10, 13, 6, 4.5]])), Value::Number(33.5));
    assert!(err("sum", json!([[]])).contains("empty list"));
    assert!(err("sum", json!([[1e308, 1e308]])).contains("too large"));
}

#[test]
fn parseint_doc_examples() {
    // doc: parseint
    assert_eq!(ok("parseint", json!(["100", 10])), Value::Number(100.0));
    assert_eq!(ok("parseint", json!(["FF", 16])), Value::Number(255.0));
    assert_eq!(ok("parseint", json!(["-10", 16])), Value::Number(-16.0));
    assert_eq!(ok("parseint", json!(["1011111011101111", 2])), Value::Number(48879.0));
    assert_eq!(ok("parseint", json!(["aA", 62])), Value::Number(656.0));
    assert!(err("parseint", json!(["12", 2])).contains("cannot parse \"12\" as a base 2 integer"));
    assert!(err("parseint", json!(["1", 63])).contains("between 2 and 62"));
    err("parseint", json!(["", 10]));
    err("parseint", json!(["-", 10]));
    err("parseint", json!([format!("{}", "z".repeat(400)), 36]));
}

// ---- unknowns, arity, unsupported ----

#[test]
fn unknown_arguments_make_the_result_unknown() {
    // An unknown anywhere in an argument that the result depends on.
    assert_eq!(ok_with("cidrsubnet", vec![unknown(), v(json!(8)), v(json!(1))]), unknown());
    assert_eq!(ok_with("join", vec![s(","), Value::list(vec![s("a"), unknown()])]), unknown());
    assert_eq!(ok_with("format", vec![s("%s"), unknown()]), unknown());
    assert_eq!(ok_with("jsonencode", vec![v(json!({"a": 1})),]), s("{\"a\":1}"));
    let nested = Value::map([("a".to_string(), Value::list(vec![unknown()]))].into_iter().collect());
    assert_eq!(ok_with("jsonencode", vec![nested.clone()]), unknown());
    assert_eq!(ok_with("toset", vec![Value::list(vec![s("a"), unknown()])]), unknown());
    // Even where an error would follow: the unknown could have been anything.
    assert_eq!(ok_with("cidrsubnet", vec![s("bad"), unknown(), v(json!(0))]), unknown());
}

#[test]
fn shape_functions_keep_unknown_elements() {
    // length/keys of a collection whose shape is known are known; functions that only move
    // elements keep unknowns in place (catches a blanket "any unknown -> unknown").
    let list = Value::list(vec![s("a"), unknown()]);
    assert_eq!(ok_with("length", vec![list.clone()]), Value::Number(2.0));
    let m = Value::map([("k".to_string(), unknown()), ("x".to_string(), s("y"))].into_iter().collect());
    assert_eq!(ok_with("keys", vec![m.clone()]), v(json!(["k", "x"])));
    assert_eq!(ok_with("lookup", vec![m.clone(), s("x")]), s("y"));
    assert_eq!(ok_with("lookup", vec![m.clone(), s("k")]), unknown());
    assert_eq!(ok_with("element", vec![list.clone(), v(json!(0))]), s("a"));
    assert_eq!(ok_with("concat", vec![list.clone(), v(json!(["b"]))]), Value::list(vec![s("a"), unknown(), s("b")]));
    assert_eq!(ok_with("merge", vec![m.clone(), v(json!({"z": 1}))]).as_map().map(|m| m.len()), Some(3));
    // But the collection itself unknown, or the key unknown: unknown.
    assert_eq!(ok_with("length", vec![unknown()]), unknown());
    assert_eq!(ok_with("lookup", vec![m, unknown()]), unknown());
    assert_eq!(ok_with("zipmap", vec![Value::list(vec![unknown()]), v(json!([1]))]), unknown());
}

#[test]
fn arity_and_unsupported_errors() {
    assert_eq!(err("cidrhost", json!(["10.0.0.0/8"])), "cidrhost: takes 2 arguments, got 1");
    assert_eq!(err("upper", json!(["a", "b"])), "upper: takes 1 argument, got 2");
    for name in ["md5", "sha1", "sha256", "base64encode", "base64decode"] {
        let e = err(name, json!(["x"]));
        assert!(e.contains("not supported"), "{e}");
    }
    assert_eq!(call("nosuch", vec![]).unwrap_err(), "unknown function `nosuch`");
    // try/can are the evaluator's (lazy), not functions.
    assert!(call("try", vec![s("a")]).is_err());
}

// ---- never panics ----

fn any_value() -> impl Strategy<Value = Value> {
    let number = prop_oneof![
        (-40i32..300).prop_map(f64::from),
        -10.0f64..10.0,
        any::<f64>(),
        Just(1e300),
        Just(-1e300),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(4294967296.0),
    ];
    let string = prop_oneof![
        "[a-z0-9%./:,\\-\\[\\]#+ ]{0,10}",
        Just("10.0.0.0/16".to_string()),
        Just("fd00::/56".to_string()),
        Just("0.0.0.0/0".to_string()),
        Just("%[3]d %v %#v %q %08.3f %-5s %x %e %g %t %[9]s %".to_string()),
        Just("/(a|b)+/".to_string()),
        Just("/(/".to_string()),
        Just("{\"a\": [1, {\"b\": null}]}".to_string()),
        Just("true".to_string()),
        Just("-12".to_string()),
        Just("🤔é".to_string()),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number.prop_map(Value::Number),
        string.prop_map(Value::string),
        Just(Value::unknown("azurerm_subnet.a", "id")),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::list),
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::set),
            prop::collection::btree_map("[a-c]{1,2}", inner, 0..4).prop_map(Value::map),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Any supported function on any small arguments returns, and its errors name it.
    #[test]
    fn call_never_panics(
        name in prop::sample::select(supported().collect::<Vec<_>>()),
        args in prop::collection::vec(any_value(), 0..5),
    ) {
        if let Err(e) = call(name, args) {
            prop_assert!(e.starts_with(&format!("{name}: ")), "{e}");
            prop_assert!(!e.contains('\n'), "{e}");
        }
    }
}
