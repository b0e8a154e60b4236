//! Tenants as stored: a tenant (a workspace named by its namespace code), its settings (among
//! them the browser origins its apps may run on, its own mail sender and its mail's language)
//! and the metadata of its API keys (the secrets themselves are never stored, only their
//! digests).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::mail_templates::DEFAULT_MAIL_LANGUAGE;

/// Default lifetime of a password reset code: 24 hours.
pub const DEFAULT_RESET_CODE_TTL_SECS: u64 = 24 * 3600;
/// Default minimum password length.
pub const DEFAULT_PASSWORD_MIN_LENGTH: usize = 8;

/// A tenant as stored and as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// The tenant's id.
    pub id: String,
    /// Its namespace code: unique among tenants, it names the tenant in paths.
    pub namespace: String,
    /// Its display name.
    pub name: String,
    /// When the tenant was created.
    pub created_at: DateTime<Utc>,
}

/// Per-tenant settings; a field missing from a stored record takes its default.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct TenantSettings {
    /// How long a password reset code stays valid.
    pub reset_code_ttl_seconds: u64,
    /// Minimum length of a new password.
    pub password_min_length: usize,
    /// The browser origins (`https://app.example.com`, as a browser's `Origin` header names
    /// them) whose pages may call the tenant's public app routes; none by default. Settings
    /// stored before this field read as none.
    pub allowed_origins: Vec<String>,
    /// The name the tenant's mails come from (and are signed with); the operator's sender name
    /// when `None`. Settings stored before the mail sender fields read as `None`, as do the
    /// two below.
    pub mail_sender_name: Option<String>,
    /// The address the tenant's mails come from; the operator's sender address when `None`.
    pub mail_sender_address: Option<String>,
    /// Where replies to the tenant's mails go (`Reply-To`); no `Reply-To` header when `None`.
    pub mail_reply_to: Option<String>,
    /// The language of the tenant's mails whose message names none (no `langCode` in its data,
    /// or one in no language mail is written in): one of `MAIL_LANGUAGES`. Settings stored
    /// before it read as `DEFAULT_MAIL_LANGUAGE`.
    pub mail_language: String,
}

impl Default for TenantSettings {
    fn default() -> Self {
        TenantSettings {
            reset_code_ttl_seconds: DEFAULT_RESET_CODE_TTL_SECS,
            password_min_length: DEFAULT_PASSWORD_MIN_LENGTH,
            allowed_origins: Vec::new(),
            mail_sender_name: None,
            mail_sender_address: None,
            mail_reply_to: None,
            mail_language: DEFAULT_MAIL_LANGUAGE.to_string(),
        }
    }
}

/// An API key's metadata, stored under the digest of its secret (the secret itself never is).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// The key's id (what revoking names).
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}
