//! The shared real configuration files (`../shared/real-configs/`: Microsoft's public samples,
//! third-party data the repository must not copy).
//!
//! They are found through `VNETSIM_REAL_CONFIGS` (CI sets it, see `.ci/run`), else in
//! `../shared/real-configs` beside the repository root. A test that needs them starts with
//! `if !real_configs::available() { return; }`: when neither exists it prints `skipped: ...` to
//! standard error and passes, so a lone clone stays green; when the variable is set, a missing
//! folder or file fails the test instead.

use std::path::PathBuf;

/// The variable that names the real-configs folder.
pub const VARIABLE: &str = "VNETSIM_REAL_CONFIGS";

/// The real-configs folder, or `None` when there is none to use. Panics when
/// `VNETSIM_REAL_CONFIGS` names a folder that does not exist.
pub fn dir() -> Option<PathBuf> {
    if let Some(set) = std::env::var_os(VARIABLE).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(set);
        assert!(dir.is_dir(), "{VARIABLE}={} is not a folder", dir.display());
        return Some(dir);
    }
    let beside = crate::workspace_root().join("../shared/real-configs");
    beside.is_dir().then_some(beside)
}

/// Whether the real configs are there; when not, prints `skipped: ...` (naming the calling
/// test's thread) to standard error.
pub fn available() -> bool {
    if dir().is_some() {
        return true;
    }
    let thread = std::thread::current();
    eprintln!(
        "skipped: {}: no real configs (set {VARIABLE} or put shared/real-configs beside the repository)",
        thread.name().unwrap_or("test")
    );
    false
}

/// The file `relative` (e.g. `managed-vnet/x.yml`) of the real configs; panics when there are
/// none (check [`available`] first) or the file is missing.
pub fn path(relative: &str) -> PathBuf {
    let dir = dir().unwrap_or_else(|| panic!("no real configs for {relative}: check `available()` first"));
    let path = dir.join(relative);
    assert!(path.is_file(), "{} is missing from the real configs", path.display());
    path
}

/// The text of [`path`].
pub fn text(relative: &str) -> String {
    let path = path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of the expectations of `scenario` that fail when it runs with the real configs at
/// `root` instead (a mutated copy); checks that `run` exits 1 exactly when some fail.
pub fn failing_against(scenario: &str, root: &std::path::Path) -> Vec<usize> {
    let output = std::process::Command::new(crate::cli::binary())
        .args(["run", scenario])
        .env(VARIABLE, root)
        .current_dir(crate::workspace_root())
        .output()
        .expect("the vnetsim binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let prefix = format!("FAIL {scenario}:");
    let lines: Vec<usize> =
        (stdout.lines()).filter_map(|l| l.strip_prefix(&prefix)?.split(' ').next()?.parse().ok()).collect();
    let code = if lines.is_empty() { 0 } else { 1 };
    assert_eq!(output.status.code(), Some(code), "{scenario} against {}:\n{stdout}{stderr}", root.display());
    lines
}
