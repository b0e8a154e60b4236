//! Backups of the embedded store, taken while the server runs, and their restore.
//!
//! A backup is a tar archive (`tar`) of three files:
//!
//! - `portico-backup.json`, the manifest (`Manifest`): the format, the schema version, when the
//!   snapshot was taken;
//! - `portico.key`, the server key file as it is in the data directory: the records sealed or
//!   keyed under it (outbox messages, one-time codes, the operator token) are unreadable
//!   without it, so the backup is as secret as the key file itself;
//! - `portico.redb`, a new database holding every table of one read transaction of the served
//!   file: everything committed before the backup began, nothing after. It is written straight
//!   into its entry (`Region`), the archive into an unnamed file of the data directory.
//!
//! `tar -xf` of a backup into an empty directory gives a data directory; `restore_backup` does
//! that with its checks (a newer schema, a server running on the directory, a database already
//! there).

mod check;
mod region;
mod restore;
mod tar;

use std::io::{self, Seek};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use redb::{ReadTransaction, ReadableDatabase, ReadableTable, TableHandle};
use serde::{Deserialize, Serialize};

use portico_core::storage::Backup;
use portico_keys::{KeyFile, KEY_FILE};

use super::tables::{ScopedDef, SystemDef};
use super::{Store, StoreError, StoreResult, SystemTable, Table};
use super::{DATABASE_FILE, SCHEMA_VERSION_KEY};
use region::Region;

#[cfg(any(test, feature = "test-knobs"))]
pub use check::forge_schema_version;
pub use check::inspect_backup;
use check::Parts;
pub use restore::{database_in_use, restore_backup, Restored};

/// Name of the manifest inside a backup.
pub const MANIFEST_FILE: &str = "portico-backup.json";

/// The `format` of a backup's manifest.
pub const FORMAT: &str = "portico-backup";

/// The version of the backup format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Media type of a backup.
pub const MEDIA_TYPE: &str = "application/x-tar";

/// Page cache of the database a backup writes or checks: it is read or written once, in order.
const COPY_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// What a backup says about itself (`portico-backup.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always `FORMAT`.
    pub format: String,
    /// The backup format's version (`FORMAT_VERSION`).
    pub version: u32,
    /// The storage engine (`redb`).
    pub engine: String,
    /// The schema version of its database.
    pub schema_version: u32,
    /// When its snapshot was taken: it holds everything committed before.
    pub taken_at: DateTime<Utc>,
    /// The Portico that wrote it.
    pub written_by: String,
}

/// What a checked backup holds (`inspect_backup`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupSummary {
    /// The schema version of its database.
    pub schema_version: u32,
    /// When its snapshot was taken.
    pub taken_at: DateTime<Utc>,
    /// The size of the whole backup file.
    pub backup_bytes: u64,
    /// The size of its database.
    pub database_bytes: u64,
    /// Records in its database, every table together.
    pub records: u64,
}

/// Why a backup could not be checked or restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The file is no backup this build can read.
    #[error("{path} is not a Portico backup: {reason}")]
    NotABackup {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The backup was written by a newer Portico.
    #[error("the backup holds schema version {found}, newer than this Portico reads (up to schema version {supported}): restore it with a Portico as new as the one that wrote it")]
    NewerSchema {
        /// Its schema version.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// A server has the data directory's database open.
    #[error("a server is running on {dir} ({file} is open and locked): stop it before restoring")]
    InUse {
        /// The data directory.
        dir: PathBuf,
        /// Its database.
        file: PathBuf,
    },
    /// The data directory already holds a database, and `--force` was not given.
    #[error("{file} already exists: --force replaces it, keeping it as {file}.before-restore")]
    DatabaseExists {
        /// The database.
        file: PathBuf,
    },
    /// A file kept by an earlier restore is in the way.
    #[error("{file} is left from an earlier restore: move it away first (it is not overwritten)")]
    KeptFileExists {
        /// The kept file.
        file: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: io::Error,
    },
    /// The restored database does not open as the server would open it.
    #[error("the restored database does not open: {0}")]
    Store(#[from] StoreError),
}

impl BackupError {
    /// Whether the backup or the data directory was refused (as opposed to a failure to read
    /// or write).
    pub fn is_refusal(&self) -> bool {
        !matches!(self, BackupError::Io { .. } | BackupError::Store(_))
    }
}

/// A closure making the `BackupError::Io` of `context`.
fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> BackupError {
    let context = context.into();
    move |source| BackupError::Io { context, source }
}

fn store_io(e: io::Error) -> StoreError {
    StoreError::Database(format!("writing the backup: {e}"))
}

impl Store {
    /// A backup of every table as of one read transaction, with the key file, in an unnamed
    /// file of the data directory (gone once closed). Writers go on meanwhile; the served file
    /// keeps the pages the snapshot reads until it is done.
    pub fn backup(&self) -> StoreResult<Backup> {
        let key = KeyFile::read_text(&self.shared.dir)?;
        let source = self.shared.db.begin_read()?;
        let taken_at = Utc::now();
        let schema_version = schema_version_of(&source)?;
        let manifest = Manifest {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            engine: "redb".into(),
            schema_version,
            taken_at,
            written_by: format!("portico {}", env!("CARGO_PKG_VERSION")),
        };
        let mut file = tempfile::tempfile_in(&self.shared.dir).map_err(store_io)?;
        let mut archive = tar::Writer::new(&file, taken_at.timestamp().max(0) as u64);
        let manifest = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
        archive.append(MANIFEST_FILE, &manifest).map_err(store_io)?;
        archive.append(KEY_FILE, key.as_bytes()).map_err(store_io)?;
        let start = archive.open_entry(DATABASE_FILE).map_err(store_io)?;
        let region = Region::writable(file.try_clone().map_err(store_io)?, start);
        copy_tables(&source, region)?;
        drop(source);
        let size = file.metadata().map_err(store_io)?.len() - start;
        archive
            .close_entry(DATABASE_FILE, start, size)
            .map_err(store_io)?;
        let bytes = archive.finish().map_err(store_io)?;
        file.rewind().map_err(store_io)?;
        Ok(Backup {
            file,
            bytes,
            media_type: MEDIA_TYPE,
            schema_version,
            taken_at,
        })
    }
}

/// The schema version recorded in a snapshot.
fn schema_version_of(tx: &ReadTransaction) -> StoreResult<u32> {
    let meta = tx.open_table(SystemTable::Meta.def())?;
    let found = meta
        .get(SCHEMA_VERSION_KEY)?
        .ok_or_else(|| StoreError::Database("the database records no schema version".into()))?;
    serde_json::from_slice(found.value()).map_err(|source| StoreError::Corrupt {
        table: SystemTable::Meta.name(),
        key: SCHEMA_VERSION_KEY.into(),
        source,
    })
}

/// Writes every table of `source` into a new database in `region`, in one transaction.
fn copy_tables(source: &ReadTransaction, region: Region) -> StoreResult<()> {
    let known: Vec<&str> = Table::ALL
        .iter()
        .map(|t| t.name())
        .chain(SystemTable::ALL.iter().map(|t| t.name()))
        .collect();
    // A table this build does not know would be left out: refuse rather than miss it.
    for table in source.list_tables()? {
        if !known.contains(&table.name()) {
            return Err(StoreError::Database(format!(
                "the database holds a table this Portico does not know ({}); not backed up",
                table.name()
            )));
        }
    }
    let dest = redb::Database::builder()
        .set_cache_size(COPY_CACHE_BYTES)
        .create_with_backend(region)?;
    let txn = dest.begin_write()?;
    for &table in Table::ALL {
        copy_scoped(source, &txn, table.def())?;
    }
    for table in SystemTable::ALL {
        copy_system(source, &txn, table.def())?;
    }
    txn.commit()?;
    dest.close()?;
    Ok(())
}

fn copy_scoped(
    source: &ReadTransaction,
    dest: &redb::WriteTransaction,
    def: ScopedDef,
) -> StoreResult<()> {
    let from = source.open_table(def)?;
    let mut to = dest.open_table(def)?;
    for entry in from.iter()? {
        let (key, value) = entry?;
        to.insert(key.value(), value.value())?;
    }
    Ok(())
}

fn copy_system(
    source: &ReadTransaction,
    dest: &redb::WriteTransaction,
    def: SystemDef,
) -> StoreResult<()> {
    let from = source.open_table(def)?;
    let mut to = dest.open_table(def)?;
    for entry in from.iter()? {
        let (key, value) = entry?;
        to.insert(key.value(), value.value())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
