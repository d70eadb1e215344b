//! The `vnetsim import` round trip: the YAML an import writes must load into the same network
//! as its source. [`same_network`] checks it the way a user would: `vnetsim diff` walks every
//! class of every source of both (`--everything`) and finds no change, and `flows` and `audit`
//! print the same report (human and JSON), once the file names are made equal.

use crate::cli::vnetsim;

/// A command's output with the file it read written `FILE`.
fn normalized(output: &str, file: &str) -> String {
    output.replace(file, "FILE")
}

/// Panics unless the scenario `source` (which imports the original input) and the imported YAML
/// `imported` are the same network. `with_sources`: whether the network has places to walk
/// from (the diff must walk some classes exactly then). `tag` names the case in messages.
pub fn same_network(tag: &str, source: &str, imported: &str, with_sources: bool) {
    let (code, stdout, stderr) = vnetsim(&["diff", source, imported, "--fail-on", "any", "--everything"]);
    assert_eq!(code, 0, "{tag}: the imported YAML differs from its source:\n{stdout}{stderr}");
    assert!(stdout.contains(": no change"), "{tag}: {stdout}");
    let walked = (stdout.split("walked ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("{tag}: no class count in the diff:\n{stdout}"));
    assert_eq!(walked > 0, with_sources, "{tag}: the diff walked {walked} classes:\n{stdout}");
    for command in ["flows", "audit"] {
        for format in ["human", "json"] {
            let (code_source, out_source, err_source) = vnetsim(&[command, source, "--format", format]);
            let (code_yaml, out_yaml, err_yaml) = vnetsim(&[command, imported, "--format", format]);
            assert!(err_source.is_empty() && err_yaml.is_empty(), "{tag} {command}:\n{err_source}\n{err_yaml}");
            assert_eq!(code_source, code_yaml, "{tag}: `{command}` exits differently");
            assert_eq!(
                normalized(&out_source, source),
                normalized(&out_yaml, imported),
                "{tag}: `{command} --format {format}` differs between the source and the imported YAML"
            );
        }
    }
}
