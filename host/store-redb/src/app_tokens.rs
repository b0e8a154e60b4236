//! The app tokens port on redb: app token metadata in `Table::AppTokens` under the digest of
//! the secret (a tenant holds a bounded handful, so listing, counting and finding one by id
//! scan the tenant's range).

use portico_core::app_tokens::AppToken;
use portico_core::storage::{AppTokenReads, AppTokenWrites, StorageResult};

use super::{RawReader, ReadTx, Reader, Table, WriteTx};

/// The tenant's app tokens with the digests they are stored under, in digest order.
fn app_token_rows<R: Reader>(tx: &R, tenant: &str) -> StorageResult<Vec<(String, AppToken)>> {
    Ok(tx.scan(Table::AppTokens, tenant, "", None, usize::MAX)?)
}

macro_rules! app_token_reads {
    ($($t:ty),*) => {$(
        impl AppTokenReads for $t {
            fn app_token(&self, tenant: &str, digest: &str) -> StorageResult<Option<AppToken>> {
                Ok(self.get(Table::AppTokens, tenant, digest)?)
            }
            fn app_tokens(&self, tenant: &str) -> StorageResult<Vec<AppToken>> {
                Ok(app_token_rows(self, tenant)?.into_iter().map(|(_, t)| t).collect())
            }
            fn count_app_tokens(&self, tenant: &str) -> StorageResult<usize> {
                Ok(self.scan_raw(Table::AppTokens, tenant, "", None, usize::MAX)?.len())
            }
        }
    )*};
}
app_token_reads!(ReadTx, WriteTx<'_>);

impl AppTokenWrites for WriteTx<'_> {
    fn insert_app_token(
        &mut self,
        tenant: &str,
        digest: &str,
        token: &AppToken,
    ) -> StorageResult<()> {
        Ok(self.put(Table::AppTokens, tenant, digest, token)?)
    }

    fn delete_app_token(&mut self, tenant: &str, token_id: &str) -> StorageResult<bool> {
        let digest = app_token_rows(self, tenant)?
            .into_iter()
            .find(|(_, t)| t.id == token_id)
            .map(|(digest, _)| digest);
        match digest {
            Some(digest) => Ok(self.delete(Table::AppTokens, tenant, &digest)?),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::app_tokens::AppToken;
    use portico_core::storage::{AppTokenReads, AppTokenWrites, TenantWrites};
    use portico_core::tenants::Tenant;

    use crate::{RawReader, Store, Table};

    fn app_token(id: &str, name: &str) -> AppToken {
        AppToken {
            id: id.into(),
            name: name.into(),
            created_at: Utc::now(),
        }
    }

    fn tenant(id: &str) -> Tenant {
        Tenant {
            id: id.into(),
            namespace: format!("ns_{id}"),
            name: id.into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn app_tokens_are_found_by_digest_listed_counted_and_deleted_by_id_per_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_tenant(&tenant("t1")).unwrap();
        tx.insert_tenant(&tenant("t2")).unwrap();
        tx.insert_app_token("t1", "digest-b", &app_token("a1", "web"))
            .unwrap();
        tx.insert_app_token("t1", "digest-a", &app_token("a2", "mobile"))
            .unwrap();
        tx.insert_app_token("t2", "digest-c", &app_token("a3", "web"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(read.app_token("t1", "digest-a").unwrap().unwrap().id, "a2");
        assert_eq!(read.app_token("t2", "digest-a").unwrap(), None);
        assert_eq!(read.count_app_tokens("t1").unwrap(), 2);
        assert_eq!(read.count_app_tokens("t2").unwrap(), 1);
        assert_eq!(read.app_tokens("t1").unwrap().len(), 2);
        // The layout on disk: the record under the digest, not the id.
        assert!(read
            .get_raw(Table::AppTokens, "t1", "digest-b")
            .unwrap()
            .is_some());
        drop(read);

        let mut tx = store.write().unwrap();
        // Another tenant's id is not this tenant's to delete.
        assert!(!tx.delete_app_token("t2", "a1").unwrap());
        assert!(tx.delete_app_token("t1", "a1").unwrap());
        assert!(!tx.delete_app_token("t1", "a1").unwrap());
        assert_eq!(tx.app_token("t1", "digest-b").unwrap(), None);
        assert_eq!(tx.count_app_tokens("t1").unwrap(), 1);
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert!(tx.delete_tenant("t1").unwrap());
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert!(read.app_tokens("t1").unwrap().is_empty());
        assert_eq!(read.count_app_tokens("t2").unwrap(), 1);
    }
}
