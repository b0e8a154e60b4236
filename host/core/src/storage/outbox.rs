//! The outbox port: the notifications waiting for delivery, in queue order (their ids are
//! time-ordered, so the oldest come first), and the queue of due messages across every tenant,
//! which the adapter keeps with the messages (a message is in it while it is pending with a
//! next attempt: `StoredNotification::due_at`).

use chrono::{DateTime, Utc};

use super::StorageResult;
use crate::outbox::{DueMessage, OutboxLease, StoredNotification};

/// Reading the notifications outbox.
pub trait OutboxReads {
    /// The tenant's notifications in queue (id) order after `after` (from the oldest when
    /// `None`), at most `limit`.
    fn notifications_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<StoredNotification>>;
    /// The tenant's notification `id`.
    fn notification(&self, tenant: &str, id: &str) -> StorageResult<Option<StoredNotification>>;
}

/// Writing the notifications outbox. Each write keeps the queue of due messages with the
/// message.
pub trait OutboxWrites: OutboxReads {
    /// Queues a notification.
    fn insert_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<()>;
    /// Stores a changed notification, its delivery state and lease included; its place in
    /// the queue follows its `due_at`. Answers whether it was there (nothing is written
    /// otherwise: an acknowledged message stays gone).
    fn update_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<bool>;
    /// Deletes notification `id` (acknowledged, or past its retention) and its place in the
    /// queue; answers whether there was one.
    fn delete_notification(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;
    /// Leases the messages due at `now` (pending, next attempt at or before `now`, no lease
    /// running) to `lease.holder` until `lease.until`, and answers them. Of the first
    /// `crate::outbox::OUTBOX_DUE_SCAN_LIMIT` due messages in due order, at most `per_tenant`
    /// of each tenant, interleaved by tenant up to `limit`
    /// (`crate::outbox::fair_share_messages`). A leased message is due again when its lease
    /// ends: `update_notification` with the lease cleared (the attempt is over), or the lease
    /// expires (the holder died mid-delivery). Two transactions leasing at once get disjoint
    /// messages.
    fn lease_due_notifications(
        &mut self,
        now: DateTime<Utc>,
        lease: &OutboxLease,
        limit: usize,
        per_tenant: usize,
    ) -> StorageResult<Vec<DueMessage>>;
}
