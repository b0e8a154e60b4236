//! The passwords port on redb: reset codes in `Table::ResetCodes` under the digest of the code.

use portico_core::passwords::ResetCode;
use portico_core::storage::{PasswordReads, PasswordWrites, StorageResult};

use super::{ReadTx, Reader, Table, WriteTx};

macro_rules! password_reads {
    ($($t:ty),*) => {$(
        impl PasswordReads for $t {
            fn reset_code(&self, tenant: &str, digest: &str) -> StorageResult<Option<ResetCode>> {
                Ok(self.get(Table::ResetCodes, tenant, digest)?)
            }
        }
    )*};
}
password_reads!(ReadTx, WriteTx<'_>);

impl PasswordWrites for WriteTx<'_> {
    fn insert_reset_code(
        &mut self,
        tenant: &str,
        digest: &str,
        code: &ResetCode,
    ) -> StorageResult<()> {
        Ok(self.put(Table::ResetCodes, tenant, digest, code)?)
    }

    fn delete_reset_code(&mut self, tenant: &str, digest: &str) -> StorageResult<bool> {
        Ok(self.delete(Table::ResetCodes, tenant, digest)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::passwords::{ResetCode, ResetPurpose};
    use portico_core::storage::{PasswordReads, PasswordWrites};

    use crate::{Reader, Store, Table};

    #[test]
    fn reset_codes_are_found_by_digest_in_their_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let code = ResetCode {
            user_id: "u1".into(),
            purpose: ResetPurpose::SetPassword,
            expires_at: Utc::now(),
        };
        let mut tx = store.write().unwrap();
        tx.insert_reset_code("t", "digest", &code).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let raw: serde_json::Value = read.get(Table::ResetCodes, "t", "digest").unwrap().unwrap();
        assert_eq!(raw["userId"], "u1");
        assert_eq!(raw["purpose"], "set_password");
        let found = read.reset_code("t", "digest").unwrap().unwrap();
        assert_eq!(found.purpose, ResetPurpose::SetPassword);
        assert!(read.reset_code("other", "digest").unwrap().is_none());
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_reset_code("t", "digest").unwrap());
        assert!(!tx.delete_reset_code("t", "digest").unwrap());
        assert!(tx.reset_code("t", "digest").unwrap().is_none());
    }
}
