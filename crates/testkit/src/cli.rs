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

/// A table-driven bad-input suite: each case is a fixture under `root` (a folder, or a file in
/// one) holding one mistake, given to `vnetsim check`.
pub mod broken {
    use super::{error_headers, vnetsim};

    /// Why case `target` (under `root`) does not give exactly one error at `at` (`file:line:col`
    /// in the case's folder) naming `message`, with the line's snippet, the count line and exit
    /// code 2; `None` when it does.
    pub fn problem(root: &str, target: &str, at: &str, message: &str) -> Option<String> {
        let folder = target.split('/').next().unwrap_or(target);
        let path = format!("{root}/{target}");
        let (code, stdout, stderr) = vnetsim(&["check", &path]);
        let run = format!("vnetsim check {path}\nexit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        if code != 2 {
            return Some(format!("exit code {code}, not 2\n{run}"));
        }
        if !stdout.is_empty() {
            return Some(format!("a summary on stdout\n{run}"));
        }
        let headers = error_headers(&stderr);
        let header = format!("{root}/{folder}/{at}: error: ");
        let [found] = headers.as_slice() else {
            return Some(format!("{} errors, expected one at {header}\n{run}", headers.len()));
        };
        if !found.starts_with(&header) || !found.contains(message) {
            return Some(format!("expected `{header}…{message}…`, got `{found}`\n{run}"));
        }
        // The snippet quotes the line the location names (a file name may hold `:`).
        let (file, line) = match at.rsplitn(3, ':').collect::<Vec<_>>()[..] {
            [_column, line, file] => (file, line.parse::<usize>().expect("a line number")),
            _ => panic!("{target}: write `file:line:col`"),
        };
        let text = std::fs::read_to_string(format!("{root}/{folder}/{file}")).unwrap_or_default();
        let quoted = text.lines().nth(line - 1).unwrap_or_default();
        let snippet = format!("{line} | {}", quoted.chars().take(40).collect::<String>());
        if !stderr.contains(snippet.trim_end()) {
            return Some(format!("no snippet `{snippet}`\n{run}"));
        }
        if !stderr.ends_with(": 1 error\n") {
            return Some(format!("no error count line\n{run}"));
        }
        None
    }

    /// Runs every case (target, `file:line:col`, message) before failing, so one run lists
    /// every case that regressed.
    pub fn assert_all(root: &str, cases: &[(&str, &str, &str)]) {
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|(target, at, message)| problem(root, target, at, message).map(|p| format!("{target}: {p}")))
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n\n")
        );
    }

    /// The fixture folders under `root` no case names (besides `others`), so a case cannot be
    /// added and silently left unchecked.
    pub fn unlisted_folders(root: &str, cases: &[(&str, &str, &str)], others: &[&str]) -> Vec<String> {
        let mut folders: Vec<String> = std::fs::read_dir(crate::workspace_root().join(root))
            .expect("the fixtures folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        folders.sort();
        let listed: Vec<&str> = cases.iter().map(|(t, _, _)| t.split('/').next().unwrap_or(t)).collect();
        folders.retain(|f| !listed.contains(&f.as_str()) && !others.contains(&f.as_str()));
        folders
    }
}
