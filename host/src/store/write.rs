//! The write transaction the domain sees. Its changes are staged in memory over the batch's
//! redb transaction (so it reads its own writes and those of the batch's earlier writers) and
//! reach redb only at `commit`: a write that fails or is dropped leaves nothing behind, and never
//! touches its neighbours in the batch.

use std::collections::BTreeMap;
use std::sync::MutexGuard;

use redb::WriteTransaction;
use serde::Serialize;

use super::deferral;
use super::group_commit::{Batch, GroupCommit};
use super::read::{encode, scoped_get, scoped_scan, system_get, system_scan, RawReader, Section};
use super::{StoreResult, SystemTable, Table};

/// One writer's turn in the open batch. Holding it excludes other writers (as redb's single
/// writer did), so its reads and checks stay true until `commit`.
pub struct WriteTx<'s> {
    pub(super) batch: MutexGuard<'s, Batch>,
    pub(super) group: &'s GroupCommit,
    /// The store's identity for this thread's deferring scope (`deferral`).
    pub(super) store: usize,
    pub(super) scoped: BTreeMap<(Table, String), Section>,
    pub(super) system: BTreeMap<SystemTable, Section>,
}

impl WriteTx<'_> {
    fn txn(&self) -> &WriteTransaction {
        self.batch
            .txn
            .as_ref()
            .expect("a write turn always has an open batch transaction")
    }

    fn staged(&self, table: Table, tenant: &str) -> Option<&Section> {
        // The map is keyed by owned strings; a linear probe over a handful of sections is cheaper
        // than allocating a key for every read.
        self.scoped
            .iter()
            .find(|((t, owner), _)| *t == table && owner == tenant)
            .map(|(_, section)| section)
    }

    fn stage(&mut self, table: Table, tenant: &str, key: &str, value: Option<Vec<u8>>) {
        self.scoped
            .entry((table, tenant.to_string()))
            .or_default()
            .insert(key.to_string(), value);
    }

    pub fn put<T: Serialize>(
        &mut self,
        table: Table,
        tenant: &str,
        key: &str,
        value: &T,
    ) -> StoreResult<()> {
        self.stage(table, tenant, key, Some(encode(value)));
        Ok(())
    }

    /// Removes a record; answers whether it was there.
    pub fn delete(&mut self, table: Table, tenant: &str, key: &str) -> StoreResult<bool> {
        let existed = self.get_raw(table, tenant, key)?.is_some();
        self.stage(table, tenant, key, None);
        Ok(existed)
    }

    /// Removes every record of `tenant` in every tenant-scoped table.
    pub fn delete_tenant_data(&mut self, tenant: &str) -> StoreResult<()> {
        for &t in Table::ALL {
            for (key, _) in self.scan_raw(t, tenant, "", None, usize::MAX)? {
                self.stage(t, tenant, &key, None);
            }
        }
        Ok(())
    }

    pub fn system_put<T: Serialize>(
        &mut self,
        table: SystemTable,
        key: &str,
        value: &T,
    ) -> StoreResult<()> {
        self.system
            .entry(table)
            .or_default()
            .insert(key.to_string(), Some(encode(value)));
        Ok(())
    }

    pub fn system_delete(&mut self, table: SystemTable, key: &str) -> StoreResult<bool> {
        let existed = self.system_get_raw(table, key)?.is_some();
        self.system
            .entry(table)
            .or_default()
            .insert(key.to_string(), None);
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
        let wrote = !self.scoped.is_empty() || !self.system.is_empty();
        if !wrote && self.batch.items == 0 {
            // Read nothing pending and wrote nothing: nothing to make durable.
            return Ok(());
        }
        if wrote {
            if let Err(e) = self.apply() {
                // The batch transaction may hold part of this write: the whole batch is
                // refused rather than committed half-applied.
                self.batch.broken = Some(e.to_string());
            }
        }
        // A write that only read still waits: it may have read a neighbour's pending write.
        let ticket = self.batch.join();
        let (group, store) = (self.group, self.store);
        drop(self);
        if deferral::defers(store) {
            deferral::owe(store, ticket);
            return Ok(());
        }
        group.wait_durable(ticket)
    }

    fn apply(&mut self) -> StoreResult<()> {
        let scoped = std::mem::take(&mut self.scoped);
        let system = std::mem::take(&mut self.system);
        if scoped.keys().any(|(t, _)| t.is_configuration())
            || system.keys().any(|t| t.is_configuration())
        {
            self.batch.wrote_configuration = true;
        }
        let txn = self.txn();
        for ((table, tenant), section) in scoped {
            let mut table = txn.open_table(table.def())?;
            for (key, value) in section {
                match value {
                    Some(bytes) => {
                        table.insert((tenant.as_str(), key.as_str()), bytes.as_slice())?;
                    }
                    None => {
                        table.remove((tenant.as_str(), key.as_str()))?;
                    }
                }
            }
        }
        for (table, section) in system {
            let mut table = txn.open_table(table.def())?;
            for (key, value) in section {
                match value {
                    Some(bytes) => {
                        table.insert(key.as_str(), bytes.as_slice())?;
                    }
                    None => {
                        table.remove(key.as_str())?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        // The committer may be waiting for this turn to end.
        self.group.turn_ended();
    }
}

fn staged_value(section: Option<&Section>, key: &str) -> Option<Option<Vec<u8>>> {
    section.and_then(|s| s.get(key)).cloned()
}

impl RawReader for WriteTx<'_> {
    fn get_raw(&self, table: Table, tenant: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        if let Some(staged) = staged_value(self.staged(table, tenant), key) {
            return Ok(staged);
        }
        scoped_get(&self.txn().open_table(table.def())?, tenant, key)
    }
    fn scan_raw(
        &self,
        table: Table,
        tenant: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let staged = self.staged(table, tenant);
        let table = self.txn().open_table(table.def())?;
        scoped_scan(&table, staged, tenant, prefix, after, limit)
    }
    fn system_get_raw(&self, table: SystemTable, key: &str) -> StoreResult<Option<Vec<u8>>> {
        if let Some(staged) = staged_value(self.system.get(&table), key) {
            return Ok(staged);
        }
        system_get(&self.txn().open_table(table.def())?, key)
    }
    fn system_scan_raw(
        &self,
        table: SystemTable,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let staged = self.system.get(&table);
        let redb_table = self.txn().open_table(table.def())?;
        system_scan(&redb_table, staged, after, limit)
    }
}
