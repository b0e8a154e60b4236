//! The store as the rules hold it: transactions, deferred durability, cached configuration and
//! the server's keys. An engine (the embedded redb file, PostgreSQL shared by several hosts)
//! implements `Storage`; the rules hold an `Arc<dyn Storage>` and never learn which one it is.

use std::any::{Any, TypeId};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::{StorageError, StorageReads, StorageResult, StorageWrites};
use crate::error::DomainResult;

/// Prefix of keyed digests (`ServerKeys::code_digest`); stored digests without it are plain
/// SHA-256 (written before the server key existed).
pub const KEYED_DIGEST_PREFIX: &str = "hmac-sha256:";

/// A read transaction: a consistent snapshot of what is committed.
pub type ReadTx<'s> = Box<dyn StorageReads + 's>;

/// A write transaction: it sees its own changes, and `commit` makes them all durable or none.
/// Dropping it without committing discards them.
pub type WriteTx<'s> = Box<dyn WriteTransaction + 's>;

/// A write that joins this thread's next commit (`Storage::write_with_next_commit`).
pub type DeferredWrite = Box<dyn FnOnce(&mut dyn WriteTransaction) -> StorageResult<()>>;

/// Whose records a write transaction changes. The embedded engine runs every write
/// transaction in turn; an engine shared by several hosts serializes those of one scope (its
/// rules' checks, such as a licence count or a single-use token, hold within a scope), and runs
/// different tenants' at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteScope<'a> {
    /// One tenant's records (by tenant id), including its configuration.
    Tenant(&'a str),
    /// One record of a tenant and what it owns (a user with its form data and sessions), for
    /// a write whose checks read nothing a write to another record could change (what must be
    /// unique is still refused by the store). Writes to different records of a tenant run at
    /// once; a `Tenant` write waits for them, and they for it.
    Record {
        /// The tenant's id.
        tenant: &'a str,
        /// The record, named uniquely within the tenant (e.g. `user/{id}`).
        key: &'a str,
    },
    /// Installation-wide records: tenants being created, the operator's settings and limits,
    /// compiled plugin artifacts shared by tenants.
    Installation,
}

/// What a write transaction offers beyond every aggregate's reads and writes.
pub trait WriteTransaction: StorageWrites {
    /// Commits every change of this transaction at once. Inside a deferring scope
    /// (`Storage::deferring`) it may return before the changes are durable: the scope's
    /// `Durability` waits for them.
    fn commit(self: Box<Self>) -> StorageResult<()>;

    /// The server's keys.
    fn keys(&self) -> &dyn ServerKeys;
}

/// The server's secret keys: keyed digests of short codes and sealed values. They are kept
/// apart from the stored records, so a copy of the database alone reveals neither.
pub trait ServerKeys: Send + Sync {
    /// A keyed digest of `code` bound to `context`, starting with `KEYED_DIGEST_PREFIX`.
    fn code_digest(&self, context: &str, code: &str) -> String;
    /// `plaintext` sealed (encrypted and authenticated) under the server key.
    fn seal(&self, plaintext: &[u8]) -> String;
    /// The plaintext of a value `seal` produced, or `None` when it was not sealed under this
    /// key or was altered.
    fn open(&self, sealed: &str) -> Option<Vec<u8>>;
}

/// The group-commit policy and counters since start.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageStats {
    /// Most writes per durable transaction.
    pub max_batch: usize,
    /// Longest a batch waits for queued writers, in microseconds.
    pub max_wait_micros: u64,
    /// Durable transactions committed.
    pub commits: u64,
    /// Writes those transactions carried.
    pub writes: u64,
    /// Most writes in one transaction.
    pub largest_batch: u64,
}

/// A delivery queue's backlog across every tenant: how many entries wait for an attempt and
/// when the earliest is due (its lateness is what an operator alerts on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueBacklog {
    /// Entries queued for an attempt, now or later (retries waiting out their backoff too).
    pub queued: u64,
    /// When the earliest of them is due; `None` when the queue is empty.
    pub oldest_due_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The backlogs of the two delivery queues: the mail outbox and the after-hook deliveries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryBacklog {
    /// Messages waiting for the mail worker.
    pub outbox: QueueBacklog,
    /// After-hook events waiting for their plugin call.
    pub hook_deliveries: QueueBacklog,
}

/// A backup of every stored record, made by the engine (`Storage::backup`): one consistent
/// snapshot (everything committed before it began, nothing after) and what reading it needs
/// (the server key file), in one file the engine can restore.
#[derive(Debug)]
pub struct Backup {
    /// The backup, positioned at its start. A file of the engine's own that is removed from the
    /// disk once closed.
    pub file: std::fs::File,
    /// Its length in bytes.
    pub bytes: u64,
    /// Its media type (`application/x-tar`).
    pub media_type: &'static str,
    /// The version of the stored layout it holds.
    pub schema_version: u32,
    /// When its snapshot was taken.
    pub taken_at: chrono::DateTime<chrono::Utc>,
}

/// A value computed from configuration, shared by the requests that use it.
pub type CachedValue = Arc<dyn Any + Send + Sync>;

/// The load function of `Storage::configuration`.
pub type LoadConfiguration<'f> = &'f mut dyn FnMut(&dyn StorageReads) -> DomainResult<CachedValue>;

/// A storage engine.
pub trait Storage: Send + Sync {
    /// A consistent snapshot for reading. On a thread whose deferring scope owes a commit, it
    /// waits for that commit first (a request reads its own writes).
    fn read(&self) -> StorageResult<ReadTx<'_>>;

    /// A write transaction on `scope`'s records. Checks made through it hold until it commits:
    /// write transactions of one scope run one at a time, on every host sharing the store.
    fn write(&self, scope: WriteScope<'_>) -> StorageResult<WriteTx<'_>>;

    /// The server's keys.
    fn keys(&self) -> &dyn ServerKeys;

    /// The value of type `of_type` that `load` computed from configuration (tenant settings,
    /// plugins, bindings, limits, forms) under `key`, reused until configuration changes. A
    /// change acknowledged before a request starts is always seen by it. `load` must read
    /// configuration only. Errors are not kept.
    fn configuration(
        &self,
        of_type: TypeId,
        key: &str,
        load: LoadConfiguration<'_>,
    ) -> DomainResult<CachedValue>;

    /// Runs `op` with this thread's commits deferred: they return without waiting for their
    /// durability, and the answered `Durability` waits for all of them. Inside another scope
    /// `op` simply runs in that one.
    fn defer_commits(&self, op: &mut dyn FnMut()) -> Durability;

    /// Writes `write` (on `scope`'s records) with this thread's next commit when it is in a
    /// deferring scope (a record that rides along with a request costs no commit of its own),
    /// else at once.
    fn write_with_next_commit(
        &self,
        scope: WriteScope<'_>,
        write: DeferredWrite,
    ) -> StorageResult<()>;

    /// The version of the stored layout.
    fn schema_version(&self) -> StorageResult<Option<u32>>;

    /// How writes are committed and how many since start.
    fn stats(&self) -> StorageStats;

    /// The delivery queues' backlogs, read from the store (every host's work, when shared).
    fn delivery_backlog(&self) -> StorageResult<DeliveryBacklog>;

    /// A backup of every stored record (`Backup`), taken while the store serves: writers go on
    /// while it is written. An engine backed up with its own tools answers
    /// `StorageError::Unsupported` naming them.
    fn backup(&self) -> StorageResult<Backup> {
        Err(StorageError::Unsupported {
            code: "backup_unsupported",
            message: "this storage engine has no built-in backup".into(),
        })
    }

    /// Whether every read waits for the network (a database shared by several hosts), so that
    /// callers keep even short reads off the async workers. The embedded file answers from
    /// memory or the page cache.
    fn reads_wait_for_network(&self) -> bool {
        false
    }
}

impl dyn Storage {
    /// A write transaction on the records of the tenant `tenant_id`.
    pub fn write_tenant(&self, tenant_id: &str) -> StorageResult<WriteTx<'_>> {
        self.write(WriteScope::Tenant(tenant_id))
    }

    /// A write transaction on one record of the tenant `tenant_id` (`WriteScope::Record`).
    pub fn write_record(&self, tenant_id: &str, key: &str) -> StorageResult<WriteTx<'_>> {
        self.write(WriteScope::Record {
            tenant: tenant_id,
            key,
        })
    }

    /// A write transaction on installation-wide records.
    pub fn write_installation(&self) -> StorageResult<WriteTx<'_>> {
        self.write(WriteScope::Installation)
    }

    /// `configuration` for a value of type `T`.
    pub fn config_cached<T: Send + Sync + 'static>(
        &self,
        key: &str,
        load: impl FnOnce(&dyn StorageReads) -> DomainResult<T>,
    ) -> DomainResult<Arc<T>> {
        let mut load = Some(load);
        let value = self.configuration(TypeId::of::<T>(), key, &mut |tx| {
            let load = load.take().expect("a configuration value is loaded once");
            Ok(Arc::new(load(tx)?) as CachedValue)
        })?;
        Ok(value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("values are cached by their type")))
    }

    /// `defer_commits` for an operation answering `R`.
    pub fn deferring<R>(&self, op: impl FnOnce() -> R) -> (R, Durability) {
        let mut op = Some(op);
        let mut answer = None;
        let durability = self.defer_commits(&mut || {
            let op = op.take().expect("a deferred operation runs once");
            answer = Some(op());
        });
        (answer.expect("the deferred operation ran"), durability)
    }
}

/// Commits a deferring scope still owes (`Storage::defer_commits`).
pub trait OwedCommits: Send {
    /// Resolves once they are durable, or with their commit's error.
    fn wait(self: Box<Self>) -> Pin<Box<dyn Future<Output = StorageResult<()>> + Send>>;
    /// `wait` for a thread outside the async runtime.
    fn wait_blocking(self: Box<Self>) -> StorageResult<()>;
}

/// What an operation run in a deferring scope still has to wait for before it is answered.
#[must_use = "the operation's writes are not durable until this is awaited"]
pub struct Durability(Option<Box<dyn OwedCommits>>);

impl Durability {
    /// Nothing to wait for.
    pub fn none() -> Durability {
        Durability(None)
    }

    /// Wait for `owed`.
    pub fn owed(owed: Box<dyn OwedCommits>) -> Durability {
        Durability(Some(owed))
    }

    /// Whether the operation wrote anything that is not durable yet (as of its end).
    pub fn is_pending(&self) -> bool {
        self.0.is_some()
    }

    /// Returns once every write of the operation is durable, or with its commit's error.
    pub async fn wait(self) -> StorageResult<()> {
        match self.0 {
            Some(owed) => owed.wait().await,
            None => Ok(()),
        }
    }

    /// `wait` for a thread outside the async runtime (the hook worker).
    pub fn wait_blocking(self) -> StorageResult<()> {
        match self.0 {
            Some(owed) => owed.wait_blocking(),
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for Durability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Durability")
            .field("pending", &self.is_pending())
            .finish()
    }
}
