//! The sign-in attempts aggregate of the storage port on a real PostgreSQL, as the embedded
//! engine's test checks it: a record saved again moves in the time order, a delete takes it
//! out, and forgetting takes, of the tenant's oldest, only those before the cutoff.

mod support;

use chrono::{Duration, SubsecRound, Utc};
use portico_core::sign_in_attempts::SignInAttempts;
use portico_core::storage::{SignInAttemptReads, SignInAttemptWrites};
use support::{database, on_a_plain_thread, Postgres};

fn failed(hours_ago: i64) -> SignInAttempts {
    SignInAttempts {
        failures: 1,
        locked_until: None,
        last_failure_at: Some(Utc::now() - Duration::hours(hours_ago)),
    }
}

/// Tenant `t`'s emails with a record in email order, and in the order of their last failure.
async fn emails(server: &Postgres) -> (Vec<String>, Vec<String>) {
    let client = server.connect("portico").await;
    let list = |order: &'static str| {
        let client = &client;
        async move {
            let sql = format!(
                "SELECT email FROM sign_in_attempts WHERE tenant_id = 't' ORDER BY {order}"
            );
            client
                .query(&sql, &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect::<Vec<String>>()
        }
    };
    (list("email").await, list("last_failure_at, email").await)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_time_index_follows_the_last_failure_and_forgets_the_oldest() {
    let (server, store) = database(&["t", "other"]).await;
    on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        tx.save_sign_in_attempts("t", "a@x", &failed(5)).unwrap();
        tx.save_sign_in_attempts("t", "b@x", &failed(4)).unwrap();
        tx.save_sign_in_attempts("t", "c@x", &failed(3)).unwrap();
        tx.save_sign_in_attempts("t", "d@x", &failed(1)).unwrap();
        // a@x fails again: it is now the most recent.
        tx.save_sign_in_attempts("t", "a@x", &failed(0)).unwrap();
        tx.delete_sign_in_attempts("t", "d@x").unwrap();
        tx.commit().unwrap();
    })
    .await;
    assert_eq!(
        emails(&server).await,
        (
            vec!["a@x".into(), "b@x".into(), "c@x".into()],
            vec!["b@x".into(), "c@x".into(), "a@x".into()]
        )
    );

    // Of the two oldest, only those before the cutoff go.
    on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        let cutoff = Utc::now() - Duration::minutes(210);
        assert_eq!(
            tx.forget_sign_in_attempts_before("t", cutoff, 2).unwrap(),
            1
        );
        assert!(tx.sign_in_attempts("t", "b@x").unwrap().is_none());
        assert_eq!(
            tx.forget_sign_in_attempts_before("other", Utc::now(), 2)
                .unwrap(),
            0
        );
        tx.commit().unwrap();
    })
    .await;
    assert_eq!(
        emails(&server).await,
        (
            vec!["a@x".into(), "c@x".into()],
            vec!["c@x".into(), "a@x".into()]
        )
    );

    // At most `limit` go, the oldest first.
    on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        assert_eq!(
            tx.forget_sign_in_attempts_before("t", Utc::now(), 1)
                .unwrap(),
            1
        );
        assert!(tx.sign_in_attempts("t", "c@x").unwrap().is_none());
        assert!(tx.sign_in_attempts("t", "a@x").unwrap().is_some());
        tx.commit().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_reads_back_whole_and_an_undated_one_is_refused() {
    let (_server, store) = database(&["t", "other"]).await;
    on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        let at = Utc::now().trunc_subsecs(6);
        let locked = SignInAttempts {
            failures: 0,
            locked_until: Some(at + Duration::minutes(15)),
            last_failure_at: Some(at),
        };
        tx.save_sign_in_attempts("t", "a@x", &locked).unwrap();
        let undated = SignInAttempts {
            failures: 1,
            locked_until: None,
            last_failure_at: None,
        };
        assert!(tx.save_sign_in_attempts("t", "b@x", &undated).is_err());
        drop(tx);

        let mut tx = store.write().unwrap();
        tx.save_sign_in_attempts("t", "a@x", &locked).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let stored = read.sign_in_attempts("t", "a@x").unwrap().unwrap();
        assert_eq!(stored.failures, 0);
        assert_eq!(stored.locked_until, locked.locked_until);
        assert_eq!(stored.last_failure_at, Some(at));
        assert!(read.sign_in_attempts("other", "a@x").unwrap().is_none());
    })
    .await;
}
