//! Portal sessions: access, refresh and app-link tokens expire with their TTL; a refresh rotates
//! the pair; failed sign-ins lock an email until the lock cools down, and are forgotten a day
//! after the last one.

use serde_json::json;

use super::*;
use portico_core::domain::portal::lockout::FAILURE_MEMORY_SECS;
use portico_core::domain::portal::{
    DEFAULT_ACCESS_TOKEN_TTL_SECS, DEFAULT_REFRESH_TOKEN_TTL_SECS, MAX_APP_TOKEN_TTL_SECS,
    REFRESH_GRACE_SECS,
};
use portico_core::domain::SessionTokens;

const EMAIL: &str = "pat@example.com";
const PASSWORD: &str = "portal-password";

impl Fixture {
    fn sign_in(&self, email: &str, password: &str) -> Result<SessionTokens, DomainError> {
        self.domain
            .portal
            .portal_sign_in(&self.tenant, email, password)
    }

    fn authenticate(&self, tokens: &SessionTokens) -> Result<String, DomainError> {
        let session = self
            .domain
            .portal
            .authenticate_portal_session(&self.tenant.namespace, &tokens.access_token)?;
        Ok(session.user_id)
    }

    fn refresh(&self, tokens: &SessionTokens) -> Result<SessionTokens, DomainError> {
        self.domain
            .portal
            .portal_refresh(&self.tenant, &tokens.refresh_token)
    }
}

#[test]
fn an_access_token_works_until_its_ttl() {
    let f = fixture();
    let user = f.portal_user(EMAIL, PASSWORD);
    let tokens = f.sign_in(EMAIL, PASSWORD).unwrap();
    assert_eq!(tokens.expires_in, DEFAULT_ACCESS_TOKEN_TTL_SECS);
    let ttl = secs(DEFAULT_ACCESS_TOKEN_TTL_SECS as i64);
    f.at(ttl - ms(1));
    assert_eq!(f.authenticate(&tokens).unwrap(), user);
    f.at(ttl);
    assert_eq!(refused(f.authenticate(&tokens)), (401, "unauthorized"));
    // Its refresh token lives on and gives a new pair.
    let fresh = f.refresh(&tokens).unwrap();
    assert_eq!(f.authenticate(&fresh).unwrap(), user);
}

#[test]
fn a_refresh_rotates_the_pair_and_a_refresh_token_works_until_its_ttl() {
    let f = fixture();
    f.portal_user(EMAIL, PASSWORD);
    let first = f.sign_in(EMAIL, PASSWORD).unwrap();
    f.at(secs(60));
    let second = f.refresh(&first).unwrap();
    // Rotation: the old access token ends at once; the old refresh token after the grace.
    assert_eq!(refused(f.authenticate(&first)), (401, "unauthorized"));
    // Two pairs issued at the same time: one refreshes just before the TTL, the other at it.
    let third = f.sign_in(EMAIL, PASSWORD).unwrap();
    f.at(secs(60 + REFRESH_GRACE_SECS as i64));
    assert_eq!(refused(f.refresh(&first)), (401, "invalid_refresh_token"));
    f.authenticate(&second).unwrap();
    let ttl = secs(DEFAULT_REFRESH_TOKEN_TTL_SECS as i64);
    f.at(secs(60) + ttl - ms(1));
    f.refresh(&second).unwrap();
    f.at(secs(60) + ttl);
    assert_eq!(refused(f.refresh(&third)), (401, "invalid_refresh_token"));
}

#[test]
fn a_traded_refresh_token_gives_a_pair_of_the_same_session_during_the_grace() {
    let f = fixture();
    f.portal_user(EMAIL, PASSWORD);
    let first = f.sign_in(EMAIL, PASSWORD).unwrap();
    let other = f.sign_in(EMAIL, PASSWORD).unwrap();
    f.at(secs(10));
    let tab_one = f.refresh(&first).unwrap();
    // A second tab refreshing with the same token just after: inside the grace it gets a pair.
    let grace = secs(REFRESH_GRACE_SECS as i64);
    f.at(secs(10) + grace - ms(1));
    let tab_two = f.refresh(&first).unwrap();
    f.authenticate(&tab_one).unwrap();
    f.authenticate(&tab_two).unwrap();
    // Past it the traded token is refused.
    f.at(secs(10) + grace);
    assert_eq!(refused(f.refresh(&first)), (401, "invalid_refresh_token"));
    // Both tabs are one session: one list entry, and signing out of one ends the other.
    let session = f
        .domain
        .portal
        .authenticate_portal_session(&f.tenant.namespace, &tab_one.access_token)
        .unwrap();
    let sessions = f.domain.portal.portal_sessions(&session).unwrap();
    assert_eq!(sessions.len(), 2, "this session and the other sign-in");
    assert_eq!(sessions.iter().filter(|s| s.current).count(), 1);
    f.domain.portal.portal_sign_out(&session).unwrap();
    assert_eq!(refused(f.authenticate(&tab_two)), (401, "unauthorized"));
    assert_eq!(refused(f.refresh(&tab_two)), (401, "invalid_refresh_token"));
    f.authenticate(&other).unwrap();
}

#[test]
fn signing_out_everywhere_ends_every_session_of_the_user_only() {
    let f = fixture();
    f.portal_user(EMAIL, PASSWORD);
    f.portal_user("sam@example.com", PASSWORD);
    let (one, two) = (
        f.sign_in(EMAIL, PASSWORD).unwrap(),
        f.sign_in(EMAIL, PASSWORD).unwrap(),
    );
    let sam = f.sign_in("sam@example.com", PASSWORD).unwrap();
    let session = f
        .domain
        .portal
        .authenticate_portal_session(&f.tenant.namespace, &one.access_token)
        .unwrap();
    f.domain
        .portal
        .portal_sign_out_everywhere(&session)
        .unwrap();
    for tokens in [&one, &two] {
        assert_eq!(refused(f.authenticate(tokens)), (401, "unauthorized"));
        assert_eq!(refused(f.refresh(tokens)), (401, "invalid_refresh_token"));
    }
    f.authenticate(&sam).unwrap();
}

#[test]
fn an_app_link_token_works_once_until_its_ttl() {
    let f = fixture();
    let user = f.portal_user(EMAIL, PASSWORD);
    let tokens = f.sign_in(EMAIL, PASSWORD).unwrap();
    let session = f
        .domain
        .portal
        .authenticate_portal_session(&f.tenant.namespace, &tokens.access_token)
        .unwrap();
    let app_token = || {
        let url = f.domain.portal.portal_app_url(&session, true).unwrap();
        token_in(&url, "authToken=")
    };
    let (early, late) = (app_token(), app_token());
    let exchange = |token: &str| f.domain.portal.exchange_app_token(&f.tenant, token);
    let invalid = (401, "invalid_auth_token");

    let ttl = secs(MAX_APP_TOKEN_TTL_SECS as i64);
    f.at(ttl - ms(1));
    let exchanged = exchange(&early).unwrap();
    assert_eq!(f.authenticate(&exchanged).unwrap(), user);
    assert_eq!(refused(exchange(&early)), invalid, "single use");
    f.at(ttl);
    assert_eq!(refused(exchange(&late)), invalid);
}

#[test]
fn failures_in_a_row_lock_the_email_until_the_lock_cools_down() {
    let f = fixture();
    f.portal_user(EMAIL, PASSWORD);
    f.patch_portal(json!({ "maxFailedSignIns": 3, "lockoutSeconds": 120 }));
    for _ in 0..2 {
        let wrong = refused(f.sign_in(EMAIL, "wrong-password"));
        assert_eq!(wrong, (401, "invalid_credentials"));
    }
    let lock = f.sign_in(EMAIL, "wrong-password").unwrap_err();
    assert_eq!(refusal(&lock), (429, "account_locked"));
    assert!(matches!(
        lock,
        DomainError::TooManyRequests {
            retry_after_seconds: 120,
            ..
        }
    ));
    // Even the right password is refused while locked, up to the last moment.
    assert_eq!(refused(f.sign_in(EMAIL, PASSWORD)), (429, "account_locked"));
    f.at(secs(120) - ms(1));
    let still = f.sign_in(EMAIL, PASSWORD).unwrap_err();
    assert!(matches!(
        still,
        DomainError::TooManyRequests {
            retry_after_seconds: 1,
            ..
        }
    ));
    // The lock cools down.
    f.at(secs(120));
    f.sign_in(EMAIL, PASSWORD).unwrap();
}

#[test]
fn failures_are_forgotten_a_day_after_the_last_one() {
    let f = fixture();
    f.patch_portal(json!({ "published": true, "maxFailedSignIns": 3 }));
    // Emails without an account count their failures too.
    let fail = |email: &str| refused(f.sign_in(email, "wrong-password"));
    for email in ["kept@x.com", "forgotten@x.com"] {
        for _ in 0..2 {
            assert_eq!(fail(email), (401, "invalid_credentials"));
        }
    }
    let memory = secs(FAILURE_MEMORY_SECS as i64);
    f.at(memory);
    assert_eq!(
        fail("kept@x.com"),
        (429, "account_locked"),
        "a day after, the failures still count"
    );
    f.at(memory + ms(1));
    assert_eq!(
        fail("forgotten@x.com"),
        (401, "invalid_credentials"),
        "just after, the count starts again"
    );
    assert_eq!(fail("forgotten@x.com"), (401, "invalid_credentials"));
    assert_eq!(fail("forgotten@x.com"), (429, "account_locked"));
}
