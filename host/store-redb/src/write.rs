//! The write transaction the domain sees. Its changes are staged in memory and read through
//! three layers laid over a snapshot of what is committed: its own changes, those of the batch's
//! earlier writers, and those of the batch being committed when this one opened (`Batch`). A
//! write that fails or is dropped leaves nothing behind and never touches its neighbours; at
//! `commit` its changes join the batch's, which the committer writes to redb in one transaction.
//! So a writer never waits for the previous batch's fsync to take its turn.

use redb::ReadTransaction;
use serde::Serialize;

use super::changes::{layered_value, Changes, Section};
use super::deferral;
use super::group_commit::{Batch, GroupCommit};
use super::read::{encode, scoped_get, scoped_scan, system_get, system_scan, RawReader};
use super::{KeyFile, StoreResult, SystemTable, Table};
use std::sync::MutexGuard;

/// One writer's turn in the open batch. Holding it excludes other writers (as redb's single
/// writer did), so its reads and checks stay true until `commit`.
pub struct WriteTx<'s> {
    pub(super) batch: MutexGuard<'s, Batch>,
    pub(super) group: &'s GroupCommit,
    /// The store's identity for this thread's deferring scope (`deferral`).
    pub(super) store: usize,
    pub(super) staged: Changes,
    pub(super) keys: &'s KeyFile,
}

impl WriteTx<'_> {
    fn snapshot(&self) -> &ReadTransaction {
        self.batch
            .snapshot
            .as_ref()
            .expect("a write turn always has a snapshot")
    }

    /// The sections a read of `table`/`tenant` sees over the snapshot, newest first.
    fn scoped_layers(&self, table: Table, tenant: &str) -> [Option<&Section>; 3] {
        [
            self.staged.scoped_section(table, tenant),
            self.batch.changes.scoped_section(table, tenant),
            self.batch
                .base
                .as_deref()
                .and_then(|b| b.scoped_section(table, tenant)),
        ]
    }

    fn system_layers(&self, table: SystemTable) -> [Option<&Section>; 3] {
        [
            self.staged.system_section(table),
            self.batch.changes.system_section(table),
            self.batch
                .base
                .as_deref()
                .and_then(|b| b.system_section(table)),
        ]
    }

    /// Stores `value` (as JSON) under `key` of `tenant` in `table`.
    pub fn put<T: Serialize>(
        &mut self,
        table: Table,
        tenant: &str,
        key: &str,
        value: &T,
    ) -> StoreResult<()> {
        self.staged
            .stage_scoped(table, tenant, key, Some(encode(value)));
        Ok(())
    }

    /// Removes a record; answers whether it was there.
    pub fn delete(&mut self, table: Table, tenant: &str, key: &str) -> StoreResult<bool> {
        let existed = self.get_raw(table, tenant, key)?.is_some();
        self.staged.stage_scoped(table, tenant, key, None);
        Ok(existed)
    }

    /// Removes every record of `tenant` in every tenant-scoped table.
    pub fn delete_tenant_data(&mut self, tenant: &str) -> StoreResult<()> {
        for &t in Table::ALL {
            for (key, _) in self.scan_raw(t, tenant, "", None, usize::MAX)? {
                self.staged.stage_scoped(t, tenant, &key, None);
            }
        }
        Ok(())
    }

    /// Stores `bytes` as they are, without JSON: for large binary values (plugin components,
    /// compiled artifacts), read back with `RawReader::get_raw`.
    pub fn put_bytes(&mut self, table: Table, tenant: &str, key: &str, bytes: Vec<u8>) {
        self.staged.stage_scoped(table, tenant, key, Some(bytes));
    }

    /// `put_bytes` for a system table (read back with `RawReader::system_get_raw`).
    pub fn system_put_bytes(&mut self, table: SystemTable, key: &str, bytes: Vec<u8>) {
        self.staged.stage_system(table, key, Some(bytes));
    }

    /// `put` for a system table.
    pub fn system_put<T: Serialize>(
        &mut self,
        table: SystemTable,
        key: &str,
        value: &T,
    ) -> StoreResult<()> {
        self.staged.stage_system(table, key, Some(encode(value)));
        Ok(())
    }

    /// Removes a record of a system table; answers whether it was there.
    pub fn system_delete(&mut self, table: SystemTable, key: &str) -> StoreResult<bool> {
        let existed = self.system_get_raw(table, key)?.is_some();
        self.staged.stage_system(table, key, None);
        Ok(existed)
    }

    /// Adds the staged changes (and the writes this thread queued with
    /// `Store::write_with_next_commit`) to the batch and returns once the batch is durable
    /// (fsync'd) and visible; inside `Store::deferring`, returns at once and leaves the wait to
    /// the scope's `Durability`. An error means none of this write is stored.
    pub fn commit(mut self) -> StoreResult<()> {
        for pending in deferral::take_pending(self.store) {
            pending(&mut self)?;
        }
        let staged = std::mem::take(&mut self.staged);
        let ticket = if !staged.is_empty() || self.batch.items > 0 {
            self.batch.changes.absorb(staged);
            // A write that only read still waits: it may have read a neighbour's pending write.
            self.batch.join()
        } else if self.batch.base.is_some() {
            // Read nothing of this batch, but maybe the committing batch's changes.
            self.batch.base_ticket()
        } else {
            // Read only what is durable and wrote nothing.
            return Ok(());
        };
        let (group, store) = (self.group, self.store);
        drop(self);
        if deferral::defers(store) {
            deferral::owe(store, ticket);
            return Ok(());
        }
        group.wait_durable(ticket)
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        // The committer may be waiting for this turn to end.
        self.group.turn_ended();
    }
}

impl RawReader for WriteTx<'_> {
    fn get_raw(&self, table: Table, tenant: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        if let Some(change) = layered_value(&self.scoped_layers(table, tenant), key) {
            return Ok(change);
        }
        scoped_get(&self.snapshot().open_table(table.def())?, tenant, key)
    }
    fn scan_raw(
        &self,
        table: Table,
        tenant: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let layers = self.scoped_layers(table, tenant);
        let table = self.snapshot().open_table(table.def())?;
        scoped_scan(&table, &layers, tenant, prefix, after, limit)
    }
    fn system_get_raw(&self, table: SystemTable, key: &str) -> StoreResult<Option<Vec<u8>>> {
        if let Some(change) = layered_value(&self.system_layers(table), key) {
            return Ok(change);
        }
        system_get(&self.snapshot().open_table(table.def())?, key)
    }
    fn system_scan_raw(
        &self,
        table: SystemTable,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let layers = self.system_layers(table);
        let redb_table = self.snapshot().open_table(table.def())?;
        system_scan(&redb_table, &layers, after, limit)
    }
}
