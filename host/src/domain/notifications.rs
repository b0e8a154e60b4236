//! The notifications outbox: every operation that notifies someone writes a record here in the
//! same transaction as its change. Delivery is a separate concern that reads this outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::DomainResult;
use super::ids::{new_id, now};
use super::page::{Page, PageRequest};
use super::tenants::Tenant;
use super::Domain;
use crate::store::{Table, WriteTx};

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
    /// The tenant's outbox, oldest first.
    pub fn list_notifications(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<Notification>> {
        self.list_page(Table::Notifications, &tenant.id, page)
    }
}
