//! notifications.rs
use chrono::{DateTime, Utc};
use portico_core::domain::notifications::{enqueue_email, unreadable_data, Opened};
use portico_core::outbox::{DeliveryState, MessageStatus, StoredNotification};
use portico_core::storage::prelude::*;
use portico_core::storage::WriteTransaction;
use serde_json::json;

use chrono::Duration;

use portico_store_redb::Store;

/// A message queued `days_ago` days before `now`, under an id that sorts in that order.
fn queued(tx: &mut dyn WriteTransaction, days_ago: i64, now: DateTime<Utc>) {
    let message = StoredNotification {
        id: format!("0000-{:04}", 9999 - days_ago),
        recipient: "pat@example.com".into(),
        channel: "email".into(),
        template: "password_reset".into(),
        sealed_data: None,
        data: Some(json!({"link": "http://x/reset"})),
        user_id: None,
        status: MessageStatus::Pending,
        created_at: now - Duration::days(days_ago),
        delivery: DeliveryState::default(),
    };
    tx.insert_notification("t", &message).unwrap();
}

fn ages_in_days(store: &Store, now: DateTime<Utc>) -> Vec<i64> {
    store
        .read()
        .unwrap()
        .notifications_after("t", None, 100)
        .unwrap()
        .into_iter()
        .map(|n| (now - n.created_at).num_days())
        .collect()
}

#[test]
fn data_is_stored_sealed_and_opened_for_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut tx = store.write().unwrap();
    let data = json!({"signupLink": "http://x/signup?token=psu_secret"});
    enqueue_email(
        &mut tx,
        "t",
        "a@x.com",
        None,
        "portal_invitation",
        data.clone(),
        Utc::now(),
    )
    .unwrap();
    queued(&mut tx, 1, Utc::now());
    tx.commit().unwrap();
    let raw: Vec<(String, serde_json::Value)> = store
        .read()
        .unwrap()
        .notifications_after("t", None, 10)
        .unwrap()
        .into_iter()
        .map(|n| (n.id.clone(), serde_json::to_value(n).unwrap()))
        .collect();
    assert_eq!(raw.len(), 2);
    let (legacy, sealed) = (&raw[0].1, &raw[1].1);
    assert!(!sealed.to_string().contains("psu_secret"), "{sealed}");
    let open = |v: &serde_json::Value| {
        serde_json::from_value::<StoredNotification>(v.clone())
            .unwrap()
            .opened(store.keys())
            .data
    };
    assert_eq!(open(sealed), data);
    // Messages queued before sealing read as they were.
    assert_eq!(open(legacy), json!({"link": "http://x/reset"}));
    // Under another key the seal does not open, and says so.
    let other = tempfile::tempdir().unwrap();
    let other_keys = portico_store_redb::KeyFile::load_or_create(other.path()).unwrap();
    let stored: StoredNotification = serde_json::from_value(sealed.clone()).unwrap();
    assert_eq!(stored.opened(&other_keys).data, unreadable_data());
}

#[test]
fn queuing_a_message_sheds_the_oldest_expired_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let now = Utc::now();
    let mut tx = store.write().unwrap();
    for days_ago in [40, 35, 31, 29] {
        queued(&mut tx, days_ago, now);
    }
    tx.commit().unwrap();
    let enqueue = || {
        let mut tx = store.write().unwrap();
        enqueue_email(&mut tx, "t", "a@x.com", None, "welcome", json!({}), now).unwrap();
        tx.commit().unwrap();
    };
    enqueue();
    // Two expired ones per message, oldest first.
    assert_eq!(ages_in_days(&store, now), [31, 29, 0]);
    enqueue();
    // The 29-day-old message is within the retention.
    assert_eq!(ages_in_days(&store, now), [29, 0, 0]);
}
