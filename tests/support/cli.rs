//! Runs the real `portico` binary's client commands (`portico tenants ...`, `portico backup
//! ...`) as an operator would, and answers their exit code and output.

use std::path::Path;

use serde_json::Value;

use super::{Server, OPERATOR_TOKEN};

/// What one command did.
#[derive(Debug)]
pub struct Run {
    /// Its exit code.
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Its stdout as JSON (a `--json` run); panics with the output otherwise.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code: {self:?}");
        self
    }
}

/// Runs `portico args` with only the `env` given among the client's variables (token, API key,
/// server).
pub async fn portico(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .args(args)
        .env_remove("PORTICO_OPERATOR_TOKEN")
        .env_remove("PORTICO_API_KEY")
        .env_remove("PORTICO_SERVER")
        .env("PORTICO_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.expect("run portico");
    Run {
        code: output.status.code().expect("portico exited by itself"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `portico args --server <server>` as the operator (`PORTICO_OPERATOR_TOKEN`).
pub async fn operator_cli(server: &Server, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--server", &server.base_url]);
    portico(&all, &[("PORTICO_OPERATOR_TOKEN", OPERATOR_TOKEN)]).await
}

/// Writes `secret` into a new file in `dir` and answers its path (for `--*-file` options).
pub fn secret_file(dir: &Path, name: &str, secret: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{secret}\n")).expect("write the secret file");
    path.display().to_string()
}

/// A 127.0.0.1 URL where nothing listens.
pub fn nothing_listening() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
