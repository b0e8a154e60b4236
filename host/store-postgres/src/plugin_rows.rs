//! Rows of the plugins aggregate: the column lists of its tables and the decoding of each row
//! into the core's records (integers checked against their types' ranges).

use portico_core::plugin_records::{
    Binding, ByOutcome, Counters, FailurePolicy, InvocationRecord, PluginRecord, VersionRecord,
};
use portico_core::plugins::{Interface, LimitOverrides, Outcome};
use portico_core::storage::{StorageError, StorageResult};
use std::num::TryFromIntError;

use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::Row;

use crate::forms::corrupt;
use crate::transaction::PgTx;

pub(crate) const PLUGIN_COLUMNS: &str =
    "id, name, active_version, latest_version, activation_history, created_at, updated_at";
pub(crate) const VERSION_COLUMNS: &str =
    "plugin_id, version, sha256, size, exports, compiled_size, created_at";
pub(crate) const BINDING_COLUMNS: &str = "id, plugin_id, interface, target, version, settings, \
     failure_policy, enabled, created_at, updated_at";
pub(crate) const INVOCATION_COLUMNS: &str =
    "id, plugin_id, plugin_name, version, binding_id, interface, \
     function_name, outcome, error, fuel_used, duration_us, logs, called_at";
pub(crate) const COUNTER_COLUMNS: &str =
    "total, ok, denied, trap, out_of_fuel, deadline, memory, bad_output, logged";
pub(crate) const LIMIT_COLUMNS: &str =
    "fuel, deadline_ms, memory_bytes, component_bytes, output_bytes, \
     log_bytes, compiled_bytes, stored_bytes, versions";

/// A number the port holds as `u32`, for an `integer` column (past its range: refused).
pub(crate) fn integer(value: u32, what: &str) -> StorageResult<i32> {
    i32::try_from(value).map_err(|_| past_range(what, value))
}

/// A number the port holds as `u64`, for a `bigint` column (past its range: refused).
pub(crate) fn bigint(value: u64, what: &str) -> StorageResult<i64> {
    i64::try_from(value).map_err(|_| past_range(what, value))
}

pub(crate) fn past_range(what: &str, value: impl std::fmt::Display) -> StorageError {
    StorageError::Unavailable(format!("{what} {value} is past what the database stores"))
}

/// Decodes a row of table `what`; a value that does not decode is `StorageError::Corrupt`.
pub(crate) struct Decoder<'a> {
    what: &'static str,
    tenant: &'a str,
    row: &'a Row,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(what: &'static str, tenant: &'a str, row: &'a Row) -> Decoder<'a> {
        Decoder { what, tenant, row }
    }

    pub(crate) fn fail(&self, message: impl ToString) -> StorageError {
        let id: Option<String> = self.row.try_get("id").ok();
        let key = format!("{}/{}", self.tenant, id.unwrap_or_default());
        corrupt(self.what, key, message)
    }

    /// Column `name` (of the signed type `S`) as the port's unsigned type `U`.
    pub(crate) fn num<S: FromSql<'a>, U: TryFrom<S, Error = TryFromIntError>>(
        &self,
        name: &str,
    ) -> StorageResult<U> {
        U::try_from(self.row.get::<_, S>(name)).map_err(|e| self.fail(e))
    }

    /// Nullable column `name` (of the signed type `S`) as the port's unsigned type `U`.
    pub(crate) fn opt<S: FromSql<'a>, U: TryFrom<S, Error = TryFromIntError>>(
        &self,
        name: &str,
    ) -> StorageResult<Option<U>> {
        let value: Option<S> = self.row.get(name);
        value
            .map(|v| U::try_from(v).map_err(|e| self.fail(e)))
            .transpose()
    }

    pub(crate) fn interface(&self, name: &str) -> StorageResult<Interface> {
        Interface::parse(name).ok_or_else(|| self.fail(format!("interface {name}")))
    }
}

pub(crate) fn plugin(tenant: &str, row: &Row) -> StorageResult<PluginRecord> {
    let d = Decoder::new("plugins", tenant, row);
    let history: Vec<i32> = row.get("activation_history");
    let activation_history = history
        .into_iter()
        .map(|v| u32::try_from(v).map_err(|e| d.fail(e)))
        .collect::<StorageResult<_>>()?;
    Ok(PluginRecord {
        id: row.get("id"),
        name: row.get("name"),
        active_version: d.opt::<i32, _>("active_version")?,
        latest_version: d.num::<i32, _>("latest_version")?,
        activation_history,
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    })
}

pub(crate) fn version(tenant: &str, row: &Row) -> StorageResult<VersionRecord> {
    let d = Decoder::new("plugin_versions", tenant, row);
    let exports: Vec<String> = row.get("exports");
    Ok(VersionRecord {
        plugin_id: row.get("plugin_id"),
        version: d.num::<i32, _>("version")?,
        sha256: row.get("sha256"),
        size: d.num::<i64, _>("size")?,
        exports: exports
            .iter()
            .map(|e| d.interface(e))
            .collect::<StorageResult<_>>()?,
        compiled_size: d.num::<i64, _>("compiled_size")?,
        created_at: row.get("created_at"),
    })
}

pub(crate) fn failure_policy_name(policy: FailurePolicy) -> &'static str {
    match policy {
        FailurePolicy::FailClosed => "fail-closed",
        FailurePolicy::FailOpen => "fail-open",
    }
}

pub(crate) fn binding(tenant: &str, row: &Row) -> StorageResult<Binding> {
    let d = Decoder::new("plugin_bindings", tenant, row);
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
        version: d.opt::<i32, _>("version")?,
        settings: row.get("settings"),
        failure_policy,
        enabled: row.get("enabled"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    })
}

pub(crate) fn invocation(tenant: &str, row: &Row) -> StorageResult<InvocationRecord> {
    let d = Decoder::new("plugin_invocations", tenant, row);
    let outcome: &str = row.get("outcome");
    let outcome = Outcome::ALL
        .into_iter()
        .find(|o| o.name() == outcome)
        .ok_or_else(|| d.fail(format!("outcome {outcome}")))?;
    Ok(InvocationRecord {
        id: row.get("id"),
        plugin_id: row.get("plugin_id"),
        plugin_name: row.get("plugin_name"),
        version: d.num::<i32, _>("version")?,
        binding_id: row.get("binding_id"),
        interface: d.interface(row.get("interface"))?,
        function: row.get("function_name"),
        outcome,
        error: row.get("error"),
        fuel_used: d.num::<i64, _>("fuel_used")?,
        duration_us: d.num::<i64, _>("duration_us")?,
        logs: row.get("logs"),
        at: row.get("called_at"),
    })
}

pub(crate) fn counters(tenant: &str, row: &Row) -> StorageResult<Counters> {
    let d = Decoder::new("plugin_counters", tenant, row);
    Ok(Counters {
        total: d.num::<i64, _>("total")?,
        by_outcome: ByOutcome {
            ok: d.num::<i64, _>("ok")?,
            denied: d.num::<i64, _>("denied")?,
            trap: d.num::<i64, _>("trap")?,
            out_of_fuel: d.num::<i64, _>("out_of_fuel")?,
            deadline: d.num::<i64, _>("deadline")?,
            memory: d.num::<i64, _>("memory")?,
            bad_output: d.num::<i64, _>("bad_output")?,
        },
        logged: d.num::<i64, _>("logged")?,
    })
}

pub(crate) fn limits(what: &'static str, tenant: &str, row: &Row) -> StorageResult<LimitOverrides> {
    let d = Decoder::new(what, tenant, row);
    Ok(LimitOverrides {
        fuel: d.opt::<i64, _>("fuel")?,
        deadline_ms: d.opt::<i64, _>("deadline_ms")?,
        memory_bytes: d.opt::<i64, _>("memory_bytes")?,
        component_bytes: d.opt::<i64, _>("component_bytes")?,
        output_bytes: d.opt::<i64, _>("output_bytes")?,
        log_bytes: d.opt::<i64, _>("log_bytes")?,
        compiled_bytes: d.opt::<i64, _>("compiled_bytes")?,
        stored_bytes: d.opt::<i64, _>("stored_bytes")?,
        versions: d.opt::<i64, _>("versions")?,
    })
}

/// The limit columns' values (`LIMIT_COLUMNS`' order), NULL where a limit is not set.
pub(crate) fn limit_values(o: &LimitOverrides) -> StorageResult<[Option<i64>; 9]> {
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
pub(crate) fn decoded<T>(
    tx: &PgTx,
    tenant: &str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    decode: fn(&str, &Row) -> StorageResult<T>,
) -> StorageResult<Vec<T>> {
    tx.query(sql, params)?
        .iter()
        .map(|r| decode(tenant, r))
        .collect()
}

/// The bindings `condition` (on `$1` the tenant, `$2`) selects, in id order.
pub(crate) fn bindings_where(
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
