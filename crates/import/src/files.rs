//! The file access an import needs, behind a trait so tests and the fuzzer import from memory.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

pub trait Files {
    /// A file's text.
    fn read(&self, path: &Path) -> io::Result<String>;
    /// The files directly in a folder (not recursive), sorted by name.
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;
    fn is_dir(&self, path: &Path) -> bool;
}

/// The real file system.
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> io::Result<String> {
        let bytes = std::fs::read(path)?;
        String::from_utf8(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_file() {
                out.push(path);
            }
        }
        out.sort();
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// Files held in memory, by path: for embedding, tests and the fuzzer.
#[derive(Default)]
pub struct Memory(pub BTreeMap<PathBuf, String>);

impl Memory {
    pub fn with(files: &[(&str, &str)]) -> Memory {
        Memory(files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect())
    }
}

impl Files for Memory {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.0
            .get(&lexically_normal(path))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let dir = lexically_normal(dir);
        if !self.is_dir(&dir) {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such folder"));
        }
        Ok(self.0.keys().filter(|p| p.parent() == Some(dir.as_path())).cloned().collect())
    }

    fn is_dir(&self, path: &Path) -> bool {
        let dir = lexically_normal(path);
        self.0.keys().any(|p| p.starts_with(&dir) && *p != dir)
    }
}

/// `path` with `.` dropped and `..` taken back against the folder before it, without asking
/// the file system (module folders, import paths and in-memory files are named this way, so one
/// file has one name).
pub fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
