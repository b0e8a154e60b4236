//! The sessions aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: each user's tokens listed by digest, a delete taking the token and its entry
//! (a delete of a token that is gone changes nothing), tokens apart per tenant. Here the user's
//! index is the tokens themselves, so no entry is ever without its token; and a deleted user
//! takes their tokens with them.

mod support;

use std::sync::Arc;

use chrono::{Duration, SubsecRound, Utc};
use portico_core::sessions::{SessionToken, TokenKind};
use portico_core::storage::{SessionReads, SessionWrites};
use portico_store_postgres::PgStore;
use support::{digest, on_a_plain_thread, Postgres};

fn token(user: &str) -> SessionToken {
    SessionToken {
        user_id: user.into(),
        kind: TokenKind::Access,
        family: "f".into(),
        expires_at: Utc::now() + Duration::seconds(60),
        meta: Default::default(),
    }
}

fn digests(tx: &impl SessionReads, user: &str) -> Vec<(String, bool)> {
    tx.sessions_of_user("t", user)
        .unwrap()
        .into_iter()
        .map(|(digest, token)| (digest, token.is_some()))
        .collect()
}

/// A fresh database holding tenants `t` and `other` and users `u1`, `u2` of `t` (a token's user
/// must exist), and the store on it.
async fn database() -> (Postgres, Arc<PgStore>) {
    let (server, store) = support::database(&["t", "other"]).await;
    server
        .connect("portico")
        .await
        .batch_execute(
            "INSERT INTO users (tenant_id, id, kind, first_name, last_name, email, status, \
             password_expired, created_at, updated_at, number) VALUES \
             ('t', 'u1', 'portal', 'A', 'A', 'u1@x', 'active', false, now(), now(), 1), \
             ('t', 'u2', 'portal', 'B', 'B', 'u2@x', 'active', false, now(), now(), 2)",
        )
        .await
        .unwrap();
    (server, store)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_user_index_follows_the_tokens() {
    let (_server, store) = database().await;
    on_a_plain_thread(&store, |store| {
        let mut tx = store.write().unwrap();
        tx.insert_session_token("t", &digest('2'), &token("u1"))
            .unwrap();
        tx.insert_session_token("t", &digest('1'), &token("u1"))
            .unwrap();
        tx.insert_session_token("t", &digest('3'), &token("u2"))
            .unwrap();
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert_eq!(
            digests(&tx, "u1"),
            [(digest('1'), true), (digest('2'), true)]
        );
        tx.delete_session_token("t", "u1", &digest('1')).unwrap();
        tx.delete_session_token("t", "u1", &digest('9')).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(digests(&read, "u1"), [(digest('2'), true)]);
        assert_eq!(digests(&read, "u2"), [(digest('3'), true)]);
        assert!(read.session_token("t", &digest('1')).unwrap().is_none());
        assert_eq!(
            read.session_token("t", &digest('2'))
                .unwrap()
                .unwrap()
                .user_id,
            "u1"
        );
        assert!(read.session_token("other", &digest('2')).unwrap().is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_reads_back_and_a_deleted_user_takes_its_tokens() {
    let (server, store) = database().await;
    let kinds = [
        ('a', TokenKind::Access),
        ('b', TokenKind::Refresh),
        ('c', TokenKind::App),
    ];
    let expires_at = (Utc::now() + Duration::seconds(60)).trunc_subsecs(6);
    on_a_plain_thread(&store, move |store| {
        let mut tx = store.write().unwrap();
        for (d, kind) in kinds {
            let token = SessionToken {
                user_id: "u2".into(),
                kind,
                family: format!("family-{d}"),
                expires_at,
                meta: Default::default(),
            };
            tx.insert_session_token("t", &digest(d), &token).unwrap();
        }
        tx.insert_session_token("t", &digest('d'), &token("u1"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        for (d, kind) in kinds {
            let stored = read.session_token("t", &digest(d)).unwrap().unwrap();
            assert_eq!(stored.kind, kind);
            assert_eq!(stored.family, format!("family-{d}"));
            assert_eq!(stored.expires_at, expires_at);
        }
    })
    .await;

    let deleted = server
        .connect("portico")
        .await
        .execute("DELETE FROM users WHERE tenant_id = 't' AND id = 'u2'", &[])
        .await
        .unwrap();
    assert_eq!(deleted, 1);

    on_a_plain_thread(&store, |store| {
        let read = store.read().unwrap();
        assert!(read.sessions_of_user("t", "u2").unwrap().is_empty());
        assert!(read.session_token("t", &digest('a')).unwrap().is_none());
        assert_eq!(digests(&read, "u1"), [(digest('d'), true)]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sessions_metadata_is_kept() {
    let (_server, store) = database().await;
    on_a_plain_thread(&store, |store| {
        let mut with_meta = token("u1");
        with_meta.meta = portico_core::sessions::SessionMeta {
            provider: Some("email".into()),
            device: Some(portico_core::sessions::DeviceInfo {
                os: "Linux".into(),
                browser: "Firefox/120".into(),
                location: "de-DE".into(),
            }),
            // As stored: to the microsecond.
            started_at: Some(Utc::now().trunc_subsecs(6)),
            rotated: true,
        };
        let mut tx = store.write().unwrap();
        tx.insert_session_token("t", &digest('1'), &with_meta)
            .unwrap();
        tx.insert_session_token("t", &digest('2'), &token("u1"))
            .unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let stored = read.session_token("t", &digest('1')).unwrap().unwrap();
        assert_eq!(stored.meta, with_meta.meta);
        let stored = read.session_token("t", &digest('2')).unwrap().unwrap();
        assert_eq!(stored.meta, Default::default());
    })
    .await;
}
