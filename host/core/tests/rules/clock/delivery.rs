//! Delivering the outbox: a due message is leased to one worker until `OUTBOX_LEASE_SECS`
//! pass (then another takes it over), a temporary failure is retried after 60, 120, 240...
//! seconds up to `DELIVERY_RETRY_MAX_SECS`, the last of `MAX_DELIVERY_ATTEMPTS` marks it
//! failed, and a message recorded sent is never leased again.

use serde_json::json;

use super::*;
use portico_core::domain::delivery::{
    mail_message_id, retry_delay, LeasedMessage, DELIVERY_RETRY_BASE_SECS, DELIVERY_RETRY_MAX_SECS,
    LAST_ERROR_MAX_CHARS, MAX_DELIVERY_ATTEMPTS, OUTBOX_LEASE_SECS,
};
use portico_core::domain::notifications::MessageStatus;
use portico_core::domain::{NewUser, Notification, PageRequest};

/// Queues one password-reset message for a new user.
fn queue_message(f: &Fixture) {
    queue_for(f, &f.tenant, "pat@x.com");
}

/// Queues one password-reset message for a new user of `tenant` at `email`.
fn queue_for(f: &Fixture, tenant: &Tenant, email: &str) {
    let new: NewUser = serde_json::from_value(json!({
        "firstName": "Pat", "lastName": "Doe", "email": email, "sendWelcomeEmail": false,
    }))
    .unwrap();
    let user = f.domain.users.create_user(tenant, new).unwrap().id;
    f.domain.users.reset_password(tenant, &user, true).unwrap();
}

fn lease(f: &Fixture, worker: &str) -> Vec<LeasedMessage> {
    f.domain
        .notifications
        .lease_due_messages(worker, 10, 10)
        .unwrap()
}

fn the_message(f: &Fixture) -> Notification {
    let page = f
        .domain
        .notifications
        .list_notifications(&f.tenant, &PageRequest::default())
        .unwrap();
    assert_eq!(page.items.len(), 1);
    page.items.into_iter().next().unwrap()
}

#[test]
fn a_due_message_is_leased_to_one_worker_until_the_lease_expires() {
    let f = fixture();
    queue_message(&f);
    let queued = the_message(&f);
    assert_eq!(queued.status, MessageStatus::Pending);
    assert_eq!(queued.next_attempt_at, Some(start()));
    assert_eq!(queued.attempts, 0);

    let leased = lease(&f, "w1");
    assert_eq!(leased.len(), 1);
    let message = &leased[0];
    assert_eq!(message.tenant_id, f.tenant.id);
    assert_eq!(message.message.id, queued.id);
    assert!(message.message.data["link"].is_string(), "opened data");
    assert_eq!(message.leased_until, start() + secs(OUTBOX_LEASE_SECS));
    assert_eq!(
        message.mail_message_id("acme.test"),
        format!("<{}@acme.test>", queued.id)
    );
    assert!(lease(&f, "w2").is_empty(), "held by w1");
    f.at(secs(OUTBOX_LEASE_SECS) - ms(1));
    assert!(lease(&f, "w2").is_empty(), "still held just before expiry");
    f.at(secs(OUTBOX_LEASE_SECS));
    let taken = lease(&f, "w2");
    assert_eq!(taken.len(), 1, "taken over at expiry");

    // w1's late failure does not count over w2's lease; its late success does.
    let (tenant, id) = (f.tenant.id.as_str(), queued.id.as_str());
    let n = &f.domain.notifications;
    assert!(!n
        .message_failed_temporarily("w1", tenant, id, "451 busy")
        .unwrap());
    assert!(n.message_sent("w1", tenant, id).unwrap());
    assert!(!n.message_sent("w2", tenant, id).unwrap(), "sent once");
    let sent = the_message(&f);
    assert_eq!(sent.status, MessageStatus::Sent);
    assert_eq!(sent.sent_at, Some(start() + secs(OUTBOX_LEASE_SECS)));
    assert_eq!(sent.attempts, 1);
    assert_eq!(sent.next_attempt_at, None);
    f.at(secs(100 * OUTBOX_LEASE_SECS));
    assert!(
        lease(&f, "w3").is_empty(),
        "a sent message is never leased again"
    );
}

#[test]
fn temporary_failures_back_off_and_the_last_attempt_fails_the_message() {
    let f = fixture();
    queue_message(&f);
    let id = the_message(&f).id;
    let tenant = f.tenant.id.clone();
    let expected: Vec<i64> = (1..MAX_DELIVERY_ATTEMPTS as i64)
        .map(|n| (DELIVERY_RETRY_BASE_SECS << (n - 1)).min(DELIVERY_RETRY_MAX_SECS))
        .collect();
    assert_eq!(expected, [60, 120, 240, 480, 960, 1920, 3600]);
    let mut now = secs(0);
    for (attempt, delay) in (1..).zip(&expected) {
        assert_eq!(lease(&f, "w").len(), 1, "attempt {attempt}");
        let answer = format!("451 try later ({attempt})");
        let n = &f.domain.notifications;
        assert!(n
            .message_failed_temporarily("w", &tenant, &id, &answer)
            .unwrap());
        let message = the_message(&f);
        assert_eq!(message.status, MessageStatus::Pending);
        assert_eq!(message.attempts, attempt);
        assert_eq!(message.last_error.as_deref(), Some(answer.as_str()));
        assert_eq!(retry_delay(attempt), secs(*delay));
        now += secs(*delay);
        assert_eq!(message.next_attempt_at, Some(start() + now));
        f.at(now - ms(1));
        assert!(lease(&f, "w").is_empty(), "not due before its retry");
        f.at(now);
    }
    assert_eq!(lease(&f, "w").len(), 1, "the last attempt");
    let n = &f.domain.notifications;
    assert!(n
        .message_failed_temporarily("w", &tenant, &id, "451 still busy")
        .unwrap());
    let failed = the_message(&f);
    assert_eq!(failed.status, MessageStatus::Failed);
    assert_eq!(failed.attempts, MAX_DELIVERY_ATTEMPTS);
    assert_eq!(failed.last_error.as_deref(), Some("451 still busy"));
    assert_eq!(failed.next_attempt_at, None);
    f.at(now + secs(10 * DELIVERY_RETRY_MAX_SECS));
    assert!(lease(&f, "w").is_empty(), "failed for good");
}

#[test]
fn a_permanent_failure_is_final_and_keeps_a_bounded_answer() {
    let f = fixture();
    queue_message(&f);
    let id = the_message(&f).id;
    assert_eq!(lease(&f, "w").len(), 1);
    let answer = format!("550 {}", "x".repeat(2 * LAST_ERROR_MAX_CHARS));
    let n = &f.domain.notifications;
    assert!(n
        .message_failed_permanently("w", &f.tenant.id, &id, &answer)
        .unwrap());
    let failed = the_message(&f);
    assert_eq!(failed.status, MessageStatus::Failed);
    assert_eq!(failed.attempts, 1);
    let kept = failed.last_error.unwrap();
    assert_eq!(
        kept.chars().count(),
        LAST_ERROR_MAX_CHARS + 1,
        "cut, with an ellipsis"
    );
    assert!(kept.starts_with("550 xxx") && kept.ends_with('…'));
    f.at(secs(10 * DELIVERY_RETRY_MAX_SECS));
    assert!(lease(&f, "w").is_empty());
}

#[test]
fn an_acknowledged_message_is_neither_leased_nor_recorded() {
    let f = fixture();
    queue_message(&f);
    let id = the_message(&f).id;
    assert_eq!(lease(&f, "w").len(), 1);
    let n = &f.domain.notifications;
    let opened = n.open_message(&f.tenant.id, &id).unwrap().unwrap();
    assert!(opened.data["link"].is_string(), "opened data");
    assert_eq!(mail_message_id(&id, "x.test"), format!("<{id}@x.test>"));
    n.acknowledge_notification(&f.tenant, &id).unwrap();
    assert!(!n.message_sent("w", &f.tenant.id, &id).unwrap());
    assert!(n.open_message(&f.tenant.id, &id).unwrap().is_none());
    f.at(secs(OUTBOX_LEASE_SECS));
    assert!(lease(&f, "w").is_empty());
}

#[test]
fn messages_are_leased_fairly_across_tenants() {
    let f = fixture();
    let other = f.domain.tenants.create_tenant("other", None).unwrap();
    for email in ["a@x.com", "b@x.com", "c@x.com"] {
        queue_for(&f, &f.tenant, email);
    }
    queue_for(&f, &other, "d@x.com");
    let n = &f.domain.notifications;
    let leased = n.lease_due_messages("w", 10, 2).unwrap();
    let tenants: Vec<&str> = leased.iter().map(|m| m.tenant_id.as_str()).collect();
    let (acme, other) = (f.tenant.id.as_str(), other.id.as_str());
    assert_eq!(
        tenants,
        [acme, other, acme],
        "two of a tenant at most, in turn"
    );
    let rest = n.lease_due_messages("w2", 10, 2).unwrap();
    assert_eq!(rest.len(), 1, "the third waits for the next lease");
    assert_eq!(rest[0].tenant_id, acme);
}

#[test]
fn a_deferred_message_is_due_again_at_its_time_without_an_attempt() {
    let f = fixture();
    queue_message(&f);
    let leased = lease(&f, "w1");
    let (tenant, id) = (f.tenant.id.as_str(), leased[0].message.id.as_str());
    let n = &f.domain.notifications;
    assert!(n
        .message_deferred("w1", tenant, id, start() + secs(30))
        .unwrap());
    let deferred = the_message(&f);
    assert_eq!(deferred.attempts, 0, "not an attempt");
    assert_eq!(deferred.next_attempt_at, Some(start() + secs(30)));
    // Its lease ended: it waits for its time, then any worker takes it.
    f.at(secs(30) - ms(1));
    assert!(lease(&f, "w2").is_empty());
    f.at(secs(30));
    assert_eq!(lease(&f, "w2").len(), 1);
    // A worker whose lease was taken over cannot defer it.
    assert!(!n.message_deferred("w1", tenant, id, start()).unwrap());
}
