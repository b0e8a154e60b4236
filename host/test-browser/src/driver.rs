//! The chromedriver process: finding the programs, starting it on a free 127.0.0.1 port in a
//! process group of its own, waiting until it is ready, and stopping it with everything it
//! started.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long chromedriver may take to answer `/status` as ready after it is started (it starts in
/// well under a second; the margin is for a loaded 2-core machine).
pub(crate) const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// How long ending the WebDriver session may take when the browser is dropped: chromedriver then
/// closes Chromium and waits for it, which leaves no process behind. Past this, everything is
/// killed anyway.
const SESSION_END_TIMEOUT: Duration = Duration::from_secs(10);

/// How often `/status` is asked while waiting for chromedriver.
const STATUS_POLL: Duration = Duration::from_millis(50);

/// The error when chromedriver is missing (the packages bring both programs).
pub(crate) const CHROMEDRIVER_MISSING: &str = "chromedriver not found: install Debian's chromium \
     and chromium-driver packages (the test command does)";

/// The error when Chromium is missing.
pub(crate) const CHROMIUM_MISSING: &str = "chromium not found: install Debian's chromium and \
     chromium-driver packages (the test command does)";

/// chromedriver: the one given, else `PORTICO_CHROMEDRIVER`, else `chromedriver` on `PATH`, else
/// Debian's `/usr/bin/chromedriver`. A path given explicitly is not second-guessed.
pub(crate) fn chromedriver(given: Option<&Path>) -> Result<PathBuf, String> {
    let explicit = given
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("PORTICO_CHROMEDRIVER").map(PathBuf::from));
    let (found, looked) = match explicit {
        Some(path) => {
            let looked = format!("looked for {}", path.display());
            (Some(path).filter(|p| p.is_file()), looked)
        }
        None => (
            on_path("chromedriver")
                .or_else(|| Some(PathBuf::from("/usr/bin/chromedriver")).filter(|p| p.is_file())),
            "looked on PATH and for /usr/bin/chromedriver".to_string(),
        ),
    };
    found.ok_or_else(|| format!("{CHROMEDRIVER_MISSING} ({looked})"))
}

/// Chromium: the one given, else `PORTICO_CHROMIUM`, else Debian's `/usr/bin/chromium`.
pub(crate) fn chromium(given: Option<&Path>) -> Result<PathBuf, String> {
    let path = given
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("PORTICO_CHROMIUM").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{CHROMIUM_MISSING} (looked for {})",
            path.display()
        ))
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A started chromedriver.
pub(crate) struct Driver {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub(crate) port: u16,
    log: PathBuf,
}

impl Driver {
    /// Starts `program` on a free port and waits until it is ready. It logs into `dir`, and
    /// Chromium keeps there what it would otherwise write under the home directory (its crash
    /// reporter's database, caches).
    pub(crate) fn start(program: &Path, dir: &Path) -> Result<Driver, String> {
        let port = free_port()?;
        let log = dir.join("chromedriver.log");
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: dropping the browser kills the group, so a Chromium that
            // chromedriver could not close is not left running.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("{} did not start: {e}", program.display()))?;
        let mut driver = Driver { child, port, log };
        driver.wait_ready()?;
        Ok(driver)
    }

    /// The last lines of chromedriver's log, for error messages.
    pub(crate) fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("chromedriver exited at startup ({status})"));
            }
            let answer = request(self.port, "GET", "/status", STATUS_POLL * 10);
            if answer.is_ok_and(|body| is_ready(&body)) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "chromedriver did not answer ready within {STARTUP_TIMEOUT:?}:\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(STATUS_POLL);
        }
    }

    /// Ends WebDriver session `session` (chromedriver closes Chromium and waits for it).
    pub(crate) fn end_session(&self, session: &str) {
        let _ = request(
            self.port,
            "DELETE",
            &format!("/session/{session}"),
            SESSION_END_TIMEOUT,
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and whatever it started that is still running.
        if let Ok(group) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a `/status` body says chromedriver is ready for a new session.
fn is_ready(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|status| status["value"]["ready"].as_bool())
        .unwrap_or(false)
}

/// One plain HTTP/1.1 request to chromedriver without a body; answers the response body. Blocking
/// on purpose: it also runs in `Drop`, where nothing can be awaited. chromedriver keeps the
/// connection open after answering, so the body is read by its `Content-Length`.
fn request(port: u16, method: &str, path: &str, timeout: Duration) -> Result<String, String> {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let stream = TcpStream::connect_timeout(&address, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    );
    (&stream)
        .write_all(head.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(&stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad header {line:?}"))?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    String::from_utf8(body).map_err(|e| e.to_string())
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}
