//! The sessions aggregate on PostgreSQL: `session_tokens` by the digest of the token. The index
//! of a user's tokens is the table itself (`session_tokens_user_idx`), so it never holds an
//! entry without its token: `sessions_of_user` never answers a `None` token.

use portico_core::sessions::{SessionMeta, SessionToken, TokenKind};
use portico_core::storage::{SessionReads, SessionWrites, StorageError, StorageResult};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const TOKEN_COLUMNS: &str =
    "user_id, kind, family, expires_at, provider, device, started_at, rotated";

/// The `kind` column's value of `kind` (the core's serialised names).
fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Access => "access",
        TokenKind::Refresh => "refresh",
        TokenKind::App => "app",
    }
}

fn session_token(row: &Row, digest: &str) -> StorageResult<SessionToken> {
    let kind = match row.get::<_, &str>("kind") {
        "access" => TokenKind::Access,
        "refresh" => TokenKind::Refresh,
        "app" => TokenKind::App,
        other => {
            return Err(StorageError::Corrupt {
                what: "session_tokens",
                key: digest.to_string(),
                message: format!("unknown kind {other}"),
            })
        }
    };
    Ok(SessionToken {
        user_id: row.get("user_id"),
        kind,
        family: row.get("family"),
        expires_at: row.get("expires_at"),
        meta: SessionMeta {
            provider: row.get("provider"),
            device: row
                .get::<_, Option<serde_json::Value>>("device")
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| StorageError::Corrupt {
                    what: "session_tokens",
                    key: digest.to_string(),
                    message: format!("device: {e}"),
                })?,
            started_at: row.get("started_at"),
            rotated: row.get("rotated"),
        },
    })
}

impl SessionReads for PgTx {
    fn session_token(&self, tenant: &str, digest: &str) -> StorageResult<Option<SessionToken>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM session_tokens WHERE tenant_id = $1 AND token_digest = $2"
        );
        self.query_opt(&sql, &[&tenant, &digest])?
            .map(|row| session_token(&row, digest))
            .transpose()
    }

    /// In digest order, as the embedded engine's index lists them; every token is `Some`.
    fn sessions_of_user(
        &self,
        tenant: &str,
        user_id: &str,
    ) -> StorageResult<Vec<(String, Option<SessionToken>)>> {
        let sql = format!(
            "SELECT token_digest, {TOKEN_COLUMNS} FROM session_tokens \
             WHERE tenant_id = $1 AND user_id = $2 ORDER BY token_digest"
        );
        self.query(&sql, &[&tenant, &user_id])?
            .iter()
            .map(|row| {
                let digest: String = row.get("token_digest");
                let token = session_token(row, &digest)?;
                Ok((digest, Some(token)))
            })
            .collect()
    }
}

impl SessionWrites for PgTx {
    /// The token's user must exist (`session_tokens_user_fk`); `digest` is the SHA-256 (hex)
    /// of the token, as the schema's CHECK requires.
    fn insert_session_token(
        &mut self,
        tenant: &str,
        digest: &str,
        token: &SessionToken,
    ) -> StorageResult<()> {
        let sql = format!(
            "INSERT INTO session_tokens (tenant_id, token_digest, {TOKEN_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        let device =
            token.meta.device.as_ref().map(
                |d| serde_json::json!({"os": d.os, "browser": d.browser, "location": d.location}),
            );
        self.execute(
            &sql,
            &[
                &tenant,
                &digest,
                &token.user_id,
                &kind_name(token.kind),
                &token.family,
                &token.expires_at,
                &token.meta.provider,
                &device,
                &token.meta.started_at,
                &token.meta.rotated,
            ],
        )?;
        Ok(())
    }

    /// Deletes the token under `digest` (the index is the row itself); `user_id` names the
    /// index entry in the embedded engine and is not needed here.
    fn delete_session_token(
        &mut self,
        tenant: &str,
        _user_id: &str,
        digest: &str,
    ) -> StorageResult<()> {
        self.execute(
            "DELETE FROM session_tokens WHERE tenant_id = $1 AND token_digest = $2",
            &[&tenant, &digest],
        )?;
        Ok(())
    }
}
