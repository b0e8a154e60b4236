//! Where a test's screenshots go: `<root>/screenshots/<test name>/<NN>-<name>.png`, kept after
//! the run for a person (or CI) to look at. The root is `PORTICO_TEST_ARTIFACTS`, else
//! `test-artifacts` in the workspace's target directory, which is never committed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The screenshots folder of one browser's test, numbering its pictures in the order taken.
pub(crate) struct Screenshots {
    dir: PathBuf,
    taken: AtomicU32,
}

impl Screenshots {
    /// The folder of test `test`, emptied of an earlier run's pictures (so that what it holds
    /// is this run's, numbered from 01).
    pub(crate) fn for_test(test: &str) -> Screenshots {
        let dir = root().join("screenshots").join(file_name(test));
        let _ = std::fs::remove_dir_all(&dir);
        Screenshots {
            dir,
            taken: AtomicU32::new(0),
        }
    }

    /// The path of the next picture, called `name`; creates the folder.
    pub(crate) fn next(&self, name: &str) -> Result<PathBuf, String> {
        let number = self.taken.fetch_add(1, Ordering::Relaxed) + 1;
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        Ok(self
            .dir
            .join(format!("{number:02}-{}.png", file_name(name))))
    }
}

/// `PORTICO_TEST_ARTIFACTS`, else `test-artifacts` in `CARGO_TARGET_DIR` (relative to the
/// workspace when relative), else in the workspace's `target`.
fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("PORTICO_TEST_ARTIFACTS") {
        return PathBuf::from(dir);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("the crate lies at host/test-browser in the workspace");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| workspace.join(dir))
        .unwrap_or_else(|| workspace.join("target"));
    target.join("test-artifacts")
}

/// `text` with everything but ASCII letters, digits, `-` and `_` made `_`: a test's module path
/// `a::b` becomes `a__b`, and no name climbs out of the folder.
fn file_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
