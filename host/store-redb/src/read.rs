//! Reads: the `RawReader`/`Reader` traits shared by read snapshots and write transactions, and
//! the range scans over redb tables, optionally merged with a write's staged changes.

use std::iter::Peekable;
use std::ops::Bound;

use redb::{ReadTransaction, ReadableTable};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::changes::{layered_section, Section};
use super::{StoreError, StoreResult, SystemTable, Table};

/// Reads shared by read and write transactions, on raw bytes; typed helpers are in `Reader`.
pub trait RawReader {
    /// The bytes stored under `key` of `tenant` in `table`.
    fn get_raw(&self, table: Table, tenant: &str, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Up to `limit` entries of `tenant` whose key starts with `prefix`, in key order, starting
    /// after `after` when given.
    fn scan_raw(
        &self,
        table: Table,
        tenant: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>>;
    /// The bytes stored under `key` in system table `table`.
    fn system_get_raw(&self, table: SystemTable, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Up to `limit` entries of system table `table` in key order, after `after` when given.
    fn system_scan_raw(
        &self,
        table: SystemTable,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>>;
}

/// Typed (JSON) reads. Every reader also offers the storage port's aggregate reads, which the
/// rules use instead of naming tables.
pub trait Reader: RawReader + portico_core::storage::StorageReads {
    /// The record stored under `key` of `tenant` in `table`, decoded.
    fn get<T: DeserializeOwned>(
        &self,
        table: Table,
        tenant: &str,
        key: &str,
    ) -> StoreResult<Option<T>> {
        self.get_raw(table, tenant, key)?
            .map(|bytes| decode(table.name(), key, &bytes))
            .transpose()
    }

    /// Whether a record is stored under `key` of `tenant` in `table`.
    fn exists(&self, table: Table, tenant: &str, key: &str) -> StoreResult<bool> {
        Ok(self.get_raw(table, tenant, key)?.is_some())
    }

    /// `RawReader::scan_raw`, each record decoded.
    fn scan<T: DeserializeOwned>(
        &self,
        table: Table,
        tenant: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, T)>> {
        decode_all(
            table.name(),
            self.scan_raw(table, tenant, prefix, after, limit)?,
        )
    }

    /// The record stored under `key` in system table `table`, decoded.
    fn system_get<T: DeserializeOwned>(
        &self,
        table: SystemTable,
        key: &str,
    ) -> StoreResult<Option<T>> {
        self.system_get_raw(table, key)?
            .map(|bytes| decode(table.name(), key, &bytes))
            .transpose()
    }

    /// `RawReader::system_scan_raw`, each record decoded.
    fn system_scan<T: DeserializeOwned>(
        &self,
        table: SystemTable,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, T)>> {
        decode_all(table.name(), self.system_scan_raw(table, after, limit)?)
    }
}

impl<R: RawReader + portico_core::storage::StorageReads + ?Sized> Reader for R {}

fn decode<T: DeserializeOwned>(table: &'static str, key: &str, bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Corrupt {
        table,
        key: key.to_string(),
        source,
    })
}

fn decode_all<T: DeserializeOwned>(
    table: &'static str,
    entries: Vec<(String, Vec<u8>)>,
) -> StoreResult<Vec<(String, T)>> {
    entries
        .into_iter()
        .map(|(k, v)| {
            let value = decode(table, &k, &v)?;
            Ok((k, value))
        })
        .collect()
}

pub(super) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own record types cannot fail: they contain no maps with non-string keys.
    serde_json::to_vec(value).expect("records serialise to JSON")
}

pub(super) fn scoped_get<T: ReadableTable<(&'static str, &'static str), &'static [u8]>>(
    table: &T,
    tenant: &str,
    key: &str,
) -> StoreResult<Option<Vec<u8>>> {
    Ok(table.get((tenant, key))?.map(|g| g.value().to_vec()))
}

/// A scan of `tenant`'s keys starting with `prefix`, with the changes of `layers` (newest
/// first) laid over the table.
pub(super) fn scoped_scan<T: ReadableTable<(&'static str, &'static str), &'static [u8]>>(
    table: &T,
    layers: &[Option<&Section>],
    tenant: &str,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Vec<u8>)>> {
    let start = match after {
        Some(after) if after >= prefix => Bound::Excluded(after),
        _ => Bound::Included(prefix),
    };
    let redb_start = match start {
        Bound::Excluded(k) => Bound::Excluded((tenant, k)),
        _ => Bound::Included((tenant, prefix)),
    };
    let stored = table
        .range::<(&str, &str)>((redb_start, Bound::Unbounded))?
        .map(|entry| {
            let (k, v) = entry?;
            let (t, key) = k.value();
            Ok((t == tenant).then(|| (key.to_string(), v.value().to_vec())))
        })
        .map_while(|entry: StoreResult<Option<(String, Vec<u8>)>>| entry.transpose());
    let staged = layered_section(layers, start, prefix);
    merge(stored, staged.as_deref(), start, prefix, limit)
}

pub(super) fn system_get<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    key: &str,
) -> StoreResult<Option<Vec<u8>>> {
    Ok(table.get(key)?.map(|g| g.value().to_vec()))
}

pub(super) fn system_scan<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    layers: &[Option<&Section>],
    after: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Vec<u8>)>> {
    let start = match after {
        Some(after) => Bound::Excluded(after),
        None => Bound::Unbounded,
    };
    let stored = table
        .range::<&str>((start, Bound::Unbounded))?
        .map(|entry| {
            let (k, v) = entry?;
            Ok((k.value().to_string(), v.value().to_vec()))
        });
    let staged = layered_section(layers, start, "");
    merge(stored, staged.as_deref(), start, "", limit)
}

/// Merges stored entries (in key order, starting at `start`) with staged changes: a staged
/// write replaces or adds an entry, a staged delete hides it. Stops at the first key without
/// `prefix` or after `limit` entries.
fn merge(
    stored: impl Iterator<Item = StoreResult<(String, Vec<u8>)>>,
    staged: Option<&Section>,
    start: Bound<&str>,
    prefix: &str,
    limit: usize,
) -> StoreResult<Vec<(String, Vec<u8>)>> {
    let empty = Section::new();
    let staged = staged.unwrap_or(&empty);
    let mut stored = stored.peekable();
    let mut staged: Peekable<_> = staged.range::<str, _>((start, Bound::Unbounded)).peekable();
    let mut out = Vec::new();
    while out.len() < limit {
        let next_stored = match stored.peek() {
            Some(Err(_)) => return Err(stored.next().expect("peeked").unwrap_err()),
            Some(Ok((k, _))) => Some(k.as_str()),
            None => None,
        };
        let next_staged = staged.peek().map(|(k, _)| k.as_str());
        let (key, value) = match (next_stored, next_staged) {
            (None, None) => break,
            (Some(a), Some(b)) if a == b => {
                stored.next();
                let (k, v) = staged.next().expect("peeked");
                (k.clone(), v.clone())
            }
            (Some(a), Some(b)) if b < a => {
                let (k, v) = staged.next().expect("peeked");
                (k.clone(), v.clone())
            }
            (None, Some(_)) => {
                let (k, v) = staged.next().expect("peeked");
                (k.clone(), v.clone())
            }
            _ => {
                let (k, v) = stored.next().expect("peeked")?;
                (k, Some(v))
            }
        };
        if !key.starts_with(prefix) {
            break;
        }
        if let Some(value) = value {
            out.push((key, value));
        }
    }
    Ok(out)
}

/// A read-only snapshot: sees every batch committed before it began, never a pending one.
pub struct ReadTx {
    pub(super) txn: ReadTransaction,
}

impl ReadTx {
    /// How many records a system table holds.
    pub fn system_len(&self, table: SystemTable) -> StoreResult<u64> {
        use redb::ReadableTableMetadata;
        Ok(self.txn.open_table(table.def())?.len()?)
    }
}

impl RawReader for ReadTx {
    fn get_raw(&self, table: Table, tenant: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        scoped_get(&self.txn.open_table(table.def())?, tenant, key)
    }
    fn scan_raw(
        &self,
        table: Table,
        tenant: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let table = self.txn.open_table(table.def())?;
        scoped_scan(&table, &[], tenant, prefix, after, limit)
    }
    fn system_get_raw(&self, table: SystemTable, key: &str) -> StoreResult<Option<Vec<u8>>> {
        system_get(&self.txn.open_table(table.def())?, key)
    }
    fn system_scan_raw(
        &self,
        table: SystemTable,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        system_scan(&self.txn.open_table(table.def())?, &[], after, limit)
    }
}
