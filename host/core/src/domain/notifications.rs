//! The notifications outbox: every operation that notifies someone writes a record here in the
//! same transaction as its change, due for delivery at once. A delivery worker leases and sends
//! it (`super::delivery`); headless integrators may instead read this outbox and acknowledge
//! (delete) what they delivered. What nobody acknowledges goes after
//! `NOTIFICATION_RETENTION_SECS`, whatever its delivery status.
//!
//! A message's `data` carries live secrets (reset and signup links, confirmation codes), so it is
//! stored sealed under the server key (`storage::ServerKeys`; the embedded store keeps it in a key file beside the database, not
//! in it) and opened only when an integrator reads the outbox: neither the database file nor its
//! freed pages (redb does not wipe them) hold a token in clear. Messages queued before sealing
//! keep their clear `data` until acknowledged or past the retention.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, DomainResult};
use super::ids::new_id;
use super::page::{Page, PageRequest};
use super::retention::{expired, SHED_PER_NEW_RECORD};
use super::tenants::Tenant;
use super::Notifications;
pub(crate) use crate::outbox::StoredNotification;
pub use crate::outbox::{DeliveryState, MessageStatus};
use crate::storage::prelude::*;
use crate::storage::{ServerKeys, WriteTransaction};

/// How long an unacknowledged message stays in the outbox: 30 days, the longest any link in a
/// message lives (a signup link's maximum); past that it could only point to a dead link.
pub const NOTIFICATION_RETENTION_SECS: u64 = 30 * 24 * 3600;

/// A message waiting for delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The message's id.
    pub id: String,
    /// Address of the recipient on `channel` (an email address for `email`).
    pub recipient: String,
    /// How to deliver it: `email` for now.
    pub channel: String,
    /// Which message: `welcome`, `password_reset`, `password_changed`...
    pub template: String,
    /// The values the template needs.
    pub data: serde_json::Value,
    /// The user it concerns, if any.
    pub user_id: Option<String>,
    /// `pending` until a delivery worker sent it (`sent`) or gave up (`failed`).
    pub status: MessageStatus,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Delivery attempts made so far.
    pub attempts: u32,
    /// When the next delivery attempt is due, while pending (none for messages queued before
    /// delivery existed).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed: the mail server's answer (at most
    /// `super::delivery::LAST_ERROR_MAX_CHARS` characters).
    pub last_error: Option<String>,
    /// When the mail server took the message.
    pub sent_at: Option<DateTime<Utc>>,
}

/// What a message's `data` shows when its seal does not open (the key file was replaced).
pub fn unreadable_data() -> serde_json::Value {
    serde_json::json!({ "unreadable": "sealed under a server key that is no longer present" })
}

/// Opening a stored message's sealed data for its reader.
pub trait Opened {
    /// The message with its `data` opened.
    fn opened(self, keys: &dyn ServerKeys) -> Notification;
}

impl Opened for StoredNotification {
    fn opened(self, keys: &dyn ServerKeys) -> Notification {
        let data = match (self.sealed_data, self.data) {
            (Some(sealed), _) => keys
                .open(&sealed)
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .unwrap_or_else(unreadable_data),
            (None, data) => data.unwrap_or_default(),
        };
        Notification {
            id: self.id,
            recipient: self.recipient,
            channel: self.channel,
            template: self.template,
            data,
            user_id: self.user_id,
            status: self.status,
            created_at: self.created_at,
            attempts: self.delivery.attempts,
            next_attempt_at: self.delivery.next_attempt_at,
            last_error: self.delivery.last_error,
            sent_at: self.delivery.sent_at,
        }
    }
}

/// Queues an email notification inside the caller's transaction, created `now`.
pub fn enqueue_email(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    recipient: &str,
    user_id: Option<&str>,
    template: &str,
    data: serde_json::Value,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    shed_expired_notifications(tx, tenant_id, now)?;
    let clear = serde_json::to_vec(&data)
        .map_err(|e| DomainError::Internal(format!("message data does not encode: {e}")))?;
    let notification = StoredNotification {
        id: new_id(),
        recipient: recipient.to_string(),
        channel: "email".into(),
        template: template.into(),
        sealed_data: Some(tx.keys().seal(&clear)),
        data: None,
        user_id: user_id.map(str::to_string),
        status: MessageStatus::Pending,
        created_at: now,
        delivery: DeliveryState {
            next_attempt_at: Some(now),
            ..DeliveryState::default()
        },
    };
    tx.insert_notification(tenant_id, &notification)?;
    Ok(())
}

/// Deletes the tenant's oldest messages past `NOTIFICATION_RETENTION_SECS` (a few per new
/// message, see `retention`).
fn shed_expired_notifications(
    tx: &mut (impl OutboxWrites + ?Sized),
    tenant_id: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let oldest = tx.notifications_after(tenant_id, None, SHED_PER_NEW_RECORD)?;
    let retention = NOTIFICATION_RETENTION_SECS;
    let created_at = |n: &StoredNotification| n.created_at;
    for n in expired(oldest, retention, now, created_at, |_| true) {
        tx.delete_notification(tenant_id, &n.id)?;
    }
    Ok(())
}

impl Notifications {
    /// Removes a delivered message from the tenant's outbox.
    pub fn acknowledge_notification(&self, tenant: &Tenant, id: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if !tx.delete_notification(&tenant.id, id)? {
            return Err(DomainError::not_found("notification", id));
        }
        tx.commit()?;
        Ok(())
    }

    /// The tenant's outbox, oldest first.
    pub fn list_notifications(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<Notification>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let fetched = tx.notifications_after(&tenant.id, page.cursor.as_deref(), size + 1)?;
        let fetched = fetched.into_iter().map(|n| (n.id.clone(), n)).collect();
        let stored: Page<StoredNotification> = Page::from_fetched(fetched, size);
        let keys = self.ctx.store.keys();
        Ok(Page {
            items: stored.items.into_iter().map(|n| n.opened(keys)).collect(),
            next_cursor: stored.next_cursor,
        })
    }
}
