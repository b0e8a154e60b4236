//! A real SMTP server on 127.0.0.1 for the black-box tests: the mail crate's aiosmtpd script
//! (`host/mail/tests/smtp_server.py`, Debian's `python3-aiosmtpd`), which writes each message it
//! accepts to a directory as JSON.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Longest a test waits for mail to arrive.
const ARRIVAL_TIMEOUT: Duration = Duration::from_secs(30);

/// The SMTP server, stopped when dropped.
pub struct SmtpServer {
    child: Child,
    dir: tempfile::TempDir,
    /// The port it listens on.
    pub port: u16,
}

impl SmtpServer {
    /// Starts a server that answers `answer` to `RCPT TO` of each `(address, answer)` and
    /// accepts every other recipient.
    pub fn start(refusals: &[(&str, &str)]) -> SmtpServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../host/mail/tests/smtp_server.py");
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
        let stdout = child.stdout.take().expect("its output");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("its port");
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"));
        SmtpServer { child, dir, port }
    }

    /// `portico serve` options mailing through this server.
    pub fn serve_args(&self) -> Vec<String> {
        [
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &self.port.to_string(),
            "--smtp-tls",
            "none",
            "--mail-from",
            "portal@portico.test",
            "--mail-from-name",
            "Portico",
        ]
        .map(str::to_string)
        .to_vec()
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("the mail directory")
            .map(|entry| entry.expect("an entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
            .collect()
    }

    /// Waits until at least `count` messages arrived; answers them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + ARRIVAL_TIMEOUT;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{count} messages expected, {} arrived: {received:?}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
