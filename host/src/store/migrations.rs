//! Upgrades a file written by an older Portico, inside the transaction that opens it (before
//! anything else reads it), so an interrupted upgrade leaves the old file untouched.

use std::collections::HashSet;

use redb::{ReadableTable, WriteTransaction};

use super::tables::{composite_key, SystemTable, Table, KEY_SEPARATOR};
use super::{read, StoreError, StoreResult};

/// Brings a file at schema `from` to `super::SCHEMA_VERSION` (the caller records the version).
pub(super) fn migrate(txn: &WriteTransaction, from: u32) -> StoreResult<()> {
    if from < 2 {
        index_component_holders(txn)?;
    }
    Ok(())
}

/// The one field of a stored plugin version record the schema-2 migration reads (serde skips
/// the rest of the record).
#[derive(serde::Deserialize)]
struct VersionComponent {
    sha256: String,
}

/// Schema 2: `component_tenants` records which tenants hold each plugin component, so that a
/// compiled artifact is deleted with the last one. Artifacts no tenant holds any more (left by
/// deletions before the index existed) are deleted now.
///
/// A tenant holds a component while one of its plugin versions has that sha256 (the component's
/// bytes are stored and deleted with the versions), so the holders come from the small version
/// records: reading the components table for its keys would read every component's bytes
/// (~2 s of a 3 s first start on a cold 1,000-tenant file; BENCHMARKS.md).
fn index_component_holders(txn: &WriteTransaction) -> StoreResult<()> {
    let versions = txn.open_table(Table::PluginVersions.def())?;
    let mut holders = txn.open_table(SystemTable::ComponentTenants.def())?;
    let mut held = HashSet::new();
    let null = read::encode(&());
    for entry in versions.iter()? {
        let (key, value) = entry?;
        let (tenant, version_key) = key.value();
        let version: VersionComponent =
            serde_json::from_slice(value.value()).map_err(|source| StoreError::Corrupt {
                table: Table::PluginVersions.name(),
                key: composite_key(tenant, version_key),
                source,
            })?;
        holders.insert(
            composite_key(&version.sha256, tenant).as_str(),
            null.as_slice(),
        )?;
        held.insert(version.sha256);
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
    use redb::{ReadableDatabase, ReadableTableMetadata};
    use serde_json::json;

    use super::super::{RawReader, Store, DATABASE_FILE, SCHEMA_VERSION, SCHEMA_VERSION_KEY};
    use super::*;

    /// A plugin version record as the registry stores it.
    fn version(plugin: &str, number: u32, sha256: &str) -> serde_json::Value {
        json!({
            "pluginId": plugin, "version": number, "sha256": sha256, "size": 5,
            "exports": ["field-validator"], "createdAt": "2026-01-01T00:00:00Z"
        })
    }

    /// Writes `fill` into a fresh store in `dir`, then marks the file as schema 1 left it.
    fn schema_1_file(dir: &std::path::Path, fill: impl FnOnce(&mut super::super::WriteTx)) {
        let store = Store::open(dir).unwrap();
        let mut tx = store.write().unwrap();
        fill(&mut tx);
        tx.system_put(SystemTable::Meta, SCHEMA_VERSION_KEY, &1u32)
            .unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn schema_1_gets_the_component_holders_and_loses_orphaned_artifacts() {
        let dir = tempfile::tempdir().unwrap();
        schema_1_file(dir.path(), |tx| {
            let versions = [
                ("t1", "p1", 1, "aaa"),
                ("t2", "p2", 1, "aaa"),
                ("t2", "p2", 2, "bbb"),
                // The same bytes in two plugins of one tenant: one holder.
                ("t2", "p3", 1, "bbb"),
            ];
            for (tenant, plugin, number, sha256) in versions {
                let key = composite_key(plugin, &format!("{number:010}"));
                tx.put(
                    Table::PluginVersions,
                    tenant,
                    &key,
                    &version(plugin, number, sha256),
                )
                .unwrap();
                tx.put(Table::PluginComponents, tenant, sha256, &"bytes")
                    .unwrap();
            }
            for artifact in ["aaa", "bbb", "ccc"] {
                let key = composite_key(artifact, "engine");
                tx.system_put(SystemTable::PluginArtifacts, &key, &"code")
                    .unwrap();
            }
        });
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

    #[test]
    fn an_unreadable_version_record_stops_the_upgrade_and_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        schema_1_file(dir.path(), |tx| {
            tx.put(Table::PluginVersions, "t1", "p1#1", &"not a version")
                .unwrap();
            tx.system_put(
                SystemTable::PluginArtifacts,
                &composite_key("ccc", "engine"),
                &"code",
            )
            .unwrap();
        });
        let error = Store::open(dir.path()).err().expect("the upgrade fails");
        let message = error.to_string();
        assert!(message.contains("plugin_versions"), "{message}");
        // Nothing of the upgrade was committed: still schema 1, the artifact still there.
        let db = redb::Database::open(dir.path().join(DATABASE_FILE)).unwrap();
        let txn = db.begin_read().unwrap();
        let meta = txn.open_table(SystemTable::Meta.def()).unwrap();
        let found = meta.get(SCHEMA_VERSION_KEY).unwrap().unwrap();
        assert_eq!(serde_json::from_slice::<u32>(found.value()).unwrap(), 1);
        let artifacts = txn.open_table(SystemTable::PluginArtifacts.def()).unwrap();
        assert_eq!(artifacts.len().unwrap(), 1);
    }
}
