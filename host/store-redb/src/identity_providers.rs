//! The identity providers port on redb: providers in `Table::IdentityProviders` by id and the
//! index of their names in `Table::IdentityProviderNames` (name -> id), written only here with
//! the provider; identity links in `Table::IdentityLinks` (`provider id \u{1f} external id` ->
//! user id).

use portico_core::identity_providers::IdentityProvider;
use portico_core::storage::{
    IdentityProviderReads, IdentityProviderWrites, StorageError, StorageResult,
};

use super::{composite_key, ReadTx, Reader, Table, WriteTx};

fn provider<R: Reader>(tx: &R, tenant: &str, id: &str) -> StorageResult<Option<IdentityProvider>> {
    Ok(tx.get(Table::IdentityProviders, tenant, id)?)
}

fn provider_id_by_name<R: Reader>(
    tx: &R,
    tenant: &str,
    name: &str,
) -> StorageResult<Option<String>> {
    Ok(tx.get(Table::IdentityProviderNames, tenant, name)?)
}

fn provider_by_name<R: Reader>(
    tx: &R,
    tenant: &str,
    name: &str,
) -> StorageResult<Option<IdentityProvider>> {
    match provider_id_by_name(tx, tenant, name)? {
        Some(id) => provider(tx, tenant, &id),
        None => Ok(None),
    }
}

fn providers_after<R: Reader>(
    tx: &R,
    tenant: &str,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<IdentityProvider>> {
    let rows: Vec<(String, IdentityProvider)> =
        tx.scan(Table::IdentityProviders, tenant, "", after, limit)?;
    Ok(rows.into_iter().map(|(_, p)| p).collect())
}

fn link_key(provider_id: &str, external_id: &str) -> String {
    composite_key(provider_id, external_id)
}

fn user_with_external_id<R: Reader>(
    tx: &R,
    tenant: &str,
    provider_id: &str,
    external_id: &str,
) -> StorageResult<Option<String>> {
    Ok(tx.get(
        Table::IdentityLinks,
        tenant,
        &link_key(provider_id, external_id),
    )?)
}

macro_rules! identity_provider_reads {
    ($($t:ty),*) => {$(
        impl IdentityProviderReads for $t {
            fn identity_provider(
                &self,
                tenant: &str,
                id: &str,
            ) -> StorageResult<Option<IdentityProvider>> {
                provider(self, tenant, id)
            }
            fn identity_provider_by_name(
                &self,
                tenant: &str,
                name: &str,
            ) -> StorageResult<Option<IdentityProvider>> {
                provider_by_name(self, tenant, name)
            }
            fn identity_provider_name_taken(
                &self,
                tenant: &str,
                name: &str,
            ) -> StorageResult<bool> {
                Ok(self.exists(Table::IdentityProviderNames, tenant, name)?)
            }
            fn identity_providers_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<IdentityProvider>> {
                providers_after(self, tenant, after, limit)
            }
            fn user_with_external_id(
                &self,
                tenant: &str,
                provider_id: &str,
                external_id: &str,
            ) -> StorageResult<Option<String>> {
                user_with_external_id(self, tenant, provider_id, external_id)
            }
        }
    )*};
}
identity_provider_reads!(ReadTx, WriteTx<'_>);

// The writers take turns, so a check made in the turn holds until its commit.
impl IdentityProviderWrites for WriteTx<'_> {
    fn insert_identity_provider(
        &mut self,
        tenant: &str,
        provider: &IdentityProvider,
    ) -> StorageResult<()> {
        let holder = provider_id_by_name(self, tenant, &provider.name)?;
        if holder.is_some_and(|holder| holder != provider.id) {
            return Err(StorageError::Conflict {
                code: "identity_provider_name_taken",
                message: format!(
                    "an identity provider named '{}' already exists",
                    provider.name
                ),
            });
        }
        self.put(Table::IdentityProviders, tenant, &provider.id, provider)?;
        self.put(
            Table::IdentityProviderNames,
            tenant,
            &provider.name,
            &provider.id,
        )?;
        Ok(())
    }

    fn delete_identity_provider(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let Some(provider) = provider(self, tenant, id)? else {
            return Ok(false);
        };
        if provider_id_by_name(self, tenant, &provider.name)?.as_deref() == Some(id) {
            self.delete(Table::IdentityProviderNames, tenant, &provider.name)?;
        }
        Ok(self.delete(Table::IdentityProviders, tenant, id)?)
    }

    fn link_external_id(
        &mut self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
        user_id: &str,
    ) -> StorageResult<()> {
        let holder = user_with_external_id(self, tenant, provider_id, external_id)?;
        if holder.is_some_and(|holder| holder != user_id) {
            return Err(StorageError::Conflict {
                code: "external_id_taken",
                message:
                    "another user is already linked to that identity provider with that externalId"
                        .into(),
            });
        }
        let key = link_key(provider_id, external_id);
        Ok(self.put(Table::IdentityLinks, tenant, &key, &user_id)?)
    }

    fn unlink_external_id(
        &mut self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
    ) -> StorageResult<()> {
        let key = link_key(provider_id, external_id);
        self.delete(Table::IdentityLinks, tenant, &key)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::identity_providers::IdentityProvider;
    use portico_core::storage::{IdentityProviderReads, IdentityProviderWrites, StorageError};

    use crate::{composite_key, Reader, Store, Table};

    fn provider(id: &str, name: &str) -> IdentityProvider {
        IdentityProvider {
            id: id.into(),
            name: name.into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn names_and_external_ids_have_one_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_identity_provider("t", &provider("p2", "slack"))
            .unwrap();
        tx.insert_identity_provider("t", &provider("p1", "google"))
            .unwrap();
        let taken = tx.insert_identity_provider("t", &provider("p3", "slack"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "identity_provider_name_taken",
                ..
            })
        ));
        tx.link_external_id("t", "p2", "U123", "u1").unwrap();
        // The holder may link again; another user may not.
        tx.link_external_id("t", "p2", "U123", "u1").unwrap();
        let linked = tx.link_external_id("t", "p2", "U123", "u2");
        assert!(matches!(
            linked,
            Err(StorageError::Conflict {
                code: "external_id_taken",
                ..
            })
        ));
        tx.link_external_id("t", "p1", "U123", "u2").unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let key = composite_key("p2", "U123");
        let indexed: Option<String> = read.get(Table::IdentityLinks, "t", &key).unwrap();
        assert_eq!(indexed.as_deref(), Some("u1"));
        let by_name = read.identity_provider_by_name("t", "slack").unwrap();
        assert_eq!(by_name.unwrap().id, "p2");
        let ids: Vec<String> = read
            .identity_providers_after("t", None, 10)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["p1", "p2"]);
        let after = read.identity_providers_after("t", Some("p1"), 10).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(
            read.user_with_external_id("other", "p2", "U123").unwrap(),
            None
        );
        drop(read);

        let mut tx = store.write().unwrap();
        tx.unlink_external_id("t", "p2", "U123").unwrap();
        tx.link_external_id("t", "p2", "U123", "u2").unwrap();
        assert_eq!(
            tx.user_with_external_id("t", "p2", "U123")
                .unwrap()
                .as_deref(),
            Some("u2")
        );
        assert!(tx.delete_identity_provider("t", "p2").unwrap());
        assert!(!tx.identity_provider_name_taken("t", "slack").unwrap());
        assert!(tx.identity_provider("t", "p2").unwrap().is_none());
        tx.commit().unwrap();
    }
}
