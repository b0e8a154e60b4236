//! The user codes port: the one-time code a portal user was last sent for each event
//! (activation, password reset), by (user, event). Only its keyed digest is stored. A user's
//! codes go with the user: the adapter deletes them when the user is deleted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StorageResult;

/// What a one-time code is for: a closed set, each with its wire name (`activation`,
/// `password_reset`), as OneEntry's `eventIdentifier` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeEvent {
    /// Activates an Invited portal user (status Active).
    Activation,
    /// Sets a new password and ends the user's sessions.
    PasswordReset,
}

impl CodeEvent {
    /// Every event, in wire-name order.
    pub const ALL: [CodeEvent; 2] = [CodeEvent::Activation, CodeEvent::PasswordReset];

    /// The event's wire name (`activation`, `password_reset`).
    pub fn wire_name(self) -> &'static str {
        match self {
            CodeEvent::Activation => "activation",
            CodeEvent::PasswordReset => "password_reset",
        }
    }

    /// The event with wire name `name`, if there is one.
    pub fn from_wire_name(name: &str) -> Option<CodeEvent> {
        CodeEvent::ALL.into_iter().find(|e| e.wire_name() == name)
    }
}

/// The code a user was last sent for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCode {
    /// The keyed digest of the code (`ServerKeys::code_digest`, bound to the tenant, the user
    /// and the event), never the code.
    pub digest: String,
    /// When the code stops being valid.
    pub expires_at: DateTime<Utc>,
    /// Wrong codes given since it was sent.
    pub failed_attempts: u32,
    /// When it was sent (the resend bound counts from here).
    pub sent_at: DateTime<Utc>,
}

/// Reading users' codes.
pub trait UserCodeReads {
    /// The code user `user_id` was last sent for `event`.
    fn user_code(
        &self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
    ) -> StorageResult<Option<UserCode>>;
}

/// Writing users' codes. Deleting a user deletes its codes (the adapter does it with the user).
pub trait UserCodeWrites: UserCodeReads {
    /// Stores `code` as user `user_id`'s code for `event`, replacing the one it had. The user
    /// is stored first (in this transaction or before).
    fn save_user_code(
        &mut self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
        code: &UserCode,
    ) -> StorageResult<()>;
    /// Deletes user `user_id`'s code for `event`; answers whether there was one.
    fn delete_user_code(
        &mut self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
    ) -> StorageResult<bool>;
}
