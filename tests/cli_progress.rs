//! Issue 22: the progress bars of long commands draw only when standard error is a terminal.
//! Here standard error is a pipe, so each command writes nothing but its usual messages there:
//! no bar, no escape code, no carriage return. (A real terminal cannot be tested in CI; the bar
//! there is indicatif's drawing, cleared before the report is written.)

use vnetsim_testkit::cli::vnetsim;

const CLEAN: &str = "scenarios/19-data-exfiltration-prevention.yaml";
const V1: &str = "scenarios/22-v1-secure-workspace.yaml";

/// Old behaviour caught: a bar drawn whatever standard error is, which would litter CI logs
/// and every captured run with frames.
#[test]
fn issue_22_no_progress_is_drawn_when_standard_error_is_not_a_terminal() {
    for (args, code) in [
        (vec!["audit", V1], 1),
        (vec!["audit", V1, "--format", "json"], 1),
        (vec!["reach", CLEAN, "--from", "spoke/training"], 0),
        (vec!["diff", CLEAN, CLEAN, "--everything"], 0),
    ] {
        let (got, out, err) = vnetsim(&args);
        assert_eq!(got, code, "{args:?}:\n{out}{err}");
        assert!(!out.is_empty(), "{args:?}");
        assert_eq!(err, "", "{args:?}");
    }
    // Replay and bench keep their one line of timing or size on standard error, and only it.
    let (code, _, err) = vnetsim(&["replay", CLEAN, "--packets", "20000"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("replay: loaded and compiled in ") && err.lines().count() == 1, "{err:?}");
    let (code, _, err) = vnetsim(&["bench", "--spokes", "2", "--packets", "3000", "--rounds", "1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "bench: 2 spokes…\n");
}
