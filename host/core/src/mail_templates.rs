//! A tenant's own mail templates as stored: for one notification kind and one language, the
//! subject, plain-text and HTML templates the mail delivery workers render instead of the
//! built-in ones. The languages mail is written in are named here too, for the tenant setting
//! `mailLanguage` and the templates' keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The notification kinds a tenant may write its own templates for: every kind the rules
/// queue (an outbox message's `template`), the kinds the mail renderer has built-in templates
/// for (`portico_mail::Kind`; a test of the HTTP layer, which sees both, keeps them equal).
pub const MAIL_TEMPLATE_KINDS: [&str; 7] = [
    "welcome",
    "portal_invitation",
    "signup_confirmation",
    "password_reset",
    "password_changed",
    "activation_code",
    "password_reset_code",
];

/// The languages mail is written in (`portico_mail::Lang`, kept equal by the same test): the
/// values of the `mailLanguage` setting and of a template's language.
pub const MAIL_LANGUAGES: [&str; 2] = ["en_US", "tr_TR"];

/// The language of a tenant's mail when its settings name none.
pub const DEFAULT_MAIL_LANGUAGE: &str = "en_US";

/// The largest template (each of a kind's three) a tenant may save, in bytes: 64 KiB, the mail
/// renderer's own bound (`portico_mail::MAX_OVERRIDE_BYTES`, kept equal by the same test). The
/// three together also fit the API's JSON body bound.
pub const MAX_MAIL_TEMPLATE_BYTES: usize = 64 * 1024;

/// A tenant's own templates for one kind and language, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MailTemplate {
    /// The notification kind (one of `MAIL_TEMPLATE_KINDS`).
    pub kind: String,
    /// The language (one of `MAIL_LANGUAGES`).
    pub lang: String,
    /// The subject template.
    pub subject: String,
    /// The plain-text template.
    pub text: String,
    /// The HTML template.
    pub html: String,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
}
