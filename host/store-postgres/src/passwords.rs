//! The passwords aggregate on PostgreSQL: `reset_codes`, under the SHA-256 of the code (the
//! schema's CHECK refuses anything but 64 lowercase hex digits). `user_id` is not a foreign
//! key: a new user's welcome code is stored before the user, in the same transaction.

use portico_core::passwords::{ResetCode, ResetPurpose};
use portico_core::storage::{PasswordReads, PasswordWrites, StorageError, StorageResult};

use crate::transaction::PgTx;

fn purpose_name(purpose: ResetPurpose) -> &'static str {
    match purpose {
        ResetPurpose::Reset => "reset",
        ResetPurpose::SetPassword => "set_password",
    }
}

fn purpose_of(digest: &str, name: &str) -> StorageResult<ResetPurpose> {
    match name {
        "reset" => Ok(ResetPurpose::Reset),
        "set_password" => Ok(ResetPurpose::SetPassword),
        other => Err(StorageError::Corrupt {
            what: "reset code",
            key: digest.to_string(),
            message: format!("unknown purpose '{other}'"),
        }),
    }
}

impl PasswordReads for PgTx {
    fn reset_code(&self, tenant: &str, digest: &str) -> StorageResult<Option<ResetCode>> {
        let row = self.query_opt(
            "SELECT user_id, purpose, expires_at FROM reset_codes \
             WHERE tenant_id = $1 AND code_digest = $2",
            &[&tenant, &digest],
        )?;
        row.map(|r| {
            Ok(ResetCode {
                user_id: r.get("user_id"),
                purpose: purpose_of(digest, r.get("purpose"))?,
                expires_at: r.get("expires_at"),
            })
        })
        .transpose()
    }
}

impl PasswordWrites for PgTx {
    /// Stores the code under its digest (replacing a code with the same digest, as the
    /// embedded engine's put does).
    fn insert_reset_code(
        &mut self,
        tenant: &str,
        digest: &str,
        code: &ResetCode,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO reset_codes (tenant_id, code_digest, user_id, purpose, expires_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, code_digest) DO UPDATE \
             SET user_id = $3, purpose = $4, expires_at = $5",
            &[
                &tenant,
                &digest,
                &code.user_id,
                &purpose_name(code.purpose),
                &code.expires_at,
            ],
        )?;
        Ok(())
    }

    fn delete_reset_code(&mut self, tenant: &str, digest: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM reset_codes WHERE tenant_id = $1 AND code_digest = $2",
            &[&tenant, &digest],
        )?;
        Ok(deleted > 0)
    }
}
