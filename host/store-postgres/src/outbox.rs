//! The outbox aggregate on PostgreSQL: `notifications` by id (time-ordered ids, so key order is
//! queue order). Every message is stored sealed (`sealed_data`); there is no clear `data`.

use portico_core::outbox::StoredNotification;
use portico_core::storage::{OutboxReads, OutboxWrites, StorageError, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const NOTIFICATION_COLUMNS: &str =
    "id, recipient, channel, template, sealed_data, user_id, status, created_at";

fn notification(row: &Row) -> StoredNotification {
    StoredNotification {
        id: row.get("id"),
        recipient: row.get("recipient"),
        channel: row.get("channel"),
        template: row.get("template"),
        sealed_data: Some(row.get("sealed_data")),
        data: None,
        user_id: row.get("user_id"),
        status: row.get("status"),
        created_at: row.get("created_at"),
    }
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
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(&sql, &[&tenant, &after, &limit])?;
        Ok(rows.iter().map(notification).collect())
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        self.execute(
            &sql,
            &[
                &tenant,
                &notification.id,
                &notification.recipient,
                &notification.channel,
                &notification.template,
                sealed_data,
                &notification.user_id,
                &notification.status,
                &notification.created_at,
            ],
        )?;
        Ok(())
    }

    fn delete_notification(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM notifications WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(deleted > 0)
    }
}
