//! The user codes aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: one code per (user, event), replaced by the next, deleted one by one, and
//! deleted with its user without touching another user's (one whose id starts with the first
//! one's) or another tenant's; and, here, a code in clear refused by the schema.

mod support;

use chrono::{Duration, TimeZone, Utc};
use portico_core::storage::{
    CodeEvent, EmailKey, UserCode, UserCodeReads, UserCodeWrites, UserWrites,
};
use portico_store_postgres::PgStore;
use support::user;

fn key(email: &str) -> EmailKey<'_> {
    EmailKey {
        email,
        skeleton: email,
    }
}

fn code(digest: char, failed_attempts: u32) -> UserCode {
    let sent_at = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    UserCode {
        digest: format!("hmac-sha256:{}", digest.to_string().repeat(64)),
        expires_at: sent_at + Duration::minutes(15),
        failed_attempts,
        sent_at,
    }
}

/// Runs `check` on a plain thread, as the rules run, with tenant `t` and its users `u1` and
/// `u10`, and tenant `other`.
async fn on_a_rules_thread(check: impl FnOnce(&PgStore) + Send + 'static) {
    support::on_a_rules_thread(&["t", "other"], move |store| {
        let mut tx = store.write().unwrap();
        for id in ["u1", "u10"] {
            let user = user(id, &format!("{id}@x"));
            tx.insert_user("t", &user, key(&user.email)).unwrap();
        }
        tx.commit().unwrap();
        check(store)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_codes_are_kept_per_user_and_event_and_replaced() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        tx.save_user_code("t", "u1", CodeEvent::Activation, &code('a', 0))
            .unwrap();
        tx.save_user_code("t", "u1", CodeEvent::PasswordReset, &code('b', 0))
            .unwrap();
        tx.save_user_code("t", "u10", CodeEvent::Activation, &code('c', 0))
            .unwrap();
        tx.save_user_code("t", "u1", CodeEvent::Activation, &code('d', 3))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let get = |user, event| read.user_code("t", user, event).unwrap();
        assert_eq!(get("u1", CodeEvent::Activation), Some(code('d', 3)));
        assert_eq!(get("u1", CodeEvent::PasswordReset), Some(code('b', 0)));
        assert_eq!(get("u10", CodeEvent::Activation), Some(code('c', 0)));
        assert_eq!(get("u10", CodeEvent::PasswordReset), None);
        let other = read.user_code("other", "u1", CodeEvent::Activation);
        assert_eq!(other.unwrap(), None);
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx
            .delete_user_code("t", "u1", CodeEvent::PasswordReset)
            .unwrap());
        assert!(!tx
            .delete_user_code("t", "u1", CodeEvent::PasswordReset)
            .unwrap());
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(
            read.user_code("t", "u1", CodeEvent::PasswordReset).unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_user_takes_its_codes_and_no_one_elses() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        for id in ["u1", "u10"] {
            for event in CodeEvent::ALL {
                tx.save_user_code("t", id, event, &code('a', 0)).unwrap();
            }
        }
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        tx.delete_user("t", "u1", key("u1@x")).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        for event in CodeEvent::ALL {
            assert_eq!(read.user_code("t", "u1", event).unwrap(), None);
            let kept = read.user_code("t", "u10", event).unwrap();
            assert_eq!(kept, Some(code('a', 0)));
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_in_clear_or_of_no_user_is_refused() {
    on_a_rules_thread(|store| {
        let mut tx = store.write().unwrap();
        let clear = UserCode {
            digest: "12345678".into(),
            ..code('a', 0)
        };
        tx.save_user_code("t", "u1", CodeEvent::Activation, &clear)
            .expect_err("a code in clear does not fit the digest column");
        drop(tx);
        let mut tx = store.write().unwrap();
        tx.save_user_code("t", "nobody", CodeEvent::Activation, &code('a', 0))
            .expect_err("a code of no stored user is refused");
    })
    .await;
}
