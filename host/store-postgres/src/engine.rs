//! `Storage` on PostgreSQL: what the rules hold when several hosts share one database.
//!
//! - Write transactions lock their scope (`transaction`), so the rules' checks hold across
//!   hosts as they do within the embedded engine's single writer.
//! - Commits are durable when they return: a deferring scope owes nothing, and only gathers
//!   the writes deferred to the next commit (`deferral`).
//! - Decoded configuration is kept per host under the `configuration_generation` it was read
//!   with; every transaction that writes configuration increments it before committing, and
//!   each operation reads it once, so a change acknowledged on any host is seen by the next
//!   operation on every host.

use std::any::TypeId;
use std::sync::atomic::Ordering;

use portico_core::error::DomainResult;
use portico_core::storage::{
    self, CachedValue, DeferredWrite, DeliveryBacklog, Durability, LoadConfiguration, OwedCommits,
    QueueBacklog, ServerKeys, StorageError, StorageResult, StorageStats, WriteScope,
    WriteTransaction,
};

use crate::deferral;
use crate::scope::ScopeLock;
use crate::transaction::{wait, PgTx};
use crate::PgStore;

const READ_GENERATION: &str = "SELECT generation FROM configuration_generation";
pub(crate) const READ_SCHEMA_VERSION: &str =
    "SELECT coalesce(max(version), 0) FROM portico_schema_migrations";

impl storage::Storage for PgStore {
    fn read(&self) -> StorageResult<storage::ReadTx<'_>> {
        Ok(Box::new(PgStore::read(self)?))
    }

    fn write(&self, scope: WriteScope<'_>) -> StorageResult<storage::WriteTx<'_>> {
        Ok(Box::new(self.write_in(ScopeLock::of(scope))?))
    }

    fn keys(&self) -> &dyn ServerKeys {
        &*self.context.keys
    }

    fn configuration(
        &self,
        of_type: TypeId,
        key: &str,
        load: LoadConfiguration<'_>,
    ) -> DomainResult<CachedValue> {
        let generation = self.operation_generation()?;
        if let Some(value) = self.cache.get(of_type, key, generation) {
            return Ok(value);
        }
        let tx = PgStore::read(self)?;
        // Read in the snapshot the value is computed from, so the two agree.
        let generation = generation_in(&tx)?;
        let value = load(&tx)?;
        self.cache.put(of_type, key, generation, value.clone());
        Ok(value)
    }

    fn defer_commits(&self, op: &mut dyn FnMut()) -> Durability {
        let Some(scope) = deferral::open(self.context.store) else {
            op();
            return Durability::none();
        };
        op();
        let mut failed = None;
        for (scope, write) in scope.end() {
            if let Err(e) = self.write_alone(scope, write) {
                failed.get_or_insert(e);
            }
        }
        match failed {
            Some(error) => Durability::owed(Box::new(Failed(error.to_string()))),
            None => Durability::none(),
        }
    }

    fn write_with_next_commit(
        &self,
        scope: WriteScope<'_>,
        write: DeferredWrite,
    ) -> StorageResult<()> {
        match deferral::defer(self.context.store, ScopeLock::of(scope), write) {
            Some((scope, write)) => self.write_alone(scope, write),
            None => Ok(()),
        }
    }

    /// Read from the database each time: the health answer reflects whether it is reachable.
    fn schema_version(&self) -> StorageResult<Option<u32>> {
        let client = self.blocking_client()?;
        let row = wait(&self.context.runtime, async {
            let statement = client.prepare_cached(READ_SCHEMA_VERSION).await?;
            client.query_one(&statement, &[]).await
        })
        .map_err(crate::error::storage_error)?;
        Ok(u32::try_from(row.get::<_, i32>(0)).ok())
    }

    /// One statement over both queues' due indexes (pending rows with a next attempt); a row
    /// under lease is due when its lease ends, as in the embedded engine's queue.
    fn delivery_backlog(&self) -> StorageResult<DeliveryBacklog> {
        let client = self.blocking_client()?;
        let row = wait(&self.context.runtime, async {
            let statement = client.prepare_cached(READ_DELIVERY_BACKLOG).await?;
            client.query_one(&statement, &[]).await
        })
        .map_err(crate::error::storage_error)?;
        let backlog = |queued: &str, oldest: &str| QueueBacklog {
            queued: u64::try_from(row.get::<_, i64>(queued)).unwrap_or(0),
            oldest_due_at: row.get(oldest),
        };
        Ok(DeliveryBacklog {
            outbox: backlog("outbox_queued", "outbox_oldest"),
            hook_deliveries: backlog("hooks_queued", "hooks_oldest"),
        })
    }

    fn reads_wait_for_network(&self) -> bool {
        true
    }

    /// A PostgreSQL database is backed up with PostgreSQL's own tools, which every host of the
    /// database shares (docs/operations.md, "Backup and restore").
    fn backup(&self) -> StorageResult<storage::Backup> {
        Err(StorageError::Unsupported {
            code: "backup_unsupported",
            message: "this server keeps its records in PostgreSQL: back the database up with \
                      pg_dump --format=custom (and restore it with pg_restore into an empty \
                      database), keeping the server key file portico.key with the dump"
                .into(),
        })
    }

    fn stats(&self) -> StorageStats {
        let commits = self.context.commits.load(Ordering::Relaxed);
        StorageStats {
            max_batch: 1,
            max_wait_micros: 0,
            commits,
            writes: commits,
            largest_batch: u64::from(commits > 0),
        }
    }
}

impl PgStore {
    /// `write` in a transaction of its own on `scope`.
    fn write_alone(&self, scope: ScopeLock, write: DeferredWrite) -> StorageResult<()> {
        let mut tx = self.write_in(scope)?;
        write(&mut tx)?;
        WriteTransaction::commit(Box::new(tx))
    }

    /// The configuration generation for this thread's operation: read once per deferring
    /// scope, else every time.
    fn operation_generation(&self) -> StorageResult<u64> {
        if let Some(generation) = deferral::generation(self.context.store) {
            return Ok(generation);
        }
        let client = self.blocking_client()?;
        let row = wait(&self.context.runtime, async {
            let statement = client.prepare_cached(READ_GENERATION).await?;
            client.query_one(&statement, &[]).await
        })
        .map_err(crate::error::storage_error)?;
        let generation = generation_of(row.get(0));
        deferral::remember_generation(self.context.store, generation);
        Ok(generation)
    }
}

fn generation_in(tx: &PgTx) -> StorageResult<u64> {
    let row = tx
        .query_opt(READ_GENERATION, &[])?
        .ok_or_else(|| StorageError::Unavailable("configuration_generation has no row".into()))?;
    Ok(generation_of(row.get(0)))
}

fn generation_of(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or_default()
}

impl WriteTransaction for PgTx {
    fn commit(self: Box<Self>) -> StorageResult<()> {
        PgTx::commit(*self)
    }

    fn keys(&self) -> &dyn ServerKeys {
        self.server_keys()
    }
}

/// Deferred writes of an operation that failed to commit at its end: its answer is an error.
struct Failed(String);

impl OwedCommits for Failed {
    fn wait(
        self: Box<Self>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = StorageResult<()>> + Send>> {
        Box::pin(async move { Err(StorageError::Unavailable(self.0)) })
    }

    fn wait_blocking(self: Box<Self>) -> StorageResult<()> {
        Err(StorageError::Unavailable(self.0))
    }
}

/// The delivery queues' lengths and earliest due times (`Storage::delivery_backlog`).
const READ_DELIVERY_BACKLOG: &str = "SELECT \
     (SELECT count(*) FROM notifications WHERE status = 'pending' AND next_attempt_at IS NOT NULL) \
         AS outbox_queued, \
     (SELECT min(GREATEST(next_attempt_at, leased_until)) FROM notifications \
         WHERE status = 'pending' AND next_attempt_at IS NOT NULL) AS outbox_oldest, \
     (SELECT count(*) FROM hook_deliveries WHERE status = 'pending' AND next_attempt_at IS NOT NULL) \
         AS hooks_queued, \
     (SELECT min(GREATEST(next_attempt_at, leased_until)) FROM hook_deliveries \
         WHERE status = 'pending' AND next_attempt_at IS NOT NULL) AS hooks_oldest";
