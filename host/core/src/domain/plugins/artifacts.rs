//! Compiled artifacts are stored once per component sha256 (and engine), shared by every tenant
//! that uploaded the same bytes. The store counts which tenants hold each component, and the
//! artifacts go with the last holder.

use serde::Serialize;

use super::super::error::DomainResult;
use super::super::Plugins;
use crate::plugins::RuntimeStats;
use crate::storage::{PluginArtifactWrites, PluginReads, StorageResult};

/// Releases every component `tenant_id` holds (before its records are deleted); answers the
/// sha256s whose artifacts went with it.
pub(crate) fn release_tenant_components(
    tx: &mut (impl PluginReads + PluginArtifactWrites + ?Sized),
    tenant_id: &str,
) -> StorageResult<Vec<String>> {
    let mut held: Vec<String> = tx
        .tenant_plugin_versions(tenant_id)?
        .into_iter()
        .map(|v| v.sha256)
        .collect();
    held.sort();
    held.dedup();
    let mut gone = Vec::new();
    for sha256 in held {
        if tx.release_plugin_component(tenant_id, &sha256)? {
            gone.push(sha256);
        }
    }
    Ok(gone)
}

/// `/v1/plugin-runtime`: the runtime's counters and the compiled artifacts stored.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PluginRuntimeView {
    /// The runtime's counters since start (shown inline).
    #[serde(flatten)]
    pub runtime: RuntimeStats,
    /// Compiled artifacts in the database (one per component and engine).
    pub stored_artifacts: u64,
    /// What the process's shared resources hold now.
    pub admission: AdmissionView,
}

/// What the gates that divide the process between tenants hold now, all tenants together
/// (operator diagnostics; the tests wait on it instead of sleeping).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdmissionView {
    /// Operations running on the operation threads.
    pub operations_running: usize,
    /// Operations waiting for an operation thread.
    pub operations_queued: usize,
    /// Plugin calls holding a plugin slot.
    pub plugin_calls_held: usize,
    /// Plugin calls waiting for one.
    pub plugin_calls_waiting: usize,
    /// Compiles holding a compile slot.
    pub compiles_held: usize,
    /// Compiles waiting for one.
    pub compiles_waiting: usize,
}

impl Plugins {
    /// The runtime's counters and the number of stored artifacts.
    pub fn plugin_runtime_view(&self) -> DomainResult<PluginRuntimeView> {
        Ok(PluginRuntimeView {
            runtime: self.plugin_runtime.stats(),
            stored_artifacts: self.ctx.store.read()?.count_plugin_artifacts()?,
            admission: self.admission_view(),
        })
    }

    /// What the admission gates hold now.
    fn admission_view(&self) -> AdmissionView {
        let (operations_running, operations_queued) = self.admission.operations.usage();
        let plugin_calls = self.admission.plugin_calls.usage();
        let compiles = self.admission.compiles.usage();
        AdmissionView {
            operations_running,
            operations_queued,
            plugin_calls_held: plugin_calls.held,
            plugin_calls_waiting: plugin_calls.waiting,
            compiles_held: compiles.held,
            compiles_waiting: compiles.waiting,
        }
    }

    /// Frees the compiled code of versions whose artifacts were deleted, in this process.
    pub(crate) fn unload_plugin_versions(&self, sha256s: &[String]) {
        for sha256 in sha256s {
            self.plugin_runtime.unload(sha256);
            self.plugin_residency.forget(sha256);
        }
    }
}
