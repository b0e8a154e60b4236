//! One-time codes of portal users (`domain::portal::codes`): what a wrong code costs, who is
//! sent a code, activation and password change with a code, and how codes are stored. The
//! time rules (lifetime, resend bound) are in `clock/codes.rs`.

use std::sync::Arc;

use serde_json::json;
use tempfile::TempDir;

use portico_core::domain::portal::codes::{code_event, CodeEvent, CODE_DIGITS, MAX_WRONG_CODES};
use portico_core::domain::{
    Domain, DomainError, NewUser, PageRequest, PortalSettingsPatch, ProfileInput, Registration,
    SignupUrlOptions, Tenant, TenantSettingsPatch,
};
use portico_core::storage::prelude::*;
use portico_core::users::UserStatus;
use portico_store_redb::{RawReader, Store, Table};

struct Fixture {
    domain: Domain,
    store: Arc<Store>,
    tenant: Tenant,
    _dir: TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let domain = Domain::new(store.clone(), "http://portico.test".into());
    let tenant = domain.tenants.create_tenant("acme", None).unwrap();
    let patch: PortalSettingsPatch = serde_json::from_value(json!({"published": true})).unwrap();
    domain
        .portal
        .update_portal_settings(&tenant, patch)
        .unwrap();
    Fixture {
        domain,
        store,
        tenant,
        _dir: dir,
    }
}

/// The HTTP status and code of a refusal.
fn refused<T: std::fmt::Debug>(result: Result<T, DomainError>) -> (u16, &'static str) {
    match result.expect_err("the operation is refused") {
        DomainError::BadRequest { code, .. } => (400, code),
        DomainError::Unauthorized(_) => (401, "unauthorized"),
        DomainError::Conflict { code, .. } => (409, code),
        DomainError::TooManyRequests { code, .. } => (429, code),
        other => panic!("unexpected refusal {other:?}"),
    }
}

const INVALID: (u16, &str) = (400, "invalid_code");

impl Fixture {
    fn profile(&self, email: &str) -> String {
        let input: ProfileInput = serde_json::from_value(json!({ "email": email })).unwrap();
        let profiles = &self.domain.profiles;
        profiles.create_profile(&self.tenant, input).unwrap().id
    }

    /// An Invited portal user (`addUser`); answers its id.
    fn invited(&self, email: &str) -> String {
        let profile = self.profile(email);
        let portal = &self.domain.portal;
        portal.add_portal_user(&self.tenant, &profile).unwrap().id
    }

    /// An Active portal user who registered with `password`; answers its id.
    fn active(&self, email: &str, password: &str) -> String {
        let profile = self.profile(email);
        let options = SignupUrlOptions {
            with_sign: true,
            refresh: false,
        };
        let portal = &self.domain.portal;
        let url = portal.signup_url(&self.tenant, &profile, &options).unwrap();
        let registration = Registration {
            token: url.url.split("token=").nth(1).unwrap().into(),
            password: password.into(),
            confirmation_code: None,
        };
        let user = portal.register_portal_user(&self.tenant, registration);
        user.unwrap().id
    }

    /// The outbox: each message's template, recipient and data.
    fn outbox(&self) -> Vec<(String, String, serde_json::Value)> {
        let page = PageRequest::default();
        let messages = self
            .domain
            .notifications
            .list_notifications(&self.tenant, &page);
        let items = messages.unwrap().items.into_iter();
        items.map(|n| (n.template, n.recipient, n.data)).collect()
    }

    /// Sends an `event` code to `email` and answers it, as its message carries it.
    fn code(&self, email: &str, event: CodeEvent) -> String {
        let portal = &self.domain.portal;
        portal.send_code(&self.tenant, email, event).unwrap();
        let (_, recipient, data) = self.outbox().pop().unwrap();
        assert_eq!(recipient, email.to_lowercase(), "sent to the stored email");
        data["code"].as_str().unwrap().to_string()
    }

    fn check(&self, email: &str, event: CodeEvent, code: &str) -> Result<(), DomainError> {
        self.domain
            .portal
            .check_code(&self.tenant, email, event, code)
    }

    fn status(&self, user_id: &str) -> UserStatus {
        self.domain
            .users
            .get_user(&self.tenant, user_id)
            .unwrap()
            .status
    }
}

/// A code of the same length that is not `code`.
fn wrong(code: &str) -> String {
    let last = code.chars().last().unwrap().to_digit(10).unwrap();
    format!("{}{}", &code[..code.len() - 1], (last + 1) % 10)
}

#[test]
fn events_have_their_wire_names_and_no_others() {
    assert_eq!(code_event("activation").unwrap(), CodeEvent::Activation);
    assert_eq!(
        code_event("password_reset").unwrap(),
        CodeEvent::PasswordReset
    );
    assert_eq!(refused(code_event("signup")), (400, "unknown_event"));
    assert_eq!(refused(code_event("Activation")), (400, "unknown_event"));
    let names = serde_json::to_value(CodeEvent::ALL).unwrap();
    assert_eq!(names, json!(["activation", "password_reset"]));
}

#[test]
fn a_code_has_its_digits_and_a_right_one_is_not_used_up_by_a_check() {
    let f = fixture();
    f.active("pat@example.com", "portal-password");
    let code = f.code("Pat@Example.com", CodeEvent::PasswordReset);
    assert_eq!(code.len(), CODE_DIGITS as usize);
    assert!(code.chars().all(|c| c.is_ascii_digit()));
    let (template, _, data) = f.outbox().pop().unwrap();
    assert_eq!(template, "password_reset_code");
    assert_eq!(data["event"], "password_reset");
    f.check("pat@example.com", CodeEvent::PasswordReset, &code)
        .unwrap();
    f.check("pat@example.com", CodeEvent::PasswordReset, &code)
        .unwrap();
    // A code is for its event only.
    let other = f.check("pat@example.com", CodeEvent::Activation, &code);
    assert_eq!(refused(other), INVALID);
}

#[test]
fn wrong_codes_count_and_the_last_allowed_one_burns_the_code() {
    let f = fixture();
    f.active("pat@example.com", "portal-password");
    let code = f.code("pat@example.com", CodeEvent::PasswordReset);
    let event = CodeEvent::PasswordReset;
    for _ in 1..MAX_WRONG_CODES {
        assert_eq!(
            refused(f.check("pat@example.com", event, &wrong(&code))),
            INVALID
        );
    }
    // One wrong code short of the limit: the right code still works.
    f.check("pat@example.com", event, &code).unwrap();
    assert_eq!(refused(f.check("pat@example.com", event, "")), INVALID);
    // Burnt: the right code is refused, for changing the password too.
    assert_eq!(refused(f.check("pat@example.com", event, &code)), INVALID);
    let change = f.domain.portal.change_password_with_code(
        &f.tenant,
        "pat@example.com",
        &code,
        "new-password",
        "new-password",
    );
    assert_eq!(refused(change), INVALID);
}

#[test]
fn sending_answers_the_same_for_any_email_and_sends_only_to_who_may_use_the_code() {
    let f = fixture();
    let invited = f.invited("new@example.com");
    f.active("pat@example.com", "portal-password");
    let internal: NewUser = serde_json::from_value(json!({
        "firstName": "In", "lastName": "Ternal", "email": "staff@example.com",
        "sendWelcomeEmail": false,
        "authentication": {
            "generatePassword": false, "password": "staff-password",
            "passwordConfirmation": "staff-password",
        },
    }))
    .unwrap();
    f.domain.users.create_user(&f.tenant, internal).unwrap();
    let before = f.outbox().len();
    let nothing_sent = [
        ("nobody@example.com", CodeEvent::Activation),
        ("nobody@example.com", CodeEvent::PasswordReset),
        ("not an email", CodeEvent::PasswordReset),
        ("staff@example.com", CodeEvent::PasswordReset),
        ("pat@example.com", CodeEvent::Activation),
        ("new@example.com", CodeEvent::PasswordReset),
    ];
    for (email, event) in nothing_sent {
        f.domain.portal.send_code(&f.tenant, email, event).unwrap();
    }
    assert_eq!(f.outbox().len(), before, "nothing was sent");
    // Checking a code of an unknown email is the same refusal as a wrong code.
    let unknown = f.check("nobody@example.com", CodeEvent::Activation, "12345678");
    assert_eq!(refused(unknown), INVALID);
    assert_eq!(f.status(&invited), UserStatus::Invited);
}

#[test]
fn an_activation_code_activates_an_invited_user_once() {
    let f = fixture();
    let user = f.invited("new@example.com");
    let code = f.code("new@example.com", CodeEvent::Activation);
    let (template, _, data) = f.outbox().pop().unwrap();
    assert_eq!(
        (template.as_str(), &data["userId"]),
        ("activation_code", &json!(user))
    );
    let portal = &f.domain.portal;
    let wrong_one = portal.activate_with_code(&f.tenant, "new@example.com", &wrong(&code));
    assert_eq!(refused(wrong_one), INVALID);
    assert_eq!(f.status(&user), UserStatus::Invited);

    portal
        .activate_with_code(&f.tenant, "new@example.com", &code)
        .unwrap();
    assert_eq!(f.status(&user), UserStatus::Active);
    let again = portal.activate_with_code(&f.tenant, "new@example.com", &code);
    assert_eq!(refused(again), (409, "already_active"));
    let used = f.check("new@example.com", CodeEvent::Activation, &code);
    assert_eq!(refused(used), INVALID, "the code is used up");
    let unknown = portal.activate_with_code(&f.tenant, "nobody@example.com", &code);
    assert_eq!(refused(unknown), INVALID);
}

#[test]
fn a_password_reset_code_sets_a_password_under_the_policy_and_ends_the_sessions() {
    let f = fixture();
    f.active("pat@example.com", "old-password");
    let portal = &f.domain.portal;
    let session = portal
        .portal_sign_in(&f.tenant, "pat@example.com", "old-password")
        .unwrap();
    let patch = TenantSettingsPatch {
        password_min_length: Some(12),
        ..Default::default()
    };
    f.domain
        .tenants
        .update_tenant_settings(&f.tenant, patch)
        .unwrap();
    let code = f.code("pat@example.com", CodeEvent::PasswordReset);
    let change = |code: &str, password: &str, repeat: &str| {
        portal.change_password_with_code(&f.tenant, "pat@example.com", code, password, repeat)
    };
    let differ = change(&code, "long-new-password", "long-new-passwort");
    assert_eq!(refused(differ), (400, "passwords_differ"));
    assert_eq!(
        refused(change(&code, "short-pw", "short-pw")),
        (400, "password_too_short")
    );
    let wrong_one = change(&wrong(&code), "long-new-password", "long-new-password");
    assert_eq!(refused(wrong_one), INVALID);
    f.domain
        .portal
        .authenticate_portal_session("acme", &session.access_token)
        .expect("nothing changed yet");

    change(&code, "long-new-password", "long-new-password").unwrap();
    let ended = portal.authenticate_portal_session("acme", &session.access_token);
    assert_eq!(refused(ended), (401, "unauthorized"));
    let (template, _, _) = f.outbox().pop().unwrap();
    assert_eq!(template, "password_changed");
    portal
        .portal_sign_in(&f.tenant, "pat@example.com", "long-new-password")
        .unwrap();
    let old = portal.portal_sign_in(&f.tenant, "pat@example.com", "old-password");
    assert!(old.is_err());
    let again = change(&code, "other-new-password", "other-new-password");
    assert_eq!(refused(again), INVALID, "the code is used up");
}

#[test]
fn codes_are_stored_as_keyed_digests_only_and_go_with_their_user() {
    let f = fixture();
    let invited = f.invited("new@example.com");
    let active = f.active("pat@example.com", "portal-password");
    let codes = [
        f.code("new@example.com", CodeEvent::Activation),
        f.code("pat@example.com", CodeEvent::PasswordReset),
    ];
    let read = f.store.read().unwrap();
    let mut stored = Vec::new();
    for &table in Table::ALL {
        for (key, value) in read
            .scan_raw(table, &f.tenant.id, "", None, usize::MAX)
            .unwrap()
        {
            stored.extend_from_slice(key.as_bytes());
            stored.extend_from_slice(&value);
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    for code in &codes {
        assert!(!stored.contains(code.as_str()), "a code is stored in clear");
    }
    let digest = read.user_code(&f.tenant.id, &invited, CodeEvent::Activation);
    assert!(digest.unwrap().unwrap().digest.starts_with("hmac-sha256:"));
    drop(read);

    f.domain.users.delete_user(&f.tenant, &active).unwrap();
    let read = f.store.read().unwrap();
    let gone = read.user_code(&f.tenant.id, &active, CodeEvent::PasswordReset);
    assert_eq!(gone.unwrap(), None);
}
