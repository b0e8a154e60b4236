//! Apps written for the unchanged `oneentry` npm package (`tests/oneentry/js`), run by Node
//! against a real server. The package comes from the npm registry at the version its lock file
//! pins (`npm ci`), installed the first time a test needs it.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

/// Longest one script may run: its requests go to a server on this machine.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// `tests/oneentry/js`.
fn package_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oneentry/js")
}

/// Installs the package's dependencies when they are missing (once per test process).
fn installed() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = package_dir()
            .canonicalize()
            .expect("tests/oneentry/js exists");
        if !dir.join("node_modules/oneentry/package.json").exists() {
            let status = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .status()
                .expect("npm (Debian's npm package; scripts/test installs it)");
            assert!(status.success(), "npm ci in {} failed", dir.display());
        }
        dir
    })
}

/// Runs `tests/oneentry/js/<script>` under Node with `env`; answers the JSON of its last line
/// of output. A script that fails (a thrown error, a failed assertion) fails the test with its
/// output.
pub async fn run_oneentry_script(script: &str, env: &[(&str, String)]) -> Value {
    let dir = installed();
    let mut command = tokio::process::Command::new("node");
    command
        .arg(dir.join(script))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().expect("node (Debian's nodejs package)");
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script} ran past {SCRIPT_TIMEOUT:?}"))
        .expect("node's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{script}'s last line is not JSON ({e}):\n{stdout}\n{stderr}"))
}
