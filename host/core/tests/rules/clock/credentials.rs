//! Reset codes and signup links: each works until its TTL has passed, not a moment longer.

use serde_json::json;

use super::*;
use portico_core::domain::{NewUser, TenantSettingsPatch};

/// An internal user with a password; answers the user's id.
fn user_with_password(f: &Fixture, email: &str, password: &str) -> String {
    let new: NewUser = serde_json::from_value(json!({
        "firstName": "Pat", "lastName": "Doe", "email": email, "sendWelcomeEmail": false,
        "authentication": {
            "generatePassword": false, "password": password, "passwordConfirmation": password,
        },
    }))
    .unwrap();
    f.domain.users.create_user(&f.tenant, new).unwrap().id
}

#[test]
fn a_reset_code_works_until_its_ttl_and_is_refused_from_then_on() {
    let f = fixture();
    let patch = TenantSettingsPatch {
        reset_code_ttl_seconds: Some(60),
        ..Default::default()
    };
    f.domain
        .tenants
        .update_tenant_settings(&f.tenant, patch)
        .unwrap();
    let used = user_with_password(&f, "used@x.com", "old-password");
    let late = user_with_password(&f, "late@x.com", "old-password");
    let code_of = |user: &str| {
        let reset = f
            .domain
            .users
            .reset_password(&f.tenant, user, false)
            .unwrap();
        assert_eq!(reset.expires_at, start() + secs(60));
        reset.reset_code
    };
    let (used_code, late_code) = (code_of(&used), code_of(&late));

    // Just before the TTL: both codes are live, and one completes a reset.
    f.at(secs(60) - ms(1));
    let info = f
        .domain
        .users
        .password_reset_info(&f.tenant, &late_code)
        .unwrap();
    assert_eq!(info.expires_at, start() + secs(60));
    f.domain
        .users
        .complete_password_reset(&f.tenant, &used_code, "new-password", None)
        .unwrap();

    // From the TTL on: the other code is refused and changes nothing.
    f.at(secs(60));
    let expired = (400, "reset_code_expired");
    assert_eq!(
        refused(f.domain.users.password_reset_info(&f.tenant, &late_code)),
        expired
    );
    assert_eq!(
        refused(f.domain.users.complete_password_reset(
            &f.tenant,
            &late_code,
            "new-password",
            None
        )),
        expired
    );
    f.domain
        .users
        .update_password(&f.tenant, &late, "old-password", "new-password", false)
        .expect("the old password still works");
}

#[test]
fn a_signup_link_works_until_its_ttl_and_expired_links_stop_counting() {
    let f = fixture();
    f.patch_portal(json!({ "signupLinkTtlSeconds": 600 }));
    let profile = f.profile("pat@example.com");
    let (long, live) = f.signup_link(&profile);
    assert_eq!(live, 1);
    f.patch_portal(json!({ "signupLinkTtlSeconds": 60 }));
    f.at(secs(10));
    let (short, live) = f.signup_link(&profile);
    assert_eq!(live, 2, "without refresh, earlier links keep working");

    // Just before its TTL the short link is live.
    f.at(secs(70) - ms(1));
    let info = f.domain.portal.signup_info(&f.tenant, &short).unwrap();
    assert_eq!(info.expires_at, start() + secs(70));

    // From its TTL on it is refused, for registering too.
    f.at(secs(70));
    let invalid = (400, "invalid_signup_link");
    assert_eq!(
        refused(f.domain.portal.signup_info(&f.tenant, &short)),
        invalid
    );
    assert_eq!(refused(f.register(&short, "portal-password")), invalid);
    // The expired link no longer counts (it is pruned as the next one is issued).
    let (next, live) = f.signup_link(&profile);
    assert_eq!(live, 2, "the long link and the new one");

    // A link registers up to just before its TTL.
    f.at(secs(130) - ms(1));
    f.register(&next, "portal-password").unwrap();

    // The long link lives its own TTL.
    f.at(secs(600) - ms(1));
    f.domain.portal.signup_info(&f.tenant, &long).unwrap();
    f.at(secs(600));
    assert_eq!(
        refused(f.domain.portal.signup_info(&f.tenant, &long)),
        invalid
    );
}
