//! The hook deliveries aggregate on PostgreSQL: `hook_deliveries` by id (time-ordered). The
//! queue of due deliveries is the table itself (`hook_deliveries_due_idx`: pending rows with a
//! next attempt), so every write keeps it and `drop_due_hook` has no entry to remove; it ends
//! the attempt's lease instead (`leased_until`, `leased_by`), and the due scan leaves out
//! deliveries leased into the future.
//!
//! Several hosts share the queue: each leases the entries it attempts
//! (`lease_due_hook_deliveries`) with `SELECT ... FOR UPDATE SKIP LOCKED`, so two hosts leasing
//! at the same moment get disjoint entries, neither waiting for the other. CockroachDB (from
//! 23.1) and YugabyteDB (with its read-committed isolation) offer `FOR UPDATE SKIP LOCKED` too.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use portico_core::hook_deliveries::{
    fair_share, DeliveryStatus, DueHook, HookDelivery, HookLease, HOOK_DUE_SCAN_LIMIT,
};
use portico_core::storage::{HookDeliveryReads, HookDeliveryWrites, StorageResult};
use tokio_postgres::types::ToSql;
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
        let sql = format!("{DUE_SCAN} LIMIT $4");
        let no_holder: Option<&str> = None;
        let scan_limit = row_limit(HOOK_DUE_SCAN_LIMIT);
        let rows = self.query(&sql, &[&due_before(now), &now, &no_holder, &scan_limit])?;
        Ok(fair_share(
            rows.iter().map(due_hook),
            limit,
            per_tenant,
            skip,
        ))
    }
}

/// The due rows in due order: pending with a next attempt before `$1`, and not leased to a
/// holder other than `$3` (any holder when NULL) until after `$2`. `$4` limits the scan.
const DUE_SCAN: &str = "SELECT next_attempt_at, tenant_id, id FROM hook_deliveries \
     WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at < $1 \
     AND (leased_until IS NULL OR leased_until <= $2 OR leased_by = $3::text) \
     ORDER BY next_attempt_at, tenant_id, id";

/// Locks the rows of the entries `$4` (tenant ids) and `$5` (delivery ids) that are still due
/// as `DUE_SCAN` says, passing over those another transaction holds.
const LOCK_DUE: &str = "SELECT tenant_id, id FROM hook_deliveries \
     JOIN unnest($4::text[], $5::text[]) AS chosen (chosen_tenant, chosen_id) \
     ON tenant_id = chosen_tenant AND id = chosen_id \
     WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at < $1 \
     AND (leased_until IS NULL OR leased_until <= $2 OR leased_by = $3::text) \
     FOR UPDATE OF hook_deliveries SKIP LOCKED";

/// Attempts due at `now` are those due before the end of its millisecond, as queue entries
/// are to the millisecond.
fn due_before(now: DateTime<Utc>) -> DateTime<Utc> {
    to_the_millisecond(now) + TimeDelta::milliseconds(1)
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

    /// Scans the due rows, chooses among them as the due scan does, and locks the chosen
    /// ones (`FOR UPDATE SKIP LOCKED`: a row another host is leasing or another transaction is
    /// changing is passed over, not waited for); while some were passed over, it chooses again
    /// without them (at most `LEASE_ROUNDS` times). Then it leases the chosen rows it locked.
    /// Only chosen rows are locked, so a host leasing at the same moment gets the others. A
    /// write transaction reads one snapshot, taken at its first statement: lease first, else a
    /// lease another host commits after that snapshot makes this one fail with a serialization
    /// error (the next look leases again).
    fn lease_due_hook_deliveries(
        &mut self,
        now: DateTime<Utc>,
        lease: &HookLease,
        limit: usize,
        per_tenant: usize,
        skip: &dyn Fn(&DueHook) -> bool,
    ) -> StorageResult<Vec<DueHook>> {
        let scan = DueScan {
            before: due_before(now),
            now,
            holder: &lease.holder,
        };
        let sql = format!("{DUE_SCAN} LIMIT $4");
        let scan_limit = row_limit(HOOK_DUE_SCAN_LIMIT);
        let rows = self.query(&sql, &[&scan.before, &now, &scan.holder, &scan_limit])?;
        let due: Vec<DueHook> = rows.iter().map(due_hook).collect();
        let (mut locked, mut passed_over) = (HashSet::new(), HashSet::new());
        for _ in 0..LEASE_ROUNDS {
            let chosen = fair_share(due.iter().cloned(), limit, per_tenant, &|d| {
                skip(d) || passed_over.contains(d)
            });
            let to_lock: Vec<DueHook> =
                chosen.into_iter().filter(|d| !locked.contains(d)).collect();
            if to_lock.is_empty() {
                break;
            }
            let now_locked = scan.lock(self, &to_lock)?;
            passed_over.extend(to_lock.iter().filter(|d| !now_locked.contains(*d)).cloned());
            locked.extend(now_locked);
        }
        let leased = fair_share(due, limit, per_tenant, &|d| skip(d) || !locked.contains(d));
        if !leased.is_empty() {
            mark_leased(self, &leased, lease)?;
        }
        Ok(leased)
    }

    fn hand_back_hook_leases(&mut self, holder: &str, due: &[DueHook]) -> StorageResult<()> {
        if due.is_empty() {
            return Ok(());
        }
        let tenants: Vec<&str> = due.iter().map(|d| d.tenant_id.as_str()).collect();
        let ids: Vec<&str> = due.iter().map(|d| d.delivery_id.as_str()).collect();
        self.execute(
            "UPDATE hook_deliveries SET leased_until = NULL, leased_by = NULL \
             FROM unnest($2::text[], $3::text[]) AS handed (tenant_id, id) \
             WHERE hook_deliveries.tenant_id = handed.tenant_id \
             AND hook_deliveries.id = handed.id AND leased_by = $1::text",
            &[&holder, &tenants, &ids],
        )?;
        Ok(())
    }
}

/// Rounds of choosing and locking in one lease: a round passes over only the rows another
/// transaction holds, so a few rounds fill the lease; past them, it holds the rows it locked.
const LEASE_ROUNDS: usize = 4;

/// What makes an entry due to a lease's holder (`DUE_SCAN`'s first parameters).
struct DueScan<'h> {
    before: DateTime<Utc>,
    now: DateTime<Utc>,
    holder: &'h str,
}

impl DueScan<'_> {
    /// Locks the rows of `entries` still due (see `LOCK_DUE`); answers the entries locked.
    fn lock(&self, tx: &PgTx, entries: &[DueHook]) -> StorageResult<HashSet<DueHook>> {
        let tenants: Vec<&str> = entries.iter().map(|d| d.tenant_id.as_str()).collect();
        let ids: Vec<&str> = entries.iter().map(|d| d.delivery_id.as_str()).collect();
        let params: [&(dyn ToSql + Sync); 5] =
            [&self.before, &self.now, &self.holder, &tenants, &ids];
        let rows = tx.query(LOCK_DUE, &params)?;
        let locked: HashSet<(String, String)> = rows
            .iter()
            .map(|r| (r.get("tenant_id"), r.get("id")))
            .collect();
        Ok(entries
            .iter()
            .filter(|d| locked.contains(&(d.tenant_id.clone(), d.delivery_id.clone())))
            .cloned()
            .collect())
    }
}

/// Marks the deliveries of `chosen` leased as `lease` says, in one statement.
fn mark_leased(tx: &PgTx, chosen: &[DueHook], lease: &HookLease) -> StorageResult<()> {
    let tenants: Vec<&str> = chosen.iter().map(|d| d.tenant_id.as_str()).collect();
    let ids: Vec<&str> = chosen.iter().map(|d| d.delivery_id.as_str()).collect();
    tx.execute(
        "UPDATE hook_deliveries SET leased_until = $1, leased_by = $2 \
         FROM unnest($3::text[], $4::text[]) AS chosen (tenant_id, id) \
         WHERE hook_deliveries.tenant_id = chosen.tenant_id AND hook_deliveries.id = chosen.id",
        &[&lease.until, &lease.holder, &tenants, &ids],
    )?;
    Ok(())
}
