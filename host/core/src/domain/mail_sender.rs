//! A tenant's own mail sender: the tenant settings `mailSenderName`, `mailSenderAddress` and
//! `mailReplyTo`, which the mail delivery workers put in the `From` and `Reply-To` headers of
//! the tenant's mails (each unset one falls back to the operator's sender, or no `Reply-To`).
//!
//! Every value ends up in a mail header, so a name is printable text without line breaks
//! (header injection), bidirectional controls or invisible characters (a name that shows as
//! another), and an address follows Portico's one email rule (`normalize_email`).

use serde::Deserialize;

use super::error::{DomainError, DomainResult};
use crate::emails::{invisible_or_bidi, normalize_email};
use crate::tenants::TenantSettings;

/// Longest sender name, in characters: a display name in a `From` header, which mail clients
/// cut far shorter; a longer one is refused rather than folded over several header lines.
pub const MAX_MAIL_SENDER_NAME_LEN: usize = 100;

/// The error code of every refused sender setting.
const CODE: &str = "invalid_mail_sender";

/// The sender part of a tenant settings patch: each field absent (kept), `null` (cleared) or a
/// value (checked, then set).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SenderPatch {
    pub name: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub reply_to: Option<Option<String>>,
}

impl SenderPatch {
    /// Checks every value given, then applies the patch to `settings`; a refused value leaves
    /// `settings` as it was.
    pub(crate) fn apply(self, settings: &mut TenantSettings) -> DomainResult<()> {
        let name = self
            .name
            .map(|v| v.map(|n| validate_sender_name(&n)).transpose());
        let address = self.address.map(|v| {
            v.map(|a| validate_mail_address("mailSenderAddress", &a))
                .transpose()
        });
        let reply_to = self.reply_to.map(|v| {
            v.map(|a| validate_mail_address("mailReplyTo", &a))
                .transpose()
        });
        let (name, address, reply_to) = (
            name.transpose()?,
            address.transpose()?,
            reply_to.transpose()?,
        );
        if let Some(name) = name {
            settings.mail_sender_name = name;
        }
        if let Some(address) = address {
            settings.mail_sender_address = address;
        }
        if let Some(reply_to) = reply_to {
            settings.mail_reply_to = reply_to;
        }
        Ok(())
    }
}

/// A sender name as stored: trimmed, 1 to `MAX_MAIL_SENDER_NAME_LEN` characters, none of them
/// a control character (CR and LF among them), a bidirectional control or invisible.
pub fn validate_sender_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_MAIL_SENDER_NAME_LEN {
        return Err(DomainError::bad_request(
            CODE,
            format!("mailSenderName must be 1 to {MAX_MAIL_SENDER_NAME_LEN} characters"),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c.is_control() || invisible_or_bidi(c))
    {
        return Err(DomainError::bad_request(
            CODE,
            format!(
                "mailSenderName must be printable: no line breaks, control, invisible or bidirectional characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    Ok(name.to_string())
}

/// A sender or reply-to address in Portico's normal form (`normalize_email`); `field` names it
/// in the refusal.
pub fn validate_mail_address(field: &str, address: &str) -> DomainResult<String> {
    normalize_email(address).map_err(|e| {
        DomainError::bad_request(CODE, format!("{field} is not a valid email address: {e}"))
    })
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: DomainResult<String>) -> &'static str {
        match result {
            Err(DomainError::BadRequest { code, .. }) => code,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_name_up_to_the_bound_is_kept_one_past_it_is_refused() {
        let longest = "é".repeat(MAX_MAIL_SENDER_NAME_LEN);
        assert_eq!(validate_sender_name(&longest).unwrap(), longest);
        let past = "é".repeat(MAX_MAIL_SENDER_NAME_LEN + 1);
        assert_eq!(code(validate_sender_name(&past)), CODE);
        assert_eq!(code(validate_sender_name("   ")), CODE);
        assert_eq!(
            validate_sender_name("  Acme Support ").unwrap(),
            "Acme Support"
        );
    }

    #[test]
    fn a_name_with_a_line_break_or_a_control_is_refused() {
        assert_eq!(
            validate_sender_name("Acme Support").unwrap(),
            "Acme Support"
        );
        assert_eq!(
            code(validate_sender_name("Acme\r\nBcc: x@evil.example")),
            CODE
        );
        assert_eq!(code(validate_sender_name("Acme\nSupport")), CODE);
        assert_eq!(code(validate_sender_name("Acme\u{0}")), CODE);
    }

    #[test]
    fn a_name_with_a_bidirectional_control_or_an_invisible_character_is_refused() {
        assert_eq!(
            validate_sender_name("Şirket Destek").unwrap(),
            "Şirket Destek"
        );
        assert_eq!(code(validate_sender_name("Acme\u{202E}troppuS")), CODE);
        assert_eq!(code(validate_sender_name("Ac\u{200B}me")), CODE);
    }

    #[test]
    fn an_address_follows_the_email_rule() {
        assert_eq!(
            validate_mail_address("mailSenderAddress", " Support@Acme.Example ").unwrap(),
            "support@acme.example"
        );
        assert_eq!(
            code(validate_mail_address("mailSenderAddress", "not an address")),
            CODE
        );
        assert_eq!(
            code(validate_mail_address(
                "mailReplyTo",
                "a@b.example\r\nBcc: x@evil.example"
            )),
            CODE
        );
        assert_eq!(code(validate_mail_address("mailReplyTo", "")), CODE);
    }

    #[test]
    fn a_patch_sets_clears_or_keeps_each_field_and_a_refusal_changes_nothing() {
        let mut settings = TenantSettings::default();
        SenderPatch {
            name: Some(Some("Acme".into())),
            address: Some(Some("no-reply@acme.example".into())),
            reply_to: Some(Some("help@acme.example".into())),
        }
        .apply(&mut settings)
        .unwrap();
        assert_eq!(settings.mail_sender_name.as_deref(), Some("Acme"));
        assert_eq!(settings.mail_reply_to.as_deref(), Some("help@acme.example"));

        let refused = SenderPatch {
            name: Some(Some("Other".into())),
            reply_to: Some(Some("bad".into())),
            ..SenderPatch::default()
        }
        .apply(&mut settings);
        assert!(refused.is_err());
        assert_eq!(settings.mail_sender_name.as_deref(), Some("Acme"));

        SenderPatch {
            reply_to: Some(None),
            ..SenderPatch::default()
        }
        .apply(&mut settings)
        .unwrap();
        assert_eq!(settings.mail_reply_to, None);
        assert_eq!(
            settings.mail_sender_address.as_deref(),
            Some("no-reply@acme.example")
        );
    }
}
