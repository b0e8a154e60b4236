//! The plugins port: a tenant's plugins (a name unique in the tenant, indexed by the adapter),
//! their numbered versions, bindings, each plugin's invocation log (oldest first) and counters,
//! the tenant's limit overrides and the operator's maximum. The component bytes and compiled
//! artifacts the versions refer to are in `plugin_artifacts`.

use super::StorageResult;
use crate::plugin_records::{Binding, Counters, InvocationRecord, PluginRecord, VersionRecord};
use crate::plugins::{Interface, LimitOverrides, Outcome};

/// Reading plugins, versions, bindings, the invocation log, counters and limits.
pub trait PluginReads {
    /// The plugin with this id.
    fn plugin(&self, tenant: &str, id: &str) -> StorageResult<Option<PluginRecord>>;
    /// The plugin with this name.
    fn plugin_by_name(&self, tenant: &str, name: &str) -> StorageResult<Option<PluginRecord>>;
    /// Plugins in id order after `after` (from the first when `None`), at most `limit`.
    fn plugins_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<PluginRecord>>;

    /// Version `version` of plugin `plugin_id`.
    fn plugin_version(
        &self,
        tenant: &str,
        plugin_id: &str,
        version: u32,
    ) -> StorageResult<Option<VersionRecord>>;
    /// The versions of plugin `plugin_id` in number order after `after` (from the first when
    /// `None`), at most `limit`.
    fn plugin_versions_after(
        &self,
        tenant: &str,
        plugin_id: &str,
        after: Option<u32>,
        limit: usize,
    ) -> StorageResult<Vec<VersionRecord>>;
    /// Every version of every plugin of the tenant, by plugin id then number.
    fn tenant_plugin_versions(&self, tenant: &str) -> StorageResult<Vec<VersionRecord>>;

    /// The binding with this id.
    fn plugin_binding(&self, tenant: &str, id: &str) -> StorageResult<Option<Binding>>;
    /// Bindings in id (creation) order after `after` (from the first when `None`), at most
    /// `limit`.
    fn plugin_bindings_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Binding>>;
    /// The bindings that call plugin `plugin_id`, in id order.
    fn bindings_using_plugin(&self, tenant: &str, plugin_id: &str) -> StorageResult<Vec<Binding>>;
    /// The enabled bindings of `interface`, in id (creation) order.
    fn enabled_plugin_bindings(
        &self,
        tenant: &str,
        interface: Interface,
    ) -> StorageResult<Vec<Binding>>;

    /// Plugin `plugin_id`'s invocation log, oldest first, after the record with id `after`
    /// (from the oldest when `None`), at most `limit`.
    fn plugin_invocations_after(
        &self,
        tenant: &str,
        plugin_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<InvocationRecord>>;
    /// Plugin `plugin_id`'s counters, if it has any.
    fn plugin_counters(&self, tenant: &str, plugin_id: &str) -> StorageResult<Option<Counters>>;

    /// The tenant's plugin limit overrides, if it set any.
    fn plugin_limit_overrides(&self, tenant: &str) -> StorageResult<Option<LimitOverrides>>;
    /// The operator's plugin limit settings (the maximum of every tenant), if set.
    fn operator_plugin_limits(&self) -> StorageResult<Option<LimitOverrides>>;
}

/// Writing plugins, versions, bindings, the invocation log, counters and limits. The adapter
/// keeps the index of plugin names with the plugins.
pub trait PluginWrites: PluginReads {
    /// Stores a new plugin, its name indexed. A name another plugin holds answers
    /// `StorageError::Conflict` (`plugin_name_taken`).
    fn insert_plugin(&mut self, tenant: &str, plugin: &PluginRecord) -> StorageResult<()>;
    /// Stores a changed plugin (its name never changes).
    fn update_plugin(&mut self, tenant: &str, plugin: &PluginRecord) -> StorageResult<()>;
    /// Deletes plugin `id` with what it owns: its name's index entry, its versions, its
    /// invocation log and its counters (not the components: see `release_plugin_component`).
    /// Answers whether it existed.
    fn delete_plugin(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;

    /// Stores a new version. A number its plugin has already answers
    /// `StorageError::Conflict` (`plugin_version_exists`).
    fn insert_plugin_version(&mut self, tenant: &str, version: &VersionRecord)
        -> StorageResult<()>;

    /// Stores a new binding.
    fn insert_plugin_binding(&mut self, tenant: &str, binding: &Binding) -> StorageResult<()>;
    /// Stores a changed binding.
    fn update_plugin_binding(&mut self, tenant: &str, binding: &Binding) -> StorageResult<()>;
    /// Deletes binding `id`; answers whether it existed.
    fn delete_plugin_binding(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;

    /// Adds a record to the end of its plugin's invocation log.
    fn insert_plugin_invocation(
        &mut self,
        tenant: &str,
        record: &InvocationRecord,
    ) -> StorageResult<()>;
    /// Deletes the oldest records of plugin `plugin_id`'s invocation log, at most `at_most`,
    /// and never one of its newest `keep`; answers how many went. (`at_most` comes from the
    /// plugin's count of logged records: an engine whose writes run one at a time may rely on
    /// it alone; one with concurrent writers, whose count may be a moment old, must hold to
    /// `keep` itself.)
    fn delete_oldest_plugin_invocations(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        at_most: u64,
        keep: u64,
    ) -> StorageResult<u64>;
    /// Counts one call of plugin `plugin_id` with `outcome` (its total and that outcome go up
    /// by one) and changes its count of logged records by `logged_change` (the record of the
    /// call, less those pruned). An increment, not a replacement: engines shared by several
    /// hosts add it without making concurrent calls wait for each other.
    fn count_plugin_call(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        outcome: Outcome,
        logged_change: i64,
    ) -> StorageResult<()>;

    /// Replaces the tenant's plugin limit overrides.
    fn set_plugin_limit_overrides(
        &mut self,
        tenant: &str,
        overrides: &LimitOverrides,
    ) -> StorageResult<()>;
    /// Replaces the operator's plugin limit settings.
    fn set_operator_plugin_limits(&mut self, settings: &LimitOverrides) -> StorageResult<()>;
}
