//! `portico operator-token rotate`: replaces the operator token (`POST /v1/operator-token`). The
//! new token is shown once (or written to `--out FILE`, readable by its owner only); the old one
//! is refused from the next request on, on every host of the store.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::json;

use super::output::cell;
use super::{Connection, Credential, Failure, Output};

/// What the operator must do after a rotation when the server sets its token at start.
const RESTART_NOTE: &str =
    "A server started with PORTICO_OPERATOR_TOKEN sets that token again at its next start: \
put the new token there before restarting.";

/// `portico operator-token`.
#[derive(Args, Debug)]
pub struct OperatorTokenArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: OperatorTokenCommand,
}

#[derive(Subcommand, Debug)]
enum OperatorTokenCommand {
    /// Replace the operator token with a new random one; the current one stops working.
    Rotate {
        /// Write the new token to this file (replaced atomically, readable by its owner only)
        /// instead of printing it; it may be the `--operator-token-file` itself.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

impl OperatorTokenArgs {
    /// Whether the answer is printed as JSON.
    pub fn json(&self) -> bool {
        self.connection.json
    }

    /// Runs the command.
    pub async fn run(self) -> Result<(), Failure> {
        let out = Output {
            json: self.connection.json,
        };
        let client = self.connection.client(Credential::Operator)?;
        let OperatorTokenCommand::Rotate { out: file } = self.command;
        let rotated = client.call(Method::POST, &["operator-token"], None).await?;
        let token = cell(&rotated["token"]);
        match file {
            Some(file) => {
                write_private(&file, format!("{token}\n").as_bytes()).map_err(|e| {
                    // The server already took the new token: it must not be lost.
                    Failure::Local(format!(
                        "the operator token was rotated but {} could not be written ({e}); the new token: {token}",
                        file.display()
                    ))
                })?;
                out.show(&json!({ "tokenFile": file }), |_| {
                    format!(
                        "new operator token written to {}; the old one no longer works.\n{RESTART_NOTE}",
                        file.display()
                    )
                });
            }
            None => out.show(&rotated, |_| {
                format!(
                    "new operator token (shown once; the old one no longer works):\n{token}\n{RESTART_NOTE}"
                )
            }),
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically (a new file beside it, then renamed over it), readable
/// and writable by its owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let draft = draft_path(path);
    let written = (|| {
        let mut file = create_private(&draft)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&draft, path)?;
        sync_parent(path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&draft);
    }
    written
}

/// A new file's path beside `path`, for a write that is renamed over it once complete.
pub fn draft_path(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Creates the new file `path`, readable and writable by its owner only.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes a rename into `path`'s directory durable.
pub fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}
