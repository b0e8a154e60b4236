//! One-time codes of portal users: a code works until its lifetime has passed, not a moment
//! longer, and a new code for the same user and event is sent once per resend interval.

use portico_core::domain::portal::codes::{CodeEvent, CODE_RESEND_SECS, CODE_TTL_SECS};
use portico_core::domain::PageRequest;

use super::*;

const INVALID: (u16, &str) = (400, "invalid_code");

impl Fixture {
    /// An Invited portal user (`addUser`) with email `email`; answers its id.
    fn invited(&self, email: &str) -> String {
        let profile = self.profile(email);
        let portal = &self.domain.portal;
        portal.add_portal_user(&self.tenant, &profile).unwrap().id
    }

    /// The code carried by the newest message of the outbox, and how many messages it has.
    fn last_code(&self) -> (String, usize) {
        let page = PageRequest::default();
        let outbox = self
            .domain
            .notifications
            .list_notifications(&self.tenant, &page);
        let items = outbox.unwrap().items;
        let code = items.last().unwrap().data["code"].as_str().unwrap().into();
        (code, items.len())
    }

    fn send(&self, email: &str, event: CodeEvent) -> Result<(), DomainError> {
        self.domain.portal.send_code(&self.tenant, email, event)
    }

    fn check(&self, email: &str, event: CodeEvent, code: &str) -> Result<(), DomainError> {
        self.domain
            .portal
            .check_code(&self.tenant, email, event, code)
    }
}

#[test]
fn a_code_works_until_its_lifetime_and_is_refused_from_then_on() {
    let f = fixture();
    f.patch_portal(json!({ "published": true }));
    f.invited("late@example.com");
    f.invited("just@example.com");
    f.portal_user("pat@example.com", "old-password");
    let ttl = secs(CODE_TTL_SECS as i64);
    let code_of = |email, event| {
        f.send(email, event).unwrap();
        f.last_code().0
    };
    let late = code_of("late@example.com", CodeEvent::Activation);
    let just = code_of("just@example.com", CodeEvent::Activation);
    let reset = code_of("pat@example.com", CodeEvent::PasswordReset);

    // Just before the lifetime: the codes are live, and one activates its user.
    f.at(ttl - ms(1));
    f.check("late@example.com", CodeEvent::Activation, &late)
        .unwrap();
    f.check("pat@example.com", CodeEvent::PasswordReset, &reset)
        .unwrap();
    let portal = &f.domain.portal;
    portal
        .activate_with_code(&f.tenant, "just@example.com", &just)
        .unwrap();

    // From the lifetime on: refused, for every use.
    f.at(ttl);
    let activate = portal.activate_with_code(&f.tenant, "late@example.com", &late);
    assert_eq!(refused(activate), INVALID);
    let check = f.check("late@example.com", CodeEvent::Activation, &late);
    assert_eq!(refused(check), INVALID);
    let change = portal.change_password_with_code(
        &f.tenant,
        "pat@example.com",
        &reset,
        "new-password",
        "new-password",
    );
    assert_eq!(refused(change), INVALID);
    portal
        .portal_sign_in(&f.tenant, "pat@example.com", "old-password")
        .expect("the old password still works");
}

#[test]
fn a_new_code_is_sent_at_most_once_per_resend_interval_and_replaces_the_last() {
    let f = fixture();
    f.patch_portal(json!({ "published": true }));
    f.portal_user("pat@example.com", "portal-password");
    let resend = secs(CODE_RESEND_SECS as i64);
    let event = CodeEvent::PasswordReset;
    f.at(secs(10));
    f.send("pat@example.com", event).unwrap();
    let (first, sent) = f.last_code();

    // Within the interval: the same answer, nothing sent (no new code, no message).
    for at in [secs(11), secs(10) + resend - ms(1)] {
        f.at(at);
        f.send("pat@example.com", event).unwrap();
    }
    assert_eq!(f.last_code(), (first.clone(), sent));

    // From the end of the interval on: a new code, which replaces the first.
    f.at(secs(10) + resend);
    f.send("pat@example.com", event).unwrap();
    let (second, now_sent) = f.last_code();
    assert_eq!(now_sent, sent + 1);
    if second != first {
        let old = f.check("pat@example.com", event, &first);
        assert_eq!(refused(old), INVALID);
    }
    f.check("pat@example.com", event, &second).unwrap();
}
