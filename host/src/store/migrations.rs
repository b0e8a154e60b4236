//! Upgrades a file written by an older Portico, inside the transaction that opens it (before
//! anything else reads it), so an interrupted upgrade leaves the old file untouched.

use std::collections::HashSet;

use redb::{ReadableTable, WriteTransaction};

use super::tables::{composite_key, SystemTable, Table, KEY_SEPARATOR};
use super::{read, StoreResult};

/// Brings a file at schema `from` to `super::SCHEMA_VERSION` (the caller records the version).
pub(super) fn migrate(txn: &WriteTransaction, from: u32) -> StoreResult<()> {
    if from < 2 {
        index_component_holders(txn)?;
    }
    Ok(())
}

/// Schema 2: `component_tenants` records which tenants hold each plugin component, so that a
/// compiled artifact is deleted with the last one. Artifacts no tenant holds any more (left by
/// deletions before the index existed) are deleted now.
fn index_component_holders(txn: &WriteTransaction) -> StoreResult<()> {
    let components = txn.open_table(Table::PluginComponents.def())?;
    let mut holders = txn.open_table(SystemTable::ComponentTenants.def())?;
    let mut held = HashSet::new();
    let null = read::encode(&());
    for entry in components.iter()? {
        let (key, _) = entry?;
        let (tenant, sha256) = key.value();
        holders.insert(composite_key(sha256, tenant).as_str(), null.as_slice())?;
        held.insert(sha256.to_string());
    }
    let mut artifacts = txn.open_table(SystemTable::PluginArtifacts.def())?;
    let mut orphans = Vec::new();
    for entry in artifacts.iter()? {
        let (key, _) = entry?;
        let key = key.value();
        let sha256 = key.split(KEY_SEPARATOR).next().unwrap_or_default();
        if !held.contains(sha256) {
            orphans.push(key.to_string());
        }
    }
    for key in orphans {
        artifacts.remove(key.as_str())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{RawReader, Store, SCHEMA_VERSION, SCHEMA_VERSION_KEY};
    use super::*;

    #[test]
    fn schema_1_gets_the_component_holders_and_loses_orphaned_artifacts() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let mut tx = store.write().unwrap();
            tx.put(Table::PluginComponents, "t1", "aaa", &"bytes")
                .unwrap();
            tx.put(Table::PluginComponents, "t2", "aaa", &"bytes")
                .unwrap();
            tx.put(Table::PluginComponents, "t2", "bbb", &"bytes")
                .unwrap();
            for artifact in ["aaa", "bbb", "ccc"] {
                let key = composite_key(artifact, "engine");
                tx.system_put(SystemTable::PluginArtifacts, &key, &"code")
                    .unwrap();
            }
            // A file as schema 1 left it: no holders recorded.
            tx.system_put(SystemTable::Meta, SCHEMA_VERSION_KEY, &1u32)
                .unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        let read = store.read().unwrap();
        let keys = |table| -> Vec<String> {
            read.system_scan_raw(table, None, 100)
                .unwrap()
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        assert_eq!(
            keys(SystemTable::ComponentTenants),
            [
                composite_key("aaa", "t1"),
                composite_key("aaa", "t2"),
                composite_key("bbb", "t2")
            ]
        );
        // `ccc` was held by nobody any more.
        assert_eq!(
            keys(SystemTable::PluginArtifacts),
            [
                composite_key("aaa", "engine"),
                composite_key("bbb", "engine")
            ]
        );
    }
}
