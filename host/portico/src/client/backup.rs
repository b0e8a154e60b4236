//! `portico backup --out FILE`: a backup of a running server's store (`GET /v1/backup`,
//! operator token), written to a file beside FILE, checked (its database opened in place), then
//! renamed to FILE. `portico restore --from FILE --data DIR`: puts a backup in place, offline
//! (`portico_store_redb::backup::restore_backup` and its checks).

use std::path::{Path, PathBuf};

use clap::Args;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use super::operator_token::{create_private, draft_path, sync_parent};
use super::output::size;
use super::{unreachable, Connection, Credential, Failure, Output};
use portico::store::backup::{inspect_backup, restore_backup, BackupError};

/// `portico backup`.
#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    connection: Connection,
    /// Where to write the backup (a tar archive of the database and the server key file: keep
    /// it as private as the key file).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

/// A file being downloaded, removed unless it is kept.
struct Draft(Option<PathBuf>);

impl Drop for Draft {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A closure making the `Failure::Local` of `what` ("cannot write") on `path`.
fn local(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Failure {
    let path = path.display().to_string();
    move |e| Failure::Local(format!("{what} {path}: {e}"))
}

impl BackupArgs {
    /// Whether the answer is printed as JSON.
    pub fn json(&self) -> bool {
        self.connection.json
    }

    /// Runs the command.
    pub async fn run(self) -> Result<(), Failure> {
        let out = Output {
            json: self.connection.json,
        };
        if self.out.exists() && !self.force {
            return Err(Failure::Declined(format!(
                "{} exists: --force replaces it",
                self.out.display()
            )));
        }
        // No bound on the whole download: a large store takes a while to copy and send.
        let client = self.connection.client_with(Credential::Operator, None)?;
        let draft_file = draft_path(&self.out);
        let mut file = tokio::fs::File::from_std(
            create_private(&draft_file).map_err(local("cannot create", &draft_file))?,
        );
        let draft = Draft(Some(draft_file.clone()));
        let mut response = client
            .send(Method::GET, client.url(&["backup"]), None)
            .await?;
        if !response.status().is_success() {
            return Err(super::read_answer(response)
                .await
                .err()
                .unwrap_or(Failure::Unreachable(
                    "the server's answer ended early".into(),
                )));
        }
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            file.write_all(&chunk)
                .await
                .map_err(local("cannot write", &draft_file))?;
        }
        file.sync_all()
            .await
            .map_err(local("cannot write", &draft_file))?;
        drop(file);
        let checked = draft_file.clone();
        let summary = tokio::task::spawn_blocking(move || inspect_backup(&checked))
            .await
            .map_err(|e| Failure::Local(e.to_string()))?
            .map_err(|e| {
                Failure::Local(format!("the backup the server sent does not check: {e}"))
            })?;
        std::fs::rename(&draft_file, &self.out).map_err(local("cannot write", &self.out))?;
        std::mem::forget(draft);
        sync_parent(&self.out).map_err(local("cannot write", &self.out))?;
        let mut report = serde_json::to_value(&summary).expect("a summary serialises");
        report["file"] = json!(self.out);
        out.show(&report, |r| {
            format!(
                "backup written to {}: {} (database {}, {} records), schema version {}, snapshot taken at {}",
                self.out.display(),
                size(r["backupBytes"].as_u64().unwrap_or(0)),
                size(r["databaseBytes"].as_u64().unwrap_or(0)),
                r["records"],
                r["schemaVersion"],
                r["takenAt"].as_str().unwrap_or("?"),
            )
        });
        Ok(())
    }
}

/// `portico restore`.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup (`portico backup --out FILE`).
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    /// The data directory to restore into (created when missing); no server may be running on
    /// it.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Replace the database already in DIR, keeping it (and its key file) beside it as
    /// `portico.redb.before-restore` (`portico.key.before-restore`).
    #[arg(long)]
    force: bool,
    /// Print what was restored as JSON.
    #[arg(long)]
    json: bool,
}

impl RestoreArgs {
    /// Whether the answer is printed as JSON.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Runs the command.
    pub async fn run(self) -> Result<(), Failure> {
        let out = Output { json: self.json };
        let (from, data, force) = (self.from.clone(), self.data.clone(), self.force);
        let restored = tokio::task::spawn_blocking(move || restore_backup(&from, &data, force))
            .await
            .map_err(|e| Failure::Local(e.to_string()))?
            .map_err(|e: BackupError| match e.is_refusal() {
                true => Failure::Declined(e.to_string()),
                false => Failure::Local(e.to_string()),
            })?;
        let report = serde_json::to_value(&restored).expect("a restore serialises");
        out.show(&report, |r: &Value| {
            let mut text = format!(
                "restored {} into {}: schema version {}, snapshot taken at {}, {} records",
                self.from.display(),
                self.data.display(),
                r["schemaVersion"],
                r["backup"]["takenAt"].as_str().unwrap_or("?"),
                r["backup"]["records"],
            );
            for kept in restored.kept.iter() {
                text.push_str(&format!(
                    "\nthe replaced file is kept as {}",
                    kept.display()
                ));
            }
            text
        });
        Ok(())
    }
}
