//! Loading plugin versions into this process's runtime: from stored artifacts (never
//! recompiling what an engine of this kind compiled), pinned for the duration of a call, and
//! bounded by the resident maximum.

use super::super::error::{DomainError, DomainResult};
use super::super::Plugins;
use super::residency::PRELOAD_PLUGIN_VERSIONS;
use portico_admission::Admission;

/// A version kept loaded for the duration of one call (see `Plugins::pin_plugin_version`).
pub(crate) struct PinnedVersion<'a> {
    domain: &'a Plugins,
    sha256: &'a str,
}

impl Drop for PinnedVersion<'_> {
    fn drop(&mut self) {
        for evicted in self.domain.plugin_residency.release(self.sha256) {
            self.domain.plugin_runtime.unload(&evicted);
        }
    }
}

impl Plugins {
    /// Marks a version as just used and unloads the least recently used ones beyond the
    /// resident maximum (they load again from their artifact on their next call).
    pub(super) fn note_plugin_use(&self, sha256: &str) {
        for evicted in self.plugin_residency.touch(sha256, false) {
            self.plugin_runtime.unload(&evicted);
        }
    }

    /// Makes a version runnable in this process for one call: it is not unloaded until the
    /// answered guard drops, whatever other calls load meanwhile.
    pub(crate) fn pin_plugin_version<'a>(
        &'a self,
        tenant_id: &str,
        sha256: &'a str,
    ) -> DomainResult<PinnedVersion<'a>> {
        // Pinned before loading, so no eviction can slip in between.
        let pin = self.pin_plugin(sha256);
        self.load_plugin_version(tenant_id, sha256)?;
        Ok(pin)
    }

    /// Keeps `sha256` loaded, once loaded, until the answered guard drops.
    pub(super) fn pin_plugin<'a>(&'a self, sha256: &'a str) -> PinnedVersion<'a> {
        for evicted in self.plugin_residency.touch(sha256, true) {
            self.plugin_runtime.unload(&evicted);
        }
        PinnedVersion {
            domain: self,
            sha256,
        }
    }

    /// Loads `sha256` from its stored artifact if there is one for this engine; answers
    /// whether it is loaded.
    pub(super) fn load_stored_artifact(&self, sha256: &str) -> DomainResult<bool> {
        let compat = self.plugin_runtime.compatibility_hash();
        let Some(bytes) = self.ctx.store.read()?.plugin_artifact(sha256, &compat)? else {
            return Ok(false);
        };
        match self.plugin_runtime.load_artifact(sha256, &bytes) {
            Ok(_) => Ok(true),
            Err(e) => {
                tracing::warn!(%sha256, error = %e, "stored artifact does not load; recompiling");
                Ok(false)
            }
        }
    }

    /// Loads a version unless it is loaded: from the stored artifact when the engine is
    /// compatible, else by recompiling the stored component (and storing the new artifact).
    fn load_plugin_version(&self, tenant_id: &str, sha256: &str) -> DomainResult<()> {
        if self.plugin_runtime.loaded_from(sha256).is_some() || self.load_stored_artifact(sha256)? {
            return Ok(());
        }
        let compat = self.plugin_runtime.compatibility_hash();
        let bytes = self
            .ctx
            .store
            .read()?
            .plugin_component(tenant_id, sha256)?
            .ok_or_else(|| DomainError::Internal(format!("component {sha256} is missing")))?;
        let prepared = Admission::run_compile(&self.admission, tenant_id, || {
            self.plugin_runtime.prepare(&bytes, u64::MAX)
        })
        .map_err(|busy| DomainError::busy("compile_capacity", busy.gate, busy.waited))?
        .map_err(|r| {
            DomainError::Internal(format!("stored component {sha256} no longer loads: {r}"))
        })?;
        let mut tx = self.ctx.store.write_installation()?;
        tx.put_plugin_artifact(sha256, &compat, prepared.artifact)?;
        tx.commit()?;
        Ok(())
    }

    /// At start: deserializes up to `PRELOAD_PLUGIN_VERSIONS` stored artifacts made by a
    /// compatible engine (within the resident maximum), so the first calls of those do not
    /// wait; the others load from their artifact on their first call. Nothing is recompiled.
    /// Answers how many were loaded.
    pub fn load_plugin_artifacts(&self) -> DomainResult<usize> {
        let compat = self.plugin_runtime.compatibility_hash();
        let limit = PRELOAD_PLUGIN_VERSIONS.min(self.plugin_residency.capacity());
        let mut loaded = 0;
        let mut after: Option<String> = None;
        while loaded < limit {
            let batch = self.ctx.store.read()?.plugin_artifacts_of_engine(
                &compat,
                after.as_deref(),
                limit - loaded,
            )?;
            let Some((last, _)) = batch.last() else { break };
            after = Some(last.clone());
            for (sha256, bytes) in batch {
                match self.plugin_runtime.load_artifact(&sha256, &bytes) {
                    Ok(_) => {
                        self.note_plugin_use(&sha256);
                        loaded += 1;
                    }
                    Err(e) => tracing::warn!(%sha256, error = %e, "stored artifact does not load"),
                }
            }
        }
        Ok(loaded)
    }
}
