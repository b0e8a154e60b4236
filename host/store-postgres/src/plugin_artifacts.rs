//! The plugin artifacts aggregate on PostgreSQL: a tenant's component bytes in
//! `plugin_components` under their sha256 (a row makes the tenant a holder of the component),
//! compiled artifacts in the installation-wide `plugin_artifacts` under `(sha256, engine)`. The
//! artifacts of a sha256 go with its last `plugin_components` row.

use portico_core::storage::{PluginArtifactReads, PluginArtifactWrites, StorageResult};

use crate::forms::row_limit;
use crate::transaction::PgTx;

impl PluginArtifactReads for PgTx {
    fn plugin_component(&self, tenant: &str, sha256: &str) -> StorageResult<Option<Vec<u8>>> {
        let row = self.query_opt(
            "SELECT component FROM plugin_components WHERE tenant_id = $1 AND sha256 = $2",
            &[&tenant, &sha256],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn plugin_artifact(&self, sha256: &str, engine: &str) -> StorageResult<Option<Vec<u8>>> {
        let row = self.query_opt(
            "SELECT artifact FROM plugin_artifacts WHERE sha256 = $1 AND engine = $2",
            &[&sha256, &engine],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn has_plugin_artifact(&self, sha256: &str, engine: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM plugin_artifacts WHERE sha256 = $1 AND engine = $2",
            &[&sha256, &engine],
        )?;
        Ok(row.is_some())
    }

    fn plugin_artifacts_of_engine(
        &self,
        engine: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<(String, Vec<u8>)>> {
        let rows = self.query(
            "SELECT sha256, artifact FROM plugin_artifacts WHERE engine = $1 \
             AND ($2::text IS NULL OR sha256 > $2) ORDER BY sha256 LIMIT $3",
            &[&engine, &after, &row_limit(limit)],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn count_plugin_artifacts(&self) -> StorageResult<u64> {
        let row = self.query_opt("SELECT count(*) FROM plugin_artifacts", &[])?;
        let count: i64 = row.map_or(0, |r| r.get(0));
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

impl PluginArtifactWrites for PgTx {
    /// The tenant must exist (`plugin_components_tenant_fk`), and a sha256 be 64 lowercase hex
    /// digits (`plugin_components_sha256_check`), as the rules compute them.
    fn hold_plugin_component(
        &mut self,
        tenant: &str,
        sha256: &str,
        bytes: &[u8],
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO plugin_components (tenant_id, sha256, component) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, sha256) DO NOTHING",
            &[&tenant, &sha256, &bytes],
        )?;
        Ok(())
    }

    /// Answers true when no tenant holds the component any more (its artifacts, if any, went),
    /// as the embedded engine does; false while another tenant still holds it. A tenant holding
    /// the component in a transaction not committed yet is not seen: the artifacts go, and that
    /// upload's own `put_plugin_artifact` stores its artifact again.
    fn release_plugin_component(&mut self, tenant: &str, sha256: &str) -> StorageResult<bool> {
        self.execute(
            "DELETE FROM plugin_components WHERE tenant_id = $1 AND sha256 = $2",
            &[&tenant, &sha256],
        )?;
        let held = self.query_opt(
            "SELECT 1 FROM plugin_components WHERE sha256 = $1 LIMIT 1",
            &[&sha256],
        )?;
        if held.is_some() {
            return Ok(false);
        }
        self.execute("DELETE FROM plugin_artifacts WHERE sha256 = $1", &[&sha256])?;
        Ok(true)
    }

    fn put_plugin_artifact(
        &mut self,
        sha256: &str,
        engine: &str,
        artifact: Vec<u8>,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO plugin_artifacts (sha256, engine, artifact) VALUES ($1, $2, $3) \
             ON CONFLICT (sha256, engine) DO UPDATE SET artifact = $3",
            &[&sha256, &engine, &artifact],
        )?;
        Ok(())
    }
}
