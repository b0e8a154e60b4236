//! Storage: one redb file. Nothing outside this module names redb; the domain sees typed JSON
//! records in tenant-scoped tables (`Table`) and a few system tables (`SystemTable`).

mod tables;

use std::ops::Bound;
use std::path::{Path, PathBuf};

use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable, WriteTransaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use tables::{composite_key, SystemTable, Table, KEY_SEPARATOR};

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "portico.redb";

/// Version of the on-disk layout this build reads and writes. Bump it with a migration in
/// `Store::open` whenever a table or record changes incompatibly.
pub const SCHEMA_VERSION: u32 = 1;

const SCHEMA_VERSION_KEY: &str = "schema_version";

/// A storage failure: the disk, redb, or a record that no longer decodes.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("stored record {table}/{key} does not decode: {source}")]
    Corrupt {
        table: &'static str,
        key: String,
        source: serde_json::Error,
    },
    #[error("the data directory was written by a newer Portico (schema {found}, this build reads up to {SCHEMA_VERSION})")]
    NewerSchema { found: u32 },
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
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

pub type StoreResult<T> = Result<T, StoreError>;

/// The open database. Cheap to share behind an `Arc`; closes cleanly when dropped.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the database in `dir`, creates every table, and checks the schema version.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let db = Database::create(dir.join(DATABASE_FILE))?;
        let store = Store { db };
        let mut tx = store.write()?;
        for &t in Table::ALL {
            tx.txn.open_table(t.def())?;
        }
        for t in SystemTable::ALL {
            tx.txn.open_table(t.def())?;
        }
        match tx.system_get::<u32>(SystemTable::Meta, SCHEMA_VERSION_KEY)? {
            None => tx.system_put(SystemTable::Meta, SCHEMA_VERSION_KEY, &SCHEMA_VERSION)?,
            Some(found) if found > SCHEMA_VERSION => return Err(StoreError::NewerSchema { found }),
            Some(_) => {}
        }
        tx.commit()?;
        Ok(store)
    }

    /// A consistent snapshot for reading.
    pub fn read(&self) -> StoreResult<ReadTx> {
        Ok(ReadTx {
            txn: self.db.begin_read()?,
        })
    }

    /// The single write transaction (redb serialises writers). Dropping it without `commit`
    /// rolls everything back.
    pub fn write(&self) -> StoreResult<WriteTx> {
        Ok(WriteTx {
            txn: self.db.begin_write()?,
        })
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> StoreResult<Option<u32>> {
        self.read()?
            .system_get(SystemTable::Meta, SCHEMA_VERSION_KEY)
    }
}

/// Reads shared by read and write transactions, on raw bytes; typed helpers are in `Reader`.
pub trait RawReader {
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
    fn system_get_raw(&self, table: SystemTable, key: &str) -> StoreResult<Option<Vec<u8>>>;
    fn system_scan_raw(
        &self,
        table: SystemTable,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, Vec<u8>)>>;
}

/// Typed (JSON) reads.
pub trait Reader: RawReader {
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

    fn exists(&self, table: Table, tenant: &str, key: &str) -> StoreResult<bool> {
        Ok(self.get_raw(table, tenant, key)?.is_some())
    }

    fn scan<T: DeserializeOwned>(
        &self,
        table: Table,
        tenant: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, T)>> {
        self.scan_raw(table, tenant, prefix, after, limit)?
            .into_iter()
            .map(|(k, v)| {
                let value = decode(table.name(), &k, &v)?;
                Ok((k, value))
            })
            .collect()
    }

    fn system_get<T: DeserializeOwned>(
        &self,
        table: SystemTable,
        key: &str,
    ) -> StoreResult<Option<T>> {
        self.system_get_raw(table, key)?
            .map(|bytes| decode(table.name(), key, &bytes))
            .transpose()
    }

    fn system_scan<T: DeserializeOwned>(
        &self,
        table: SystemTable,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<(String, T)>> {
        self.system_scan_raw(table, after, limit)?
            .into_iter()
            .map(|(k, v)| {
                let value = decode(table.name(), &k, &v)?;
                Ok((k, value))
            })
            .collect()
    }
}

impl<R: RawReader + ?Sized> Reader for R {}

fn decode<T: DeserializeOwned>(table: &'static str, key: &str, bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Corrupt {
        table,
        key: key.to_string(),
        source,
    })
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own record types cannot fail: they contain no maps with non-string keys.
    serde_json::to_vec(value).expect("records serialise to JSON")
}

fn scoped_get<T: ReadableTable<(&'static str, &'static str), &'static [u8]>>(
    table: &T,
    tenant: &str,
    key: &str,
) -> StoreResult<Option<Vec<u8>>> {
    Ok(table.get((tenant, key))?.map(|g| g.value().to_vec()))
}

fn scoped_scan<T: ReadableTable<(&'static str, &'static str), &'static [u8]>>(
    table: &T,
    tenant: &str,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Vec<u8>)>> {
    let start = match after {
        Some(after) if after >= prefix => Bound::Excluded((tenant, after)),
        _ => Bound::Included((tenant, prefix)),
    };
    let mut out = Vec::new();
    for entry in table.range::<(&str, &str)>((start, Bound::Unbounded))? {
        if out.len() >= limit {
            break;
        }
        let (k, v) = entry?;
        let (t, key) = k.value();
        if t != tenant || !key.starts_with(prefix) {
            break;
        }
        out.push((key.to_string(), v.value().to_vec()));
    }
    Ok(out)
}

fn system_get<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    key: &str,
) -> StoreResult<Option<Vec<u8>>> {
    Ok(table.get(key)?.map(|g| g.value().to_vec()))
}

fn system_scan<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Vec<u8>)>> {
    let start = match after {
        Some(after) => Bound::Excluded(after),
        None => Bound::Unbounded,
    };
    let mut out = Vec::new();
    for entry in table.range::<&str>((start, Bound::Unbounded))? {
        if out.len() >= limit {
            break;
        }
        let (k, v) = entry?;
        out.push((k.value().to_string(), v.value().to_vec()));
    }
    Ok(out)
}

/// A read-only snapshot.
pub struct ReadTx {
    txn: ReadTransaction,
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
        scoped_scan(
            &self.txn.open_table(table.def())?,
            tenant,
            prefix,
            after,
            limit,
        )
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
        system_scan(&self.txn.open_table(table.def())?, after, limit)
    }
}

/// The write transaction: reads see its own writes; nothing is visible to others until `commit`.
pub struct WriteTx {
    txn: WriteTransaction,
}

impl RawReader for WriteTx {
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
        scoped_scan(
            &self.txn.open_table(table.def())?,
            tenant,
            prefix,
            after,
            limit,
        )
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
        system_scan(&self.txn.open_table(table.def())?, after, limit)
    }
}

impl WriteTx {
    pub fn put<T: Serialize>(
        &mut self,
        table: Table,
        tenant: &str,
        key: &str,
        value: &T,
    ) -> StoreResult<()> {
        let bytes = encode(value);
        self.txn
            .open_table(table.def())?
            .insert((tenant, key), bytes.as_slice())?;
        Ok(())
    }

    /// Removes a record; answers whether it was there.
    pub fn delete(&mut self, table: Table, tenant: &str, key: &str) -> StoreResult<bool> {
        Ok(self
            .txn
            .open_table(table.def())?
            .remove((tenant, key))?
            .is_some())
    }

    /// Removes every record of `tenant` in every tenant-scoped table.
    pub fn delete_tenant_data(&mut self, tenant: &str) -> StoreResult<()> {
        for &t in Table::ALL {
            let mut table = self.txn.open_table(t.def())?;
            let keys: Vec<String> = scoped_scan(&table, tenant, "", None, usize::MAX)?
                .into_iter()
                .map(|(k, _)| k)
                .collect();
            for key in keys {
                table.remove((tenant, key.as_str()))?;
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
        let bytes = encode(value);
        self.txn
            .open_table(table.def())?
            .insert(key, bytes.as_slice())?;
        Ok(())
    }

    pub fn system_delete(&mut self, table: SystemTable, key: &str) -> StoreResult<bool> {
        Ok(self.txn.open_table(table.def())?.remove(key)?.is_some())
    }

    /// Makes every change durable (fsync) and visible.
    pub fn commit(self) -> StoreResult<()> {
        self.txn.commit()?;
        Ok(())
    }
}
