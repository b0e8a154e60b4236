//! Target: the bodies of the settings endpoints (tenant settings, portal settings, plugin
//! bindings, portal pages) and of the portal's `updateUser` (`authData`, `formData`,
//! `notificationData`), read through the API's JSON reader, then each value through the check
//! the rules apply to it.
//!
//! Properties: no panic; a refused body is a 4xx API error; every check is idempotent (what it
//! accepts and stores, it accepts again unchanged: a stored setting read back and sent again is
//! not refused or changed).

use portico_core::domain::mail_sender::{validate_mail_address, validate_sender_name};
use portico_core::domain::mail_templates::validate_mail_language;
use portico_core::domain::origins::normalize_origin;
use portico_core::domain::plugins::{BindingPatch, NewBinding};
use portico_core::domain::portal::branding::{
    validate_color, validate_display_name, validate_logo_url, validate_pages_url,
};
use portico_core::domain::portal::{PortalPagePatch, PortalSettingsPatch};
use portico_core::domain::{DomainResult, TenantSettingsPatch, UpdateUserBody};

use crate::body;

/// The keys and strings of the settings bodies.
const VOCABULARY: &[&str] = &[
    "resetCodeTtlSeconds",
    "passwordMinLength",
    "allowedOrigins",
    "mailSenderName",
    "mailSenderAddress",
    "mailReplyTo",
    "mailLanguage",
    "loginTitle",
    "published",
    "maxPortalUsers",
    "signupLinkTtlSeconds",
    "maxFailedSignIns",
    "lockoutSeconds",
    "displayName",
    "primaryColor",
    "backgroundColor",
    "logoUrl",
    "pagesUrl",
    "title",
    "path",
    "visible",
    "target",
    "version",
    "settings",
    "failurePolicy",
    "enabled",
    "plugin",
    "interface",
    "formIdentifier",
    "langCode",
    "authData",
    "marker",
    "value",
    "formData",
    "notificationData",
    "email",
    "phonePush",
    "phoneSMS",
    "state",
    "en",
    "#1A7",
    "#1a73e8",
    "https://a.example",
    "http://[::1]:80",
    "https://x.example/logo.png?q#f",
    "a@b.example",
    " Ünïcødé ",
    "\u{202e}",
    "fail-open",
    "signup-policy",
    "*",
];

/// Checks one body against every settings shape.
pub fn check(bytes: &[u8]) {
    let text = body::text(bytes, VOCABULARY);
    if let Ok(patch) = body::read::<TenantSettingsPatch>(&text) {
        tenant_settings(&patch);
    }
    if let Ok(patch) = body::read::<PortalSettingsPatch>(&text) {
        portal_settings(&patch);
    }
    let _ = body::read::<BindingPatch>(&text);
    let _ = body::read::<NewBinding>(&text);
    let _ = body::read::<PortalPagePatch>(&text);
    if let Ok(update) = body::read::<UpdateUserBody>(&text) {
        for datum in &update.auth_data {
            if let Some(email) = datum.value.as_str() {
                assert_idempotent(email, |a| validate_mail_address("login", a));
            }
        }
    }
}

fn tenant_settings(patch: &TenantSettingsPatch) {
    if let Some(Some(name)) = &patch.mail_sender_name {
        assert_idempotent(name, validate_sender_name);
    }
    for address in [&patch.mail_sender_address, &patch.mail_reply_to] {
        if let Some(Some(address)) = address {
            assert_idempotent(address, |a| validate_mail_address("mailReplyTo", a));
        }
    }
    if let Some(lang) = &patch.mail_language {
        assert_idempotent(lang, validate_mail_language);
    }
    for origin in patch.allowed_origins.iter().flatten() {
        if let Some(normal) = normalize_origin(origin) {
            assert_eq!(
                normalize_origin(&normal).as_ref(),
                Some(&normal),
                "{origin:?}"
            );
        }
    }
}

fn portal_settings(patch: &PortalSettingsPatch) {
    if let Some(Some(name)) = &patch.display_name {
        assert_idempotent(name, validate_display_name);
    }
    for color in [&patch.primary_color, &patch.background_color] {
        if let Some(Some(color)) = color {
            assert_idempotent(color, |c| validate_color("primaryColor", c));
        }
    }
    if let Some(Some(url)) = &patch.logo_url {
        assert_idempotent(url, validate_logo_url);
    }
    if let Some(Some(url)) = &patch.pages_url {
        assert_idempotent(url, validate_pages_url);
    }
}

/// What `check` accepts it accepts again, unchanged; what it refuses is a 400.
pub fn assert_idempotent(input: &str, check: impl Fn(&str) -> DomainResult<String>) {
    match check(input) {
        Ok(stored) => match check(&stored) {
            Ok(again) => assert_eq!(again, stored, "{input:?}"),
            Err(e) => panic!("{input:?} is stored as {stored:?}, which is refused: {e}"),
        },
        Err(e) => assert_eq!(
            portico_http::ApiError::from(e).status,
            axum::http::StatusCode::BAD_REQUEST
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn settings_bodies() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check(bytes));
    }
}
