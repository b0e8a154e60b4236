//! The notifications outbox as stored: messages waiting for delivery, in the order they were
//! queued (their ids are time-ordered), with how their delivery goes and the entries of the
//! queue of due messages across tenants.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::hook_deliveries::{fair_share, DueHook};

/// Where a message's delivery stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Waiting for delivery (its next attempt is `DeliveryState::next_attempt_at`).
    #[default]
    Pending,
    /// Handed to the mail server (`DeliveryState::sent_at`).
    Sent,
    /// Refused for good, or out of attempts (`DeliveryState::last_error` says why).
    Failed,
}

impl MessageStatus {
    /// The status as stored and shown: `pending`, `sent`, `failed`.
    pub fn name(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
        }
    }

    /// The status named `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "pending" => Some(MessageStatus::Pending),
            "sent" => Some(MessageStatus::Sent),
            "failed" => Some(MessageStatus::Failed),
            _ => None,
        }
    }
}

/// How a message's delivery goes. Messages stored before delivery existed read with the
/// defaults: no attempt made and none due (they stay for the outbox's readers, as before).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryState {
    /// Attempts made so far.
    #[serde(default)]
    pub attempts: u32,
    /// When the next attempt is due, while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed (the mail server's answer, bounded), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the mail server took the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// While a delivery worker holds the message: until when (see `OutboxLease`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leased_until: Option<DateTime<Utc>>,
    /// The delivery worker holding the message, with `leased_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leased_by: Option<String>,
}

/// A message as stored. Its `data` carries live secrets (links, codes), so it is stored sealed
/// under the server key (`sealed_data`); messages queued before sealing keep it in clear
/// (`data`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoredNotification {
    /// The message's id (time-ordered: the outbox's order).
    pub id: String,
    /// Address of the recipient on `channel` (an email address for `email`).
    pub recipient: String,
    /// How to deliver it: `email` for now.
    pub channel: String,
    /// Which message: `welcome`, `password_reset`, `password_changed`...
    pub template: String,
    /// The template's values, sealed under the server key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_data: Option<String>,
    /// The template's values in clear, in messages queued before sealing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// The user it concerns, if any.
    pub user_id: Option<String>,
    /// `pending` until a delivery worker sent it (`sent`) or gave up (`failed`).
    pub status: MessageStatus,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// How its delivery goes.
    #[serde(flatten)]
    pub delivery: DeliveryState,
}

impl StoredNotification {
    /// When this message is due in the queue of due messages: pending with a next attempt,
    /// at that attempt or, while a worker holds it, when the lease ends (so a message whose
    /// holder died becomes due again then).
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        if self.status != MessageStatus::Pending {
            return None;
        }
        let next = self.delivery.next_attempt_at?;
        Some(match self.delivery.leased_until {
            Some(until) if until > next => until,
            _ => next,
        })
    }
}

/// A due entry of the queue of messages: one attempt of one tenant's message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DueMessage {
    /// When the attempt is due (to the millisecond).
    pub due_at: DateTime<Utc>,
    /// The tenant of the message.
    pub tenant_id: String,
    /// The message's id.
    pub message_id: String,
}

/// A lease on due messages: while it lasts, the worker holding it is delivering them and no
/// other worker (of this host or another sharing the store) is handed them
/// (`crate::storage::OutboxWrites::lease_due_notifications`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxLease {
    /// Names the delivery worker holding the lease (unique among the workers sharing a store).
    pub holder: String,
    /// When the lease expires: from then on another worker may take the messages over.
    pub until: DateTime<Utc>,
}

/// Due messages looked at per lease: bounds the work of one look; a backlog beyond it waits
/// for the next looks.
pub const OUTBOX_DUE_SCAN_LIMIT: usize = 4096;

/// The fair share of due messages given in due order, chosen as after-hook events are
/// (`crate::hook_deliveries::fair_share`): at most `per_tenant` of each tenant, tenants in
/// turn, up to `limit`, so one tenant's backlog never hides another's messages.
pub fn fair_share_messages(
    due_in_order: impl IntoIterator<Item = DueMessage>,
    limit: usize,
    per_tenant: usize,
) -> Vec<DueMessage> {
    let entries = due_in_order.into_iter().map(|m| DueHook {
        due_at: m.due_at,
        tenant_id: m.tenant_id,
        delivery_id: m.message_id,
    });
    fair_share(entries, limit, per_tenant, &|_| false)
        .into_iter()
        .map(|d| DueMessage {
            due_at: d.due_at,
            tenant_id: d.tenant_id,
            message_id: d.delivery_id,
        })
        .collect()
}
