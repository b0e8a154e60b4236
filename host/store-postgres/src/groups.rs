//! The groups aggregate on PostgreSQL: `groups`, its name unique in the tenant
//! (`groups_name_unique`, conflict code `group_name_taken`) and its labels indexed
//! (`groups_label_idx`).

use portico_core::groups::Group;
use portico_core::storage::{GroupReads, GroupWrites, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const GROUP_COLUMNS: &str = "id, name, label, created_at";

fn group(row: &Row) -> Group {
    Group {
        id: row.get("id"),
        name: row.get("name"),
        label: row.get("label"),
        created_at: row.get("created_at"),
    }
}

impl GroupReads for PgTx {
    fn group(&self, tenant: &str, id: &str) -> StorageResult<Option<Group>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM groups WHERE tenant_id = $1 AND id = $2");
        Ok(self.query_opt(&sql, &[&tenant, &id])?.as_ref().map(group))
    }

    fn group_by_name(&self, tenant: &str, name: &str) -> StorageResult<Option<Group>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM groups WHERE tenant_id = $1 AND name = $2");
        Ok(self.query_opt(&sql, &[&tenant, &name])?.as_ref().map(group))
    }

    fn group_name_taken(&self, tenant: &str, name: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM groups WHERE tenant_id = $1 AND name = $2",
            &[&tenant, &name],
        )?;
        Ok(row.is_some())
    }

    fn groups_with_label(&self, tenant: &str, label: &str) -> StorageResult<Vec<Group>> {
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE tenant_id = $1 AND label = $2 ORDER BY id"
        );
        Ok(self
            .query(&sql, &[&tenant, &label])?
            .iter()
            .map(group)
            .collect())
    }

    fn groups_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Group>> {
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM groups \
             WHERE tenant_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(self
            .query(&sql, &[&tenant, &after, &limit])?
            .iter()
            .map(group)
            .collect())
    }
}

impl GroupWrites for PgTx {
    /// Stores the group under its id (replacing a group with the same id, as the embedded
    /// engine's put does). A name another group holds breaks `groups_name_unique`:
    /// `StorageError::Conflict` (`group_name_taken`), which also aborts the transaction.
    fn insert_group(&mut self, tenant: &str, group: &Group) -> StorageResult<()> {
        self.execute(
            "INSERT INTO groups (tenant_id, id, name, label, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, id) DO UPDATE \
             SET name = $3, label = $4, created_at = $5",
            &[
                &tenant,
                &group.id,
                &group.name,
                &group.label,
                &group.created_at,
            ],
        )?;
        Ok(())
    }

    /// Deletes the group; its remaining memberships go with it (`ON DELETE CASCADE`), though
    /// the rules remove them first.
    fn delete_group(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM groups WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(deleted > 0)
    }
}
