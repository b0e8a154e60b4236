//! The user codes port on redb: `Table::UserCodes`, `user id \u{1f} event` -> the code's
//! record. A user's codes are deleted with the user (`delete_codes_of_user`, called by
//! `delete_user`).

use portico_core::storage::{CodeEvent, StorageResult, UserCode, UserCodeReads, UserCodeWrites};

use super::{composite_key, RawReader, ReadTx, Reader, Table, WriteTx};
use crate::StoreResult;

/// The key of user `user_id`'s code for `event`.
fn code_key(user_id: &str, event: CodeEvent) -> String {
    composite_key(user_id, event.wire_name())
}

macro_rules! user_code_reads {
    ($($t:ty),*) => {$(
        impl UserCodeReads for $t {
            fn user_code(
                &self,
                tenant: &str,
                user_id: &str,
                event: CodeEvent,
            ) -> StorageResult<Option<UserCode>> {
                Ok(self.get(Table::UserCodes, tenant, &code_key(user_id, event))?)
            }
        }
    )*};
}
user_code_reads!(ReadTx, WriteTx<'_>);

impl UserCodeWrites for WriteTx<'_> {
    fn save_user_code(
        &mut self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
        code: &UserCode,
    ) -> StorageResult<()> {
        Ok(self.put(Table::UserCodes, tenant, &code_key(user_id, event), code)?)
    }

    fn delete_user_code(
        &mut self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
    ) -> StorageResult<bool> {
        Ok(self.delete(Table::UserCodes, tenant, &code_key(user_id, event))?)
    }
}

/// Deletes every code of user `user_id` (the user is being deleted).
pub(crate) fn delete_codes_of_user(
    tx: &mut WriteTx<'_>,
    tenant: &str,
    user_id: &str,
) -> StoreResult<()> {
    let prefix = composite_key(user_id, "");
    let keys = tx.scan_raw(Table::UserCodes, tenant, &prefix, None, usize::MAX)?;
    for (key, _) in keys {
        tx.delete(Table::UserCodes, tenant, &key)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use portico_core::storage::{
        CodeEvent, EmailKey, UserCode, UserCodeReads, UserCodeWrites, UserWrites,
    };

    use crate::users::tests::user;
    use crate::Store;

    fn code(digest: char, failed_attempts: u32) -> UserCode {
        let sent_at = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        UserCode {
            digest: format!("hmac-sha256:{}", digest.to_string().repeat(64)),
            expires_at: sent_at + Duration::minutes(15),
            failed_attempts,
            sent_at,
        }
    }

    fn key(email: &str) -> EmailKey<'_> {
        EmailKey {
            email,
            skeleton: email,
        }
    }

    #[test]
    fn user_codes_are_kept_per_user_and_event_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        for id in ["u1", "u10"] {
            tx.insert_user("t", &user(id, &format!("{id}@x")), key(&format!("{id}@x")))
                .unwrap();
        }
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
    }

    #[test]
    fn a_deleted_user_takes_its_codes_and_no_one_elses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        for id in ["u1", "u10"] {
            tx.insert_user("t", &user(id, &format!("{id}@x")), key(&format!("{id}@x")))
                .unwrap();
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
            assert_eq!(
                read.user_code("t", "u10", event).unwrap(),
                Some(code('a', 0))
            );
        }
    }
}
