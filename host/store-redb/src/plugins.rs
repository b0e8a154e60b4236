//! The plugins port on redb: plugins in `Table::Plugins` with the index of their names in
//! `Table::PluginNames` (written only here), versions in `Table::PluginVersions` under
//! `plugin id \u{1f} version (10 digits)`, bindings in `Table::PluginBindings`, the invocation
//! log in `Table::PluginInvocations` under `plugin id \u{1f} invocation id (time-ordered)`,
//! counters in `Table::PluginCounters`, a tenant's limit overrides in `Table::PluginLimits` and
//! the operator's maximum in the system `meta` table. Components and compiled artifacts are in
//! `plugin_artifacts`.

use portico_core::plugin_records::{
    Binding, Counters, InvocationRecord, PluginRecord, VersionRecord,
};
use portico_core::plugins::{Interface, LimitOverrides, Outcome};
use portico_core::storage::{PluginReads, PluginWrites, StorageError, StorageResult};

use super::{composite_key, RawReader, ReadTx, Reader, SystemTable, Table, WriteTx};

/// Key of a tenant's overrides in `Table::PluginLimits` (its one record).
const LIMITS_KEY: &str = "limits";
/// Key of the operator's maximum in the system `meta` table.
const OPERATOR_MAXIMUM_KEY: &str = "plugin_operator_maximum";

fn version_key(plugin_id: &str, version: u32) -> String {
    composite_key(plugin_id, &format!("{version:010}"))
}

/// The start of every key of one plugin in the versions and invocations tables.
fn plugin_prefix(plugin_id: &str) -> String {
    composite_key(plugin_id, "")
}

fn values<T>(rows: Vec<(String, T)>) -> Vec<T> {
    rows.into_iter().map(|(_, value)| value).collect()
}

fn plugin_by_name<R: Reader>(
    tx: &R,
    tenant: &str,
    name: &str,
) -> StorageResult<Option<PluginRecord>> {
    match tx.get::<String>(Table::PluginNames, tenant, name)? {
        Some(id) => Ok(tx.get(Table::Plugins, tenant, &id)?),
        None => Ok(None),
    }
}

fn plugin_versions_after<R: Reader>(
    tx: &R,
    tenant: &str,
    plugin_id: &str,
    after: Option<u32>,
    limit: usize,
) -> StorageResult<Vec<VersionRecord>> {
    let after = after.map(|v| version_key(plugin_id, v));
    of_plugin(tx, Table::PluginVersions, tenant, plugin_id, after, limit)
}

/// The records of `table` under plugin `plugin_id`, in key order after the key `after`.
fn of_plugin<R: Reader, T: serde::de::DeserializeOwned>(
    tx: &R,
    table: Table,
    tenant: &str,
    plugin_id: &str,
    after: Option<String>,
    limit: usize,
) -> StorageResult<Vec<T>> {
    let prefix = plugin_prefix(plugin_id);
    let rows = tx.scan(table, tenant, &prefix, after.as_deref(), limit)?;
    Ok(values(rows))
}

/// Every binding of the tenant that `keep` keeps, in id order (a scan: the embedded store has no
/// secondary index on bindings, a tenant has a handful).
fn bindings_where<R: Reader>(
    tx: &R,
    tenant: &str,
    keep: impl Fn(&Binding) -> bool,
) -> StorageResult<Vec<Binding>> {
    let rows: Vec<(String, Binding)> =
        tx.scan(Table::PluginBindings, tenant, "", None, usize::MAX)?;
    Ok(values(rows).into_iter().filter(|b| keep(b)).collect())
}

fn plugin_invocations_after<R: Reader>(
    tx: &R,
    tenant: &str,
    plugin_id: &str,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<InvocationRecord>> {
    let after = after.map(|id| composite_key(plugin_id, id));
    of_plugin(
        tx,
        Table::PluginInvocations,
        tenant,
        plugin_id,
        after,
        limit,
    )
}

macro_rules! plugin_reads {
    ($($t:ty),*) => {$(
        impl PluginReads for $t {
            fn plugin(&self, tenant: &str, id: &str) -> StorageResult<Option<PluginRecord>> {
                Ok(self.get(Table::Plugins, tenant, id)?)
            }
            fn plugin_by_name(
                &self,
                tenant: &str,
                name: &str,
            ) -> StorageResult<Option<PluginRecord>> {
                plugin_by_name(self, tenant, name)
            }
            fn plugins_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<PluginRecord>> {
                Ok(values(self.scan(Table::Plugins, tenant, "", after, limit)?))
            }
            fn plugin_version(
                &self,
                tenant: &str,
                plugin_id: &str,
                version: u32,
            ) -> StorageResult<Option<VersionRecord>> {
                let key = version_key(plugin_id, version);
                Ok(self.get(Table::PluginVersions, tenant, &key)?)
            }
            fn plugin_versions_after(
                &self,
                tenant: &str,
                plugin_id: &str,
                after: Option<u32>,
                limit: usize,
            ) -> StorageResult<Vec<VersionRecord>> {
                plugin_versions_after(self, tenant, plugin_id, after, limit)
            }
            fn tenant_plugin_versions(&self, tenant: &str) -> StorageResult<Vec<VersionRecord>> {
                Ok(values(self.scan(Table::PluginVersions, tenant, "", None, usize::MAX)?))
            }
            fn plugin_binding(&self, tenant: &str, id: &str) -> StorageResult<Option<Binding>> {
                Ok(self.get(Table::PluginBindings, tenant, id)?)
            }
            fn plugin_bindings_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<Binding>> {
                Ok(values(self.scan(Table::PluginBindings, tenant, "", after, limit)?))
            }
            fn bindings_using_plugin(
                &self,
                tenant: &str,
                plugin_id: &str,
            ) -> StorageResult<Vec<Binding>> {
                bindings_where(self, tenant, |b| b.plugin_id == plugin_id)
            }
            fn enabled_plugin_bindings(
                &self,
                tenant: &str,
                interface: Interface,
            ) -> StorageResult<Vec<Binding>> {
                bindings_where(self, tenant, |b| b.enabled && b.interface == interface)
            }
            fn plugin_invocations_after(
                &self,
                tenant: &str,
                plugin_id: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<InvocationRecord>> {
                plugin_invocations_after(self, tenant, plugin_id, after, limit)
            }
            fn plugin_counters(
                &self,
                tenant: &str,
                plugin_id: &str,
            ) -> StorageResult<Option<Counters>> {
                Ok(self.get(Table::PluginCounters, tenant, plugin_id)?)
            }
            fn plugin_limit_overrides(
                &self,
                tenant: &str,
            ) -> StorageResult<Option<LimitOverrides>> {
                Ok(self.get(Table::PluginLimits, tenant, LIMITS_KEY)?)
            }
            fn operator_plugin_limits(&self) -> StorageResult<Option<LimitOverrides>> {
                Ok(self.system_get(SystemTable::Meta, OPERATOR_MAXIMUM_KEY)?)
            }
        }
    )*};
}
plugin_reads!(ReadTx, WriteTx<'_>);

/// Deletes every key of `table` that starts with plugin `plugin_id`'s prefix, the first
/// `limit` of them in key order; answers how many went.
fn delete_plugin_rows(
    tx: &mut WriteTx<'_>,
    table: Table,
    tenant: &str,
    plugin_id: &str,
    limit: usize,
) -> StorageResult<u64> {
    let rows = tx.scan_raw(table, tenant, &plugin_prefix(plugin_id), None, limit)?;
    for (key, _) in &rows {
        tx.delete(table, tenant, key)?;
    }
    Ok(rows.len() as u64)
}

impl PluginWrites for WriteTx<'_> {
    fn insert_plugin(&mut self, tenant: &str, plugin: &PluginRecord) -> StorageResult<()> {
        // The writers take turns, so a check made in the turn holds until its commit.
        let holder: Option<String> = self.get(Table::PluginNames, tenant, &plugin.name)?;
        if holder.is_some_and(|id| id != plugin.id) {
            return Err(StorageError::Conflict {
                code: "plugin_name_taken",
                message: format!("a plugin named '{}' exists", plugin.name),
            });
        }
        self.put(Table::PluginNames, tenant, &plugin.name, &plugin.id)?;
        self.update_plugin(tenant, plugin)
    }

    fn update_plugin(&mut self, tenant: &str, plugin: &PluginRecord) -> StorageResult<()> {
        Ok(self.put(Table::Plugins, tenant, &plugin.id, plugin)?)
    }

    fn delete_plugin(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let Some(plugin) = self.plugin(tenant, id)? else {
            return Ok(false);
        };
        delete_plugin_rows(self, Table::PluginVersions, tenant, id, usize::MAX)?;
        delete_plugin_rows(self, Table::PluginInvocations, tenant, id, usize::MAX)?;
        self.delete(Table::PluginCounters, tenant, id)?;
        self.delete(Table::Plugins, tenant, id)?;
        let holder: Option<String> = self.get(Table::PluginNames, tenant, &plugin.name)?;
        if holder.as_deref() == Some(id) {
            self.delete(Table::PluginNames, tenant, &plugin.name)?;
        }
        Ok(true)
    }

    fn insert_plugin_version(
        &mut self,
        tenant: &str,
        version: &VersionRecord,
    ) -> StorageResult<()> {
        let key = version_key(&version.plugin_id, version.version);
        if self.exists(Table::PluginVersions, tenant, &key)? {
            return Err(StorageError::Conflict {
                code: "plugin_version_exists",
                message: format!(
                    "plugin {} has a version {} already",
                    version.plugin_id, version.version
                ),
            });
        }
        Ok(self.put(Table::PluginVersions, tenant, &key, version)?)
    }

    fn insert_plugin_binding(&mut self, tenant: &str, binding: &Binding) -> StorageResult<()> {
        self.update_plugin_binding(tenant, binding)
    }

    fn update_plugin_binding(&mut self, tenant: &str, binding: &Binding) -> StorageResult<()> {
        Ok(self.put(Table::PluginBindings, tenant, &binding.id, binding)?)
    }

    fn delete_plugin_binding(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        Ok(self.delete(Table::PluginBindings, tenant, id)?)
    }

    fn insert_plugin_invocation(
        &mut self,
        tenant: &str,
        record: &InvocationRecord,
    ) -> StorageResult<()> {
        let key = composite_key(&record.plugin_id, &record.id);
        Ok(self.put(Table::PluginInvocations, tenant, &key, record)?)
    }

    /// `at_most` is exact here (writes run one at a time, so the count read before is the
    /// log's), which keeps the newest `keep` too.
    fn delete_oldest_plugin_invocations(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        at_most: u64,
        _keep: u64,
    ) -> StorageResult<u64> {
        // Record ids are time-ordered: the first keys of the plugin are its oldest records.
        let limit = usize::try_from(at_most).unwrap_or(usize::MAX);
        delete_plugin_rows(self, Table::PluginInvocations, tenant, plugin_id, limit)
    }

    /// Read, changed and written back: the embedded engine's writes run one at a time.
    fn count_plugin_call(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        outcome: Outcome,
        logged_change: i64,
    ) -> StorageResult<()> {
        let mut counters: Counters = self
            .get(Table::PluginCounters, tenant, plugin_id)?
            .unwrap_or_default();
        counters.total += 1;
        *counters.by_outcome.get_mut(outcome) += 1;
        counters.logged = counters.logged.saturating_add_signed(logged_change);
        Ok(self.put(Table::PluginCounters, tenant, plugin_id, &counters)?)
    }

    fn set_plugin_limit_overrides(
        &mut self,
        tenant: &str,
        overrides: &LimitOverrides,
    ) -> StorageResult<()> {
        Ok(self.put(Table::PluginLimits, tenant, LIMITS_KEY, overrides)?)
    }

    fn set_operator_plugin_limits(&mut self, settings: &LimitOverrides) -> StorageResult<()> {
        Ok(self.system_put(SystemTable::Meta, OPERATOR_MAXIMUM_KEY, settings)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::plugin_records::{InvocationRecord, PluginRecord, VersionRecord};
    use portico_core::plugins::{Interface, Outcome};
    use portico_core::storage::{PluginReads, PluginWrites, StorageError};

    use crate::{Reader, Store, Table};

    fn plugin(id: &str, name: &str) -> PluginRecord {
        PluginRecord {
            id: id.into(),
            name: name.into(),
            active_version: None,
            latest_version: 0,
            activation_history: Vec::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn version(plugin_id: &str, version: u32) -> VersionRecord {
        VersionRecord {
            plugin_id: plugin_id.into(),
            version,
            sha256: format!("sha-{version}"),
            size: 1,
            exports: vec![Interface::FieldValidator],
            compiled_size: 1,
            created_at: Utc::now(),
        }
    }

    fn invocation(plugin_id: &str, id: &str) -> InvocationRecord {
        InvocationRecord {
            id: id.into(),
            plugin_id: plugin_id.into(),
            plugin_name: plugin_id.into(),
            version: 1,
            binding_id: None,
            interface: Interface::FieldValidator,
            function: "validate".into(),
            outcome: Outcome::Ok,
            error: None,
            fuel_used: 1,
            duration_us: 1,
            logs: String::new(),
            at: Utc::now(),
        }
    }

    #[test]
    fn names_and_version_numbers_are_unique_and_a_plugin_goes_with_what_it_owns() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_plugin("t", &plugin("p1", "checker")).unwrap();
        let taken = tx.insert_plugin("t", &plugin("p2", "checker"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "plugin_name_taken",
                ..
            })
        ));
        tx.insert_plugin("t", &plugin("p2", "other")).unwrap();
        // Numbers sort as numbers (10 after 9), and stay within their plugin.
        for v in [1, 9, 10] {
            tx.insert_plugin_version("t", &version("p1", v)).unwrap();
        }
        tx.insert_plugin_version("t", &version("p2", 1)).unwrap();
        let again = tx.insert_plugin_version("t", &version("p1", 9));
        assert!(matches!(
            again,
            Err(StorageError::Conflict {
                code: "plugin_version_exists",
                ..
            })
        ));
        let numbers = |after| {
            tx.plugin_versions_after("t", "p1", after, 10)
                .unwrap()
                .iter()
                .map(|v| v.version)
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(None), vec![1, 9, 10]);
        assert_eq!(numbers(Some(1)), vec![9, 10]);
        for id in ["i1", "i2", "i3"] {
            tx.insert_plugin_invocation("t", &invocation("p1", id))
                .unwrap();
        }
        tx.insert_plugin_invocation("t", &invocation("p2", "i0"))
            .unwrap();
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert_eq!(tx.plugin_by_name("t", "checker").unwrap().unwrap().id, "p1");
        assert_eq!(
            tx.delete_oldest_plugin_invocations("t", "p1", 2, 0)
                .unwrap(),
            2
        );
        let left = tx.plugin_invocations_after("t", "p1", None, 10).unwrap();
        assert_eq!(
            left.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["i3"]
        );
        assert!(tx.delete_plugin("t", "p1").unwrap());
        assert!(!tx.delete_plugin("t", "p1").unwrap());
        assert!(tx.plugin_by_name("t", "checker").unwrap().is_none());
        assert!(tx
            .plugin_invocations_after("t", "p1", None, 10)
            .unwrap()
            .is_empty());
        let versions = tx.tenant_plugin_versions("t").unwrap();
        assert_eq!(versions.len(), 1, "p2's version stays");
        assert_eq!(
            tx.plugin_invocations_after("t", "p2", None, 10)
                .unwrap()
                .len(),
            1
        );
        // The name is free again; the layout is the one older files have.
        tx.insert_plugin("t", &plugin("p3", "checker")).unwrap();
        let id: Option<String> = tx.get(Table::PluginNames, "t", "checker").unwrap();
        assert_eq!(id.as_deref(), Some("p3"));
        assert!(tx
            .plugin_by_name("other-tenant", "other")
            .unwrap()
            .is_none());
        tx.commit().unwrap();
    }
}
