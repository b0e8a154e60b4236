//! Email addresses as identities: one normal form, and the rule that tells lookalikes apart.
//!
//! The normal form (`normalize_email`): trimmed, Unicode NFC (so a precomposed and a decomposed
//! accent are one address), then lowercased with Unicode's default full lowercase mapping
//! (`str::to_lowercase`; no further folding such as `ß` to `ss`). Control characters, whitespace,
//! invisible characters (zero-width, soft hyphen, variation selectors, other default-ignorable
//! code points) and bidirectional controls are refused: they make two addresses look the same.
//!
//! Lookalikes (`email_skeleton`): two addresses whose Unicode confusable skeletons (UTS #39, as
//! the `unicode-security` crate computes them; lowercased) are equal are the same identity, so
//! `admin@x`, `аdmin@x` with a Cyrillic `а` and a fullwidth `ａdmin@x` cannot be three accounts.
//! The rule is deliberately wide: ASCII lookalikes such as `rn` and `m`, or `l` and `1`, collide
//! too, and the second such address is refused as taken.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

use crate::error::{DomainError, DomainResult};

/// Longest email address accepted (RFC 5321 path limit), in bytes of the normal form.
pub const MAX_EMAIL_LEN: usize = 254;

/// Characters that render as nothing or reorder text: refused anywhere in an address.
pub(crate) fn invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The normal form of an email address, after checking its characters and syntax.
pub fn normalize_email(email: &str) -> DomainResult<String> {
    let trimmed = email.trim();
    if let Some(c) = trimmed
        .chars()
        .find(|&c| c.is_control() || c.is_whitespace() || invisible_or_bidi(c))
    {
        return Err(DomainError::bad_request(
            "invalid_email",
            format!(
                "an email address must not contain invisible, control or bidirectional characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    let email: String = trimmed.nfc().collect::<String>().to_lowercase();
    if email.len() > MAX_EMAIL_LEN || !email_address::EmailAddress::is_valid(&email) {
        return Err(DomainError::bad_request(
            "invalid_email",
            format!("'{email}' is not a valid email address"),
        ));
    }
    Ok(email)
}

/// The normal form for looking an address up (list filters, plugin lookups): like
/// `normalize_email`, but an address that could never be stored is answered as it is, so
/// that it simply matches nothing.
pub fn lookup_form(email: &str) -> String {
    normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase())
}

/// What lookalike addresses have in common: the confusable skeleton of the normal form.
pub fn email_skeleton(normal: &str) -> String {
    skeleton(normal).collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_is_nfc_and_lowercase() {
        assert_eq!(
            normalize_email(" Pat@Example.COM ").unwrap(),
            "pat@example.com"
        );
        let composed = normalize_email("caf\u{e9}@x.com").unwrap();
        let decomposed = normalize_email("cafe\u{301}@x.com").unwrap();
        assert_eq!(composed, decomposed);
    }

    #[test]
    fn invisible_bidi_and_control_characters_are_refused() {
        for bad in [
            "admin\u{200b}@x.com",
            "\u{202e}admin@x.com",
            "ad\u{00ad}min@x.com",
            "admin\u{2066}@x.com",
            "admin\u{feff}@x.com",
            "adm\u{0007}in@x.com",
            "ad min@x.com",
        ] {
            let refused = normalize_email(bad).unwrap_err();
            assert!(
                matches!(
                    &refused,
                    DomainError::BadRequest {
                        code: "invalid_email",
                        ..
                    }
                ),
                "{bad:?}: {refused:?}"
            );
        }
    }

    #[test]
    fn lookalikes_share_a_skeleton() {
        let plain = email_skeleton(&normalize_email("admin@x.com").unwrap());
        for lookalike in ["\u{430}dmin@x.com", "\u{ff41}dmin@x.com", "ADMIN@x.com"] {
            let normal = normalize_email(lookalike).unwrap();
            assert_eq!(email_skeleton(&normal), plain, "{lookalike}");
        }
        assert_ne!(email_skeleton("bob@x.com"), plain);
    }

    #[test]
    fn the_length_limit_counts_bytes_of_the_address() {
        let address = |last_label: usize| {
            format!(
                "{}@{}.{}.{}",
                "a".repeat(64),
                "b".repeat(63),
                "c".repeat(63),
                "d".repeat(last_label)
            )
        };
        assert_eq!(address(61).len(), MAX_EMAIL_LEN);
        assert!(normalize_email(&address(61)).is_ok());
        let refused = normalize_email(&address(62)).unwrap_err();
        assert!(format!("{refused:?}").contains("invalid_email"));
    }
}
