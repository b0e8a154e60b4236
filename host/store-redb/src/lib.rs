//! Portico's embedded storage engine: one redb file, the default (`portico serve` needs no other
//! service). It implements the core's storage port (`portico_core::storage`): every aggregate's
//! reads and writes on tenant-scoped tables (`Table`) and a few system tables (`SystemTable`),
//! group commit (`group_commit`: concurrent writers share one durable transaction), deferred
//! durability, the configuration cache, migrations of the file's layout, and the server key
//! file beside the database.
//!
//! It depends on the core and plain libraries (redb, serde, the key file's ciphers) only:
//! never on the plugin runtime, the HTTP layer or the `portico` binary. Nothing outside this
//! crate names redb, a table or a key encoding.

pub mod backup;
mod changes;
mod config_cache;
mod deferral;
mod engine;
mod group_commit;
mod migrations;
mod read;
mod tables;
mod write;

// The storage port's aggregates on redb.
mod app_tokens;
mod auth_providers;
mod endpoint_configs;
mod forms;
mod groups;
mod hook_deliveries;
mod identity_providers;
mod mail_templates;
mod outbox;
mod passwords;
mod plugin_artifacts;
mod plugins;
mod portal;
mod profiles;
mod record_numbers;
mod sessions;
mod sign_in_attempts;
mod signup_links;
mod tenants;
mod user_codes;
mod users;

use std::any::{Any, TypeId};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use redb::{Database, ReadableDatabase, ReadableTable};

use config_cache::ConfigCache;
pub use deferral::Durability;
use group_commit::GroupCommit;
pub use group_commit::{
    CommitPolicy, CommitStats, DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT, MAX_BATCH_CEILING,
    MAX_WAIT_CEILING,
};
pub use portico_core::storage::CONFIG_CACHE_ENTRIES;
pub use portico_keys::{KeyFile, KEY_FILE};
pub use read::{RawReader, ReadTx, Reader};
pub use tables::{composite_key, time_ordered_key, SystemTable, Table, KEY_SEPARATOR};
pub use write::WriteTx;

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "portico.redb";

/// redb's page cache. redb's default (1 GiB) fills with whatever was read, stored plugin
/// artifacts included (about 0.9 MB each): reading 1,000 of them left about 450 MB resident.
/// Pages beyond it are read again from the OS page cache.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Version of the on-disk layout this build reads and writes. Bump it with a migration
/// (`migrations`) whenever a table or record changes incompatibly. 2: `component_tenants`.
/// 3: plugin components and compiled artifacts stored as bytes, not JSON base64 (rows written
/// before are still read, so older builds must not open a file that has the new ones).
/// 4: every sign-in failure record has the time of its last failure and an entry in
/// `sign_in_attempt_times`. 5: every user's email has an entry in `user_email_skeletons`.
/// 6: every user and form has its number in the tenant, and `record_numbers` the last ones.
pub const SCHEMA_VERSION: u32 = 6;

const SCHEMA_VERSION_KEY: &str = "schema_version";

/// A storage failure: the disk, redb, or a record that no longer decodes.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// redb, the disk or the committer failed.
    #[error("database error: {0}")]
    Database(String),
    /// A stored record no longer decodes.
    #[error("stored record {table}/{key} does not decode: {source}")]
    Corrupt {
        /// Its table.
        table: &'static str,
        /// Its key.
        key: String,
        /// The decoder's error.
        source: serde_json::Error,
    },
    /// The file was written by a newer build (refused: its records may not decode here).
    #[error("the data directory was written by a newer Portico (schema {found}, this build reads up to {SCHEMA_VERSION})")]
    NewerSchema {
        /// The schema version the file records.
        found: u32,
    },
    /// The data directory cannot be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why not.
        source: std::io::Error,
    },
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self { StoreError::Database(e.to_string()) }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// The result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<StoreError> for portico_core::storage::StorageError {
    fn from(e: StoreError) -> Self {
        use portico_core::storage::StorageError;
        match e {
            StoreError::Corrupt { table, key, source } => StorageError::Corrupt {
                what: table,
                key,
                message: source.to_string(),
            },
            other => StorageError::Unavailable(other.to_string()),
        }
    }
}

impl From<portico_keys::KeyFileError> for StoreError {
    fn from(e: portico_keys::KeyFileError) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<portico_core::storage::StorageError> for StoreError {
    fn from(e: portico_core::storage::StorageError) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<StoreError> for portico_core::error::DomainError {
    fn from(e: StoreError) -> Self {
        portico_core::storage::StorageError::from(e).into()
    }
}

/// The open database and its group committer. Share it behind an `Arc`; dropping it commits
/// what has joined a batch, stops the committer and closes the file.
pub struct Store {
    shared: Arc<Shared>,
    committer: Option<JoinHandle<()>>,
}

struct Shared {
    db: Database,
    group: GroupCommit,
    config: ConfigCache,
    /// The key file's keys (`keys`), loaded after the database so its lock guards their creation.
    keys: KeyFile,
    /// The data directory: the database, the key file, and a backup while it is written.
    dir: PathBuf,
}

impl Store {
    /// Opens (or creates) the database in `dir` with the default commit policy.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        Store::open_with(dir, CommitPolicy::default())
    }

    /// Opens (or creates) the database in `dir`, creates every table, checks the schema version
    /// and starts the group committer.
    pub fn open_with(dir: &Path, policy: CommitPolicy) -> StoreResult<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(dir.join(DATABASE_FILE))?;
        prepare_tables(&db)?;
        let keys = KeyFile::load_or_create(dir)?;
        let shared = Arc::new(Shared {
            db,
            group: GroupCommit::new(policy),
            config: ConfigCache::default(),
            keys,
            dir: dir.to_path_buf(),
        });
        let for_committer = shared.clone();
        let committer = std::thread::Builder::new()
            .name("portico-commit".into())
            .spawn(move || {
                let shared = &for_committer;
                shared
                    .group
                    .run_committer(&shared.db, || shared.config.invalidate())
            })
            .map_err(|e| StoreError::Database(format!("cannot start the committer: {e}")))?;
        Ok(Store {
            shared,
            committer: Some(committer),
        })
    }

    /// The server key file's keys, for keyed digests and sealed values.
    pub fn keys(&self) -> &KeyFile {
        &self.shared.keys
    }

    /// A consistent snapshot for reading: every durable batch, never a pending one. On a thread
    /// whose deferring scope owes a batch, waits for that batch first (read-your-writes).
    pub fn read(&self) -> StoreResult<ReadTx> {
        self.settle_owed()?;
        Ok(ReadTx {
            txn: self.shared.db.begin_read()?,
        })
    }

    /// A turn to write in the open batch; writers take turns, so checks made through it hold
    /// until `commit`. Dropping it without `commit` discards its changes.
    pub fn write(&self) -> StoreResult<WriteTx<'_>> {
        // A batch this thread owes is made durable first: a read made while holding the turn
        // waits for the owed batch, which could not commit while that turn is held.
        self.settle_owed()?;
        let group = &self.shared.group;
        let batch = group.take_turn(|| Ok(self.shared.db.begin_read()?))?;
        Ok(WriteTx {
            batch,
            group,
            store: self.id(),
            staged: Default::default(),
            keys: &self.shared.keys,
        })
    }

    /// Waits for the batch this thread's deferring scope owes, if any.
    fn settle_owed(&self) -> StoreResult<()> {
        match deferral::owed(self.id()) {
            0 => Ok(()),
            owed => self.shared.group.wait_durable(owed),
        }
    }

    /// A value computed by `load` from configuration tables (`Table::is_configuration`),
    /// reused under `key` until a commit writes configuration (see `config_cache`). `load`
    /// must read nothing else: other tables' changes do not invalidate it. Errors are not kept.
    pub fn config_cached<T, E>(
        &self,
        key: &str,
        load: impl FnOnce(&ReadTx) -> Result<T, E>,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        E: From<StoreError>,
    {
        let value = self.config_cached_erased::<E>(TypeId::of::<T>(), key, |tx| {
            Ok(Arc::new(load(tx)?) as Arc<dyn Any + Send + Sync>)
        })?;
        Ok(value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("values are cached by their type")))
    }

    /// `config_cached` for a value of type `of_type`.
    fn config_cached_erased<E: From<StoreError>>(
        &self,
        of_type: TypeId,
        key: &str,
        load: impl FnOnce(&ReadTx) -> Result<Arc<dyn Any + Send + Sync>, E>,
    ) -> Result<Arc<dyn Any + Send + Sync>, E> {
        // Read-your-writes: a change this thread made must be committed (and the cache
        // invalidated) before a cached value is trusted.
        self.settle_owed()?;
        if let Some(value) = self.shared.config.get_any(of_type, key) {
            return Ok(value);
        }
        // The generation is read before the snapshot opens: a change committed in between
        // bumps it, so the value is dropped at its next use instead of outliving the change.
        let generation = self.shared.config.generation();
        let value = load(&self.read()?)?;
        self.shared
            .config
            .put_any(of_type, key, generation, value.clone());
        Ok(value)
    }

    fn id(&self) -> usize {
        deferral::store_id(&self.shared)
    }

    /// Runs `op` with this thread's commits deferred (see `deferral`): they join their batches
    /// without waiting for the fsync, and the returned `Durability` waits for all of them. A
    /// request handler awaits it before answering. Inside another scope, `op` simply runs in
    /// that one.
    pub fn deferring<R>(&self, op: impl FnOnce() -> R) -> (R, Durability) {
        let Some(scope) = deferral::open(self.id()) else {
            return (op(), Durability::none());
        };
        let result = op();
        // Writes queued for a commit that never came get a turn of their own.
        let flushed = self.flush_pending();
        let ticket = scope.close();
        let durability = Durability {
            shared: (ticket != 0).then(|| self.shared.clone()),
            ticket,
            failed: flushed.err(),
        };
        (result, durability)
    }

    fn flush_pending(&self) -> StoreResult<()> {
        let pending = deferral::take_pending(self.id());
        if pending.is_empty() {
            return Ok(());
        }
        let mut tx = self.write()?;
        for write in pending {
            write(&mut tx)?;
        }
        tx.commit()
    }

    /// Writes `write` with this thread's next commit when it is in a deferring scope (so a
    /// record that rides along with a request, the plugin invocation log, costs no write turn
    /// of its own), else at once in its own durable write.
    pub fn write_with_next_commit(
        &self,
        write: portico_core::storage::DeferredWrite,
    ) -> StoreResult<()> {
        match deferral::push(self.id(), write) {
            None => Ok(()),
            Some(write) => {
                let mut tx = self.write()?;
                write(&mut tx)?;
                tx.commit()
            }
        }
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> StoreResult<Option<u32>> {
        self.read()?
            .system_get(SystemTable::Meta, SCHEMA_VERSION_KEY)
    }

    /// How writes are grouped.
    pub fn commit_policy(&self) -> CommitPolicy {
        self.shared.group.policy()
    }

    /// Commits and writes since the store opened.
    pub fn commit_stats(&self) -> CommitStats {
        self.shared.group.stats()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.shared.group.stop();
        if let Some(committer) = self.committer.take() {
            let _ = committer.join();
        }
    }
}

/// Creates every table and records (or checks) the schema version, in one transaction before
/// the committer starts.
fn prepare_tables(db: &Database) -> StoreResult<()> {
    let txn = db.begin_write()?;
    for &t in Table::ALL {
        txn.open_table(t.def())?;
    }
    for t in SystemTable::ALL {
        txn.open_table(t.def())?;
    }
    {
        let mut meta = txn.open_table(SystemTable::Meta.def())?;
        let found = meta
            .get(SCHEMA_VERSION_KEY)?
            .map(|g| serde_json::from_slice::<u32>(g.value()));
        match found {
            None => {
                meta.insert(SCHEMA_VERSION_KEY, read::encode(&SCHEMA_VERSION).as_slice())?;
            }
            Some(Ok(found)) if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema { found })
            }
            Some(Ok(found)) if found < SCHEMA_VERSION => {
                migrations::migrate(&txn, &mut meta, found)?;
                meta.insert(SCHEMA_VERSION_KEY, read::encode(&SCHEMA_VERSION).as_slice())?;
            }
            Some(Ok(_)) => {}
            Some(Err(source)) => {
                return Err(StoreError::Corrupt {
                    table: SystemTable::Meta.name(),
                    key: SCHEMA_VERSION_KEY.into(),
                    source,
                })
            }
        }
    }
    txn.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests;
