//! The redb store as the storage port's engine (`portico_core::storage::Storage`): the port's
//! transactions are this store's, boxed; deferral, the configuration cache and the key file
//! are the store's own.

use std::any::TypeId;

use portico_core::error::DomainResult;
use portico_core::storage::{
    self, CachedValue, DeferredWrite, DeliveryBacklog, LoadConfiguration, OwedCommits, ServerKeys,
    StorageResult, StorageStats, WriteScope, WriteTransaction,
};

use super::deferral::Durability;
use super::{Store, WriteTx};

impl storage::Storage for Store {
    fn read(&self) -> StorageResult<storage::ReadTx<'_>> {
        Ok(Box::new(Store::read(self)?))
    }

    /// Every write transaction takes its turn in the group commit, whatever its scope.
    fn write(&self, _scope: WriteScope<'_>) -> StorageResult<storage::WriteTx<'_>> {
        Ok(Box::new(Store::write(self)?))
    }

    fn keys(&self) -> &dyn ServerKeys {
        Store::keys(self)
    }

    fn configuration(
        &self,
        of_type: TypeId,
        key: &str,
        load: LoadConfiguration<'_>,
    ) -> DomainResult<CachedValue> {
        self.config_cached_erased(of_type, key, |tx| load(tx))
    }

    fn defer_commits(&self, op: &mut dyn FnMut()) -> storage::Durability {
        let ((), durability) = self.deferring(op);
        match durability.is_pending() {
            true => storage::Durability::owed(Box::new(durability)),
            false => storage::Durability::none(),
        }
    }

    /// Joins the next batch, whatever its scope (every write takes its turn in one queue).
    fn write_with_next_commit(
        &self,
        _scope: WriteScope<'_>,
        write: DeferredWrite,
    ) -> StorageResult<()> {
        Ok(Store::write_with_next_commit(self, write)?)
    }

    fn schema_version(&self) -> StorageResult<Option<u32>> {
        Ok(Store::schema_version(self)?)
    }

    fn backup(&self) -> StorageResult<storage::Backup> {
        Ok(Store::backup(self)?)
    }

    fn delivery_backlog(&self) -> StorageResult<DeliveryBacklog> {
        let tx = Store::read(self)?;
        Ok(DeliveryBacklog {
            outbox: super::outbox::backlog(&tx)?,
            hook_deliveries: super::hook_deliveries::backlog(&tx)?,
        })
    }

    fn stats(&self) -> StorageStats {
        let policy = self.commit_policy();
        let stats = self.commit_stats();
        StorageStats {
            max_batch: policy.max_batch,
            max_wait_micros: policy.max_wait.as_micros() as u64,
            commits: stats.commits,
            writes: stats.writes,
            largest_batch: stats.largest_batch,
        }
    }
}

impl WriteTransaction for WriteTx<'_> {
    fn commit(self: Box<Self>) -> StorageResult<()> {
        Ok(WriteTx::commit(*self)?)
    }

    fn keys(&self) -> &dyn ServerKeys {
        self.keys
    }
}

impl OwedCommits for Durability {
    fn wait(
        self: Box<Self>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = StorageResult<()>> + Send>> {
        Box::pin(async move { Ok(Durability::wait(*self).await?) })
    }

    fn wait_blocking(self: Box<Self>) -> StorageResult<()> {
        Ok(Durability::wait_blocking(*self)?)
    }
}
