//! A real SMTP server on 127.0.0.1 for Portico's tests: `smtp_server.py` (beside this crate's
//! manifest) on Python's aiosmtpd (Debian's `python3-aiosmtpd`), which writes every message it
//! accepts to a directory as JSON (the envelope, the decoded headers, each part's text).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The SMTP server, stopped when dropped.
pub struct SmtpServer {
    child: Child,
    dir: tempfile::TempDir,
    /// The port it listens on.
    pub port: u16,
}

impl SmtpServer {
    /// Starts a server that accepts every recipient.
    pub fn start() -> SmtpServer {
        SmtpServer::refusing(&[])
    }

    /// Starts a server that answers `answer` to `RCPT TO` of each `(address, answer)`.
    pub fn refusing(refusals: &[(&str, &str)]) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp_server.py");
        let mut command = Command::new(python());
        command.arg("-u").arg(script).arg("--dir").arg(dir.path());
        for (address, answer) in refusals {
            command.arg("--refuse").arg(format!("{address}={answer}"));
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP server starts");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"));
        SmtpServer { child, dir, port }
    }

    /// Waits until at least `count` messages arrived (at most `timeout`); answers them all.
    pub fn wait_for(&self, count: usize, timeout: std::time::Duration) -> Vec<Value> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count || std::time::Instant::now() >= deadline {
                return received;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Every message received so far, oldest first, as the server's email parser read it.
    pub fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let read = |path: &PathBuf| serde_json::from_slice(&std::fs::read(path).unwrap());
        files.iter().map(|path| read(path).unwrap()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python with aiosmtpd: `PORTICO_TEST_PYTHON`, Debian's `/usr/bin/python3`, or `python3`.
fn python() -> String {
    let candidates = std::env::var("PORTICO_TEST_PYTHON")
        .into_iter()
        .chain(["/usr/bin/python3".to_string(), "python3".to_string()]);
    for candidate in candidates {
        let found = Command::new(&candidate)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status();
        if found.is_ok_and(|status| status.success()) {
            return candidate;
        }
    }
    panic!("the mail tests need Python's aiosmtpd: apt-get install -y python3-aiosmtpd");
}
