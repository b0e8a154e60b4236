//! The tenants aggregate on PostgreSQL: `tenants` (the namespace unique), `tenant_settings`
//! (the allowed origins a `text[]`, the mail sender nullable columns, the mail language),
//! `api_keys` (under the digest of their secret) and
//! `operator_settings`.

use portico_core::storage::{StorageResult, TenantReads, TenantWrites};
use portico_core::tenants::{ApiKey, Tenant, TenantSettings};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const TENANT_COLUMNS: &str = "id, namespace, name, created_at";

fn tenant(row: &Row) -> Tenant {
    Tenant {
        id: row.get("id"),
        namespace: row.get("namespace"),
        name: row.get("name"),
        created_at: row.get("created_at"),
    }
}

fn api_key(row: &Row) -> ApiKey {
    ApiKey {
        id: row.get("id"),
        name: row.get("name"),
        created_at: row.get("created_at"),
    }
}

impl TenantReads for PgTx {
    fn tenant(&self, id: &str) -> StorageResult<Option<Tenant>> {
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1");
        Ok(self.query_opt(&sql, &[&id])?.as_ref().map(tenant))
    }

    fn tenant_id_by_namespace(&self, namespace: &str) -> StorageResult<Option<String>> {
        let row = self.query_opt("SELECT id FROM tenants WHERE namespace = $1", &[&namespace])?;
        Ok(row.map(|r| r.get(0)))
    }

    fn tenant_by_namespace(&self, namespace: &str) -> StorageResult<Option<Tenant>> {
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE namespace = $1");
        Ok(self.query_opt(&sql, &[&namespace])?.as_ref().map(tenant))
    }

    fn tenants_after(&self, after: Option<&str>, limit: usize) -> StorageResult<Vec<Tenant>> {
        let sql = format!(
            "SELECT {TENANT_COLUMNS} FROM tenants WHERE $1::text IS NULL OR id > $1 \
             ORDER BY id LIMIT $2"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(self
            .query(&sql, &[&after, &limit])?
            .iter()
            .map(tenant)
            .collect())
    }

    fn tenant_settings(&self, tenant: &str) -> StorageResult<Option<TenantSettings>> {
        let row = self.query_opt(
            "SELECT reset_code_ttl_seconds, password_min_length, allowed_origins, \
             mail_sender_name, mail_sender_address, mail_reply_to, mail_language \
             FROM tenant_settings WHERE tenant_id = $1",
            &[&tenant],
        )?;
        Ok(row.map(|r| TenantSettings {
            reset_code_ttl_seconds: r.get::<_, i64>(0) as u64,
            password_min_length: r.get::<_, i32>(1) as usize,
            allowed_origins: r.get(2),
            mail_sender_name: r.get(3),
            mail_sender_address: r.get(4),
            mail_reply_to: r.get(5),
            mail_language: r.get(6),
        }))
    }

    fn has_api_key(&self, tenant: &str, digest: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM api_keys WHERE tenant_id = $1 AND key_digest = $2",
            &[&tenant, &digest],
        )?;
        Ok(row.is_some())
    }

    fn api_keys(&self, tenant: &str) -> StorageResult<Vec<ApiKey>> {
        let rows = self.query(
            "SELECT id, name, created_at FROM api_keys WHERE tenant_id = $1",
            &[&tenant],
        )?;
        Ok(rows.iter().map(api_key).collect())
    }

    fn operator_token_digest(&self) -> StorageResult<Option<String>> {
        let row = self.query_opt("SELECT operator_token_digest FROM operator_settings", &[])?;
        Ok(row.map(|r| r.get(0)))
    }
}

impl TenantWrites for PgTx {
    fn insert_tenant(&mut self, tenant: &Tenant) -> StorageResult<()> {
        self.execute(
            "INSERT INTO tenants (id, namespace, name, created_at) VALUES ($1, $2, $3, $4)",
            &[
                &tenant.id,
                &tenant.namespace,
                &tenant.name,
                &tenant.created_at,
            ],
        )?;
        Ok(())
    }

    fn delete_tenant(&mut self, id: &str) -> StorageResult<bool> {
        // Every table of a tenant's data cascades from `tenants`.
        Ok(self.execute("DELETE FROM tenants WHERE id = $1", &[&id])? > 0)
    }

    fn put_tenant_settings(
        &mut self,
        tenant: &str,
        settings: &TenantSettings,
    ) -> StorageResult<()> {
        let ttl = i64::try_from(settings.reset_code_ttl_seconds).unwrap_or(i64::MAX);
        let min_length = i32::try_from(settings.password_min_length).unwrap_or(i32::MAX);
        self.execute(
            "INSERT INTO tenant_settings \
             (tenant_id, reset_code_ttl_seconds, password_min_length, allowed_origins, \
              mail_sender_name, mail_sender_address, mail_reply_to, mail_language) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id) DO UPDATE \
             SET reset_code_ttl_seconds = $2, password_min_length = $3, allowed_origins = $4, \
             mail_sender_name = $5, mail_sender_address = $6, mail_reply_to = $7, \
             mail_language = $8",
            &[
                &tenant,
                &ttl,
                &min_length,
                &settings.allowed_origins,
                &settings.mail_sender_name,
                &settings.mail_sender_address,
                &settings.mail_reply_to,
                &settings.mail_language,
            ],
        )?;
        Ok(())
    }

    fn insert_api_key(&mut self, tenant: &str, digest: &str, key: &ApiKey) -> StorageResult<()> {
        self.execute(
            "INSERT INTO api_keys (tenant_id, key_digest, id, name, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&tenant, &digest, &key.id, &key.name, &key.created_at],
        )?;
        Ok(())
    }

    fn delete_api_key(&mut self, tenant: &str, key_id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM api_keys WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &key_id],
        )?;
        Ok(deleted > 0)
    }

    fn set_operator_token_digest(&mut self, digest: &str) -> StorageResult<()> {
        self.execute(
            "INSERT INTO operator_settings (singleton, operator_token_digest) VALUES (true, $1) \
             ON CONFLICT (singleton) DO UPDATE SET operator_token_digest = $1",
            &[&digest],
        )?;
        Ok(())
    }
}
