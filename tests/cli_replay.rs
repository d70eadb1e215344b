//! Issue 8: `vnetsim replay` and `vnetsim bench` through the binary: the same counts at any
//! thread count, counts that add up, the JSON schema, the bench table, and bad input.

use serde_json::Value;
use std::path::PathBuf;
use vnetsim_testkit::cli::vnetsim;

/// A generated landing zone written to a file of its own under the target directory.
fn generated(spokes: usize, name: &str) -> PathBuf {
    let (code, yaml, stderr) = vnetsim(&["gen", "--spokes", &spokes.to_string(), "--seed", "4"]);
    assert_eq!(code, 0, "{stderr}");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, yaml).expect("writable target directory");
    path
}

#[test]
fn issue_8_replay_prints_the_same_counts_on_one_thread_and_two() {
    let file = generated(6, "replay-threads.yaml");
    let file = file.to_str().expect("UTF-8 path");
    let run = |threads: &str| vnetsim(&["replay", file, "--packets", "30000", "--threads", threads]);
    let (code1, out1, err1) = run("1");
    let (code2, out2, err2) = run("2");
    assert_eq!((code1, code2), (0, 0), "{err1}{err2}");
    assert_eq!(out1, out2);
    assert!(out1.contains("generated packets: 30,000 (seed 1)"), "{out1}");
    assert!(out1.contains("flow catalogue: "), "{out1}");
    assert!(out1.contains("by deciding object (top 15 of"), "{out1}");
    // Timings go to standard error only.
    assert!(err1.contains("packets/s) on 1 thread\n") && err2.contains("packets/s) on 2 threads\n"), "{err1}{err2}");
}

#[test]
fn issue_8_replay_json_counts_add_up() {
    let file = generated(4, "replay-json.yaml");
    let (code, out, err) =
        vnetsim(&["replay", file.to_str().expect("UTF-8"), "--packets", "20000", "--seed", "7", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["schema"], "vnetsim-replay/1");
    let p = &v["packets"];
    assert_eq!(p["packets"], 20000);
    assert_eq!(p["seed"], 7);
    let sum = |o: &Value| o.as_object().expect("object").values().map(|n| n.as_u64().expect("count")).sum::<u64>();
    assert_eq!(sum(&p["by_disposition"]), 20000);
    let deciders = p["by_decider"].as_array().expect("list");
    assert_eq!(deciders.iter().map(|d| d["count"].as_u64().expect("count")).sum::<u64>(), 20000);
    // Most first.
    assert!(deciders.windows(2).all(|w| w[0]["count"].as_u64() >= w[1]["count"].as_u64()));
    let c = &v["catalogue"];
    assert_eq!(sum(&c["by_status"]), c["cells"].as_u64().expect("cells"));
    assert_eq!(sum(&c["by_disposition"]), c["connections"].as_u64().expect("connections"));
    assert!(c["blocked_by"].as_array().expect("list").iter().all(|d| d["decided_by"].is_object()));
}

#[test]
fn issue_8_bench_prints_one_table_row_per_size() {
    let (code, out, err) = vnetsim(&["bench", "--spokes", "2", "5", "--packets", "3000", "--rounds", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("median of 2 runs"), "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0].starts_with("| spokes | NICs | firewall rules | load (s) | compile (s) | walks/s, 1 thread"));
    assert!(rows[1].starts_with("| 2 | ") && rows[2].starts_with("| 5 | "), "{out}");
    assert!(rows.iter().all(|r| r.matches('|').count() == 12), "{out}");
    assert!(out.contains("verdict cache: none"), "{out}");
}

#[test]
fn issue_8_replay_and_bench_reject_bad_input_with_exit_2() {
    let (code, _, err) = vnetsim(&["replay", "tests/fixtures/broken/no-such-file.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let (code, _, err) = vnetsim(&["replay", "tests/fixtures/broken/audit-unknown-key.yaml", "--packets", "10"]);
    assert_eq!(code, 2);
    assert!(err.contains("tests/fixtures/broken/audit-unknown-key.yaml:"), "{err}");
    let (code, _, err) = vnetsim(&["bench", "--spokes", "70000"]);
    assert_eq!(code, 2);
    assert!(err.contains("at most 65280 spokes"), "{err}");
    let (code, _, err) = vnetsim(&["bench", "--spokes", "2", "--packets", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--packets must be at least 1"), "{err}");
    let (code, _, err) = vnetsim(&["bench", "--spokes", "2", "--rounds", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--rounds must be at least 1"), "{err}");
}
