//! The passwords aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: reset codes found by the digest of the code in their tenant only, read back
//! as written, deleted once. Digests are SHA-256 in hex, as the schema requires.

mod support;

use std::sync::Arc;

use chrono::{Duration, SubsecRound, Utc};
use portico_core::passwords::{ResetCode, ResetPurpose};
use portico_core::storage::{PasswordReads, PasswordWrites, TenantWrites};
use portico_core::tenants::Tenant;
use portico_store_postgres::{PgConfig, PgStore};
use support::Postgres;

/// A digest as the rules store one (64 hex digits).
fn digest(c: char) -> String {
    c.to_string().repeat(64)
}

/// Runs `check` on a plain thread, as the rules run, with tenants `t` and `other`.
async fn on_a_rules_thread(check: impl FnOnce(&PgStore) + Send + 'static) {
    let server = Postgres::start(&[]);
    let url = server.create_database("portico").await;
    let store = Arc::new(PgStore::connect(&PgConfig::new(&url)).await.unwrap());
    tokio::task::spawn_blocking(move || {
        let mut tx = store.write().unwrap();
        for id in ["t", "other"] {
            let tenant = Tenant {
                id: id.into(),
                namespace: id.into(),
                name: id.into(),
                created_at: Utc::now(),
            };
            tx.insert_tenant(&tenant).unwrap();
        }
        tx.commit().unwrap();
        check(&store)
    })
    .await
    .unwrap();
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_codes_are_found_by_digest_in_their_tenant() {
    on_a_rules_thread(|store| {
        // Stored to the microsecond.
        let expires_at = (Utc::now() + Duration::hours(1)).trunc_subsecs(6);
        let code = ResetCode {
            // The user need not exist: a welcome code is stored before its user.
            user_id: "u1".into(),
            purpose: ResetPurpose::SetPassword,
            expires_at,
        };
        let mut tx = store.write().unwrap();
        tx.insert_reset_code("t", &digest('a'), &code).unwrap();
        let reset = ResetCode {
            purpose: ResetPurpose::Reset,
            ..code.clone()
        };
        tx.insert_reset_code("t", &digest('b'), &reset).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let found = read.reset_code("t", &digest('a')).unwrap().unwrap();
        assert_eq!(found.user_id, "u1");
        assert_eq!(found.purpose, ResetPurpose::SetPassword);
        assert_eq!(found.expires_at, expires_at);
        let found = read.reset_code("t", &digest('b')).unwrap().unwrap();
        assert_eq!(found.purpose, ResetPurpose::Reset);
        assert!(read.reset_code("other", &digest('a')).unwrap().is_none());
        assert!(read.reset_code("t", &digest('c')).unwrap().is_none());
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_reset_code("t", &digest('a')).unwrap());
        assert!(!tx.delete_reset_code("t", &digest('a')).unwrap());
        assert!(tx.reset_code("t", &digest('a')).unwrap().is_none());
        assert!(tx.reset_code("t", &digest('b')).unwrap().is_some());
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert!(read.reset_code("t", &digest('a')).unwrap().is_none());
    })
    .await;
}
