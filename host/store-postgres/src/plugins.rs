//! The plugins aggregate on PostgreSQL: `plugins` (the name unique in the tenant, which answers
//! `plugin_name_taken`), `plugin_versions` (the number unique in its plugin, which answers
//! `plugin_version_exists`), `plugin_bindings`, the invocation log `plugin_invocations` (ids
//! time-ordered: key order is oldest first), `plugin_counters`, a tenant's
//! `tenant_plugin_limits` and the operator's `operator_plugin_limits`. Components and compiled
//! artifacts are in `plugin_artifacts`.

use portico_core::plugin_records::{
    Binding, ByOutcome, Counters, FailurePolicy, InvocationRecord, PluginRecord, VersionRecord,
};
use portico_core::plugins::{Interface, LimitOverrides, Outcome};
use portico_core::storage::{PluginReads, PluginWrites, StorageError, StorageResult};
use tokio_postgres::Row;

use crate::forms::{corrupt, row_limit, storable_json, storable_text};
use crate::transaction::PgTx;

const PLUGIN_COLUMNS: &str =
    "id, name, active_version, latest_version, activation_history, created_at, updated_at";
const VERSION_COLUMNS: &str =
    "plugin_id, version, sha256, size, exports, compiled_size, created_at";
const BINDING_COLUMNS: &str = "id, plugin_id, interface, target, version, settings, \
     failure_policy, enabled, created_at, updated_at";
const INVOCATION_COLUMNS: &str = "id, plugin_id, plugin_name, version, binding_id, interface, \
     function_name, outcome, error, fuel_used, duration_us, logs, called_at";
const COUNTER_COLUMNS: &str =
    "total, ok, denied, trap, out_of_fuel, deadline, memory, bad_output, logged";
const LIMIT_COLUMNS: &str = "fuel, deadline_ms, memory_bytes, component_bytes, output_bytes, \
     log_bytes, compiled_bytes, stored_bytes, versions";

/// A number the port holds as `u32`, for an `integer` column.
fn integer(value: u32, what: &str) -> StorageResult<i32> {
    i32::try_from(value)
        .map_err(|_| StorageError::Unavailable(format!("{what} {value} is past what is stored")))
}

/// A number the port holds as `u64`, for a `bigint` column.
fn bigint(value: u64, what: &str) -> StorageResult<i64> {
    i64::try_from(value)
        .map_err(|_| StorageError::Unavailable(format!("{what} {value} is past what is stored")))
}

/// Decodes a row of table `what`; a value that does not decode is `StorageError::Corrupt`.
struct Decoder<'a> {
    what: &'static str,
    tenant: &'a str,
    row: &'a Row,
}

impl Decoder<'_> {
    fn fail(&self, message: impl ToString) -> StorageError {
        let id: Option<String> = self.row.try_get("id").ok();
        let key = format!("{}/{}", self.tenant, id.unwrap_or_default());
        corrupt(self.what, key, message)
    }

    fn u32(&self, column: &str) -> StorageResult<u32> {
        u32::try_from(self.row.get::<_, i32>(column)).map_err(|e| self.fail(e))
    }

    fn opt_u32(&self, column: &str) -> StorageResult<Option<u32>> {
        let value: Option<i32> = self.row.get(column);
        value
            .map(|v| u32::try_from(v).map_err(|e| self.fail(e)))
            .transpose()
    }

    fn u64(&self, column: &str) -> StorageResult<u64> {
        u64::try_from(self.row.get::<_, i64>(column)).map_err(|e| self.fail(e))
    }

    fn opt_u64(&self, column: &str) -> StorageResult<Option<u64>> {
        let value: Option<i64> = self.row.get(column);
        value
            .map(|v| u64::try_from(v).map_err(|e| self.fail(e)))
            .transpose()
    }

    fn interface(&self, name: &str) -> StorageResult<Interface> {
        Interface::parse(name).ok_or_else(|| self.fail(format!("interface {name}")))
    }
}

fn plugin(tenant: &str, row: &Row) -> StorageResult<PluginRecord> {
    let d = Decoder {
        what: "plugins",
        tenant,
        row,
    };
    let history: Vec<i32> = row.get("activation_history");
    let activation_history = history
        .into_iter()
        .map(|v| u32::try_from(v).map_err(|e| d.fail(e)))
        .collect::<StorageResult<_>>()?;
    Ok(PluginRecord {
        id: row.get("id"),
        name: row.get("name"),
        active_version: d.opt_u32("active_version")?,
        latest_version: d.u32("latest_version")?,
        activation_history,
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    })
}

fn version(tenant: &str, row: &Row) -> StorageResult<VersionRecord> {
    let d = Decoder {
        what: "plugin_versions",
        tenant,
        row,
    };
    let exports: Vec<String> = row.get("exports");
    Ok(VersionRecord {
        plugin_id: row.get("plugin_id"),
        version: d.u32("version")?,
        sha256: row.get("sha256"),
        size: d.u64("size")?,
        exports: exports
            .iter()
            .map(|e| d.interface(e))
            .collect::<StorageResult<_>>()?,
        compiled_size: d.u64("compiled_size")?,
        created_at: row.get("created_at"),
    })
}

fn failure_policy_name(policy: FailurePolicy) -> &'static str {
    match policy {
        FailurePolicy::FailClosed => "fail-closed",
        FailurePolicy::FailOpen => "fail-open",
    }
}

fn binding(tenant: &str, row: &Row) -> StorageResult<Binding> {
    let d = Decoder {
        what: "plugin_bindings",
        tenant,
        row,
    };
    let failure_policy = match row.get::<_, &str>("failure_policy") {
        "fail-closed" => FailurePolicy::FailClosed,
        "fail-open" => FailurePolicy::FailOpen,
        other => return Err(d.fail(format!("failure policy {other}"))),
    };
    Ok(Binding {
        id: row.get("id"),
        plugin_id: row.get("plugin_id"),
        interface: d.interface(row.get("interface"))?,
        target: row.get("target"),
        version: d.opt_u32("version")?,
        settings: row.get("settings"),
        failure_policy,
        enabled: row.get("enabled"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    })
}

fn invocation(tenant: &str, row: &Row) -> StorageResult<InvocationRecord> {
    let d = Decoder {
        what: "plugin_invocations",
        tenant,
        row,
    };
    let outcome: &str = row.get("outcome");
    let outcome = Outcome::ALL
        .into_iter()
        .find(|o| o.name() == outcome)
        .ok_or_else(|| d.fail(format!("outcome {outcome}")))?;
    Ok(InvocationRecord {
        id: row.get("id"),
        plugin_id: row.get("plugin_id"),
        plugin_name: row.get("plugin_name"),
        version: d.u32("version")?,
        binding_id: row.get("binding_id"),
        interface: d.interface(row.get("interface"))?,
        function: row.get("function_name"),
        outcome,
        error: row.get("error"),
        fuel_used: d.u64("fuel_used")?,
        duration_us: d.u64("duration_us")?,
        logs: row.get("logs"),
        at: row.get("called_at"),
    })
}

fn counters(tenant: &str, row: &Row) -> StorageResult<Counters> {
    let d = Decoder {
        what: "plugin_counters",
        tenant,
        row,
    };
    Ok(Counters {
        total: d.u64("total")?,
        by_outcome: ByOutcome {
            ok: d.u64("ok")?,
            denied: d.u64("denied")?,
            trap: d.u64("trap")?,
            out_of_fuel: d.u64("out_of_fuel")?,
            deadline: d.u64("deadline")?,
            memory: d.u64("memory")?,
            bad_output: d.u64("bad_output")?,
        },
        logged: d.u64("logged")?,
    })
}

fn limits(what: &'static str, tenant: &str, row: &Row) -> StorageResult<LimitOverrides> {
    let d = Decoder { what, tenant, row };
    Ok(LimitOverrides {
        fuel: d.opt_u64("fuel")?,
        deadline_ms: d.opt_u64("deadline_ms")?,
        memory_bytes: d.opt_u64("memory_bytes")?,
        component_bytes: d.opt_u64("component_bytes")?,
        output_bytes: d.opt_u64("output_bytes")?,
        log_bytes: d.opt_u64("log_bytes")?,
        compiled_bytes: d.opt_u64("compiled_bytes")?,
        stored_bytes: d.opt_u64("stored_bytes")?,
        versions: d.opt_u64("versions")?,
    })
}

/// The limit columns' values (`LIMIT_COLUMNS`' order), NULL where a limit is not set.
fn limit_values(o: &LimitOverrides) -> StorageResult<[Option<i64>; 9]> {
    let value = |v: Option<u64>, what| v.map(|v| bigint(v, what)).transpose();
    Ok([
        value(o.fuel, "fuel")?,
        value(o.deadline_ms, "deadline_ms")?,
        value(o.memory_bytes, "memory_bytes")?,
        value(o.component_bytes, "component_bytes")?,
        value(o.output_bytes, "output_bytes")?,
        value(o.log_bytes, "log_bytes")?,
        value(o.compiled_bytes, "compiled_bytes")?,
        value(o.stored_bytes, "stored_bytes")?,
        value(o.versions, "versions")?,
    ])
}

/// The rows `sql` answers, each decoded by `decode`.
fn decoded<T>(
    tx: &PgTx,
    tenant: &str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    decode: fn(&str, &Row) -> StorageResult<T>,
) -> StorageResult<Vec<T>> {
    tx.query(sql, params)?
        .iter()
        .map(|r| decode(tenant, r))
        .collect()
}

/// The bindings `condition` (on `$1` the tenant, `$2`) selects, in id order.
fn bindings_where(
    tx: &PgTx,
    tenant: &str,
    condition: &str,
    value: &str,
) -> StorageResult<Vec<Binding>> {
    let sql = format!(
        "SELECT {BINDING_COLUMNS} FROM plugin_bindings WHERE tenant_id = $1 AND {condition} \
         ORDER BY id"
    );
    decoded(tx, tenant, &sql, &[&tenant, &value], binding)
}

impl PluginReads for PgTx {
    fn plugin(&self, tenant: &str, id: &str) -> StorageResult<Option<PluginRecord>> {
        let sql = format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE tenant_id = $1 AND id = $2");
        let found = decoded(self, tenant, &sql, &[&tenant, &id], plugin)?;
        Ok(found.into_iter().next())
    }

    fn plugin_by_name(&self, tenant: &str, name: &str) -> StorageResult<Option<PluginRecord>> {
        let sql =
            format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE tenant_id = $1 AND name = $2");
        let found = decoded(self, tenant, &sql, &[&tenant, &name], plugin)?;
        Ok(found.into_iter().next())
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
        decoded(
            self,
            tenant,
            &sql,
            &[&tenant, &after, &row_limit(limit)],
            plugin,
        )
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
        let found = decoded(self, tenant, &sql, &[&tenant, &plugin_id, &number], version)?;
        Ok(found.into_iter().next())
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
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&tenant, &plugin_id, &after, &row_limit(limit)];
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
        Ok(bindings_where(self, tenant, "id = $2", id)?
            .into_iter()
            .next())
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
        decoded(
            self,
            tenant,
            &sql,
            &[&tenant, &after, &row_limit(limit)],
            binding,
        )
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
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&tenant, &plugin_id, &after, &row_limit(limit)];
        decoded(self, tenant, &sql, &params, invocation)
    }

    fn plugin_counters(&self, tenant: &str, plugin_id: &str) -> StorageResult<Option<Counters>> {
        let sql = format!(
            "SELECT plugin_id AS id, {COUNTER_COLUMNS} FROM plugin_counters \
             WHERE tenant_id = $1 AND plugin_id = $2"
        );
        let found = decoded(self, tenant, &sql, &[&tenant, &plugin_id], counters)?;
        Ok(found.into_iter().next())
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

/// Writes `plugin`: a new row (`upsert` false, the name's uniqueness answering
/// `plugin_name_taken`) or over the stored one (its name never changes).
fn write_plugin(tx: &PgTx, tenant: &str, plugin: &PluginRecord, upsert: bool) -> StorageResult<()> {
    let active = plugin
        .active_version
        .map(|v| integer(v, "active version"))
        .transpose()?;
    let latest = integer(plugin.latest_version, "latest version")?;
    let history = plugin
        .activation_history
        .iter()
        .map(|v| integer(*v, "version"))
        .collect::<StorageResult<Vec<i32>>>()?;
    let insert = "INSERT INTO plugins (tenant_id, id, name, active_version, latest_version, \
         activation_history, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let sql = if upsert {
        format!(
            "{insert} ON CONFLICT (tenant_id, id) DO UPDATE SET name = $3, \
             active_version = $4, latest_version = $5, activation_history = $6, \
             created_at = $7, updated_at = $8"
        )
    } else {
        insert.to_string()
    };
    tx.execute(
        &sql,
        &[
            &tenant,
            &plugin.id,
            &plugin.name,
            &active,
            &latest,
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
    let insert = "INSERT INTO plugin_bindings (tenant_id, id, plugin_id, interface, target, \
         version, settings, failure_policy, enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    let sql = if upsert {
        format!(
            "{insert} ON CONFLICT (tenant_id, id) DO UPDATE SET plugin_id = $3, \
             interface = $4, target = $5, version = $6, settings = $7, failure_policy = $8, \
             enabled = $9, created_at = $10, updated_at = $11"
        )
    } else {
        insert.to_string()
    };
    tx.execute(
        &sql,
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
        self.execute(
            "INSERT INTO plugin_versions (tenant_id, plugin_id, version, sha256, size, exports, \
             compiled_size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
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
        let sql = format!(
            "INSERT INTO plugin_invocations (tenant_id, {INVOCATION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        );
        self.execute(
            &sql,
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

    fn delete_oldest_plugin_invocations(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        at_most: u64,
    ) -> StorageResult<u64> {
        let at_most = i64::try_from(at_most).unwrap_or(i64::MAX);
        self.execute(
            "DELETE FROM plugin_invocations WHERE tenant_id = $1 AND plugin_id = $2 AND id IN \
             (SELECT id FROM plugin_invocations WHERE tenant_id = $1 AND plugin_id = $2 \
             ORDER BY id LIMIT $3)",
            &[&tenant, &plugin_id, &at_most],
        )
    }

    /// Replaces the counters with the values given (see "Counters" in the schema's notes).
    fn put_plugin_counters(
        &mut self,
        tenant: &str,
        plugin_id: &str,
        c: &Counters,
    ) -> StorageResult<()> {
        let o = &c.by_outcome;
        self.execute(
            "INSERT INTO plugin_counters (tenant_id, plugin_id, total, ok, denied, trap, \
             out_of_fuel, deadline, memory, bad_output, logged) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (tenant_id, plugin_id) DO UPDATE SET total = $3, ok = $4, \
             denied = $5, trap = $6, out_of_fuel = $7, deadline = $8, memory = $9, \
             bad_output = $10, logged = $11",
            &[
                &tenant,
                &plugin_id,
                &bigint(c.total, "total")?,
                &bigint(o.ok, "ok")?,
                &bigint(o.denied, "denied")?,
                &bigint(o.trap, "trap")?,
                &bigint(o.out_of_fuel, "out_of_fuel")?,
                &bigint(o.deadline, "deadline")?,
                &bigint(o.memory, "memory")?,
                &bigint(o.bad_output, "bad_output")?,
                &bigint(c.logged, "logged")?,
            ],
        )?;
        Ok(())
    }

    fn set_plugin_limit_overrides(
        &mut self,
        tenant: &str,
        overrides: &LimitOverrides,
    ) -> StorageResult<()> {
        let [a, b, c, d, e, f, g, h, i] = limit_values(overrides)?;
        let sql = format!(
            "INSERT INTO tenant_plugin_limits (tenant_id, {LIMIT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (tenant_id) DO UPDATE SET fuel = $2, deadline_ms = $3, \
             memory_bytes = $4, component_bytes = $5, output_bytes = $6, log_bytes = $7, \
             compiled_bytes = $8, stored_bytes = $9, versions = $10"
        );
        self.execute(&sql, &[&tenant, &a, &b, &c, &d, &e, &f, &g, &h, &i])?;
        Ok(())
    }

    fn set_operator_plugin_limits(&mut self, settings: &LimitOverrides) -> StorageResult<()> {
        let [a, b, c, d, e, f, g, h, i] = limit_values(settings)?;
        let sql = format!(
            "INSERT INTO operator_plugin_limits (singleton, {LIMIT_COLUMNS}) \
             VALUES (true, $1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (singleton) DO UPDATE SET fuel = $1, deadline_ms = $2, \
             memory_bytes = $3, component_bytes = $4, output_bytes = $5, log_bytes = $6, \
             compiled_bytes = $7, stored_bytes = $8, versions = $9"
        );
        self.execute(&sql, &[&a, &b, &c, &d, &e, &f, &g, &h, &i])?;
        Ok(())
    }
}
