//! The outbox aggregate on PostgreSQL: `notifications` by id (time-ordered ids, so key order is
//! queue order). Every message is stored sealed (`sealed_data`); there is no clear `data`.
//!
//! The queue of due messages is the table itself (`notifications_due_idx`: pending rows with a
//! next attempt). Delivery workers of every host lease the messages they send
//! (`lease_due_notifications`) with `SELECT ... FOR UPDATE SKIP LOCKED` on the chosen rows,
//! then `leased_until`/`leased_by`, so two workers leasing at the same moment get disjoint
//! messages, neither waiting for the other; a leased row is due again when its lease ends
//! (`update_notification` clears it with the outcome) or expires.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use portico_core::outbox::{
    fair_share_messages, DeliveryState, DueMessage, MessageStatus, OutboxLease, StoredNotification,
    OUTBOX_DUE_SCAN_LIMIT,
};
use portico_core::storage::{OutboxReads, OutboxWrites, StorageError, StorageResult};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::forms::{corrupt, row_limit, storable_text};
use crate::transaction::PgTx;

const NOTIFICATION_COLUMNS: &str = "id, recipient, channel, template, sealed_data, user_id, \
     status, created_at, attempts, next_attempt_at, last_error, sent_at, leased_until, leased_by";

fn notification(tenant: &str, row: &Row) -> StorageResult<StoredNotification> {
    let id: String = row.get("id");
    let key = || format!("{tenant}/{id}");
    let status = row.get::<_, &str>("status");
    let Some(status) = MessageStatus::from_name(status) else {
        return Err(corrupt("notifications", key(), format!("status {status}")));
    };
    let attempts = u32::try_from(row.get::<_, i32>("attempts"))
        .map_err(|e| corrupt("notifications", key(), e))?;
    Ok(StoredNotification {
        recipient: row.get("recipient"),
        channel: row.get("channel"),
        template: row.get("template"),
        sealed_data: Some(row.get("sealed_data")),
        data: None,
        user_id: row.get("user_id"),
        status,
        created_at: row.get("created_at"),
        delivery: DeliveryState {
            attempts,
            next_attempt_at: row.get("next_attempt_at"),
            last_error: row.get("last_error"),
            sent_at: row.get("sent_at"),
            leased_until: row.get("leased_until"),
            leased_by: row.get("leased_by"),
        },
        id,
    })
}

impl OutboxReads for PgTx {
    fn notifications_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<StoredNotification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications \
             WHERE tenant_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let rows = self.query(&sql, &[&tenant, &after, &row_limit(limit)])?;
        rows.iter().map(|r| notification(tenant, r)).collect()
    }

    fn notification(&self, tenant: &str, id: &str) -> StorageResult<Option<StoredNotification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2"
        );
        let row = self.query_opt(&sql, &[&tenant, &id])?;
        row.map(|r| notification(tenant, &r)).transpose()
    }
}

/// The delivery columns of a message as seven statement parameters: status, attempts, next
/// attempt, last error, sent, lease end and holder. U+0000 in the error is stored as U+FFFD
/// (`text` cannot hold it).
struct DeliveryParams<'n> {
    status: &'static str,
    attempts: i32,
    last_error: Option<String>,
    n: &'n StoredNotification,
}

impl<'n> DeliveryParams<'n> {
    fn of(n: &'n StoredNotification) -> Self {
        DeliveryParams {
            status: n.status.name(),
            attempts: i32::try_from(n.delivery.attempts).unwrap_or(i32::MAX),
            last_error: n
                .delivery
                .last_error
                .as_deref()
                .map(|e| storable_text(e).into_owned()),
            n,
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 7] {
        let d = &self.n.delivery;
        [
            &self.status,
            &self.attempts,
            &d.next_attempt_at,
            &self.last_error,
            &d.sent_at,
            &d.leased_until,
            &d.leased_by,
        ]
    }
}

impl OutboxWrites for PgTx {
    /// A message without `sealed_data` is refused: the core seals every new message, and the
    /// clear `data` of messages queued before sealing exists only in the embedded engine's
    /// files (an import seals it first). A message with both keeps the sealed data only.
    fn insert_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<()> {
        let Some(sealed_data) = &notification.sealed_data else {
            return Err(StorageError::Unavailable(format!(
                "notification {} is not sealed; the outbox stores sealed messages only",
                notification.id
            )));
        };
        let sql = format!(
            "INSERT INTO notifications (tenant_id, {NOTIFICATION_COLUMNS}) \
             VALUES ($8, $9, $10, $11, $12, $13, $14, $1, $15, $2, $3, $4, $5, $6, $7)"
        );
        let delivery = DeliveryParams::of(notification);
        let n = notification;
        let mut params: Vec<&(dyn ToSql + Sync)> = delivery.params().to_vec();
        params.extend_from_slice(&[
            &tenant,
            &n.id,
            &n.recipient,
            &n.channel,
            &n.template,
            sealed_data,
            &n.user_id,
            &n.created_at,
        ]);
        self.execute(&sql, &params)?;
        Ok(())
    }

    /// Writes the delivery state and lease; what a message says never changes once queued.
    fn update_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<bool> {
        let delivery = DeliveryParams::of(notification);
        let mut params: Vec<&(dyn ToSql + Sync)> = delivery.params().to_vec();
        params.extend_from_slice(&[&tenant, &notification.id]);
        let updated = self.execute(
            "UPDATE notifications SET status = $1, attempts = $2, next_attempt_at = $3, \
             last_error = $4, sent_at = $5, leased_until = $6, leased_by = $7 \
             WHERE tenant_id = $8 AND id = $9",
            &params,
        )?;
        Ok(updated > 0)
    }

    fn delete_notification(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM notifications WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(deleted > 0)
    }

    /// Scans the due rows, chooses the fair share, and locks the chosen ones (`FOR UPDATE
    /// SKIP LOCKED`: a row another worker is leasing or another transaction is changing is
    /// passed over, not waited for); while some were passed over, it chooses again without
    /// them (at most `LEASE_ROUNDS` times). Then it leases the chosen rows it locked.
    fn lease_due_notifications(
        &mut self,
        now: DateTime<Utc>,
        lease: &OutboxLease,
        limit: usize,
        per_tenant: usize,
    ) -> StorageResult<Vec<DueMessage>> {
        let sql = format!(
            "SELECT GREATEST(next_attempt_at, leased_until) AS due_at, tenant_id, id \
             FROM notifications WHERE {DUE} ORDER BY due_at, tenant_id, id LIMIT $2"
        );
        let rows = self.query(&sql, &[&now, &row_limit(OUTBOX_DUE_SCAN_LIMIT)])?;
        let due: Vec<DueMessage> = rows.iter().map(due_message).collect();
        let (mut locked, mut passed_over) = (HashSet::new(), HashSet::new());
        for _ in 0..LEASE_ROUNDS {
            let open = due.iter().filter(|d| !passed_over.contains(*d)).cloned();
            let to_lock: Vec<DueMessage> = fair_share_messages(open, limit, per_tenant)
                .into_iter()
                .filter(|d| !locked.contains(d))
                .collect();
            if to_lock.is_empty() {
                break;
            }
            let now_locked = lock_due(self, now, &to_lock)?;
            passed_over.extend(to_lock.iter().filter(|d| !now_locked.contains(*d)).cloned());
            locked.extend(now_locked);
        }
        let held = due.into_iter().filter(|d| locked.contains(d));
        let leased = fair_share_messages(held, limit, per_tenant);
        if !leased.is_empty() {
            mark_leased(self, &leased, lease)?;
        }
        Ok(leased)
    }
}

/// Rounds of choosing and locking in one lease: a round passes over only the rows another
/// transaction holds, so a few rounds fill the lease; past them, it holds the rows it locked.
const LEASE_ROUNDS: usize = 4;

/// What makes a row due at `$1`: pending, with a next attempt, and no lease running. The due
/// scan orders them by the later of the next attempt and an expired lease's end, as the
/// embedded engine's queue does.
const DUE: &str = "status = 'pending' AND next_attempt_at IS NOT NULL \
     AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)";

/// The due entry of a row of the due scan.
fn due_message(row: &Row) -> DueMessage {
    DueMessage {
        due_at: row.get("due_at"),
        tenant_id: row.get("tenant_id"),
        message_id: row.get("id"),
    }
}

/// Locks the rows of `entries` still due at `now`, passing over those another transaction
/// holds; answers the entries locked.
fn lock_due(
    tx: &PgTx,
    now: DateTime<Utc>,
    entries: &[DueMessage],
) -> StorageResult<HashSet<DueMessage>> {
    let tenants: Vec<&str> = entries.iter().map(|d| d.tenant_id.as_str()).collect();
    let ids: Vec<&str> = entries.iter().map(|d| d.message_id.as_str()).collect();
    let sql = format!(
        "SELECT tenant_id, id FROM notifications \
         JOIN unnest($2::text[], $3::text[]) AS chosen (chosen_tenant, chosen_id) \
         ON tenant_id = chosen_tenant AND id = chosen_id \
         WHERE {DUE} FOR UPDATE OF notifications SKIP LOCKED"
    );
    let rows = tx.query(&sql, &[&now, &tenants, &ids])?;
    let locked: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r.get("tenant_id"), r.get("id")))
        .collect();
    Ok(entries
        .iter()
        .filter(|d| locked.contains(&(d.tenant_id.clone(), d.message_id.clone())))
        .cloned()
        .collect())
}

/// Marks the messages of `chosen` leased as `lease` says, in one statement.
fn mark_leased(tx: &PgTx, chosen: &[DueMessage], lease: &OutboxLease) -> StorageResult<()> {
    let tenants: Vec<&str> = chosen.iter().map(|d| d.tenant_id.as_str()).collect();
    let ids: Vec<&str> = chosen.iter().map(|d| d.message_id.as_str()).collect();
    tx.execute(
        "UPDATE notifications SET leased_until = $1, leased_by = $2 \
         FROM unnest($3::text[], $4::text[]) AS chosen (tenant_id, id) \
         WHERE notifications.tenant_id = chosen.tenant_id AND notifications.id = chosen.id",
        &[&lease.until, &lease.holder, &tenants, &ids],
    )?;
    Ok(())
}
