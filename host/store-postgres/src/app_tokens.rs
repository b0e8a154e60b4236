//! The app tokens aggregate on PostgreSQL: `app_tokens`, under the digest of their secret.

use portico_core::app_tokens::AppToken;
use portico_core::storage::{AppTokenReads, AppTokenWrites, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

fn app_token(row: &Row) -> AppToken {
    AppToken {
        id: row.get("id"),
        name: row.get("name"),
        created_at: row.get("created_at"),
    }
}

impl AppTokenReads for PgTx {
    fn app_token(&self, tenant: &str, digest: &str) -> StorageResult<Option<AppToken>> {
        let row = self.query_opt(
            "SELECT id, name, created_at FROM app_tokens \
             WHERE tenant_id = $1 AND token_digest = $2",
            &[&tenant, &digest],
        )?;
        Ok(row.as_ref().map(app_token))
    }

    fn app_tokens(&self, tenant: &str) -> StorageResult<Vec<AppToken>> {
        let rows = self.query(
            "SELECT id, name, created_at FROM app_tokens WHERE tenant_id = $1",
            &[&tenant],
        )?;
        Ok(rows.iter().map(app_token).collect())
    }

    fn count_app_tokens(&self, tenant: &str) -> StorageResult<usize> {
        let row = self.query_opt(
            "SELECT count(*) FROM app_tokens WHERE tenant_id = $1",
            &[&tenant],
        )?;
        let count: i64 = row.map_or(0, |r| r.get(0));
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }
}

impl AppTokenWrites for PgTx {
    fn insert_app_token(
        &mut self,
        tenant: &str,
        digest: &str,
        token: &AppToken,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO app_tokens (tenant_id, token_digest, id, name, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&tenant, &digest, &token.id, &token.name, &token.created_at],
        )?;
        Ok(())
    }

    fn delete_app_token(&mut self, tenant: &str, token_id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM app_tokens WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &token_id],
        )?;
        Ok(deleted > 0)
    }
}
