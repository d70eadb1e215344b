//! Which scenarios a suite command reads: files named, every scenario file under folders named,
//! or with no path `./scenarios` (so an edited scenario is what runs), else the built-ins.

use crate::input::{self, InputError, Source};
use std::path::{Path, PathBuf};
use vnetsim_report::check::InvalidFile;

/// The sources of `paths`, and an invalid entry for each that cannot be read or holds no
/// scenario: a suite that silently ran nothing would be a false green.
pub fn sources(paths: &[PathBuf]) -> (Vec<Source>, Vec<InvalidFile>) {
    let mut found = Vec::new();
    let mut invalid = Vec::new();
    for path in paths {
        match input::expand(std::slice::from_ref(path)) {
            Ok(files) if files.is_empty() => {
                let message = format!("error: {}: no scenario files (*.yaml, *.yml) in this folder\n", path.display());
                invalid.push(InputError::message(message).invalid_file(path.display().to_string()));
            }
            Ok(files) => {
                for file in files {
                    match input::read(&file) {
                        Ok(source) => found.push(source),
                        Err(e) => invalid.push(e.invalid_file(file.display().to_string())),
                    }
                }
            }
            Err(e) => invalid.push(e.invalid_file(path.display().to_string())),
        }
    }
    (found, invalid)
}

/// `vnetsim run` without paths: `./scenarios` when the working directory has one, else the
/// scenarios built into the binary (named `builtin:NN-…`).
pub fn default_suite() -> (Vec<Source>, Vec<InvalidFile>) {
    let local = Path::new("scenarios");
    if local.is_dir() { sources(&[local.to_path_buf()]) } else { (input::builtin(), Vec::new()) }
}
