//! Reading a backup: its parts found in the archive, its manifest and key file checked, its
//! database opened in place (read-only) and its schema version compared with this build's.

use std::fs::File;
use std::path::Path;

use redb::{ReadableDatabase, ReadableTableMetadata};

use portico_keys::{KeyFile, KEY_FILE};

use super::region::Region;
use super::{
    io_error, schema_version_of, tar, BackupError, BackupSummary, Manifest, COPY_CACHE_BYTES,
    FORMAT, FORMAT_VERSION, MANIFEST_FILE,
};
use crate::{SystemTable, Table, DATABASE_FILE, SCHEMA_VERSION};

/// A backup file's parts, found and checked.
pub(super) struct Parts {
    pub file: File,
    pub len: u64,
    pub manifest: Manifest,
    pub key: tar::Entry,
    pub database: tar::Entry,
}

impl Parts {
    /// Finds the parts of the backup at `path` and checks its manifest.
    pub fn read(path: &Path) -> Result<Parts, BackupError> {
        let not_a_backup = |reason: String| BackupError::NotABackup {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(io_error(format!("opening {}", path.display())))?;
        let len = file
            .metadata()
            .map_err(io_error(format!("reading {}", path.display())))?
            .len();
        let entries = tar::entries(&file, len).map_err(not_a_backup)?;
        let find = |name: &str| {
            entries
                .iter()
                .find(|e| e.name == name)
                .cloned()
                .ok_or_else(|| not_a_backup(format!("it has no {name}")))
        };
        let manifest_entry = find(MANIFEST_FILE)?;
        let mut manifest_bytes = vec![0u8; manifest_entry.size.min(64 * 1024) as usize];
        tar::read_at(&file, &mut manifest_bytes, manifest_entry.offset)
            .map_err(io_error(format!("reading {}", path.display())))?;
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| not_a_backup(format!("its {MANIFEST_FILE} does not read: {e}")))?;
        if manifest.format != FORMAT || manifest.version > FORMAT_VERSION {
            return Err(not_a_backup(format!(
                "its format is {} version {}; this Portico reads {FORMAT} up to version {FORMAT_VERSION}",
                manifest.format, manifest.version
            )));
        }
        Ok(Parts {
            key: find(KEY_FILE)?,
            database: find(DATABASE_FILE)?,
            file,
            len,
            manifest,
        })
    }

    /// The key file's text, checked.
    pub fn key_text(&self, path: &Path) -> Result<String, BackupError> {
        let mut bytes = vec![0u8; self.key.size.min(4096) as usize];
        tar::read_at(&self.file, &mut bytes, self.key.offset)
            .map_err(io_error(format!("reading {}", path.display())))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        KeyFile::check_text(path, &text).map_err(|e| BackupError::NotABackup {
            path: path.to_path_buf(),
            reason: format!("its {KEY_FILE} holds no key ({})", e.message),
        })?;
        Ok(text)
    }

    /// Opens the database entry in place, read-only, and checks it: answers what it holds.
    pub fn check_database(&self, path: &Path) -> Result<BackupSummary, BackupError> {
        let newer = |found: u32| BackupError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        };
        let not_a_backup = |reason: String| BackupError::NotABackup {
            path: path.to_path_buf(),
            reason,
        };
        let region = Region::read_only(
            self.file
                .try_clone()
                .map_err(io_error(format!("reading {}", path.display())))?,
            self.database.offset,
            self.database.size,
        );
        let db = match redb::Builder::new()
            .set_cache_size(COPY_CACHE_BYTES)
            .open_read_only_with_backend(region)
        {
            Ok(db) => db,
            // A newer Portico may also write a file this redb cannot open.
            Err(_) if self.manifest.schema_version > SCHEMA_VERSION => {
                return Err(newer(self.manifest.schema_version))
            }
            Err(e) => return Err(not_a_backup(format!("its database does not open: {e}"))),
        };
        let read = |e: String| not_a_backup(format!("its database does not read: {e}"));
        let tx = db.begin_read().map_err(|e| read(e.to_string()))?;
        let schema_version = schema_version_of(&tx).map_err(|e| read(e.to_string()))?;
        if schema_version > SCHEMA_VERSION {
            return Err(newer(schema_version));
        }
        if schema_version != self.manifest.schema_version {
            return Err(not_a_backup(format!(
                "its manifest says schema version {} but its database holds {schema_version}",
                self.manifest.schema_version
            )));
        }
        let mut records = 0;
        for &table in Table::ALL {
            match tx.open_table(table.def()) {
                Ok(t) => records += t.len().map_err(|e| read(e.to_string()))?,
                // An older file may lack a table that came without a schema change.
                Err(redb::TableError::TableDoesNotExist(_)) => {}
                Err(e) => return Err(read(e.to_string())),
            }
        }
        for table in SystemTable::ALL {
            match tx.open_table(table.def()) {
                Ok(t) => records += t.len().map_err(|e| read(e.to_string()))?,
                Err(redb::TableError::TableDoesNotExist(_)) => {}
                Err(e) => return Err(read(e.to_string())),
            }
        }
        Ok(BackupSummary {
            schema_version,
            taken_at: self.manifest.taken_at,
            backup_bytes: self.len,
            database_bytes: self.database.size,
            records,
        })
    }
}

/// Checks the backup at `path` without unpacking it: its manifest and key file, and its
/// database opened in place (read-only), whose schema version this build must read.
pub fn inspect_backup(path: &Path) -> Result<BackupSummary, BackupError> {
    let parts = Parts::read(path)?;
    parts.key_text(path)?;
    parts.check_database(path)
}

/// Test knob: rewrites the backup at `path` as if a Portico of schema `version` had written it
/// (its manifest and its database's schema record), to test that a restore refuses it.
#[cfg(any(test, feature = "test-knobs"))]
pub fn forge_schema_version(path: &Path, version: u32) -> Result<(), BackupError> {
    let parts = Parts::read(path)?;
    let dir = tempfile::tempdir().map_err(io_error("a temporary directory"))?;
    let db_path = dir.path().join(DATABASE_FILE);
    super::restore::copy_entry(&parts.file, &parts.database, &db_path)?;
    let db = redb::Database::create(&db_path).map_err(crate::StoreError::from)?;
    let txn = db.begin_write().map_err(crate::StoreError::from)?;
    {
        let mut meta = txn
            .open_table(SystemTable::Meta.def())
            .map_err(crate::StoreError::from)?;
        meta.insert(
            crate::SCHEMA_VERSION_KEY,
            crate::read::encode(&version).as_slice(),
        )
        .map_err(crate::StoreError::from)?;
    }
    txn.commit().map_err(crate::StoreError::from)?;
    drop(db);
    let manifest = Manifest {
        schema_version: version,
        ..parts.manifest.clone()
    };
    let key = parts.key_text(path)?;
    let database = std::fs::read(&db_path).map_err(io_error("reading the forged database"))?;
    let out = File::create(path).map_err(io_error("rewriting the backup"))?;
    let mut archive = tar::Writer::new(&out, 0);
    let write = io_error("rewriting the backup");
    let manifest = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    archive
        .append(MANIFEST_FILE, &manifest)
        .and_then(|()| archive.append(KEY_FILE, key.as_bytes()))
        .and_then(|()| archive.append(DATABASE_FILE, &database))
        .and_then(|()| archive.finish().map(|_| ()))
        .map_err(write)
}
