//! Upgrades a file written by an older Portico, inside the transaction that opens it (before
//! anything else reads it), so an interrupted upgrade leaves the old file untouched. Clean-up
//! that would read much of a large file (`Store::sweep_orphaned_artifacts`) is left marked in
//! the metadata and done after the server is ready.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use portico_core::storage::NumberSequence;
use redb::{ReadableTable, Table as RedbTable, WriteTransaction};
use serde_json::{Map, Value};

use super::tables::{composite_key, time_ordered_key, SystemTable, Table, KEY_SEPARATOR};
use super::{read, RawReader, Reader, Store, StoreError, StoreResult, WriteTx};

/// Metadata key present while compiled artifacts that no tenant holds may remain (set by the
/// schema-2 upgrade, removed by `Store::sweep_orphaned_artifacts`).
const ORPHAN_SWEEP_KEY: &str = "orphaned_artifacts_pending";

/// Brings a file at schema `from` to `super::SCHEMA_VERSION` (the caller records the version).
pub(super) fn migrate(
    txn: &WriteTransaction,
    meta: &mut RedbTable<&'static str, &'static [u8]>,
    from: u32,
) -> StoreResult<()> {
    if from < 2 {
        index_component_holders(txn)?;
        meta.insert(ORPHAN_SWEEP_KEY, read::encode(&true).as_slice())?;
    }
    // Schema 3 (component and artifact bytes stored as they are) rewrites nothing: their readers
    // take the older base64 rows too (`plugin_artifacts::stored_bytes`).
    if from < 4 {
        date_sign_in_failures(txn, chrono::Utc::now())?;
    }
    if from < 5 {
        index_email_skeletons(txn)?;
    }
    if from < 6 {
        number_records(txn, Table::Users, NumberSequence::Users)?;
        number_records(txn, Table::Forms, NumberSequence::Forms)?;
    }
    Ok(())
}

impl Store {
    /// Deletes the compiled artifacts that no tenant holds, left by plugin and tenant deletions
    /// made before schema 2, once after the upgrade; answers how many went. Finding them reads
    /// every artifact (~0.7 s for 1,000 on a cold file, docs/performance.md), so the server runs this
    /// after it is ready instead of in the transaction that opens the file. An artifact that a
    /// tenant uploads again meanwhile has a holder again and stays.
    pub fn sweep_orphaned_artifacts(&self) -> StoreResult<usize> {
        let candidates = {
            let read = self.read()?;
            if read
                .system_get::<bool>(SystemTable::Meta, ORPHAN_SWEEP_KEY)?
                .is_none()
            {
                return Ok(0);
            }
            unheld_artifacts(&read)?
        };
        let mut tx = self.write()?;
        let deleted = delete_unheld(&mut tx, &candidates)?;
        tx.system_delete(SystemTable::Meta, ORPHAN_SWEEP_KEY)?;
        tx.commit()?;
        Ok(deleted)
    }
}

/// Whether a tenant holds the component `sha256`.
fn held(tx: &impl RawReader, sha256: &str) -> StoreResult<bool> {
    let prefix = composite_key(sha256, "");
    Ok(tx
        .system_scan_raw(SystemTable::ComponentTenants, Some(sha256), 1)?
        .first()
        .is_some_and(|(key, _)| key.starts_with(&prefix)))
}

/// The keys of the artifacts whose component no tenant holds in `read`'s snapshot (their
/// bytes are read from the file with them, but not copied).
fn unheld_artifacts(read: &super::ReadTx) -> StoreResult<Vec<String>> {
    let artifacts = read.txn.open_table(SystemTable::PluginArtifacts.def())?;
    let mut unheld = Vec::new();
    for entry in artifacts.iter()? {
        let (key, _) = entry?;
        let key = key.value();
        if !held(read, key.split(KEY_SEPARATOR).next().unwrap_or_default())? {
            unheld.push(key.to_string());
        }
    }
    Ok(unheld)
}

/// Deletes the artifacts among `candidates` that still have no holder in this write turn.
fn delete_unheld(tx: &mut WriteTx, candidates: &[String]) -> StoreResult<usize> {
    let mut deleted = 0;
    for key in candidates {
        let sha256 = key.split(KEY_SEPARATOR).next().unwrap_or_default();
        if !held(tx, sha256)? && tx.system_delete(SystemTable::PluginArtifacts, key)? {
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// The one field of a stored plugin version record the schema-2 migration reads (serde skips
/// the rest of the record).
#[derive(serde::Deserialize)]
struct VersionComponent {
    sha256: String,
}

/// Schema 2: `component_tenants` records which tenants hold each plugin component, so that a
/// compiled artifact is deleted with the last one. Artifacts no tenant holds any more (left by
/// deletions before the index existed) are deleted by the sweep that the upgrade marks.
///
/// A tenant holds a component while one of its plugin versions has that sha256 (the component's
/// bytes are stored and deleted with the versions), so the holders come from the small version
/// records: reading the components table for its keys would read every component's bytes
/// (~2 s of a 3 s first start on a cold 1,000-tenant file; docs/performance.md).
fn index_component_holders(txn: &WriteTransaction) -> StoreResult<()> {
    let versions = txn.open_table(Table::PluginVersions.def())?;
    let mut holders = txn.open_table(SystemTable::ComponentTenants.def())?;
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
    }
    Ok(())
}

/// Sign-in failure records written before failures were forgotten have no `lastFailureAt` and
/// no entry in the time index, so nothing ever deleted them (`domain::portal::lockout` sheds
/// through the index). They get the upgrade's time and their entry, and go a day after it like
/// any other (no lock outlasts that). The field and the key are the ones `lockout` writes.
fn date_sign_in_failures(
    txn: &WriteTransaction,
    upgraded_at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    let mut attempts = txn.open_table(Table::SignInAttempts.def())?;
    let mut times = txn.open_table(Table::SignInAttemptTimes.def())?;
    let mut undated = Vec::new();
    for entry in attempts.iter()? {
        let (key, value) = entry?;
        let (tenant, email) = key.value();
        let mut record: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(value.value()).map_err(|source| StoreError::Corrupt {
                table: Table::SignInAttempts.name(),
                key: composite_key(tenant, email),
                source,
            })?;
        if record.get("lastFailureAt").is_none_or(|at| at.is_null()) {
            record.insert("lastFailureAt".into(), serde_json::json!(upgraded_at));
            undated.push((tenant.to_string(), email.to_string(), read::encode(&record)));
        }
    }
    let null = read::encode(&());
    for (tenant, email, record) in undated {
        attempts.insert((tenant.as_str(), email.as_str()), record.as_slice())?;
        let time_key = time_ordered_key(upgraded_at.timestamp_micros(), &email);
        times.insert((tenant.as_str(), time_key.as_str()), null.as_slice())?;
    }
    Ok(())
}

/// Schema 5: lookalike emails are refused through the skeleton index (`portico_core::emails`); the
/// users stored before get their entries from the email index. Where two stored users already
/// have lookalike emails, the entry names the first; both keep their accounts.
fn index_email_skeletons(txn: &WriteTransaction) -> StoreResult<()> {
    let emails = txn.open_table(Table::UserEmails.def())?;
    let mut skeletons = txn.open_table(Table::UserEmailSkeletons.def())?;
    for entry in emails.iter()? {
        let (key, user_id) = entry?;
        let (tenant, email) = key.value();
        let skeleton = portico_core::emails::email_skeleton(email);
        if skeletons.get((tenant, skeleton.as_str()))?.is_none() {
            skeletons.insert((tenant, skeleton.as_str()), user_id.value())?;
        }
    }
    Ok(())
}

/// A stored record of a numbered kind, for the schema-6 numbering.
struct Unnumbered {
    key: String,
    created_at: DateTime<Utc>,
    record: Map<String, Value>,
}

/// Schema 6: users and forms carry a number in their tenant (`NumberSequence`). Those stored
/// before get 1, 2, ... per tenant in creation order (ties in key order), and the tenant's
/// sequence continues after the last.
fn number_records(
    txn: &WriteTransaction,
    table: Table,
    sequence: NumberSequence,
) -> StoreResult<()> {
    let mut records = txn.open_table(table.def())?;
    let mut by_tenant: BTreeMap<String, Vec<Unnumbered>> = BTreeMap::new();
    for entry in records.iter()? {
        let (key, value) = entry?;
        let (tenant, key) = key.value();
        let corrupt = |source| StoreError::Corrupt {
            table: table.name(),
            key: composite_key(tenant, key),
            source,
        };
        let record: Map<String, Value> = serde_json::from_slice(value.value()).map_err(corrupt)?;
        let created_at = record.get("createdAt").cloned().unwrap_or(Value::Null);
        let created_at = serde_json::from_value(created_at).map_err(corrupt)?;
        let unnumbered = Unnumbered {
            key: key.to_string(),
            created_at,
            record,
        };
        by_tenant
            .entry(tenant.to_string())
            .or_default()
            .push(unnumbered);
    }
    let mut counters = txn.open_table(Table::RecordNumbers.def())?;
    for (tenant, mut rows) in by_tenant {
        rows.sort_by(|a, b| (a.created_at, &a.key).cmp(&(b.created_at, &b.key)));
        for (number, mut row) in (1u64..).zip(rows) {
            row.record.insert("number".into(), number.into());
            let key = (tenant.as_str(), row.key.as_str());
            records.insert(key, read::encode(&row.record).as_slice())?;
            let last = (tenant.as_str(), sequence.name());
            counters.insert(last, read::encode(&number).as_slice())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use redb::{ReadableDatabase, ReadableTableMetadata};
    use serde_json::json;

    use super::*;
    use crate::{RawReader, Store, DATABASE_FILE, SCHEMA_VERSION, SCHEMA_VERSION_KEY};

    /// A plugin version record as the registry stores it.
    fn version(plugin: &str, number: u32, sha256: &str) -> serde_json::Value {
        json!({
            "pluginId": plugin, "version": number, "sha256": sha256, "size": 5,
            "exports": ["field-validator"], "createdAt": "2026-01-01T00:00:00Z"
        })
    }

    fn keys(store: &Store, table: SystemTable) -> Vec<String> {
        store
            .read()
            .unwrap()
            .system_scan_raw(table, None, 100)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    /// Writes `fill` into a fresh store in `dir`, then marks the file as schema 1 left it.
    fn schema_1_file(dir: &std::path::Path, fill: impl FnOnce(&mut crate::WriteTx)) {
        older_file(dir, 1, fill)
    }

    /// Writes `fill` into a fresh store in `dir`, then marks the file as schema `version`.
    fn older_file(dir: &std::path::Path, version: u32, fill: impl FnOnce(&mut crate::WriteTx)) {
        let store = Store::open(dir).unwrap();
        let mut tx = store.write().unwrap();
        fill(&mut tx);
        tx.system_put(SystemTable::Meta, SCHEMA_VERSION_KEY, &version)
            .unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn schema_5_users_and_forms_get_numbers_in_creation_order_per_tenant() {
        use portico_core::storage::{FormReads, RecordNumberReads, RecordNumberWrites, UserReads};
        let dir = tempfile::tempdir().unwrap();
        older_file(dir.path(), 5, |tx| {
            let rows = [
                (Table::Users, "t1", "u-b", "2026-01-01T00:00:02Z"),
                (Table::Users, "t1", "u-a", "2026-01-01T00:00:03Z"),
                // Created at the same time as u-b: key order breaks the tie.
                (Table::Users, "t1", "u-0", "2026-01-01T00:00:02.000Z"),
                (Table::Users, "t2", "u-z", "2026-01-01T00:00:09Z"),
                (Table::Forms, "t1", "reg", "2026-01-02T00:00:00Z"),
                (Table::Forms, "t1", "a-form", "2026-01-03T00:00:00Z"),
            ];
            for (table, tenant, key, created_at) in rows {
                let mut record = match table {
                    Table::Users => serde_json::to_value(crate::users::tests::user(
                        key,
                        &format!("{key}@x.com"),
                    ))
                    .unwrap(),
                    _ => json!({"identifier": key, "title": {}, "fields": [],
                        "loginMarker": null, "passwordMarker": null,
                        "updatedAt": created_at}),
                };
                record.as_object_mut().unwrap().remove("number");
                record["createdAt"] = json!(created_at);
                tx.put(table, tenant, key, &record).unwrap();
            }
        });
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        let read = store.read().unwrap();
        let user_number = |tenant, id| read.user(tenant, id).unwrap().unwrap().number;
        assert_eq!(user_number("t1", "u-0"), 1);
        assert_eq!(user_number("t1", "u-b"), 2);
        assert_eq!(user_number("t1", "u-a"), 3);
        assert_eq!(user_number("t2", "u-z"), 1);
        assert_eq!(read.form("t1", "reg").unwrap().unwrap().number, 1);
        assert_eq!(read.form("t1", "a-form").unwrap().unwrap().number, 2);
        assert_eq!(read.last_number("t1", NumberSequence::Users).unwrap(), 3);
        assert_eq!(read.last_number("t2", NumberSequence::Forms).unwrap(), 0);
        drop(read);
        let mut tx = store.write().unwrap();
        assert_eq!(tx.next_number("t1", NumberSequence::Users).unwrap(), 4);
        assert_eq!(tx.next_number("t1", NumberSequence::Forms).unwrap(), 3);
    }

    #[test]
    fn schema_3_sign_in_failures_get_a_time_and_an_index_entry() {
        let dir = tempfile::tempdir().unwrap();
        let dated_key = time_ordered_key(1_000, "dated@x.com");
        older_file(dir.path(), 3, |tx| {
            let undated = json!({"failures": 2, "lockedUntil": null});
            tx.put(Table::SignInAttempts, "t", "old@x.com", &undated)
                .unwrap();
            let dated = json!({"failures": 1, "lockedUntil": null,
                "lastFailureAt": "1970-01-01T00:00:00.001Z"});
            tx.put(Table::SignInAttempts, "t", "dated@x.com", &dated)
                .unwrap();
            tx.put(Table::SignInAttemptTimes, "t", &dated_key, &())
                .unwrap();
        });
        let before = chrono::Utc::now();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        let read = store.read().unwrap();
        let record: serde_json::Value = read
            .get(Table::SignInAttempts, "t", "old@x.com")
            .unwrap()
            .unwrap();
        assert_eq!(record["failures"], 2);
        let at: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(record["lastFailureAt"].clone()).unwrap();
        assert!(at >= before && at <= chrono::Utc::now(), "{at}");
        let indexed: Vec<String> = read
            .scan::<()>(Table::SignInAttemptTimes, "t", "", None, 10)
            .unwrap()
            .into_iter()
            .map(|(key, ())| key)
            .collect();
        let old_key = time_ordered_key(at.timestamp_micros(), "old@x.com");
        assert_eq!(indexed, [dated_key, old_key]);
        let dated: serde_json::Value = read
            .get(Table::SignInAttempts, "t", "dated@x.com")
            .unwrap()
            .unwrap();
        assert_eq!(dated["lastFailureAt"], "1970-01-01T00:00:00.001Z");
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
        assert_eq!(
            keys(&store, SystemTable::ComponentTenants),
            [
                composite_key("aaa", "t1"),
                composite_key("aaa", "t2"),
                composite_key("bbb", "t2")
            ]
        );
        // `ccc` is held by nobody any more: it goes with the sweep after opening, once.
        assert_eq!(keys(&store, SystemTable::PluginArtifacts).len(), 3);
        assert_eq!(store.sweep_orphaned_artifacts().unwrap(), 1);
        assert_eq!(
            keys(&store, SystemTable::PluginArtifacts),
            [
                composite_key("aaa", "engine"),
                composite_key("bbb", "engine")
            ]
        );
        assert_eq!(store.sweep_orphaned_artifacts().unwrap(), 0);
        drop(store);
        // A file at schema 2 from the start has nothing to sweep, orphans or not.
        let fresh = tempfile::tempdir().unwrap();
        let store = Store::open(fresh.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.system_put(
            SystemTable::PluginArtifacts,
            &composite_key("ddd", "e"),
            &"code",
        )
        .unwrap();
        tx.commit().unwrap();
        assert_eq!(store.sweep_orphaned_artifacts().unwrap(), 0);
    }

    #[test]
    fn an_artifact_that_gets_a_holder_during_the_sweep_stays() {
        let dir = tempfile::tempdir().unwrap();
        schema_1_file(dir.path(), |tx| {
            for artifact in ["aaa", "bbb"] {
                let key = composite_key(artifact, "engine");
                tx.system_put(SystemTable::PluginArtifacts, &key, &"code")
                    .unwrap();
            }
        });
        let store = Store::open(dir.path()).unwrap();
        let candidates = unheld_artifacts(&store.read().unwrap()).unwrap();
        assert_eq!(candidates.len(), 2);
        // A tenant uploads `aaa` again between the sweep's scan and its deletes.
        let mut tx = store.write().unwrap();
        tx.system_put(
            SystemTable::ComponentTenants,
            &composite_key("aaa", "t1"),
            &(),
        )
        .unwrap();
        tx.commit().unwrap();
        let mut tx = store.write().unwrap();
        assert_eq!(delete_unheld(&mut tx, &candidates).unwrap(), 1);
        tx.commit().unwrap();
        assert_eq!(
            keys(&store, SystemTable::PluginArtifacts),
            [composite_key("aaa", "engine")]
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
        // Nothing of the upgrade was committed: still schema 1, no sweep marked.
        let db = redb::Database::open(dir.path().join(DATABASE_FILE)).unwrap();
        let txn = db.begin_read().unwrap();
        let meta = txn.open_table(SystemTable::Meta.def()).unwrap();
        let found = meta.get(SCHEMA_VERSION_KEY).unwrap().unwrap();
        assert_eq!(serde_json::from_slice::<u32>(found.value()).unwrap(), 1);
        assert!(meta.get(ORPHAN_SWEEP_KEY).unwrap().is_none());
        let artifacts = txn.open_table(SystemTable::PluginArtifacts.def()).unwrap();
        assert_eq!(artifacts.len().unwrap(), 1);
    }
}
