//! The signup links aggregate on PostgreSQL: `signup_links` by the digest of their token. The
//! index of a profile's links with their expiry is the table itself
//! (`signup_links_profile_idx`), so it never holds an entry without its link:
//! `signup_links_of_profile` never answers a `None` expiry.

use chrono::{DateTime, Utc};
use portico_core::signup_links::SignupLink;
use portico_core::storage::{SignupLinkReads, SignupLinkWrites, StorageError, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const LINK_COLUMNS: &str =
    "profile_id, with_sign, expires_at, confirmation_digest, failed_confirmations, claims";

fn signup_link(row: &Row, digest: &str) -> StorageResult<SignupLink> {
    let failed: i32 = row.get("failed_confirmations");
    let claims = match row.get::<_, serde_json::Value>("claims") {
        serde_json::Value::Object(claims) => claims,
        other => {
            return Err(corrupt(
                digest,
                format!("claims are not an object: {other}"),
            ))
        }
    };
    Ok(SignupLink {
        profile_id: row.get("profile_id"),
        with_sign: row.get("with_sign"),
        expires_at: row.get("expires_at"),
        confirmation_digest: row.get("confirmation_digest"),
        failed_confirmations: u32::try_from(failed)
            .map_err(|_| corrupt(digest, format!("failed_confirmations is {failed}")))?,
        claims,
    })
}

fn corrupt(digest: &str, message: String) -> StorageError {
    StorageError::Corrupt {
        what: "signup_links",
        key: digest.to_string(),
        message,
    }
}

impl SignupLinkReads for PgTx {
    fn signup_link(&self, tenant: &str, digest: &str) -> StorageResult<Option<SignupLink>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM signup_links WHERE tenant_id = $1 AND link_digest = $2"
        );
        self.query_opt(&sql, &[&tenant, &digest])?
            .map(|row| signup_link(&row, digest))
            .transpose()
    }

    /// In digest order, as the embedded engine's index lists them; every expiry is `Some`.
    fn signup_links_of_profile(
        &self,
        tenant: &str,
        profile_id: &str,
    ) -> StorageResult<Vec<(String, Option<DateTime<Utc>>)>> {
        let rows = self.query(
            "SELECT link_digest, expires_at FROM signup_links \
             WHERE tenant_id = $1 AND profile_id = $2 ORDER BY link_digest",
            &[&tenant, &profile_id],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), Some(r.get(1)))).collect())
    }
}

/// Inserts the link under `digest`, or with `replace` replaces the stored one.
fn put_link(
    tx: &PgTx,
    tenant: &str,
    digest: &str,
    link: &SignupLink,
    replace: bool,
) -> StorageResult<()> {
    let failed = i32::try_from(link.failed_confirmations).map_err(|_| {
        StorageError::Unavailable(format!(
            "signup_links.failed_confirmations: {} is beyond the database's range",
            link.failed_confirmations
        ))
    })?;
    let claims = serde_json::Value::Object(link.claims.clone());
    let on_conflict = if replace {
        " ON CONFLICT (tenant_id, link_digest) DO UPDATE SET profile_id = $3, with_sign = $4, \
         expires_at = $5, confirmation_digest = $6, failed_confirmations = $7, claims = $8"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO signup_links (tenant_id, link_digest, {LINK_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8){on_conflict}"
    );
    tx.execute(
        &sql,
        &[
            &tenant,
            &digest,
            &link.profile_id,
            &link.with_sign,
            &link.expires_at,
            &link.confirmation_digest,
            &failed,
            &claims,
        ],
    )?;
    Ok(())
}

impl SignupLinkWrites for PgTx {
    /// The link's profile must exist (`signup_links_profile_fk`); `digest` is the SHA-256 (hex)
    /// of the token, as the schema's CHECK requires.
    fn insert_signup_link(
        &mut self,
        tenant: &str,
        digest: &str,
        link: &SignupLink,
    ) -> StorageResult<()> {
        put_link(self, tenant, digest, link, false)
    }

    /// Stores the link whether or not it was there, as the embedded engine does.
    fn update_signup_link(
        &mut self,
        tenant: &str,
        digest: &str,
        link: &SignupLink,
    ) -> StorageResult<()> {
        put_link(self, tenant, digest, link, true)
    }

    /// Deletes the link under `digest` (the index is the row itself); `profile_id` names the
    /// index entry in the embedded engine and is not needed here.
    fn delete_signup_link(
        &mut self,
        tenant: &str,
        _profile_id: &str,
        digest: &str,
    ) -> StorageResult<()> {
        self.execute(
            "DELETE FROM signup_links WHERE tenant_id = $1 AND link_digest = $2",
            &[&tenant, &digest],
        )?;
        Ok(())
    }
}
