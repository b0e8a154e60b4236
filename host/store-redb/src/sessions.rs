//! The sessions port on redb: tokens in `Table::Sessions` by digest, and the index of each
//! user's tokens in `Table::UserSessions` (`user_id \u{1f} digest` -> ()), written only here.

use portico_core::sessions::SessionToken;
use portico_core::storage::{SessionReads, SessionWrites, StorageResult};

use super::{composite_key, ReadTx, Reader, Table, WriteTx};

fn sessions_of_user<R: Reader>(
    tx: &R,
    tenant: &str,
    user_id: &str,
) -> StorageResult<Vec<(String, Option<SessionToken>)>> {
    let prefix = composite_key(user_id, "");
    let entries: Vec<(String, ())> =
        tx.scan(Table::UserSessions, tenant, &prefix, None, usize::MAX)?;
    entries
        .into_iter()
        .map(|(key, ())| {
            let digest = key[prefix.len()..].to_string();
            let token = tx.get(Table::Sessions, tenant, &digest)?;
            Ok((digest, token))
        })
        .collect()
}

macro_rules! session_reads {
    ($($t:ty),*) => {$(
        impl SessionReads for $t {
            fn session_token(
                &self,
                tenant: &str,
                digest: &str,
            ) -> StorageResult<Option<SessionToken>> {
                Ok(self.get(Table::Sessions, tenant, digest)?)
            }
            fn sessions_of_user(
                &self,
                tenant: &str,
                user_id: &str,
            ) -> StorageResult<Vec<(String, Option<SessionToken>)>> {
                sessions_of_user(self, tenant, user_id)
            }
        }
    )*};
}
session_reads!(ReadTx, WriteTx<'_>);

impl SessionWrites for WriteTx<'_> {
    fn insert_session_token(
        &mut self,
        tenant: &str,
        digest: &str,
        token: &SessionToken,
    ) -> StorageResult<()> {
        self.put(Table::Sessions, tenant, digest, token)?;
        let key = composite_key(&token.user_id, digest);
        Ok(self.put(Table::UserSessions, tenant, &key, &())?)
    }

    fn delete_session_token(
        &mut self,
        tenant: &str,
        user_id: &str,
        digest: &str,
    ) -> StorageResult<()> {
        self.delete(Table::Sessions, tenant, digest)?;
        self.delete(Table::UserSessions, tenant, &composite_key(user_id, digest))?;
        Ok(())
    }
}

// Fixtures for the rules' tests (states an earlier build could leave).
#[cfg(any(test, feature = "test-knobs"))]
impl WriteTx<'_> {
    /// An index entry of `user_id` for a token that is not stored, as an interrupted write of
    /// an earlier build could leave.
    pub fn index_session_without_token(&mut self, tenant: &str, user_id: &str, digest: &str) {
        let key = composite_key(user_id, digest);
        self.put(Table::UserSessions, tenant, &key, &()).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use portico_core::sessions::{SessionToken, TokenKind};
    use portico_core::storage::{SessionReads, SessionWrites};

    use crate::Store;

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

    #[test]
    fn the_user_index_follows_the_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_session_token("t", "d2", &token("u1")).unwrap();
        tx.insert_session_token("t", "d1", &token("u1")).unwrap();
        tx.insert_session_token("t", "d3", &token("u2")).unwrap();
        tx.index_session_without_token("t", "u1", "gone");
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert_eq!(
            digests(&tx, "u1"),
            [
                ("d1".into(), true),
                ("d2".into(), true),
                ("gone".into(), false)
            ]
        );
        tx.delete_session_token("t", "u1", "d1").unwrap();
        tx.delete_session_token("t", "u1", "gone").unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(digests(&read, "u1"), [("d2".into(), true)]);
        assert_eq!(digests(&read, "u2"), [("d3".into(), true)]);
        assert!(read.session_token("t", "d1").unwrap().is_none());
        assert_eq!(
            read.session_token("t", "d2").unwrap().unwrap().user_id,
            "u1"
        );
        assert!(read.session_token("other", "d2").unwrap().is_none());
    }

    #[test]
    fn a_sessions_metadata_is_kept_and_old_tokens_read_without_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut with_meta = token("u1");
        with_meta.meta = portico_core::sessions::SessionMeta {
            provider: Some("email".into()),
            device: Some(portico_core::sessions::DeviceInfo {
                os: "Linux".into(),
                browser: "Firefox/120".into(),
                location: "de-DE".into(),
            }),
            started_at: Some(Utc::now()),
            rotated: true,
        };
        let mut tx = store.write().unwrap();
        tx.insert_session_token("t", "d1", &with_meta).unwrap();
        // A token as stored before sessions had metadata.
        let old = serde_json::json!({"userId": "u1", "kind": "access", "family": "f",
            "expiresAt": Utc::now() + Duration::seconds(60)});
        tx.put(crate::Table::Sessions, "t", "d2", &old).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let stored = read.session_token("t", "d1").unwrap().unwrap();
        assert_eq!(stored.meta, with_meta.meta);
        let stored = read.session_token("t", "d2").unwrap().unwrap();
        assert_eq!(stored.meta, Default::default());
    }
}
