//! An in-memory file tree, so tests import Terraform written inline.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use vnetsim_import::Files;

#[derive(Default)]
pub struct Mem(pub BTreeMap<PathBuf, String>);

impl Mem {
    pub fn with(files: &[(&str, &str)]) -> Mem {
        Mem(files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect())
    }
}

impl Files for Mem {
    fn read(&self, path: &Path) -> io::Result<String> {
        let key = normal(path);
        self.0.get(&key).cloned().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let dir = normal(dir);
        let out: Vec<PathBuf> = self.0.keys().filter(|p| p.parent() == Some(dir.as_path())).cloned().collect();
        if out.is_empty() && !self.is_dir(&dir) {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such folder"));
        }
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        let dir = normal(path);
        self.0.keys().any(|p| p.starts_with(&dir) && *p != dir)
    }
}

/// `.` and `..` resolved, as the importer names module folders.
fn normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
