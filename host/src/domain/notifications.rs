//! The notifications outbox: every operation that notifies someone writes a record here in the
//! same transaction as its change. Delivery is a separate concern that reads this outbox and
//! acknowledges (deletes) what it delivered; what nobody acknowledges goes after
//! `NOTIFICATION_RETENTION_SECS`, so the links in it (password resets, invitations) do not stay
//! stored in clear for good.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, DomainResult};
use super::ids::{new_id, now};
use super::page::{Page, PageRequest};
use super::retention::shed_expired;
use super::tenants::Tenant;
use super::Domain;
use crate::store::{Table, WriteTx};

/// How long an unacknowledged message stays in the outbox: 30 days, the longest any link in a
/// message lives (a signup link's maximum); past that it could only point to a dead link.
pub const NOTIFICATION_RETENTION_SECS: u64 = 30 * 24 * 3600;

/// A message waiting for delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
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
    pub created_at: DateTime<Utc>,
}

/// Queues an email notification inside the caller's transaction.
pub(crate) fn enqueue_email(
    tx: &mut WriteTx,
    tenant_id: &str,
    recipient: &str,
    user_id: Option<&str>,
    template: &str,
    data: serde_json::Value,
) -> DomainResult<Notification> {
    shed_expired(
        tx,
        Table::Notifications,
        tenant_id,
        NOTIFICATION_RETENTION_SECS,
        |n: &Notification| n.created_at,
        |_| true,
    )?;
    let notification = Notification {
        id: new_id(),
        recipient: recipient.to_string(),
        channel: "email".into(),
        template: template.into(),
        data,
        user_id: user_id.map(str::to_string),
        status: "pending".into(),
        created_at: now(),
    };
    tx.put(
        Table::Notifications,
        tenant_id,
        &notification.id,
        &notification,
    )?;
    Ok(notification)
}

impl Domain {
    /// Removes a delivered message from the tenant's outbox.
    pub fn acknowledge_notification(&self, tenant: &Tenant, id: &str) -> DomainResult<()> {
        let mut tx = self.store.write()?;
        if !tx.delete(Table::Notifications, &tenant.id, id)? {
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
        self.list_page(Table::Notifications, &tenant.id, page)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use chrono::Duration;

    use super::*;
    use crate::store::{Reader, Store};

    /// A message queued `days_ago` days ago, under an id that sorts in that order.
    fn queued(tx: &mut WriteTx, days_ago: i64) {
        let message = Notification {
            id: format!("0000-{:04}", 9999 - days_ago),
            recipient: "pat@example.com".into(),
            channel: "email".into(),
            template: "password_reset".into(),
            data: json!({"link": "http://x/reset"}),
            user_id: None,
            status: "pending".into(),
            created_at: now() - Duration::days(days_ago),
        };
        tx.put(Table::Notifications, "t", &message.id, &message)
            .unwrap();
    }

    fn ages_in_days(store: &Store) -> Vec<i64> {
        store
            .read()
            .unwrap()
            .scan::<Notification>(Table::Notifications, "t", "", None, 100)
            .unwrap()
            .into_iter()
            .map(|(_, n)| (now() - n.created_at).num_days())
            .collect()
    }

    #[test]
    fn queuing_a_message_sheds_the_oldest_expired_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        for days_ago in [40, 35, 31, 29] {
            queued(&mut tx, days_ago);
        }
        tx.commit().unwrap();
        let enqueue = || {
            let mut tx = store.write().unwrap();
            enqueue_email(&mut tx, "t", "a@x.com", None, "welcome", json!({})).unwrap();
            tx.commit().unwrap();
        };
        enqueue();
        // Two expired ones per message, oldest first.
        assert_eq!(ages_in_days(&store), [31, 29, 0]);
        enqueue();
        // The 29-day-old message is within the retention.
        assert_eq!(ages_in_days(&store), [29, 0, 0]);
    }
}
