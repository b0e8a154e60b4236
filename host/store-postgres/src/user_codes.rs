//! The user codes aggregate on PostgreSQL: `user_codes`, one row per (user, event), keyed
//! `(tenant_id, user_id, event)`; a user's codes go with the user (`ON DELETE CASCADE`). The
//! schema holds keyed digests only (`CHECK (code_digest ~ '^hmac-sha256:...')`).

use portico_core::storage::{
    CodeEvent, StorageError, StorageResult, UserCode, UserCodeReads, UserCodeWrites,
};

use crate::transaction::PgTx;

impl UserCodeReads for PgTx {
    fn user_code(
        &self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
    ) -> StorageResult<Option<UserCode>> {
        let row = self.query_opt(
            "SELECT code_digest, expires_at, failed_attempts, sent_at FROM user_codes \
             WHERE tenant_id = $1 AND user_id = $2 AND event = $3",
            &[&tenant, &user_id, &event.wire_name()],
        )?;
        let Some(row) = row else { return Ok(None) };
        let failed: i32 = row.get("failed_attempts");
        let failed_attempts = u32::try_from(failed).map_err(|_| StorageError::Corrupt {
            what: "user_codes",
            key: format!("{user_id}/{}", event.wire_name()),
            message: format!("failed_attempts is {failed}"),
        })?;
        Ok(Some(UserCode {
            digest: row.get("code_digest"),
            expires_at: row.get("expires_at"),
            failed_attempts,
            sent_at: row.get("sent_at"),
        }))
    }
}

impl UserCodeWrites for PgTx {
    /// An upsert: a new code replaces the user's code for the event.
    fn save_user_code(
        &mut self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
        code: &UserCode,
    ) -> StorageResult<()> {
        let failed = i32::try_from(code.failed_attempts).map_err(|_| {
            StorageError::Unavailable(format!(
                "user_codes.failed_attempts: {} is beyond the database's range",
                code.failed_attempts
            ))
        })?;
        self.execute(
            "INSERT INTO user_codes (tenant_id, user_id, event, code_digest, expires_at, \
             failed_attempts, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, user_id, event) DO UPDATE SET code_digest = $4, \
             expires_at = $5, failed_attempts = $6, sent_at = $7",
            &[
                &tenant,
                &user_id,
                &event.wire_name(),
                &code.digest,
                &code.expires_at,
                &failed,
                &code.sent_at,
            ],
        )?;
        Ok(())
    }

    fn delete_user_code(
        &mut self,
        tenant: &str,
        user_id: &str,
        event: CodeEvent,
    ) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM user_codes WHERE tenant_id = $1 AND user_id = $2 AND event = $3",
            &[&tenant, &user_id, &event.wire_name()],
        )?;
        Ok(deleted > 0)
    }
}
