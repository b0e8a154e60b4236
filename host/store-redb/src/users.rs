//! The users port on redb: user records in `Table::Users`, their email in `Table::UserEmails`
//! and its confusable skeleton in `Table::UserEmailSkeletons`, written only here.

use portico_core::storage::{
    EmailKey, EmailTaken, StorageError, StorageResult, UserReads, UserWrites,
};
use portico_core::users::{UserKind, UserRecord};

use super::{ReadTx, Reader, Table, WriteTx};

fn user<R: Reader>(tx: &R, tenant: &str, id: &str) -> StorageResult<Option<UserRecord>> {
    Ok(tx.get(Table::Users, tenant, id)?)
}

fn user_exists<R: Reader>(tx: &R, tenant: &str, id: &str) -> StorageResult<bool> {
    Ok(tx.exists(Table::Users, tenant, id)?)
}

fn user_id_by_email<R: Reader>(tx: &R, tenant: &str, email: &str) -> StorageResult<Option<String>> {
    Ok(tx.get(Table::UserEmails, tenant, email)?)
}

fn email_taken<R: Reader>(
    tx: &R,
    tenant: &str,
    key: EmailKey<'_>,
) -> StorageResult<Option<EmailTaken>> {
    if let Some(id) = tx.get(Table::UserEmails, tenant, key.email)? {
        return Ok(Some(EmailTaken::Exact(id)));
    }
    let lookalike: Option<String> = tx.get(Table::UserEmailSkeletons, tenant, key.skeleton)?;
    Ok(lookalike.map(EmailTaken::Lookalike))
}

fn users_after<R: Reader>(
    tx: &R,
    tenant: &str,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<UserRecord>> {
    let rows: Vec<(String, UserRecord)> = tx.scan(Table::Users, tenant, "", after, limit)?;
    Ok(rows.into_iter().map(|(_, user)| user).collect())
}

/// Every user of the tenant that `keep` keeps (a scan: the embedded store has no secondary
/// index on memberships, links or kinds).
fn users_where<R: Reader>(
    tx: &R,
    tenant: &str,
    keep: impl Fn(&UserRecord) -> bool,
) -> StorageResult<Vec<UserRecord>> {
    Ok(users_after(tx, tenant, None, usize::MAX)?
        .into_iter()
        .filter(|u| keep(u))
        .collect())
}

macro_rules! user_reads {
    ($($t:ty),*) => {$(
        impl UserReads for $t {
            fn user(&self, tenant: &str, id: &str) -> StorageResult<Option<UserRecord>> {
                user(self, tenant, id)
            }
            fn user_exists(&self, tenant: &str, id: &str) -> StorageResult<bool> {
                user_exists(self, tenant, id)
            }
            fn user_id_by_email(&self, tenant: &str, email: &str) -> StorageResult<Option<String>> {
                user_id_by_email(self, tenant, email)
            }
            fn email_taken(
                &self,
                tenant: &str,
                key: EmailKey<'_>,
            ) -> StorageResult<Option<EmailTaken>> {
                email_taken(self, tenant, key)
            }
            fn users_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<UserRecord>> {
                users_after(self, tenant, after, limit)
            }
            fn users_in_group(&self, tenant: &str, group_id: &str) -> StorageResult<Vec<UserRecord>> {
                users_where(self, tenant, |u| u.groups.iter().any(|m| m.group_id == group_id))
            }
            fn users_linked_to(
                &self,
                tenant: &str,
                provider_id: &str,
            ) -> StorageResult<Vec<UserRecord>> {
                users_where(self, tenant, |u| {
                    u.identity_providers.iter().any(|l| l.provider_id == provider_id)
                })
            }
            fn count_users(&self, tenant: &str, kind: UserKind) -> StorageResult<u64> {
                Ok(users_where(self, tenant, |u| u.kind == kind)?.len() as u64)
            }
        }
    )*};
}
user_reads!(ReadTx, WriteTx<'_>);

/// Refuses a key another user than `id` holds: the writers take turns, so a check made in the
/// turn holds until its commit.
fn ensure_free(tx: &WriteTx<'_>, tenant: &str, id: &str, key: EmailKey<'_>) -> StorageResult<()> {
    match email_taken(tx, tenant, key)? {
        Some(EmailTaken::Exact(holder) | EmailTaken::Lookalike(holder)) if holder != id => {
            Err(StorageError::Conflict {
                code: "email_taken",
                message: format!("a user with email '{}' (or one like it) exists", key.email),
            })
        }
        _ => Ok(()),
    }
}

fn index_email(
    tx: &mut WriteTx<'_>,
    tenant: &str,
    id: &str,
    key: EmailKey<'_>,
) -> StorageResult<()> {
    tx.put(Table::UserEmails, tenant, key.email, &id)?;
    tx.put(Table::UserEmailSkeletons, tenant, key.skeleton, &id)?;
    Ok(())
}

/// Removes what `index_email` wrote for `id` (a skeleton entry another user holds, from
/// lookalikes stored before the skeleton rule, stays).
fn unindex_email(
    tx: &mut WriteTx<'_>,
    tenant: &str,
    id: &str,
    key: EmailKey<'_>,
) -> StorageResult<()> {
    tx.delete(Table::UserEmails, tenant, key.email)?;
    let holder: Option<String> = tx.get(Table::UserEmailSkeletons, tenant, key.skeleton)?;
    if holder.as_deref() == Some(id) {
        tx.delete(Table::UserEmailSkeletons, tenant, key.skeleton)?;
    }
    Ok(())
}

impl UserWrites for WriteTx<'_> {
    fn insert_user(
        &mut self,
        tenant: &str,
        user: &UserRecord,
        key: EmailKey<'_>,
    ) -> StorageResult<()> {
        ensure_free(self, tenant, &user.id, key)?;
        index_email(self, tenant, &user.id, key)?;
        self.update_user(tenant, user)
    }

    fn update_user(&mut self, tenant: &str, user: &UserRecord) -> StorageResult<()> {
        Ok(self.put(Table::Users, tenant, &user.id, user)?)
    }

    fn move_user_email(
        &mut self,
        tenant: &str,
        id: &str,
        old: EmailKey<'_>,
        new: EmailKey<'_>,
    ) -> StorageResult<()> {
        unindex_email(self, tenant, id, old)?;
        ensure_free(self, tenant, id, new)?;
        index_email(self, tenant, id, new)
    }

    fn delete_user(&mut self, tenant: &str, id: &str, key: EmailKey<'_>) -> StorageResult<()> {
        unindex_email(self, tenant, id, key)?;
        crate::user_codes::delete_codes_of_user(self, tenant, id)?;
        self.delete(Table::Users, tenant, id)?;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Utc;
    use portico_core::storage::{EmailKey, EmailTaken, StorageError, UserReads, UserWrites};
    use portico_core::users::{UserKind, UserRecord, UserStatus};

    use crate::Store;

    /// A portal user with this id and email.
    pub(crate) fn user(id: &str, email: &str) -> UserRecord {
        UserRecord {
            id: id.into(),
            number: 0,
            kind: UserKind::Portal,
            first_name: "A".into(),
            last_name: "B".into(),
            email: email.into(),
            status: UserStatus::Active,
            groups: Vec::new(),
            identity_providers: Vec::new(),
            oauth_provider_id: None,
            password_hash: None,
            password_expired: false,
            reset_code_digest: None,
            notification_data: None,
            state: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn key<'a>(email: &'a str, skeleton: &'a str) -> EmailKey<'a> {
        EmailKey { email, skeleton }
    }

    #[test]
    fn the_email_index_follows_the_user_and_refuses_a_second_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_user("t", &user("u1", "a@x"), key("a@x", "a-x"))
            .unwrap();
        let taken = tx.insert_user("t", &user("u2", "a@x"), key("a@x", "other"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "email_taken",
                ..
            })
        ));
        let lookalike = tx.insert_user("t", &user("u2", "b@x"), key("b@x", "a-x"));
        assert!(matches!(lookalike, Err(StorageError::Conflict { .. })));
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        tx.insert_user("t", &user("u2", "b@x"), key("b@x", "b-x"))
            .unwrap();
        let onto_a = tx.move_user_email("t", "u2", key("b@x", "b-x"), key("a@x", "a-x"));
        assert!(matches!(onto_a, Err(StorageError::Conflict { .. })));
        drop(tx);

        let mut tx = store.write().unwrap();
        tx.move_user_email("t", "u1", key("a@x", "a-x"), key("c@x", "c-x"))
            .unwrap();
        assert_eq!(tx.user_id_by_email("t", "a@x").unwrap(), None);
        assert_eq!(
            tx.email_taken("t", key("z@x", "c-x")).unwrap(),
            Some(EmailTaken::Lookalike("u1".into()))
        );
        tx.delete_user("t", "u1", key("c@x", "c-x")).unwrap();
        assert_eq!(tx.email_taken("t", key("c@x", "c-x")).unwrap(), None);
        assert!(!tx.user_exists("t", "u1").unwrap());
        assert_eq!(tx.user_id_by_email("other-tenant", "b@x").unwrap(), None);
        tx.commit().unwrap();
    }
}
