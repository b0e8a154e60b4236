//! The auth providers port on redb: providers in `Table::AuthProviders` by marker. A tenant has
//! at most `MAX_AUTH_PROVIDERS_PER_TENANT`, so the list and the form look-up read them all.

use portico_core::auth_providers::AuthProvider;
use portico_core::storage::{AuthProviderReads, AuthProviderWrites, StorageError, StorageResult};

use super::{ReadTx, Reader, Table, WriteTx};

fn all<R: Reader>(tx: &R, tenant: &str) -> StorageResult<Vec<AuthProvider>> {
    let rows: Vec<(String, AuthProvider)> =
        tx.scan(Table::AuthProviders, tenant, "", None, usize::MAX)?;
    let mut providers: Vec<AuthProvider> = rows.into_iter().map(|(_, p)| p).collect();
    providers.sort_by_key(|p| p.number);
    Ok(providers)
}

macro_rules! auth_provider_reads {
    ($($t:ty),*) => {$(
        impl AuthProviderReads for $t {
            fn auth_provider(
                &self,
                tenant: &str,
                identifier: &str,
            ) -> StorageResult<Option<AuthProvider>> {
                Ok(self.get(Table::AuthProviders, tenant, identifier)?)
            }
            fn auth_providers(&self, tenant: &str) -> StorageResult<Vec<AuthProvider>> {
                all(self, tenant)
            }
            fn auth_providers_using_form(
                &self,
                tenant: &str,
                form: &str,
            ) -> StorageResult<Vec<String>> {
                let mut users: Vec<String> = all(self, tenant)?
                    .into_iter()
                    .filter(|p| p.form_identifier == form)
                    .map(|p| p.identifier)
                    .collect();
                users.sort();
                Ok(users)
            }
        }
    )*};
}
auth_provider_reads!(ReadTx, WriteTx<'_>);

impl AuthProviderWrites for WriteTx<'_> {
    fn insert_auth_provider(&mut self, tenant: &str, provider: &AuthProvider) -> StorageResult<()> {
        if self.exists(Table::AuthProviders, tenant, &provider.identifier)? {
            return Err(StorageError::Conflict {
                code: "auth_provider_identifier_taken",
                message: format!(
                    "an auth provider with identifier '{}' already exists",
                    provider.identifier
                ),
            });
        }
        self.update_auth_provider(tenant, provider)
    }

    fn update_auth_provider(&mut self, tenant: &str, provider: &AuthProvider) -> StorageResult<()> {
        Ok(self.put(Table::AuthProviders, tenant, &provider.identifier, provider)?)
    }

    fn delete_auth_provider(&mut self, tenant: &str, identifier: &str) -> StorageResult<bool> {
        Ok(self.delete(Table::AuthProviders, tenant, identifier)?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Utc;
    use portico_core::auth_providers::{AuthProvider, AuthProviderType};
    use portico_core::storage::{AuthProviderReads, AuthProviderWrites, StorageError};
    use serde_json::json;

    use crate::Store;

    /// A provider with this marker, number and form.
    pub(crate) fn provider(identifier: &str, number: u64, form: &str) -> AuthProvider {
        AuthProvider {
            identifier: identifier.into(),
            number,
            provider_type: AuthProviderType::Email,
            form_identifier: form.into(),
            user_group_identifier: Some("customers".into()),
            is_active: true,
            is_check_code: true,
            self_signup: false,
            localize_infos: serde_json::from_value(json!({"en_US": {"title": "Email"}})).unwrap(),
            config: serde_json::from_value(json!({"deleteNoneActiveUsersAfterDays": 2})).unwrap(),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn markers_are_unique_per_tenant_and_providers_list_in_number_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        // Marker order differs from number order.
        tx.insert_auth_provider("t", &provider("b-phone", 1, "reg"))
            .unwrap();
        tx.insert_auth_provider("t", &provider("a-email", 2, "other"))
            .unwrap();
        tx.insert_auth_provider("t", &provider("c-mail", 3, "reg"))
            .unwrap();
        tx.insert_auth_provider("t2", &provider("a-email", 1, "reg"))
            .unwrap();
        let taken = tx.insert_auth_provider("t", &provider("a-email", 4, "reg"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "auth_provider_identifier_taken",
                ..
            })
        ));
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let numbers: Vec<u64> = read
            .auth_providers("t")
            .unwrap()
            .iter()
            .map(|p| p.number)
            .collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(
            read.auth_providers_using_form("t", "reg").unwrap(),
            ["b-phone", "c-mail"]
        );
        assert!(read
            .auth_providers_using_form("t", "none")
            .unwrap()
            .is_empty());
        let found = read.auth_provider("t", "a-email").unwrap().unwrap();
        assert_eq!(found, provider_like(&found, "a-email", 2, "other"));
        assert!(read.auth_provider("t3", "a-email").unwrap().is_none());
        drop(read);

        let mut tx = store.write().unwrap();
        let mut changed = provider("a-email", 2, "reg");
        changed.version = 2;
        tx.update_auth_provider("t", &changed).unwrap();
        assert_eq!(
            tx.auth_provider("t", "a-email").unwrap().unwrap().version,
            2
        );
        assert!(tx.delete_auth_provider("t", "a-email").unwrap());
        assert!(!tx.delete_auth_provider("t", "a-email").unwrap());
        assert_eq!(tx.auth_providers("t2").unwrap().len(), 1);
        tx.commit().unwrap();
    }

    /// `provider(identifier, number, form)` with `found`'s times (set when it was made).
    fn provider_like(
        found: &AuthProvider,
        identifier: &str,
        number: u64,
        form: &str,
    ) -> AuthProvider {
        AuthProvider {
            created_at: found.created_at,
            updated_at: found.updated_at,
            ..provider(identifier, number, form)
        }
    }
}
