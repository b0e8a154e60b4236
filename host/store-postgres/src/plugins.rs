//! The plugins aggregate on PostgreSQL: `plugins` (the name unique in the tenant, which answers
//! `plugin_name_taken`), `plugin_versions` (the number unique in its plugin, which answers
//! `plugin_version_exists`), `plugin_bindings`, the invocation log `plugin_invocations` (ids
//! time-ordered: key order is oldest first), `plugin_counters`, a tenant's
//! `tenant_plugin_limits` and the operator's `operator_plugin_limits`. Components and compiled
//! artifacts are in `plugin_artifacts`.

use portico_core::plugin_records::{
    Binding, ByOutcome, Counters, InvocationRecord, PluginRecord, VersionRecord,
};
use portico_core::plugins::{Interface, LimitOverrides, Outcome};
use portico_core::storage::{PluginReads, PluginWrites, StorageError, StorageResult};

use tokio_postgres::types::ToSql;

use crate::forms::{row_limit, storable_json, storable_text};
use crate::transaction::PgTx;

use crate::plugin_rows::{
    bigint, binding, bindings_where, counters, decoded, failure_policy_name, integer, invocation,
    limit_values, limits, plugin, version, BINDING_COLUMNS, COUNTER_COLUMNS, INVOCATION_COLUMNS,
    LIMIT_COLUMNS, PLUGIN_COLUMNS, VERSION_COLUMNS,
};
impl PluginReads for PgTx {
    fn plugin(&self, tenant: &str, id: &str) -> StorageResult<Option<PluginRecord>> {
        let sql = format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE tenant_id = $1 AND id = $2");
        Ok(decoded(self, tenant, &sql, &[&tenant, &id], plugin)?.pop())
    }

    fn plugin_by_name(&self, tenant: &str, name: &str) -> StorageResult<Option<PluginRecord>> {
        let sql =
            format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE tenant_id = $1 AND name = $2");
        Ok(decoded(self, tenant, &sql, &[&tenant, &name], plugin)?.pop())
    }

    fn plugins_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<PluginRecord>> {
        let sql = format!(
            "SELECT {PLUGIN_COLUMNS} FROM plugins WHERE tenant_id = $1 \
             AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let params: [&(dyn ToSql + Sync); 3] = [&tenant, &after, &row_limit(limit)];
        decoded(self, tenant, &sql, &params, plugin)
    }

    fn plugin_version(
        &self,
        tenant: &str,
        plugin_id: &str,
        number: u32,
    ) -> StorageResult<Option<VersionRecord>> {
        let Ok(number) = i32::try_from(number) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant_id = $1 \
             AND plugin_id = $2 AND version = $3"
        );
        Ok(decoded(self, tenant, &sql, &[&tenant, &plugin_id, &number], version)?.pop())
    }

    fn plugin_versions_after(
        &self,
        tenant: &str,
        plugin_id: &str,
        after: Option<u32>,
        limit: usize,
    ) -> StorageResult<Vec<VersionRecord>> {
        let Ok(after) = after.map(i32::try_from).transpose() else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant_id = $1 \
             AND plugin_id = $2 AND ($3::integer IS NULL OR version > $3) \
             ORDER BY version LIMIT $4"
        );
        let params: [&(dyn ToSql + Sync); 4] = [&tenant, &plugin_id, &after, &row_limit(limit)];
        decoded(self, tenant, &sql, &params, version)
    }

    fn tenant_plugin_versions(&self, tenant: &str) -> StorageResult<Vec<VersionRecord>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant_id = $1 \
             ORDER BY plugin_id, version"
        );
        decoded(self, tenant, &sql, &[&tenant], version)
    }

    fn plugin_binding(&self, tenant: &str, id: &str) -> StorageResult<Option<Binding>> {
        Ok(bindings_where(self, tenant, "id = $2", id)?.pop())
    }

    fn plugin_bindings_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Binding>> {
        let sql = format!(
            "SELECT {BINDING_COLUMNS} FROM plugin_bindings WHERE tenant_id = $1 \
             AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let params: [&(dyn ToSql + Sync); 3] = [&tenant, &after, &row_limit(limit)];
        decoded(self, tenant, &sql, &params, binding)
    }

    fn bindings_using_plugin(&self, tenant: &str, plugin_id: &str) -> StorageResult<Vec<Binding>> {
        bindings_where(self, tenant, "plugin_id = $2", plugin_id)
    }

    fn enabled_plugin_bindings(
        &self,
        tenant: &str,
        interface: Interface,
    ) -> StorageResult<Vec<Binding>> {
        bindings_where(self, tenant, "interface = $2 AND enabled", interface.name())
    }

    fn plugin_invocations_after(
        &self,
        tenant: &str,
        plugin_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<InvocationRecord>> {
        let sql = format!(
            "SELECT {INVOCATION_COLUMNS} FROM plugin_invocations WHERE tenant_id = $1 \
             AND plugin_id = $2 AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4"
        );
        let params: [&(dyn ToSql + Sync); 4] = [&tenant, &plugin_id, &after, &row_limit(limit)];
        decoded(self, tenant, &sql, &params, invocation)
    }

    /// The sum of the plugin's shards (schema 3).
    fn plugin_counters(&self, tenant: &str, plugin_id: &str) -> StorageResult<Option<Counters>> {
        let sums: Vec<String> = COUNTER_COLUMNS
            .split(", ")
            .map(|c| format!("sum({c})::bigint AS {c}"))
            .collect();
        let sql = format!(
            "SELECT plugin_id AS id, {} FROM plugin_counters \
             WHERE tenant_id = $1 AND plugin_id = $2 GROUP BY plugin_id",
            sums.join(", ")
        );
        Ok(decoded(self, tenant, &sql, &[&tenant, &plugin_id], counters)?.pop())
    }

    fn plugin_limit_overrides(&self, tenant: &str) -> StorageResult<Option<LimitOverrides>> {
        let sql = format!("SELECT {LIMIT_COLUMNS} FROM tenant_plugin_limits WHERE tenant_id = $1");
        let row = self.query_opt(&sql, &[&tenant])?;
        row.map(|r| limits("tenant_plugin_limits", tenant, &r))
            .transpose()
    }

    fn operator_plugin_limits(&self) -> StorageResult<Option<LimitOverrides>> {
        let sql = format!("SELECT {LIMIT_COLUMNS} FROM operator_plugin_limits");
        let row = self.query_opt(&sql, &[])?;
        row.map(|r| limits("operator_plugin_limits", "", &r))
            .transpose()
    }
}

/// `INSERT INTO table (columns) VALUES ($1, ...)`; with `upsert`, a row already under `key`
/// gets every other column's new value.
fn insert_sql(table: &str, columns: &str, key: &[&str], upsert: bool) -> String {
    let columns: Vec<&str> = columns.split(',').map(str::trim).collect();
    let values: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let mut sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        values.join(", ")
    );
    if upsert {
        let set: Vec<String> = columns
            .iter()
            .filter(|c| !key.contains(c))
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect();
        sql += &format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            key.join(", "),
            set.join(", ")
        );
    }
    sql
}

/// Writes `plugin`: a new row (`upsert` false, the name's uniqueness answering
/// `plugin_name_taken`) or over the stored one (its name never changes).
fn write_plugin(tx: &PgTx, tenant: &str, plugin: &PluginRecord, upsert: bool) -> StorageResult<()> {
    let active = plugin
        .active_version
        .map(|v| integer(v, "active version"))
        .transpose()?;
    let history = plugin
        .activation_history
        .iter()
        .map(|v| integer(*v, "version"))
        .collect::<StorageResult<Vec<i32>>>()?;
    let columns = format!("tenant_id, {PLUGIN_COLUMNS}");
    tx.execute(
        &insert_sql("plugins", &columns, &["tenant_id", "id"], upsert),
        &[
            &tenant,
            &plugin.id,
            &plugin.name,
            &active,
            &integer(plugin.latest_version, "latest version")?,
            &history,
            &plugin.created_at,
            &plugin.updated_at,
        ],
    )?;
    Ok(())
}

/// Writes `binding`: a new row (`upsert` false) or over the stored one.
fn write_binding(tx: &PgTx, tenant: &str, binding: &Binding, upsert: bool) -> StorageResult<()> {
    let version = binding.version.map(|v| integer(v, "version")).transpose()?;
    let columns = format!("tenant_id, {BINDING_COLUMNS}");
    tx.execute(
        &insert_sql("plugin_bindings", &columns, &["tenant_id", "id"], upsert),
        &[
            &tenant,
            &binding.id,
            &binding.plugin_id,
            &binding.interface.name(),
            &binding.target,
            &version,
            &storable_json(binding.settings.clone()),
            &failure_policy_name(binding.failure_policy),
            &binding.enabled,
            &binding.created_at,
            &binding.updated_at,
        ],
    )?;
    Ok(())
}

/// Replaces the limits of `table`'s row under `key` (the column) = `value`.
fn put_limits(
    tx: &PgTx,
    table: &str,
    key: &str,
    value: &(dyn ToSql + Sync),
    limits: &LimitOverrides,
) -> StorageResult<()> {
    let [a, b, c, d, e, f, g, h, i] = limit_values(limits)?;
    let columns = format!("{key}, {LIMIT_COLUMNS}");
    tx.execute(
        &insert_sql(table, &columns, &[key], true),
        &[value, &a, &b, &c, &d, &e, &f, &g, &h, &i],
    )?;
    Ok(())
}

impl PluginWrites for PgTx {
    fn insert_plugin(&mut self, tenant: &str, plugin: &PluginRecord) -> StorageResult<()> {
        write_plugin(self, tenant, plugin, false)
    }

    /// Stores the plugin whether or not it was there, as the embedded engine does.
    fn update_plugin(&mut self, tenant: &str, plugin: &PluginRecord) -> StorageResult<()> {
        write_plugin(self, tenant, plugin, true)
    }

    /// A plugin a binding uses cannot be deleted (`plugin_bindings_plugin_fk`, which holds it
    /// across hosts): where the embedded engine would leave the bindings pointing nowhere, this
    /// answers `StorageError::Conflict` (`plugin_in_use`), as the rules do before they call it.
    fn delete_plugin(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        if self.plugin(tenant, id)?.is_none() {
            return Ok(false);
        }
        let users = self.bindings_using_plugin(tenant, id)?;
        if !users.is_empty() {
            let ids: Vec<&str> = users.iter().map(|b| b.id.as_str()).collect();
            return Err(StorageError::Conflict {
                code: "plugin_in_use",
                message: format!("plugin {id} is used by bindings {}", ids.join(", ")),
            });
        }
        for table in ["plugin_versions", "plugin_invocations", "plugin_counters"] {
            let sql = format!("DELETE FROM {table} WHERE tenant_id = $1 AND plugin_id = $2");
            self.execute(&sql, &[&tenant, &id])?;
        }
        self.execute(
            "DELETE FROM plugins WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(true)
    }

    fn insert_plugin_version(&mut self, tenant: &str, v: &VersionRecord) -> StorageResult<()> {
        let exports: Vec<&str> = v.exports.iter().map(|i| i.name()).collect();
        let columns = format!("tenant_id, {VERSION_COLUMNS}");
        self.execute(
            &insert_sql("plugin_versions", &columns, &[], false),
            &[
                &tenant,
                &v.plugin_id,
                &integer(v.version, "version")?,
                &v.sha256,
                &bigint(v.size, "size")?,
                &exports,
                &bigint(v.compiled_size, "compiled size")?,
                &v.created_at,
            ],
        )?;
        Ok(())
    }

    /// Its plugin must exist (`plugin_bindings_plugin_fk`): the rules check it first.
    fn insert_plugin_binding(&mut self, tenant: &str, binding: &Binding) -> StorageResult<()> {
        write_binding(self, tenant, binding, false)
    }

    /// Stores the binding whether or not it was there, as the embedded engine does.
    fn update_plugin_binding(&mut self, tenant: &str, binding: &Binding) -> StorageResult<()> {
        write_binding(self, tenant, binding, true)
    }

    fn delete_plugin_binding(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM plugin_bindings WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(deleted > 0)
    }

    /// U+0000 in the logs and the error is stored as U+FFFD (`text` cannot hold it).
    fn insert_plugin_invocation(
        &mut self,
        tenant: &str,
        r: &InvocationRecord,
    ) -> StorageResult<()> {
        let error = r.error.as_deref().map(storable_text);
        let columns = format!("tenant_id, {INVOCATION_COLUMNS}");
        self.execute(
            &insert_sql("plugin_invocations", &columns, &[], false),
            &[
                &tenant,
                &r.id,
                &r.plugin_id,
                &storable_text(&r.plugin_name),
                &integer(r.version, "version")?,
                &r.binding_id,
                &r.interface.name(),
                &r.function,
                &r.outcome.name(),
                &error,
                &bigint(r.fuel_used, "fuel used")?,
                &bigint(r.duration_us, "duration")?,
                &storable_text(&r.logs),
                &r.at,
            ],
        )?;
        Ok(())
    }

    /// The newest `keep` are skipped by position, in the statement itself: a concurrent
    /// call's count of logged records may be a moment old (another call pruned meanwhile), and
    /// pruning by it alone could cut into the records to keep.
    fn delete_oldest_plugin_invocations(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        at_most: u64,
        keep: u64,
    ) -> StorageResult<u64> {
        let at_most = i64::try_from(at_most).unwrap_or(i64::MAX);
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        // One pruner of a plugin's log at a time, on every host: concurrent calls that all
        // found the log over its maximum would otherwise each wait to delete the same oldest
        // records. The others delete nothing this time (the next call prunes again). The ids
        // are gathered first (`= ANY(ARRAY(...))`) so both steps walk the primary key; `IN
        // (subquery)` was planned as a scan of the whole log per call.
        self.execute(
            "DELETE FROM plugin_invocations WHERE tenant_id = $1 AND plugin_id = $2 AND id = ANY(ARRAY( \
             SELECT id FROM (SELECT id FROM plugin_invocations WHERE tenant_id = $1 AND plugin_id = $2 \
             AND (SELECT pg_try_advisory_xact_lock(hashtextextended($1 || '/' || $2, 2))) \
             ORDER BY id DESC OFFSET $4) AS older ORDER BY id LIMIT $3))",
            &[&tenant, &plugin_id, &at_most, &keep],
        )
    }

    /// Adds to this thread's shard of the plugin's counters (schema 3): concurrent calls on
    /// other threads, here or on other hosts, add to other rows and never wait for this one.
    fn count_plugin_call(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        outcome: Outcome,
        logged_change: i64,
    ) -> StorageResult<()> {
        let mut calls = ByOutcome::default();
        *calls.get_mut(outcome) += 1;
        let c = |n: u64| i64::from(n > 0);
        self.execute(
            "INSERT INTO plugin_counters (tenant_id, plugin_id, shard, total, ok, denied, trap, \
             out_of_fuel, deadline, memory, bad_output, logged) \
             VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (tenant_id, plugin_id, shard) DO UPDATE SET \
             total = plugin_counters.total + 1, ok = plugin_counters.ok + EXCLUDED.ok, \
             denied = plugin_counters.denied + EXCLUDED.denied, \
             trap = plugin_counters.trap + EXCLUDED.trap, \
             out_of_fuel = plugin_counters.out_of_fuel + EXCLUDED.out_of_fuel, \
             deadline = plugin_counters.deadline + EXCLUDED.deadline, \
             memory = plugin_counters.memory + EXCLUDED.memory, \
             bad_output = plugin_counters.bad_output + EXCLUDED.bad_output, \
             logged = plugin_counters.logged + EXCLUDED.logged",
            &[
                &tenant,
                &plugin_id,
                &counter_shard(),
                &c(calls.ok),
                &c(calls.denied),
                &c(calls.trap),
                &c(calls.out_of_fuel),
                &c(calls.deadline),
                &c(calls.memory),
                &c(calls.bad_output),
                &logged_change,
            ],
        )?;
        Ok(())
    }

    fn set_plugin_limit_overrides(
        &mut self,
        tenant: &str,
        overrides: &LimitOverrides,
    ) -> StorageResult<()> {
        put_limits(
            self,
            "tenant_plugin_limits",
            "tenant_id",
            &tenant,
            overrides,
        )
    }

    fn set_operator_plugin_limits(&mut self, settings: &LimitOverrides) -> StorageResult<()> {
        put_limits(self, "operator_plugin_limits", "singleton", &true, settings)
    }
}

/// Shards of each plugin's counters (`plugin_counters.shard`): more than the threads that call
/// plugins at once on a host, so that concurrent calls rarely add to the same row.
pub const COUNTER_SHARDS: i16 = 32;

/// This thread's shard of every plugin's counters: its id hashed with a key random per process
/// (so threads of different hosts spread over the shards too).
fn counter_shard() -> i16 {
    use std::hash::BuildHasher;
    thread_local! {
        static SHARD: i16 = {
            let hash = std::collections::hash_map::RandomState::new()
                .hash_one(std::thread::current().id());
            (hash % COUNTER_SHARDS as u64) as i16
        };
    }
    SHARD.with(|shard| *shard)
}
