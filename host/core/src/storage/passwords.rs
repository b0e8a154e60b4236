//! The passwords port: password reset codes, found by the digest of the code.

use super::StorageResult;
use crate::passwords::ResetCode;

/// Reading password reset codes.
pub trait PasswordReads {
    /// The reset code whose digest this is.
    fn reset_code(&self, tenant: &str, digest: &str) -> StorageResult<Option<ResetCode>>;
}

/// Writing password reset codes.
pub trait PasswordWrites: PasswordReads {
    /// Stores a new reset code under the digest of the code.
    fn insert_reset_code(
        &mut self,
        tenant: &str,
        digest: &str,
        code: &ResetCode,
    ) -> StorageResult<()>;
    /// Deletes the reset code whose digest this is; answers whether there was one.
    fn delete_reset_code(&mut self, tenant: &str, digest: &str) -> StorageResult<bool>;
}
