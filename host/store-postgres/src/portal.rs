//! The portal aggregate on PostgreSQL: `portal_settings` (one row per tenant, once saved) and
//! `portal_pages` (by code, the code unique: `page_code_taken`).

use portico_core::portal::{PortalPage, PortalSettings};
use portico_core::storage::{PortalReads, PortalWrites, StorageError, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const SETTINGS_COLUMNS: &str = "login_title, published, max_portal_users, \
     signup_link_ttl_seconds, max_failed_sign_ins, lockout_seconds, display_name, \
     primary_color, background_color, logo_url, pages_url";

const PAGE_COLUMNS: &str = "code, title, path, visible";

/// `value` as a `bigint` column; a value beyond its range is refused rather than changed.
fn to_bigint(value: u64, column: &str) -> StorageResult<i64> {
    i64::try_from(value).map_err(|_| {
        StorageError::Unavailable(format!(
            "portal_settings.{column}: {value} is beyond the database's range"
        ))
    })
}

/// `value` as an `integer` column; a value beyond its range is refused rather than changed.
fn to_integer(value: u32, column: &str) -> StorageResult<i32> {
    i32::try_from(value).map_err(|_| {
        StorageError::Unavailable(format!(
            "portal_settings.{column}: {value} is beyond the database's range"
        ))
    })
}

/// A stored count read back; the schema's CHECKs keep it non-negative.
fn unsigned<T: TryFrom<i64>>(tenant: &str, column: &str, value: i64) -> StorageResult<T> {
    T::try_from(value).map_err(|_| StorageError::Corrupt {
        what: "portal_settings",
        key: tenant.to_string(),
        message: format!("{column} is {value}"),
    })
}

fn settings(row: &Row, tenant: &str) -> StorageResult<PortalSettings> {
    let bigint = |column: &str| unsigned::<u64>(tenant, column, row.get(column));
    let failures: i32 = row.get("max_failed_sign_ins");
    Ok(PortalSettings {
        login_title: row.get("login_title"),
        published: row.get("published"),
        max_portal_users: bigint("max_portal_users")?,
        signup_link_ttl_seconds: bigint("signup_link_ttl_seconds")?,
        max_failed_sign_ins: unsigned(tenant, "max_failed_sign_ins", i64::from(failures))?,
        lockout_seconds: bigint("lockout_seconds")?,
        display_name: row.get("display_name"),
        primary_color: row.get("primary_color"),
        background_color: row.get("background_color"),
        logo_url: row.get("logo_url"),
        pages_url: row.get("pages_url"),
    })
}

fn page(row: &Row) -> PortalPage {
    PortalPage {
        code: row.get("code"),
        title: row.get("title"),
        path: row.get("path"),
        visible: row.get("visible"),
    }
}

impl PortalReads for PgTx {
    fn portal_settings(&self, tenant: &str) -> StorageResult<Option<PortalSettings>> {
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM portal_settings WHERE tenant_id = $1");
        self.query_opt(&sql, &[&tenant])?
            .map(|row| settings(&row, tenant))
            .transpose()
    }

    fn portal_page(&self, tenant: &str, code: &str) -> StorageResult<Option<PortalPage>> {
        let sql =
            format!("SELECT {PAGE_COLUMNS} FROM portal_pages WHERE tenant_id = $1 AND code = $2");
        Ok(self.query_opt(&sql, &[&tenant, &code])?.as_ref().map(page))
    }

    fn portal_page_exists(&self, tenant: &str, code: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM portal_pages WHERE tenant_id = $1 AND code = $2",
            &[&tenant, &code],
        )?;
        Ok(row.is_some())
    }

    fn portal_pages_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<PortalPage>> {
        let sql = format!(
            "SELECT {PAGE_COLUMNS} FROM portal_pages \
             WHERE tenant_id = $1 AND ($2::text IS NULL OR code > $2) ORDER BY code LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(&sql, &[&tenant, &after, &limit])?;
        Ok(rows.iter().map(page).collect())
    }
}

impl PortalWrites for PgTx {
    fn save_portal_settings(
        &mut self,
        tenant: &str,
        settings: &PortalSettings,
    ) -> StorageResult<()> {
        let max_users = to_bigint(settings.max_portal_users, "max_portal_users")?;
        let ttl = to_bigint(settings.signup_link_ttl_seconds, "signup_link_ttl_seconds")?;
        let failures = to_integer(settings.max_failed_sign_ins, "max_failed_sign_ins")?;
        let lockout = to_bigint(settings.lockout_seconds, "lockout_seconds")?;
        let sql = format!(
            "INSERT INTO portal_settings (tenant_id, {SETTINGS_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (tenant_id) DO UPDATE \
             SET login_title = $2, published = $3, max_portal_users = $4, \
             signup_link_ttl_seconds = $5, max_failed_sign_ins = $6, lockout_seconds = $7, \
             display_name = $8, primary_color = $9, background_color = $10, logo_url = $11, \
             pages_url = $12"
        );
        self.execute(
            &sql,
            &[
                &tenant,
                &settings.login_title,
                &settings.published,
                &max_users,
                &ttl,
                &failures,
                &lockout,
                &settings.display_name,
                &settings.primary_color,
                &settings.background_color,
                &settings.logo_url,
                &settings.pages_url,
            ],
        )?;
        Ok(())
    }

    /// A code another page has breaks `portal_pages_pk`: `page_code_taken`.
    fn insert_portal_page(&mut self, tenant: &str, page: &PortalPage) -> StorageResult<()> {
        let sql = format!(
            "INSERT INTO portal_pages (tenant_id, {PAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
        );
        self.execute(
            &sql,
            &[&tenant, &page.code, &page.title, &page.path, &page.visible],
        )?;
        Ok(())
    }

    /// Stores the page whether or not it was there, as the embedded engine does.
    fn update_portal_page(&mut self, tenant: &str, page: &PortalPage) -> StorageResult<()> {
        let sql = format!(
            "INSERT INTO portal_pages (tenant_id, {PAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, code) DO UPDATE SET title = $3, path = $4, visible = $5"
        );
        self.execute(
            &sql,
            &[&tenant, &page.code, &page.title, &page.path, &page.visible],
        )?;
        Ok(())
    }

    fn delete_portal_page(&mut self, tenant: &str, code: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM portal_pages WHERE tenant_id = $1 AND code = $2",
            &[&tenant, &code],
        )?;
        Ok(deleted > 0)
    }
}
