//! portal/sessions.rs
use chrono::Duration;
use chrono::Utc;
use portico_core::domain::portal::sessions::{make_room_for_session, put_token};
use portico_core::domain::portal::MAX_LIVE_SESSIONS_PER_USER;
use portico_core::domain::secrets::token_digest;
use portico_core::sessions::{SessionToken, TokenKind};
use portico_core::storage::prelude::*;
use portico_store_redb::Store;

fn token(user: &str, kind: TokenKind, family: &str, expires_in_secs: i64) -> SessionToken {
    SessionToken {
        user_id: user.into(),
        kind,
        family: family.into(),
        expires_at: Utc::now() + Duration::seconds(expires_in_secs),
        meta: Default::default(),
    }
}

/// The digests of `user`'s tokens still indexed, sorted.
fn indexed(store: &Store, user: &str) -> Vec<String> {
    let read = store.read().unwrap();
    let mut digests: Vec<String> = read
        .sessions_of_user("t", user)
        .unwrap()
        .into_iter()
        .map(|(digest, _)| digest)
        .collect();
    digests.sort();
    digests
}

#[test]
fn a_new_session_deletes_the_users_expired_tokens_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut tx = store.write().unwrap();
    let tokens = [
        ("expired-access", token("u1", TokenKind::Access, "a", -1)),
        ("live-refresh", token("u1", TokenKind::Refresh, "a", 3600)),
        ("expired-app", token("u1", TokenKind::App, "b", -60)),
        (
            "other-user-expired",
            token("u2", TokenKind::Access, "c", -1),
        ),
    ];
    for (name, record) in &tokens {
        put_token(&mut tx, "t", name, record).unwrap();
    }
    // An index entry whose token is gone.
    tx.index_session_without_token("t", "u1", "no-such-digest");
    make_room_for_session(&mut tx, "t", "u1", Utc::now()).unwrap();
    tx.commit().unwrap();

    assert_eq!(indexed(&store, "u1"), [token_digest("live-refresh")]);
    assert_eq!(indexed(&store, "u2"), [token_digest("other-user-expired")]);
    let read = store.read().unwrap();
    for (name, kept) in [
        ("expired-access", false),
        ("live-refresh", true),
        ("expired-app", false),
        ("other-user-expired", true),
    ] {
        let stored = read.session_token("t", &token_digest(name)).unwrap();
        assert_eq!(stored.is_some(), kept, "{name}");
    }
}

#[test]
fn past_the_maximum_the_sessions_that_expire_first_end() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut tx = store.write().unwrap();
    // Family i: an access token for 60 s and a refresh token for 1,000 + i s.
    for i in 0..MAX_LIVE_SESSIONS_PER_USER as i64 {
        let family = format!("f{i:02}");
        let access = token("u1", TokenKind::Access, &family, 60);
        let refresh = token("u1", TokenKind::Refresh, &family, 1_000 + i);
        put_token(&mut tx, "t", &format!("{family}-access"), &access).unwrap();
        put_token(&mut tx, "t", &format!("{family}-refresh"), &refresh).unwrap();
    }
    make_room_for_session(&mut tx, "t", "u1", Utc::now()).unwrap();
    tx.commit().unwrap();

    let left = indexed(&store, "u1");
    assert_eq!(left.len(), 2 * (MAX_LIVE_SESSIONS_PER_USER - 1));
    // Family f00 (its refresh token expires first) ended, access token included.
    for gone in ["f00-access", "f00-refresh"] {
        assert!(!left.contains(&token_digest(gone)), "{gone}");
    }
    assert!(left.contains(&token_digest("f01-access")));
}
