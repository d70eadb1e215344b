//! Running the built `vnetsim` binary from the binary package's integration tests (`tests/`).

use std::path::PathBuf;
use std::process::Command;

/// The built binary: `CARGO_BIN_EXE_vnetsim` when Cargo sets it at run time (Cargo 1.94 and
/// later), else `vnetsim` beside the test executable's `deps/` folder, where Cargo puts it.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CARGO_BIN_EXE_vnetsim") {
        return PathBuf::from(path);
    }
    let test = std::env::current_exe().expect("the test executable's path");
    let profile = test.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    let path = profile.join(format!("vnetsim{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "no vnetsim binary at {}: run this from the vnetsim package's tests", path.display());
    path
}

/// Runs the binary with `args` in the workspace root, so paths in its output are relative
/// (`tests/fixtures/...`, `scenarios/...`); returns (exit code, stdout, stderr). A process
/// killed by a signal reports exit code -1; a panic fails the test.
pub fn vnetsim(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(binary())
        .args(args)
        .current_dir(crate::workspace_root())
        .output()
        .expect("failed to start the vnetsim binary");
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    assert!(!stderr.contains("panicked"), "vnetsim {args:?} panicked:\n{stderr}");
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

/// The `file:line:col: error:` header lines of rendered diagnostics.
pub fn error_headers(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(": error: ")).collect()
}

/// Runs `check` on a broken fixture holding exactly one problem and checks the exit code, the
/// location and the start of the message.
pub fn assert_one_error(fixture: &str, line_col: &str, message_start: &str) -> String {
    let file = format!("tests/fixtures/broken/{fixture}");
    let (code, stdout, stderr) = vnetsim(&["check", &file]);
    assert_eq!(code, 2, "check {file} must exit 2\nstdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(stdout, "", "check {file} printed a summary for a broken file");
    let expected = format!("{file}:{line_col}: error: {message_start}");
    let headers = error_headers(&stderr);
    assert_eq!(headers.len(), 1, "expected exactly one error for {file}, got:\n{stderr}");
    assert!(headers[0].starts_with(&expected), "expected `{expected}...`, got:\n{stderr}");
    assert!(stderr.ends_with(&format!("\n{file}: 1 error\n")), "missing error count line:\n{stderr}");
    stderr
}
