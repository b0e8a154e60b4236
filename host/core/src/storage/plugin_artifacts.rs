//! The plugin artifacts port: uploaded component bytes, stored per tenant under their sha256
//! (kept to recompile after an engine upgrade), and their compiled artifacts, stored once per
//! component and engine (its compatibility hash) and shared by every tenant that uploaded the
//! same bytes. The adapter counts a component's holders: the artifacts go with the last one.
//! Both are large binary values, passed as bytes.

use super::StorageResult;

/// Reading components and compiled artifacts.
pub trait PluginArtifactReads {
    /// The bytes of the component `sha256` the tenant holds.
    fn plugin_component(&self, tenant: &str, sha256: &str) -> StorageResult<Option<Vec<u8>>>;
    /// The artifact of component `sha256` compiled by engine `engine`.
    fn plugin_artifact(&self, sha256: &str, engine: &str) -> StorageResult<Option<Vec<u8>>>;
    /// Whether an artifact of component `sha256` compiled by engine `engine` is stored.
    fn has_plugin_artifact(&self, sha256: &str, engine: &str) -> StorageResult<bool>;
    /// The artifacts compiled by engine `engine`, as `(sha256, artifact)` in sha256 order after
    /// `after` (from the first when `None`), at most `limit`.
    fn plugin_artifacts_of_engine(
        &self,
        engine: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<(String, Vec<u8>)>>;
    /// How many artifacts are stored (of every component and engine).
    fn count_plugin_artifacts(&self) -> StorageResult<u64>;
}

/// Writing components and compiled artifacts.
pub trait PluginArtifactWrites: PluginArtifactReads {
    /// Stores the bytes of component `sha256` for the tenant, which becomes one of its holders;
    /// nothing changes when the tenant holds it already.
    fn hold_plugin_component(
        &mut self,
        tenant: &str,
        sha256: &str,
        bytes: &[u8],
    ) -> StorageResult<()>;
    /// Deletes the tenant's bytes of component `sha256`, which stops holding it; when no tenant
    /// holds it any more, deletes its artifacts (of every engine). Answers whether they went.
    fn release_plugin_component(&mut self, tenant: &str, sha256: &str) -> StorageResult<bool>;
    /// Stores (or replaces) the artifact of component `sha256` compiled by engine `engine`.
    fn put_plugin_artifact(
        &mut self,
        sha256: &str,
        engine: &str,
        artifact: Vec<u8>,
    ) -> StorageResult<()>;
}
