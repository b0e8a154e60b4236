//! The hook deliveries aggregate on PostgreSQL: `hook_deliveries` by id (time-ordered). The
//! queue of due deliveries is the table itself (`hook_deliveries_due_idx`: pending rows with a
//! next attempt), so every write keeps it and `drop_due_hook` has no entry to remove; it ends
//! the attempt's lease instead (`leased_until`, `leased_by`), and the due scan leaves out
//! deliveries leased into the future.

use chrono::{DateTime, TimeDelta, Utc};
use portico_core::hook_deliveries::{
    fair_share, DeliveryStatus, DueHook, HookDelivery, HOOK_DUE_SCAN_LIMIT,
};
use portico_core::storage::{HookDeliveryReads, HookDeliveryWrites, StorageResult};
use tokio_postgres::Row;

use crate::forms::{corrupt, row_limit, storable_json, storable_text};
use crate::transaction::PgTx;

const DELIVERY_COLUMNS: &str = "id, hook, profile_id, event, status, attempts, next_attempt_at, \
     done_bindings, last_error, effect_errors, created_at, delivered_at";

/// The `status` column of a status.
fn status_name(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Failed => "failed",
    }
}

fn delivery(tenant: &str, row: &Row) -> StorageResult<HookDelivery> {
    let id: String = row.get("id");
    let key = || format!("{tenant}/{id}");
    let status = match row.get::<_, &str>("status") {
        "pending" => DeliveryStatus::Pending,
        "delivered" => DeliveryStatus::Delivered,
        "failed" => DeliveryStatus::Failed,
        other => return Err(corrupt("hook_deliveries", key(), format!("status {other}"))),
    };
    let attempts = u32::try_from(row.get::<_, i32>("attempts"))
        .map_err(|e| corrupt("hook_deliveries", key(), e))?;
    Ok(HookDelivery {
        hook: row.get("hook"),
        profile_id: row.get("profile_id"),
        event: row.get("event"),
        status,
        attempts,
        next_attempt_at: row.get("next_attempt_at"),
        done_bindings: row.get("done_bindings"),
        last_error: row.get("last_error"),
        effect_errors: row.get("effect_errors"),
        created_at: row.get("created_at"),
        delivered_at: row.get("delivered_at"),
        id,
    })
}

/// A time to the millisecond, as queue entries carry it.
fn to_the_millisecond(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

/// The due entry of a row of the due scan.
fn due_hook(row: &Row) -> DueHook {
    DueHook {
        due_at: to_the_millisecond(row.get("next_attempt_at")),
        tenant_id: row.get("tenant_id"),
        delivery_id: row.get("id"),
    }
}

impl HookDeliveryReads for PgTx {
    fn hook_delivery(&self, tenant: &str, id: &str) -> StorageResult<Option<HookDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM hook_deliveries WHERE tenant_id = $1 AND id = $2"
        );
        let row = self.query_opt(&sql, &[&tenant, &id])?;
        row.map(|r| delivery(tenant, &r)).transpose()
    }

    fn hook_deliveries_after(
        &self,
        tenant: &str,
        status: Option<DeliveryStatus>,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<HookDelivery>> {
        let limit = row_limit(limit);
        let rows = match status {
            Some(status) => {
                let sql = format!(
                    "SELECT {DELIVERY_COLUMNS} FROM hook_deliveries WHERE tenant_id = $1 \
                     AND status = $2 AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4"
                );
                self.query(&sql, &[&tenant, &status_name(status), &after, &limit])?
            }
            None => {
                let sql = format!(
                    "SELECT {DELIVERY_COLUMNS} FROM hook_deliveries WHERE tenant_id = $1 \
                     AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
                );
                self.query(&sql, &[&tenant, &after, &limit])?
            }
        };
        rows.iter().map(|r| delivery(tenant, r)).collect()
    }

    /// Due at `now` to the millisecond, as queue entries are: an attempt due within `now`'s
    /// millisecond is due. Entries come in due order to the microsecond stored (the embedded
    /// engine's queue orders them by millisecond, then tenant and id); a delivery leased to a
    /// host until after `now` is left out.
    fn due_hook_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        per_tenant: usize,
        skip: &dyn Fn(&DueHook) -> bool,
    ) -> StorageResult<Vec<DueHook>> {
        let before = to_the_millisecond(now) + TimeDelta::milliseconds(1);
        let rows = self.query(
            "SELECT next_attempt_at, tenant_id, id FROM hook_deliveries \
             WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at < $1 \
             AND (leased_until IS NULL OR leased_until <= $2) \
             ORDER BY next_attempt_at, tenant_id, id LIMIT $3",
            &[&before, &now, &row_limit(HOOK_DUE_SCAN_LIMIT)],
        )?;
        Ok(fair_share(
            rows.iter().map(due_hook),
            limit,
            per_tenant,
            skip,
        ))
    }
}

/// Writes `delivery` as a new row (`upsert` false) or over the stored one. An upsert leaves the
/// lease as it is: an attempt updates its delivery while it runs. U+0000 in the event and the
/// errors is stored as U+FFFD (`text` and `jsonb` cannot hold it).
fn write_delivery(
    tx: &PgTx,
    tenant: &str,
    delivery: &HookDelivery,
    upsert: bool,
) -> StorageResult<()> {
    let attempts = i32::try_from(delivery.attempts).unwrap_or(i32::MAX);
    let event = storable_json(delivery.event.clone());
    let last_error = delivery.last_error.as_deref().map(storable_text);
    let effect_errors: Vec<String> = delivery
        .effect_errors
        .iter()
        .map(|e| storable_text(e).into_owned())
        .collect();
    let insert = "INSERT INTO hook_deliveries (tenant_id, id, hook, profile_id, event, status, \
         attempts, next_attempt_at, done_bindings, last_error, effect_errors, created_at, \
         delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    let sql = if upsert {
        format!(
            "{insert} ON CONFLICT (tenant_id, id) DO UPDATE SET hook = $3, profile_id = $4, \
             event = $5, status = $6, attempts = $7, next_attempt_at = $8, done_bindings = $9, \
             last_error = $10, effect_errors = $11, created_at = $12, delivered_at = $13"
        )
    } else {
        insert.to_string()
    };
    tx.execute(
        &sql,
        &[
            &tenant,
            &delivery.id,
            &delivery.hook,
            &delivery.profile_id,
            &event,
            &status_name(delivery.status),
            &attempts,
            &delivery.next_attempt_at,
            &delivery.done_bindings,
            &last_error,
            &effect_errors,
            &delivery.created_at,
            &delivery.delivered_at,
        ],
    )?;
    Ok(())
}

impl HookDeliveryWrites for PgTx {
    fn insert_hook_delivery(&mut self, tenant: &str, delivery: &HookDelivery) -> StorageResult<()> {
        write_delivery(self, tenant, delivery, false)
    }

    /// Stores the delivery whether or not it was there, as the embedded engine does.
    fn update_hook_delivery(&mut self, tenant: &str, delivery: &HookDelivery) -> StorageResult<()> {
        write_delivery(self, tenant, delivery, true)
    }

    fn delete_hook_delivery(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM hook_deliveries WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(deleted > 0)
    }

    /// The queue is the deliveries themselves: nothing to remove. The delivery's attempt is
    /// over, so its lease ends (another host may take it as soon as it is due again).
    fn drop_due_hook(&mut self, due: &DueHook) -> StorageResult<()> {
        self.execute(
            "UPDATE hook_deliveries SET leased_until = NULL, leased_by = NULL \
             WHERE tenant_id = $1 AND id = $2 AND leased_until IS NOT NULL",
            &[&due.tenant_id, &due.delivery_id],
        )?;
        Ok(())
    }
}
