//! Issue 16 (HTTP server): request paths and bodies that are refused, connection limits and
//! timeouts, bounded shutdown, and what the request log may contain.

mod bodies;
mod connections;
mod logs;
mod metrics;
mod otlp;
mod paths;
mod shutdown;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::support::OPERATOR_TOKEN;

/// A `portico serve` with its own flags and log settings, for tests that signal it, watch it
/// exit or read its log. Killed when dropped.
pub struct Portico {
    child: Child,
    pub addr: SocketAddr,
    pub base_url: String,
    _data: tempfile::TempDir,
}

impl Portico {
    /// Starts the server with `args`, logging at `log_level` to `log_file` (or nowhere).
    pub fn start(args: &[&str], log_level: &str, log_file: Option<&Path>) -> Portico {
        let data = tempfile::tempdir().expect("temp dir");
        let stderr = match log_file {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
            None => Stdio::null(),
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data.path())
            .args(args)
            .env("PORTICO_LOG", log_level)
            .env("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn portico");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base_url = loop {
            let line = lines.next().expect("portico exited early").expect("stdout");
            if let Some(url) = line.strip_prefix("portico listening on ") {
                break url.trim().to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        let addr = base_url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .expect("listening address");
        Portico {
            child,
            addr,
            base_url,
            _data: data,
        }
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// The exit status, if the process exits within `limit`.
    pub fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Portico {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
