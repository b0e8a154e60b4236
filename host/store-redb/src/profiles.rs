//! The profiles port on redb: profiles in `Table::Profiles` by id, and the index of linked users
//! in `Table::ProfileByUser` (user id -> profile id), written only here.

use portico_core::profiles::Profile;
use portico_core::storage::{ProfileReads, ProfileWrites, StorageError, StorageResult};

use super::{ReadTx, Reader, Table, WriteTx};

fn profile<R: Reader>(tx: &R, tenant: &str, id: &str) -> StorageResult<Option<Profile>> {
    Ok(tx.get(Table::Profiles, tenant, id)?)
}

fn profile_id_of_user<R: Reader>(
    tx: &R,
    tenant: &str,
    user_id: &str,
) -> StorageResult<Option<String>> {
    Ok(tx.get(Table::ProfileByUser, tenant, user_id)?)
}

fn profile_of_user<R: Reader>(
    tx: &R,
    tenant: &str,
    user_id: &str,
) -> StorageResult<Option<Profile>> {
    match profile_id_of_user(tx, tenant, user_id)? {
        Some(id) => profile(tx, tenant, &id),
        None => Ok(None),
    }
}

fn profiles_after<R: Reader>(
    tx: &R,
    tenant: &str,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<Profile>> {
    let rows: Vec<(String, Profile)> = tx.scan(Table::Profiles, tenant, "", after, limit)?;
    Ok(rows.into_iter().map(|(_, profile)| profile).collect())
}

macro_rules! profile_reads {
    ($($t:ty),*) => {$(
        impl ProfileReads for $t {
            fn profile(&self, tenant: &str, id: &str) -> StorageResult<Option<Profile>> {
                profile(self, tenant, id)
            }
            fn profile_exists(&self, tenant: &str, id: &str) -> StorageResult<bool> {
                Ok(self.exists(Table::Profiles, tenant, id)?)
            }
            fn profile_id_of_user(
                &self,
                tenant: &str,
                user_id: &str,
            ) -> StorageResult<Option<String>> {
                profile_id_of_user(self, tenant, user_id)
            }
            fn profile_of_user(
                &self,
                tenant: &str,
                user_id: &str,
            ) -> StorageResult<Option<Profile>> {
                profile_of_user(self, tenant, user_id)
            }
            fn profiles_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<Profile>> {
                profiles_after(self, tenant, after, limit)
            }
        }
    )*};
}
profile_reads!(ReadTx, WriteTx<'_>);

/// Moves the user index of profile `id` from `old` to `new`, refusing a user another profile is
/// linked to: the writers take turns, so a check made in the turn holds until its commit.
fn move_user_link(
    tx: &mut WriteTx<'_>,
    tenant: &str,
    id: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> StorageResult<()> {
    if old == new {
        return Ok(());
    }
    if let Some(user_id) = new {
        if profile_id_of_user(tx, tenant, user_id)?.is_some_and(|holder| holder != id) {
            return Err(StorageError::Conflict {
                code: "user_has_profile",
                message: "that user is already linked to another profile".into(),
            });
        }
    }
    if let Some(user_id) = old {
        if profile_id_of_user(tx, tenant, user_id)?.as_deref() == Some(id) {
            tx.delete(Table::ProfileByUser, tenant, user_id)?;
        }
    }
    if let Some(user_id) = new {
        tx.put(Table::ProfileByUser, tenant, user_id, &id)?;
    }
    Ok(())
}

impl ProfileWrites for WriteTx<'_> {
    fn insert_profile(&mut self, tenant: &str, profile: &Profile) -> StorageResult<()> {
        move_user_link(self, tenant, &profile.id, None, profile.user_id.as_deref())?;
        Ok(self.put(Table::Profiles, tenant, &profile.id, profile)?)
    }

    fn update_profile(&mut self, tenant: &str, profile: &Profile) -> StorageResult<()> {
        let old = linked_user(self, tenant, &profile.id)?;
        move_user_link(
            self,
            tenant,
            &profile.id,
            old.as_deref(),
            profile.user_id.as_deref(),
        )?;
        Ok(self.put(Table::Profiles, tenant, &profile.id, profile)?)
    }

    fn delete_profile(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let old = linked_user(self, tenant, id)?;
        move_user_link(self, tenant, id, old.as_deref(), None)?;
        Ok(self.delete(Table::Profiles, tenant, id)?)
    }
}

/// The user the stored profile `id` is linked to.
fn linked_user(tx: &WriteTx<'_>, tenant: &str, id: &str) -> StorageResult<Option<String>> {
    Ok(profile(tx, tenant, id)?.and_then(|p| p.user_id))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::profiles::Profile;
    use portico_core::storage::{ProfileReads, ProfileWrites, StorageError};

    use crate::Store;

    fn profile(id: &str, user_id: Option<&str>) -> Profile {
        Profile {
            id: id.into(),
            email: None,
            first_name: None,
            last_name: None,
            data: serde_json::json!({}),
            user_id: user_id.map(Into::into),
            blocked: false,
            access_granted: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn holder(tx: &impl ProfileReads, user: &str) -> Option<String> {
        tx.profile_id_of_user("t", user).unwrap()
    }

    #[test]
    fn the_user_index_follows_the_profile_and_refuses_a_second_profile() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_profile("t", &profile("p1", None)).unwrap();
        tx.insert_profile("t", &profile("p2", None)).unwrap();
        tx.update_profile("t", &profile("p1", Some("u1"))).unwrap();
        assert_eq!(holder(&tx, "u1").as_deref(), Some("p1"));
        let taken = tx.update_profile("t", &profile("p2", Some("u1")));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "user_has_profile",
                ..
            })
        ));
        let taken = tx.insert_profile("t", &profile("p3", Some("u1")));
        assert!(matches!(taken, Err(StorageError::Conflict { .. })));
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        tx.update_profile("t", &profile("p1", Some("u2"))).unwrap();
        assert_eq!(holder(&tx, "u1"), None);
        assert_eq!(tx.profile_of_user("t", "u2").unwrap().unwrap().id, "p1");
        tx.update_profile("t", &profile("p2", Some("u1"))).unwrap();
        assert!(tx.delete_profile("t", "p1").unwrap());
        assert!(!tx.delete_profile("t", "p1").unwrap());
        assert_eq!(holder(&tx, "u2"), None);
        assert!(!tx.profile_exists("t", "p1").unwrap());
        assert_eq!(holder(&tx, "u1").as_deref(), Some("p2"));
        assert_eq!(tx.profile_id_of_user("other", "u1").unwrap(), None);
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let ids: Vec<String> = read
            .profiles_after("t", None, 10)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["p2"]);
        assert!(read.profiles_after("t", Some("p2"), 10).unwrap().is_empty());
    }
}
