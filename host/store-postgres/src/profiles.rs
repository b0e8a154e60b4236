//! The profiles aggregate on PostgreSQL: `profiles` by id, the linked user unique
//! (`profiles_user_unique`: `user_has_profile`), so the index of linked users is the table
//! itself and moves with every write.

use portico_core::profiles::Profile;
use portico_core::storage::{ProfileReads, ProfileWrites, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const PROFILE_COLUMNS: &str = "id, email, first_name, last_name, data, user_id, blocked, \
     access_granted, created_at, updated_at";

fn profile(row: &Row) -> Profile {
    Profile {
        id: row.get("id"),
        email: row.get("email"),
        first_name: row.get("first_name"),
        last_name: row.get("last_name"),
        data: row.get("data"),
        user_id: row.get("user_id"),
        blocked: row.get("blocked"),
        access_granted: row.get("access_granted"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

impl ProfileReads for PgTx {
    fn profile(&self, tenant: &str, id: &str) -> StorageResult<Option<Profile>> {
        let sql =
            format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE tenant_id = $1 AND id = $2");
        Ok(self.query_opt(&sql, &[&tenant, &id])?.as_ref().map(profile))
    }

    fn profile_exists(&self, tenant: &str, id: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM profiles WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(row.is_some())
    }

    fn profile_id_of_user(&self, tenant: &str, user_id: &str) -> StorageResult<Option<String>> {
        let row = self.query_opt(
            "SELECT id FROM profiles WHERE tenant_id = $1 AND user_id = $2",
            &[&tenant, &user_id],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn profile_of_user(&self, tenant: &str, user_id: &str) -> StorageResult<Option<Profile>> {
        let sql =
            format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE tenant_id = $1 AND user_id = $2");
        Ok(self
            .query_opt(&sql, &[&tenant, &user_id])?
            .as_ref()
            .map(profile))
    }

    fn profiles_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Profile>> {
        let sql = format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles \
             WHERE tenant_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(&sql, &[&tenant, &after, &limit])?;
        Ok(rows.iter().map(profile).collect())
    }
}

/// Inserts `profile`, or with `replace` replaces the stored one with the same id.
fn put_profile(tx: &PgTx, tenant: &str, profile: &Profile, replace: bool) -> StorageResult<()> {
    let on_conflict = if replace {
        " ON CONFLICT (tenant_id, id) DO UPDATE SET email = $3, first_name = $4, \
         last_name = $5, data = $6, user_id = $7, blocked = $8, access_granted = $9, \
         created_at = $10, updated_at = $11"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO profiles (tenant_id, {PROFILE_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11){on_conflict}"
    );
    tx.execute(
        &sql,
        &[
            &tenant,
            &profile.id,
            &profile.email,
            &profile.first_name,
            &profile.last_name,
            &profile.data,
            &profile.user_id,
            &profile.blocked,
            &profile.access_granted,
            &profile.created_at,
            &profile.updated_at,
        ],
    )?;
    Ok(())
}

impl ProfileWrites for PgTx {
    /// A `user_id` another profile holds breaks `profiles_user_unique`: `user_has_profile`.
    /// The linked user must exist (`profiles_user_fk`): the rules link existing users only.
    fn insert_profile(&mut self, tenant: &str, profile: &Profile) -> StorageResult<()> {
        put_profile(self, tenant, profile, false)
    }

    /// Stores the profile whether or not it was there, as the embedded engine does; a
    /// `user_id` another profile holds answers `user_has_profile`.
    fn update_profile(&mut self, tenant: &str, profile: &Profile) -> StorageResult<()> {
        put_profile(self, tenant, profile, true)
    }

    /// Deleting the row also deletes the profile's signup links (`signup_links_profile_fk`
    /// cascades), which the rules revoke first anyway.
    fn delete_profile(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM profiles WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(deleted > 0)
    }
}
