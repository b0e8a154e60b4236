//! The notifications outbox: every operation that notifies someone writes a record here in the
//! same transaction as its change. Delivery is a separate concern that reads this outbox and
//! acknowledges (deletes) what it delivered; what nobody acknowledges goes after
//! `NOTIFICATION_RETENTION_SECS`.
//!
//! A message's `data` carries live secrets (reset and signup links, confirmation codes), so it is
//! stored sealed under the server key (`store::ServerKeys`, a key file beside the database, not
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
use super::Domain;
pub(crate) use portico_core::outbox::StoredNotification;
use portico_core::storage::prelude::*;
use portico_core::storage::{ServerKeys, WriteTransaction};

/// How long an unacknowledged message stays in the outbox: 30 days, the longest any link in a
/// message lives (a signup link's maximum); past that it could only point to a dead link.
pub const NOTIFICATION_RETENTION_SECS: u64 = 30 * 24 * 3600;

/// A message waiting for delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// `pending` until a delivery worker takes it.
    pub status: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// What a message's `data` shows when its seal does not open (the key file was replaced).
fn unreadable_data() -> serde_json::Value {
    serde_json::json!({ "unreadable": "sealed under a server key that is no longer present" })
}

/// A stored message as an integrator reads it.
trait Opened {
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
        }
    }
}

/// Queues an email notification inside the caller's transaction, created `now`.
pub(crate) fn enqueue_email(
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
        status: "pending".into(),
        created_at: now,
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

impl Domain {
    /// Removes a delivered message from the tenant's outbox.
    pub fn acknowledge_notification(&self, tenant: &Tenant, id: &str) -> DomainResult<()> {
        let mut tx = self.store.write()?;
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
        let tx = self.store.read()?;
        let fetched = tx.notifications_after(&tenant.id, page.cursor.as_deref(), size + 1)?;
        let fetched = fetched.into_iter().map(|n| (n.id.clone(), n)).collect();
        let stored: Page<StoredNotification> = Page::from_fetched(fetched, size);
        let keys = self.store.keys();
        Ok(Page {
            items: stored.items.into_iter().map(|n| n.opened(keys)).collect(),
            next_cursor: stored.next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use chrono::Duration;

    use super::*;
    use crate::store::Store;

    /// A message queued `days_ago` days before `now`, under an id that sorts in that order.
    fn queued(tx: &mut dyn WriteTransaction, days_ago: i64, now: DateTime<Utc>) {
        let message = StoredNotification {
            id: format!("0000-{:04}", 9999 - days_ago),
            recipient: "pat@example.com".into(),
            channel: "email".into(),
            template: "password_reset".into(),
            sealed_data: None,
            data: Some(json!({"link": "http://x/reset"})),
            user_id: None,
            status: "pending".into(),
            created_at: now - Duration::days(days_ago),
        };
        tx.insert_notification("t", &message).unwrap();
    }

    fn ages_in_days(store: &Store, now: DateTime<Utc>) -> Vec<i64> {
        store
            .read()
            .unwrap()
            .notifications_after("t", None, 100)
            .unwrap()
            .into_iter()
            .map(|n| (now - n.created_at).num_days())
            .collect()
    }

    #[test]
    fn data_is_stored_sealed_and_opened_for_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        let data = json!({"signupLink": "http://x/signup?token=psu_secret"});
        enqueue_email(
            &mut tx,
            "t",
            "a@x.com",
            None,
            "portal_invitation",
            data.clone(),
            Utc::now(),
        )
        .unwrap();
        queued(&mut tx, 1, Utc::now());
        tx.commit().unwrap();
        let raw: Vec<(String, serde_json::Value)> = store
            .read()
            .unwrap()
            .notifications_after("t", None, 10)
            .unwrap()
            .into_iter()
            .map(|n| (n.id.clone(), serde_json::to_value(n).unwrap()))
            .collect();
        assert_eq!(raw.len(), 2);
        let (legacy, sealed) = (&raw[0].1, &raw[1].1);
        assert!(!sealed.to_string().contains("psu_secret"), "{sealed}");
        let open = |v: &serde_json::Value| {
            serde_json::from_value::<StoredNotification>(v.clone())
                .unwrap()
                .opened(store.keys())
                .data
        };
        assert_eq!(open(sealed), data);
        // Messages queued before sealing read as they were.
        assert_eq!(open(legacy), json!({"link": "http://x/reset"}));
        // Under another key the seal does not open, and says so.
        let other = tempfile::tempdir().unwrap();
        let other_keys = crate::store::KeyFile::load_or_create(other.path()).unwrap();
        let stored: StoredNotification = serde_json::from_value(sealed.clone()).unwrap();
        assert_eq!(stored.opened(&other_keys).data, unreadable_data());
    }

    #[test]
    fn queuing_a_message_sheds_the_oldest_expired_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let mut tx = store.write().unwrap();
        for days_ago in [40, 35, 31, 29] {
            queued(&mut tx, days_ago, now);
        }
        tx.commit().unwrap();
        let enqueue = || {
            let mut tx = store.write().unwrap();
            enqueue_email(&mut tx, "t", "a@x.com", None, "welcome", json!({}), now).unwrap();
            tx.commit().unwrap();
        };
        enqueue();
        // Two expired ones per message, oldest first.
        assert_eq!(ages_in_days(&store, now), [31, 29, 0]);
        enqueue();
        // The 29-day-old message is within the retention.
        assert_eq!(ages_in_days(&store, now), [29, 0, 0]);
    }
}
