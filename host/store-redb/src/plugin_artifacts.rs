//! The plugin artifacts port on redb: a tenant's component bytes in `Table::PluginComponents`
//! under their sha256, compiled artifacts in the system table `plugin_artifacts` under
//! `sha256 \u{1f} engine compatibility hash`, and the holders of each component in the system
//! table `component_tenants` under `sha256 \u{1f} tenant id` (written only here): the artifacts
//! of a sha256 go with its last holder.

use base64::Engine as _;
use portico_core::storage::{
    PluginArtifactReads, PluginArtifactWrites, StorageError, StorageResult,
};

use super::{composite_key, RawReader, ReadTx, SystemTable, Table, WriteTx};

/// The bytes of a stored component or compiled artifact: kept as they are since schema 3; a row
/// written before is the JSON string of their base64 (it starts with `"`, which neither a wasm
/// component, `\0asm`, nor a compiled artifact, an ELF image, does).
fn stored_bytes(raw: Vec<u8>) -> Result<Vec<u8>, String> {
    if raw.first() != Some(&b'"') {
        return Ok(raw);
    }
    let text: String = serde_json::from_slice(&raw).map_err(|e| e.to_string())?;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| e.to_string())
}

fn decoded(what: &'static str, key: &str, raw: Option<Vec<u8>>) -> StorageResult<Option<Vec<u8>>> {
    raw.map(|raw| {
        stored_bytes(raw).map_err(|message| StorageError::Corrupt {
            what,
            key: key.to_string(),
            message,
        })
    })
    .transpose()
}

/// The key of a compiled artifact: the component's sha256 and the engine that compiled it.
fn artifact_key(sha256: &str, engine: &str) -> String {
    composite_key(sha256, engine)
}

fn plugin_component<R: RawReader>(
    tx: &R,
    tenant: &str,
    sha256: &str,
) -> StorageResult<Option<Vec<u8>>> {
    let raw = tx.get_raw(Table::PluginComponents, tenant, sha256)?;
    decoded(Table::PluginComponents.name(), sha256, raw)
}

fn plugin_artifact<R: RawReader>(
    tx: &R,
    sha256: &str,
    engine: &str,
) -> StorageResult<Option<Vec<u8>>> {
    let key = artifact_key(sha256, engine);
    let raw = tx.system_get_raw(SystemTable::PluginArtifacts, &key)?;
    decoded(SystemTable::PluginArtifacts.name(), &key, raw)
}

/// Reads the artifacts of every engine in key order, `limit` at a time, and keeps those of
/// `engine` (artifacts that no longer decode are left out, as a start-up preload skips them).
fn plugin_artifacts_of_engine<R: RawReader>(
    tx: &R,
    engine: &str,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<(String, Vec<u8>)>> {
    let suffix = composite_key("", engine);
    let mut cursor = after.map(|sha256| artifact_key(sha256, engine));
    let mut found = Vec::new();
    while found.len() < limit {
        let batch = tx.system_scan_raw(
            SystemTable::PluginArtifacts,
            cursor.as_deref(),
            limit - found.len(),
        )?;
        let Some((last, _)) = batch.last() else { break };
        cursor = Some(last.clone());
        for (key, raw) in batch {
            let Some(sha256) = key.strip_suffix(&suffix) else {
                continue;
            };
            if let Ok(bytes) = stored_bytes(raw) {
                found.push((sha256.to_string(), bytes));
            }
        }
    }
    Ok(found)
}

macro_rules! artifact_reads {
    ($($t:ty => $count:expr),*) => {$(
        impl PluginArtifactReads for $t {
            fn plugin_component(
                &self,
                tenant: &str,
                sha256: &str,
            ) -> StorageResult<Option<Vec<u8>>> {
                plugin_component(self, tenant, sha256)
            }
            fn plugin_artifact(
                &self,
                sha256: &str,
                engine: &str,
            ) -> StorageResult<Option<Vec<u8>>> {
                plugin_artifact(self, sha256, engine)
            }
            fn has_plugin_artifact(&self, sha256: &str, engine: &str) -> StorageResult<bool> {
                let key = artifact_key(sha256, engine);
                Ok(self.system_get_raw(SystemTable::PluginArtifacts, &key)?.is_some())
            }
            fn plugin_artifacts_of_engine(
                &self,
                engine: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<(String, Vec<u8>)>> {
                plugin_artifacts_of_engine(self, engine, after, limit)
            }
            fn count_plugin_artifacts(&self) -> StorageResult<u64> {
                let count: fn(&$t) -> StorageResult<u64> = $count;
                count(self)
            }
        }
    )*};
}
artifact_reads!(
    ReadTx => |tx| Ok(tx.system_len(SystemTable::PluginArtifacts)?),
    // A write turn counts with its staged changes, reading every artifact: nothing needs it.
    WriteTx<'_> => |tx| {
        let all = tx.system_scan_raw(SystemTable::PluginArtifacts, None, usize::MAX)?;
        Ok(all.len() as u64)
    }
);

/// The key of the first entry of `table` after `after`, if any.
fn first_key_after(
    tx: &WriteTx<'_>,
    table: SystemTable,
    after: &str,
) -> StorageResult<Option<String>> {
    Ok(tx
        .system_scan_raw(table, Some(after), 1)?
        .into_iter()
        .next()
        .map(|(key, _)| key))
}

impl PluginArtifactWrites for WriteTx<'_> {
    fn hold_plugin_component(
        &mut self,
        tenant: &str,
        sha256: &str,
        bytes: &[u8],
    ) -> StorageResult<()> {
        if self
            .get_raw(Table::PluginComponents, tenant, sha256)?
            .is_some()
        {
            return Ok(());
        }
        self.put_bytes(Table::PluginComponents, tenant, sha256, bytes.to_vec());
        let holder = composite_key(sha256, tenant);
        Ok(self.system_put(SystemTable::ComponentTenants, &holder, &())?)
    }

    fn release_plugin_component(&mut self, tenant: &str, sha256: &str) -> StorageResult<bool> {
        self.delete(Table::PluginComponents, tenant, sha256)?;
        let holder = composite_key(sha256, tenant);
        self.system_delete(SystemTable::ComponentTenants, &holder)?;
        let prefix = composite_key(sha256, "");
        if first_key_after(self, SystemTable::ComponentTenants, &prefix)?
            .is_some_and(|k| k.starts_with(&prefix))
        {
            return Ok(false);
        }
        let mut after = prefix.clone();
        while let Some(key) = first_key_after(self, SystemTable::PluginArtifacts, &after)? {
            if !key.starts_with(&prefix) {
                break;
            }
            self.system_delete(SystemTable::PluginArtifacts, &key)?;
            after = key;
        }
        Ok(true)
    }

    fn put_plugin_artifact(
        &mut self,
        sha256: &str,
        engine: &str,
        artifact: Vec<u8>,
    ) -> StorageResult<()> {
        let key = artifact_key(sha256, engine);
        self.system_put_bytes(SystemTable::PluginArtifacts, &key, artifact);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use portico_core::storage::{PluginArtifactReads, PluginArtifactWrites, StorageError};

    use super::stored_bytes;
    use crate::{RawReader, Store, SystemTable, Table};

    #[test]
    fn stored_bytes_are_read_as_they_are_and_from_older_base64_rows() {
        let component = b"\0asm\x0d\0\x01\0rest".to_vec();
        let artifact = b"\x7fELF\x02\x01\x01rest".to_vec();
        for bytes in [&component, &artifact] {
            assert_eq!(&stored_bytes(bytes.clone()).unwrap(), bytes);
            let before_schema_3 =
                serde_json::to_vec(&base64::engine::general_purpose::STANDARD.encode(bytes))
                    .unwrap();
            assert_eq!(&stored_bytes(before_schema_3).unwrap(), bytes);
        }
        assert!(stored_bytes(b"\"not base64!\"".to_vec()).is_err());
        assert!(stored_bytes(b"\"unterminated".to_vec()).is_err());
    }

    #[test]
    fn artifacts_are_shared_and_go_with_the_last_holder_of_their_component() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        for tenant in ["t1", "t2"] {
            tx.hold_plugin_component(tenant, "aa", b"\0asm-a").unwrap();
        }
        tx.hold_plugin_component("t1", "bb", b"\0asm-b").unwrap();
        for (sha256, engine) in [("aa", "e1"), ("aa", "e2"), ("bb", "e1")] {
            let artifact = format!("{sha256}-{engine}").into_bytes();
            tx.put_plugin_artifact(sha256, engine, artifact).unwrap();
        }
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(read.count_plugin_artifacts().unwrap(), 3);
        assert_eq!(
            read.plugin_component("t2", "aa").unwrap().as_deref(),
            Some(&b"\0asm-a"[..])
        );
        assert_eq!(read.plugin_component("t2", "bb").unwrap(), None);
        let of_e1 = read.plugin_artifacts_of_engine("e1", None, 10).unwrap();
        let shas: Vec<&str> = of_e1.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(shas, ["aa", "bb"]);
        assert_eq!(of_e1[0].1, b"aa-e1");
        let after_aa = read
            .plugin_artifacts_of_engine("e1", Some("aa"), 10)
            .unwrap();
        assert_eq!(after_aa.len(), 1);
        assert_eq!(
            read.plugin_artifacts_of_engine("e1", None, 1)
                .unwrap()
                .len(),
            1
        );
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(
            !tx.release_plugin_component("t1", "aa").unwrap(),
            "t2 holds it"
        );
        assert!(tx.has_plugin_artifact("aa", "e2").unwrap());
        assert_eq!(tx.plugin_component("t1", "aa").unwrap(), None);
        assert!(tx.release_plugin_component("t2", "aa").unwrap());
        assert!(!tx.has_plugin_artifact("aa", "e1").unwrap());
        assert!(!tx.has_plugin_artifact("aa", "e2").unwrap());
        assert!(tx.has_plugin_artifact("bb", "e1").unwrap());
        assert_eq!(tx.count_plugin_artifacts().unwrap(), 1);
        // An artifact row that does not decode is corrupt, not missing.
        tx.put_plugin_artifact("cc", "e1", b"\"not base64!\"".to_vec())
            .unwrap();
        assert!(matches!(
            tx.plugin_artifact("cc", "e1"),
            Err(StorageError::Corrupt { .. })
        ));
        tx.commit().unwrap();

        // The layout older files have: holders under `sha256 \u{1f} tenant`.
        let read = store.read().unwrap();
        let holders = read
            .system_scan_raw(SystemTable::ComponentTenants, None, 10)
            .unwrap();
        assert_eq!(holders.len(), 1);
        assert_eq!(holders[0].0, "bb\u{1f}t1");
        assert!(read
            .get_raw(Table::PluginComponents, "t1", "bb")
            .unwrap()
            .is_some());
    }
}
