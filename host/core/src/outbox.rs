//! The notifications outbox as stored: messages waiting for delivery, in the order they were
//! queued (their ids are time-ordered).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A message as stored. Its `data` carries live secrets (links, codes), so it is stored sealed
/// under the server key (`sealed_data`); messages queued before sealing keep it in clear
/// (`data`).
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// `pending` until a delivery worker takes it.
    pub status: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}
