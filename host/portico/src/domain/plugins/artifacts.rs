//! Compiled artifacts are stored once per component sha256 (and engine), shared by every tenant
//! that uploaded the same bytes. `SystemTable::ComponentTenants` records which tenants hold
//! each component, and the artifacts go with the last holder.

use base64::Engine as _;
use serde::Serialize;

use super::super::error::DomainResult;
use super::super::Domain;
use super::registry::VersionRecord;
use portico_wasm_runtime::RuntimeStats;
use crate::store::{composite_key, RawReader, Reader, StoreResult, SystemTable, Table, WriteTx};

/// The bytes of a stored component or compiled artifact: kept as they are since schema 3; a row
/// written before is the JSON string of their base64 (it starts with `"`, which neither a wasm
/// component, `\0asm`, nor a compiled artifact, an ELF image, does).
pub(crate) fn stored_bytes(raw: Vec<u8>) -> Result<Vec<u8>, String> {
    if raw.first() != Some(&b'"') {
        return Ok(raw);
    }
    let text: String = serde_json::from_slice(&raw).map_err(|e| e.to_string())?;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| e.to_string())
}

/// The key of a compiled artifact: the component's sha256 and the engine that compiled it.
pub(crate) fn artifact_key(sha256: &str, compatibility_hash: &str) -> String {
    composite_key(sha256, compatibility_hash)
}

/// Records that `tenant_id` holds the component `sha256`.
pub(crate) fn hold_component(tx: &mut WriteTx, sha256: &str, tenant_id: &str) -> StoreResult<()> {
    tx.system_put(
        SystemTable::ComponentTenants,
        &composite_key(sha256, tenant_id),
        &(),
    )
}

/// Records that `tenant_id` no longer holds the component `sha256`; when no tenant does, deletes
/// its compiled artifacts (of every engine). Answers whether they were deleted.
pub(crate) fn release_component(
    tx: &mut WriteTx,
    sha256: &str,
    tenant_id: &str,
) -> StoreResult<bool> {
    tx.system_delete(
        SystemTable::ComponentTenants,
        &composite_key(sha256, tenant_id),
    )?;
    let prefix = composite_key(sha256, "");
    if first_key_after(tx, SystemTable::ComponentTenants, &prefix)?
        .is_some_and(|k| k.starts_with(&prefix))
    {
        return Ok(false);
    }
    let mut after = prefix.clone();
    while let Some(key) = first_key_after(tx, SystemTable::PluginArtifacts, &after)? {
        if !key.starts_with(&prefix) {
            break;
        }
        tx.system_delete(SystemTable::PluginArtifacts, &key)?;
        after = key;
    }
    Ok(true)
}

fn first_key_after(tx: &WriteTx, table: SystemTable, after: &str) -> StoreResult<Option<String>> {
    Ok(tx
        .system_scan_raw(table, Some(after), 1)?
        .into_iter()
        .next()
        .map(|(key, _)| key))
}

/// Releases every component `tenant_id` holds (before its records are deleted); answers the
/// sha256s whose artifacts went with it.
pub(crate) fn release_tenant_components(
    tx: &mut WriteTx,
    tenant_id: &str,
) -> StoreResult<Vec<String>> {
    let mut held: Vec<String> = tx
        .scan::<VersionRecord>(Table::PluginVersions, tenant_id, "", None, usize::MAX)?
        .into_iter()
        .map(|(_, v)| v.sha256)
        .collect();
    held.sort();
    held.dedup();
    let mut gone = Vec::new();
    for sha256 in held {
        if release_component(tx, &sha256, tenant_id)? {
            gone.push(sha256);
        }
    }
    Ok(gone)
}

/// `/v1/plugin-runtime`: the runtime's counters and the compiled artifacts stored.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginRuntimeView {
    #[serde(flatten)]
    pub runtime: RuntimeStats,
    /// Compiled artifacts in the database (one per component and engine).
    pub stored_artifacts: u64,
}

impl Domain {
    /// The runtime's counters and the number of stored artifacts.
    pub fn plugin_runtime_view(&self) -> DomainResult<PluginRuntimeView> {
        Ok(PluginRuntimeView {
            runtime: self.plugin_runtime.stats(),
            stored_artifacts: self
                .store
                .read()?
                .system_len(SystemTable::PluginArtifacts)?,
        })
    }

    /// Frees the compiled code of versions whose artifacts were deleted, in this process.
    pub(crate) fn unload_plugin_versions(&self, sha256s: &[String]) {
        for sha256 in sha256s {
            self.plugin_runtime.unload(sha256);
            self.plugin_residency.forget(sha256);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
