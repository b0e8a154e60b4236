//! The outbox port: the notifications waiting for delivery, in queue order (their ids are
//! time-ordered, so the oldest come first).

use super::StorageResult;
use crate::outbox::StoredNotification;

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
}

/// Writing the notifications outbox.
pub trait OutboxWrites: OutboxReads {
    /// Queues a notification.
    fn insert_notification(
        &mut self,
        tenant: &str,
        notification: &StoredNotification,
    ) -> StorageResult<()>;
    /// Deletes notification `id` (delivered, or past its retention); answers whether there was
    /// one.
    fn delete_notification(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;
}
