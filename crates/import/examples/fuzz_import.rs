//! Fuzzes the import: mutates seed `.tf` files, plan JSON, ARM templates and exports for a while
//! and imports each mutant as its seed's kind, counting runs; any panic is a bug, saved to
//! `fuzz-crash.tf` with exit code 1.
//!
//! `cargo run --release -p vnetsim-import --example fuzz_import -- SECONDS SEED_DIR…`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vnetsim_import::{Kind, Memory, Request, import};

/// Fragments of the language spliced into inputs, so mutants reach the evaluator's corners
/// rather than stopping at the first syntax error.
const TOKENS: &[&str] = &[
    "${",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "\n",
    "=",
    ".",
    "*",
    "[*]",
    "...",
    "=>",
    "?",
    ":",
    " for x in ",
    " if ",
    "count = ",
    "for_each = ",
    "count.index",
    "each.key",
    "each.value",
    "var.",
    "local.",
    "module.",
    "data.",
    "azurerm_subnet.",
    "null",
    "true",
    "-1",
    "1e308",
    "99999999999",
    "0.5",
    "cidrsubnet(",
    "cidrhost(",
    "lookup(",
    "element(",
    "try(",
    "can(",
    "range(",
    "flatten(",
    "merge(",
    "jsondecode(",
    "format(\"%d\", ",
    "%{ for ",
    "%{ endfor }",
    "<<EOT\n",
    "\nEOT\n",
    "dynamic \"x\" { for_each = ",
    "content {",
    "\"10.0.0.0/33\"",
    "\"::/0\"",
    "[0]",
    "[\"k\"]",
    "\u{0}",
    "é",
    "//",
    "/*",
    "#",
    // ARM's expression language and template shapes.
    "\"[",
    "]\"",
    "'",
    "[concat(",
    "[parameters('",
    "[variables('",
    "reference('",
    "copyIndex()",
    "resourceId('Microsoft.Network/virtualNetworks', '",
    "cidrSubnet('10.0.0.0/16', 24, ",
    "\"copy\": {\"name\": \"c\", \"count\": 3, \"input\": \"[copyIndex('c')]\"}, ",
    "\"condition\": false, ",
    "\"id\": \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s\", ",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut seeds: Vec<(String, String)> = Vec::new();
    for dir in &args[2..] {
        collect(Path::new(dir), &mut seeds);
    }
    if seeds.is_empty() {
        eprintln!("usage: fuzz_import SECONDS SEED_DIR…  (folders holding .tf or .json files)");
        std::process::exit(2);
    }
    std::panic::set_hook(Box::new(|_| {}));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let (mut runs, mut accepted) = (0u64, 0u64);
    while Instant::now() < deadline {
        let (name, text) = &seeds[(next(&mut rng) % seeds.len() as u64) as usize];
        let mut mutant = text.clone();
        for _ in 0..=(next(&mut rng) % 4) {
            mutate(&mut mutant, &mut rng);
        }
        let json = name.ends_with(".json");
        // The seed's own kind (a mutant may no longer look like one).
        let kind = if !json {
            Kind::Terraform
        } else if vnetsim_import::terraform::plan::looks_like_plan(text) {
            Kind::TerraformPlan
        } else if vnetsim_import::arm::export::looks_like_template(text) {
            Kind::ArmTemplate
        } else {
            Kind::AzureExport
        };
        let path = if json { "in/input.json" } else { "in/main.tf" };
        let files = Memory::with(&[(path, mutant.as_str())]);
        let request = Request {
            kind,
            path: PathBuf::from(if json { path } else { "in" }),
            display: "in".into(),
            vars: Vec::new(),
            var_files: Vec::new(),
            parameter_files: Vec::new(),
            parameters: Vec::new(),
        };
        let result = std::panic::catch_unwind(|| import(std::slice::from_ref(&request), &files).is_ok());
        runs += 1;
        match result {
            Ok(ok) => accepted += u64::from(ok),
            Err(_) => {
                let _ = std::fs::write("fuzz-crash.tf", &mutant);
                eprintln!("panic after {runs} runs on a mutant of {name}: saved to fuzz-crash.tf");
                std::process::exit(1);
            }
        }
    }
    println!("{runs} runs in {seconds} s, {accepted} imported without error, 0 panics");
}

fn collect(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "tf" || e == "json")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            out.push((p.display().to_string(), text));
        }
    }
}

/// xorshift: a fixed sequence, so a run can be repeated.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// One random edit at a character boundary: delete, duplicate or insert a token.
fn mutate(text: &mut String, rng: &mut u64) {
    let at = |rng: &mut u64, text: &str| {
        let mut i = if text.is_empty() { 0 } else { (next(rng) % text.len() as u64) as usize };
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let a = at(rng, text);
    let b = at(rng, text);
    let (lo, hi) = (a.min(b), a.max(b).min(a.min(b) + 64));
    let mut hi = hi;
    while !text.is_char_boundary(hi) {
        hi -= 1;
    }
    match next(rng) % 3 {
        0 => text.replace_range(lo..hi, ""),
        1 => {
            let piece = text[lo..hi].to_string();
            text.insert_str(hi, &piece);
        }
        _ => text.insert_str(a, TOKENS[(next(rng) % TOKENS.len() as u64) as usize]),
    }
}
