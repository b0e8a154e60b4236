//! The tenants port on redb: tenants in `SystemTable::Tenants` and the index of their namespaces
//! in `SystemTable::TenantNamespaces` (written only here, with the tenant), the settings record
//! in `Table::TenantSettings`, API key metadata in `Table::ApiKeys` under the digest of the
//! secret, and the operator token's digest in `SystemTable::Meta`.

use portico_core::storage::{StorageError, StorageResult, TenantReads, TenantWrites};
use portico_core::tenants::{ApiKey, Tenant, TenantSettings};

use super::{ReadTx, Reader, SystemTable, Table, WriteTx};

/// Key of the operator token's digest in `SystemTable::Meta`.
const OPERATOR_TOKEN_KEY: &str = "operator_token_sha256";
/// Key of a tenant's one settings record.
const SETTINGS_KEY: &str = "settings";

fn tenant<R: Reader>(tx: &R, id: &str) -> StorageResult<Option<Tenant>> {
    Ok(tx.system_get(SystemTable::Tenants, id)?)
}

fn tenant_id_by_namespace<R: Reader>(tx: &R, namespace: &str) -> StorageResult<Option<String>> {
    Ok(tx.system_get(SystemTable::TenantNamespaces, namespace)?)
}

fn tenant_by_namespace<R: Reader>(tx: &R, namespace: &str) -> StorageResult<Option<Tenant>> {
    match tenant_id_by_namespace(tx, namespace)? {
        Some(id) => tenant(tx, &id),
        None => Ok(None),
    }
}

fn tenants_after<R: Reader>(
    tx: &R,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<Tenant>> {
    let rows: Vec<(String, Tenant)> = tx.system_scan(SystemTable::Tenants, after, limit)?;
    Ok(rows.into_iter().map(|(_, t)| t).collect())
}

fn tenant_settings<R: Reader>(tx: &R, tenant: &str) -> StorageResult<Option<TenantSettings>> {
    Ok(tx.get(Table::TenantSettings, tenant, SETTINGS_KEY)?)
}

/// The tenant's API keys with the digests they are stored under, in digest order.
fn api_key_rows<R: Reader>(tx: &R, tenant: &str) -> StorageResult<Vec<(String, ApiKey)>> {
    Ok(tx.scan(Table::ApiKeys, tenant, "", None, usize::MAX)?)
}

macro_rules! tenant_reads {
    ($($t:ty),*) => {$(
        impl TenantReads for $t {
            fn tenant(&self, id: &str) -> StorageResult<Option<Tenant>> {
                tenant(self, id)
            }
            fn tenant_id_by_namespace(&self, namespace: &str) -> StorageResult<Option<String>> {
                tenant_id_by_namespace(self, namespace)
            }
            fn tenant_by_namespace(&self, namespace: &str) -> StorageResult<Option<Tenant>> {
                tenant_by_namespace(self, namespace)
            }
            fn tenants_after(
                &self,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<Tenant>> {
                tenants_after(self, after, limit)
            }
            fn tenant_settings(&self, tenant: &str) -> StorageResult<Option<TenantSettings>> {
                tenant_settings(self, tenant)
            }
            fn has_api_key(&self, tenant: &str, digest: &str) -> StorageResult<bool> {
                Ok(self.exists(Table::ApiKeys, tenant, digest)?)
            }
            fn api_keys(&self, tenant: &str) -> StorageResult<Vec<ApiKey>> {
                Ok(api_key_rows(self, tenant)?.into_iter().map(|(_, k)| k).collect())
            }
            fn operator_token_digest(&self) -> StorageResult<Option<String>> {
                Ok(self.system_get(SystemTable::Meta, OPERATOR_TOKEN_KEY)?)
            }
        }
    )*};
}
tenant_reads!(ReadTx, WriteTx<'_>);

impl TenantWrites for WriteTx<'_> {
    fn insert_tenant(&mut self, tenant: &Tenant) -> StorageResult<()> {
        // The writers take turns, so a check made in the turn holds until its commit.
        if let Some(holder) = tenant_id_by_namespace(self, &tenant.namespace)? {
            if holder != tenant.id {
                return Err(StorageError::Conflict {
                    code: "namespace_taken",
                    message: format!(
                        "a tenant with namespace '{}' already exists",
                        tenant.namespace
                    ),
                });
            }
        }
        self.system_put(SystemTable::Tenants, &tenant.id, tenant)?;
        self.system_put(SystemTable::TenantNamespaces, &tenant.namespace, &tenant.id)?;
        Ok(())
    }

    fn delete_tenant(&mut self, id: &str) -> StorageResult<bool> {
        self.delete_tenant_data(id)?;
        let Some(tenant) = tenant(self, id)? else {
            return Ok(false);
        };
        if tenant_id_by_namespace(self, &tenant.namespace)?.as_deref() == Some(id) {
            self.system_delete(SystemTable::TenantNamespaces, &tenant.namespace)?;
        }
        Ok(self.system_delete(SystemTable::Tenants, id)?)
    }

    fn put_tenant_settings(
        &mut self,
        tenant: &str,
        settings: &TenantSettings,
    ) -> StorageResult<()> {
        Ok(self.put(Table::TenantSettings, tenant, SETTINGS_KEY, settings)?)
    }

    fn insert_api_key(&mut self, tenant: &str, digest: &str, key: &ApiKey) -> StorageResult<()> {
        Ok(self.put(Table::ApiKeys, tenant, digest, key)?)
    }

    fn delete_api_key(&mut self, tenant: &str, key_id: &str) -> StorageResult<bool> {
        let digest = api_key_rows(self, tenant)?
            .into_iter()
            .find(|(_, k)| k.id == key_id)
            .map(|(digest, _)| digest);
        match digest {
            Some(digest) => Ok(self.delete(Table::ApiKeys, tenant, &digest)?),
            None => Ok(false),
        }
    }

    fn set_operator_token_digest(&mut self, digest: &str) -> StorageResult<()> {
        Ok(self.system_put(SystemTable::Meta, OPERATOR_TOKEN_KEY, &digest)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::storage::{StorageError, TenantReads, TenantWrites, UserReads};
    use portico_core::tenants::{ApiKey, Tenant, TenantSettings};

    use crate::{Reader, Store, SystemTable, Table};

    fn tenant(id: &str, namespace: &str) -> Tenant {
        Tenant {
            id: id.into(),
            namespace: namespace.into(),
            name: namespace.into(),
            created_at: Utc::now(),
        }
    }

    fn api_key(id: &str) -> ApiKey {
        ApiKey {
            id: id.into(),
            name: "default".into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn the_namespace_index_follows_the_tenant_and_deleting_a_tenant_deletes_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_tenant(&tenant("t2", "beta")).unwrap();
        tx.insert_tenant(&tenant("t1", "acme")).unwrap();
        let taken = tx.insert_tenant(&tenant("t3", "acme"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "namespace_taken",
                ..
            })
        ));
        tx.put_tenant_settings("t1", &TenantSettings::default())
            .unwrap();
        tx.insert_api_key("t1", "digest-b", &api_key("k1")).unwrap();
        tx.insert_api_key("t1", "digest-a", &api_key("k2")).unwrap();
        tx.put(Table::Users, "t1", "u1", &"a user").unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        // The layout on disk: the index maps the namespace to the id.
        let indexed: Option<String> = read
            .system_get(SystemTable::TenantNamespaces, "acme")
            .unwrap();
        assert_eq!(indexed.as_deref(), Some("t1"));
        assert_eq!(read.tenant_by_namespace("acme").unwrap().unwrap().id, "t1");
        let ids: Vec<String> = read
            .tenants_after(None, 10)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, ["t1", "t2"]);
        assert_eq!(read.tenants_after(Some("t1"), 10).unwrap().len(), 1);
        assert!(read.has_api_key("t1", "digest-a").unwrap());
        assert!(!read.has_api_key("t2", "digest-a").unwrap());
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_api_key("t1", "k2").unwrap());
        assert!(!tx.delete_api_key("t1", "k2").unwrap());
        assert!(!tx.has_api_key("t1", "digest-a").unwrap());
        assert_eq!(tx.api_keys("t1").unwrap().len(), 1);
        assert!(tx.delete_tenant("t1").unwrap());
        assert!(!tx.delete_tenant("t1").unwrap());
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert!(read.tenant("t1").unwrap().is_none());
        assert_eq!(read.tenant_id_by_namespace("acme").unwrap(), None);
        assert!(read.tenant_settings("t1").unwrap().is_none());
        assert!(read.api_keys("t1").unwrap().is_empty());
        assert!(!read.user_exists("t1", "u1").unwrap());
        assert_eq!(
            read.tenant_id_by_namespace("beta").unwrap().as_deref(),
            Some("t2")
        );
    }

    #[test]
    fn settings_stored_before_allowed_origins_still_load_and_origins_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        // A record as an earlier build wrote it.
        let old = serde_json::json!({"resetCodeTtlSeconds": 3600, "passwordMinLength": 10});
        tx.put(Table::TenantSettings, "t1", "settings", &old)
            .unwrap();
        let with_origins = TenantSettings {
            allowed_origins: vec!["https://app.example.com".into()],
            ..TenantSettings::default()
        };
        tx.put_tenant_settings("t2", &with_origins).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let loaded = read.tenant_settings("t1").unwrap().unwrap();
        assert_eq!(loaded.reset_code_ttl_seconds, 3600);
        assert_eq!(loaded.password_min_length, 10);
        assert!(loaded.allowed_origins.is_empty());
        let loaded = read.tenant_settings("t2").unwrap().unwrap();
        assert_eq!(loaded.allowed_origins, ["https://app.example.com"]);
    }

    #[test]
    fn settings_stored_before_the_mail_sender_still_load_and_the_sender_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        // A record as the build before the mail sender wrote it.
        let old = serde_json::json!({
            "resetCodeTtlSeconds": 3600,
            "passwordMinLength": 10,
            "allowedOrigins": ["https://app.example.com"]
        });
        tx.put(Table::TenantSettings, "t1", "settings", &old)
            .unwrap();
        let with_sender = TenantSettings {
            mail_sender_name: Some("Acme Support".into()),
            mail_sender_address: Some("no-reply@acme.example".into()),
            mail_reply_to: Some("help@acme.example".into()),
            ..TenantSettings::default()
        };
        tx.put_tenant_settings("t2", &with_sender).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let loaded = read.tenant_settings("t1").unwrap().unwrap();
        assert_eq!(loaded.allowed_origins, ["https://app.example.com"]);
        assert_eq!(
            (
                loaded.mail_sender_name,
                loaded.mail_sender_address,
                loaded.mail_reply_to
            ),
            (None, None, None)
        );
        let loaded = read.tenant_settings("t2").unwrap().unwrap();
        assert_eq!(loaded.mail_sender_name.as_deref(), Some("Acme Support"));
        assert_eq!(
            loaded.mail_sender_address.as_deref(),
            Some("no-reply@acme.example")
        );
        assert_eq!(loaded.mail_reply_to.as_deref(), Some("help@acme.example"));
    }

    #[test]
    fn settings_stored_before_the_mail_language_read_as_english_and_the_language_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        // A record as the build before the mail language wrote it.
        let old = serde_json::json!({
            "resetCodeTtlSeconds": 3600,
            "passwordMinLength": 10,
            "allowedOrigins": [],
            "mailSenderName": "Acme"
        });
        tx.put(Table::TenantSettings, "t1", "settings", &old)
            .unwrap();
        let turkish = TenantSettings {
            mail_language: "tr_TR".into(),
            ..TenantSettings::default()
        };
        tx.put_tenant_settings("t2", &turkish).unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        let loaded = read.tenant_settings("t1").unwrap().unwrap();
        assert_eq!(loaded.mail_language, "en_US");
        assert_eq!(loaded.mail_sender_name.as_deref(), Some("Acme"));
        let loaded = read.tenant_settings("t2").unwrap().unwrap();
        assert_eq!(loaded.mail_language, "tr_TR");
    }

    #[test]
    fn the_operator_token_digest_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        assert_eq!(tx.operator_token_digest().unwrap(), None);
        tx.set_operator_token_digest("first").unwrap();
        tx.set_operator_token_digest("second").unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(
            read.operator_token_digest().unwrap().as_deref(),
            Some("second")
        );
    }
}
