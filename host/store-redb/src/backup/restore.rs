//! Restoring a backup into a data directory, with no server running on it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use portico_keys::KEY_FILE;
use serde::Serialize;

use super::{io_error, tar, BackupError, BackupSummary, Parts};
use crate::{Store, DATABASE_FILE};

/// Suffix of the files a forced restore keeps.
const KEPT_SUFFIX: &str = "before-restore";

/// Suffix of the files a restore writes before it moves them into place.
const DRAFT_SUFFIX: &str = "restoring";

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// What the backup holds.
    pub backup: BackupSummary,
    /// The restored database.
    pub database: PathBuf,
    /// The schema version of the restored database once opened (a backup of an older
    /// Portico is upgraded by that first open).
    pub schema_version: u32,
    /// Where the database and key file that were replaced are kept (`--force`).
    pub kept: Vec<PathBuf>,
}

/// Whether a process (a running server) has the database file `file` open: redb locks it.
pub fn database_in_use(file: &Path) -> bool {
    matches!(
        redb::Builder::new().open_read_only(file),
        Err(redb::DatabaseError::DatabaseAlreadyOpen)
    )
}

/// `path` with `.suffix` added to its file name.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// Restores the backup at `from` into the data directory `data_dir` (created when missing),
/// offline: the backup is checked first (a newer schema is refused); a server running on the
/// directory is refused; a database already there is refused unless `force`, and then kept
/// beside it as `portico.redb.before-restore` (its key file as `portico.key.before-restore`).
/// The restored database is opened once, as a server would open it, before this answers.
pub fn restore_backup(from: &Path, data_dir: &Path, force: bool) -> Result<Restored, BackupError> {
    let parts = Parts::read(from)?;
    let key = parts.key_text(from)?;
    let backup = parts.check_database(from)?;

    let database = data_dir.join(DATABASE_FILE);
    let key_file = data_dir.join(KEY_FILE);
    let replacing = database.exists();
    if replacing && database_in_use(&database) {
        return Err(BackupError::InUse {
            dir: data_dir.to_path_buf(),
            file: database,
        });
    }
    if replacing && !force {
        return Err(BackupError::DatabaseExists { file: database });
    }
    let to_keep: Vec<PathBuf> = [&database, &key_file]
        .into_iter()
        .filter(|file| file.exists())
        .cloned()
        .collect();
    for file in &to_keep {
        let kept = suffixed(file, KEPT_SUFFIX);
        if kept.exists() {
            return Err(BackupError::KeptFileExists { file: kept });
        }
    }

    std::fs::create_dir_all(data_dir)
        .map_err(io_error(format!("creating {}", data_dir.display())))?;
    let database_draft = suffixed(&database, DRAFT_SUFFIX);
    let key_draft = suffixed(&key_file, DRAFT_SUFFIX);
    copy_entry(&parts.file, &parts.database, &database_draft)?;
    write_private(&key_draft, key.as_bytes())?;

    let mut kept = Vec::new();
    for file in &to_keep {
        let to = suffixed(file, KEPT_SUFFIX);
        rename(file, &to)?;
        kept.push(to);
    }
    rename(&database_draft, &database)?;
    rename(&key_draft, &key_file)?;
    sync_dir(data_dir)?;

    // Opened once as the server opens it: an older backup is upgraded now, and a file that does
    // not open is taken back out, the replaced files put back.
    let opened = Store::open(data_dir).and_then(|store| store.schema_version());
    match opened {
        Ok(version) => Ok(Restored {
            schema_version: version.unwrap_or(backup.schema_version),
            backup,
            database,
            kept,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&database);
            let _ = std::fs::remove_file(&key_file);
            for (original, kept) in to_keep.iter().zip(&kept) {
                let _ = std::fs::rename(kept, original);
            }
            Err(BackupError::Store(e))
        }
    }
}

/// Copies the bytes of `entry` of the archive `archive` into the new file `to` (readable by its
/// owner only), durably.
pub(super) fn copy_entry(archive: &File, entry: &tar::Entry, to: &Path) -> Result<(), BackupError> {
    let context = format!("writing {}", to.display());
    let mut source = archive.try_clone().map_err(io_error(&context))?;
    source
        .seek(SeekFrom::Start(entry.offset))
        .map_err(io_error(&context))?;
    let mut out = create_private(to)?;
    let copied = io::copy(&mut source.take(entry.size), &mut out).map_err(io_error(&context))?;
    if copied != entry.size {
        return Err(BackupError::Io {
            context,
            source: io::ErrorKind::UnexpectedEof.into(),
        });
    }
    out.sync_all().map_err(io_error(context))
}

/// Writes `bytes` to the new file `to` (readable by its owner only), durably.
fn write_private(to: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    use std::io::Write;
    let mut out = create_private(to)?;
    out.write_all(bytes)
        .and_then(|()| out.sync_all())
        .map_err(io_error(format!("writing {}", to.display())))
}

/// Creates (or truncates) `path`, readable and writable by its owner only.
fn create_private(path: &Path) -> Result<File, BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(io_error(format!("creating {}", path.display())))
}

fn rename(from: &Path, to: &Path) -> Result<(), BackupError> {
    std::fs::rename(from, to).map_err(io_error(format!(
        "moving {} to {}",
        from.display(),
        to.display()
    )))
}

/// Makes the renames in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(format!("syncing {}", dir.display())))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
