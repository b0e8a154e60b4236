//! The auth providers aggregate on PostgreSQL: `auth_providers`, keyed by (tenant, marker)
//! (`auth_providers_pk`: `auth_provider_identifier_taken`), each pointing at its form
//! (`auth_providers_form_fk`). A configuration table: writing it bumps the generation.

use portico_core::auth_providers::{AuthProvider, AuthProviderType};
use portico_core::storage::{AuthProviderReads, AuthProviderWrites, StorageResult};
use tokio_postgres::Row;

use crate::forms::{corrupt, json, storable_json};
use crate::transaction::PgTx;

const COLUMNS: &str = "identifier, number, type, form_identifier, user_group_identifier, \
    is_active, is_check_code, self_signup, localize_infos, config, version, created_at, \
    updated_at";

/// An upsert of every column from `$1` (tenant) to `$14`; a stored provider keeps its number.
const UPSERT: &str = "INSERT INTO auth_providers (tenant_id, identifier, number, type, \
    form_identifier, user_group_identifier, is_active, is_check_code, self_signup, \
    localize_infos, config, version, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

fn provider(tenant: &str, row: &Row) -> StorageResult<AuthProvider> {
    let identifier: String = row.get("identifier");
    let key = || format!("{tenant}/{identifier}");
    let type_name: String = row.get("type");
    let provider_type = AuthProviderType::from_name(&type_name).ok_or_else(|| {
        corrupt(
            "auth_providers",
            key(),
            format!("unknown type '{type_name}'"),
        )
    })?;
    let localize_infos = serde_json::from_value(row.get("localize_infos"))
        .map_err(|e| corrupt("auth_providers", key(), e))?;
    let config = serde_json::from_value(row.get("config"))
        .map_err(|e| corrupt("auth_providers", key(), e))?;
    Ok(AuthProvider {
        number: u64::try_from(row.get::<_, i64>("number")).unwrap_or(0),
        provider_type,
        form_identifier: row.get("form_identifier"),
        user_group_identifier: row.get("user_group_identifier"),
        is_active: row.get("is_active"),
        is_check_code: row.get("is_check_code"),
        self_signup: row.get("self_signup"),
        localize_infos,
        config,
        version: u64::try_from(row.get::<_, i64>("version")).unwrap_or(0),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        identifier,
    })
}

fn write(tx: &PgTx, tenant: &str, p: &AuthProvider, upsert: bool) -> StorageResult<()> {
    let number = i64::try_from(p.number).unwrap_or(i64::MAX);
    let version = i64::try_from(p.version).unwrap_or(i64::MAX);
    let localize_infos = storable_json(json(serde_json::to_value(&p.localize_infos))?);
    let config = storable_json(json(serde_json::to_value(&p.config))?);
    let sql = if upsert {
        format!(
            "{UPSERT} ON CONFLICT (tenant_id, identifier) DO UPDATE SET type = $4, \
             form_identifier = $5, user_group_identifier = $6, is_active = $7, \
             is_check_code = $8, self_signup = $9, localize_infos = $10, config = $11, \
             version = $12, created_at = $13, updated_at = $14"
        )
    } else {
        UPSERT.to_string()
    };
    tx.execute(
        &sql,
        &[
            &tenant,
            &p.identifier,
            &number,
            &p.provider_type.name(),
            &p.form_identifier,
            &p.user_group_identifier,
            &p.is_active,
            &p.is_check_code,
            &p.self_signup,
            &localize_infos,
            &config,
            &version,
            &p.created_at,
            &p.updated_at,
        ],
    )?;
    Ok(())
}

impl AuthProviderReads for PgTx {
    fn auth_provider(&self, tenant: &str, identifier: &str) -> StorageResult<Option<AuthProvider>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM auth_providers WHERE tenant_id = $1 AND identifier = $2"
        );
        let row = self.query_opt(&sql, &[&tenant, &identifier])?;
        row.map(|r| provider(tenant, &r)).transpose()
    }

    fn auth_providers(&self, tenant: &str) -> StorageResult<Vec<AuthProvider>> {
        let sql =
            format!("SELECT {COLUMNS} FROM auth_providers WHERE tenant_id = $1 ORDER BY number");
        let rows = self.query(&sql, &[&tenant])?;
        rows.iter().map(|r| provider(tenant, r)).collect()
    }

    fn auth_providers_using_form(&self, tenant: &str, form: &str) -> StorageResult<Vec<String>> {
        let rows = self.query(
            "SELECT identifier FROM auth_providers WHERE tenant_id = $1 AND form_identifier = $2 \
             ORDER BY identifier COLLATE \"C\"",
            &[&tenant, &form],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}

impl AuthProviderWrites for PgTx {
    /// A marker another provider has breaks `auth_providers_pk`: `auth_provider_identifier_taken`.
    fn insert_auth_provider(&mut self, tenant: &str, provider: &AuthProvider) -> StorageResult<()> {
        write(self, tenant, provider, false)
    }

    /// Stores the provider whether or not it was there, as the embedded engine does.
    fn update_auth_provider(&mut self, tenant: &str, provider: &AuthProvider) -> StorageResult<()> {
        write(self, tenant, provider, true)
    }

    fn delete_auth_provider(&mut self, tenant: &str, identifier: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM auth_providers WHERE tenant_id = $1 AND identifier = $2",
            &[&tenant, &identifier],
        )?;
        Ok(deleted > 0)
    }
}
