//! The passwords aggregate of the storage port on a real PostgreSQL, as the embedded engine's
//! test checks it: reset codes found by the digest of the code in their tenant only, read back
//! as written, deleted once. Digests are SHA-256 in hex, as the schema requires.

mod support;

use chrono::{Duration, SubsecRound, Utc};
use portico_core::passwords::{ResetCode, ResetPurpose};
use portico_core::storage::{PasswordReads, PasswordWrites};
use support::{digest, on_a_rules_thread};

#[tokio::test(flavor = "multi_thread")]
async fn reset_codes_are_found_by_digest_in_their_tenant() {
    on_a_rules_thread(&["t", "other"], |store| {
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
