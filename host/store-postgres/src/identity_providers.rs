//! The identity providers aggregate on PostgreSQL: `identity_providers`, its name unique in the
//! tenant (`identity_providers_name_unique`, conflict code `identity_provider_name_taken`), and
//! the identity links, which are the rows of `user_identity_links` that carry an external id
//! (`user_identity_links_external_id_unique`, conflict code `external_id_taken`).
//!
//! The links are written with the user (`users`): the rules call `link_external_id` before the
//! user it links is stored (a new user's first link), so it cannot write the row; here it is
//! the check that no other user holds the pair, and the unique constraint refuses a pair another
//! host linked meanwhile when the user is written.

use portico_core::identity_providers::IdentityProvider;
use portico_core::storage::{
    IdentityProviderReads, IdentityProviderWrites, StorageError, StorageResult,
};
use tokio_postgres::Row;

use crate::transaction::PgTx;

const PROVIDER_COLUMNS: &str = "id, name, created_at";

fn provider(row: &Row) -> IdentityProvider {
    IdentityProvider {
        id: row.get("id"),
        name: row.get("name"),
        created_at: row.get("created_at"),
    }
}

impl IdentityProviderReads for PgTx {
    fn identity_provider(&self, tenant: &str, id: &str) -> StorageResult<Option<IdentityProvider>> {
        let sql = format!(
            "SELECT {PROVIDER_COLUMNS} FROM identity_providers WHERE tenant_id = $1 AND id = $2"
        );
        Ok(self
            .query_opt(&sql, &[&tenant, &id])?
            .as_ref()
            .map(provider))
    }

    fn identity_provider_by_name(
        &self,
        tenant: &str,
        name: &str,
    ) -> StorageResult<Option<IdentityProvider>> {
        let sql = format!(
            "SELECT {PROVIDER_COLUMNS} FROM identity_providers WHERE tenant_id = $1 AND name = $2"
        );
        Ok(self
            .query_opt(&sql, &[&tenant, &name])?
            .as_ref()
            .map(provider))
    }

    fn identity_provider_name_taken(&self, tenant: &str, name: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM identity_providers WHERE tenant_id = $1 AND name = $2",
            &[&tenant, &name],
        )?;
        Ok(row.is_some())
    }

    fn identity_providers_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<IdentityProvider>> {
        let sql = format!(
            "SELECT {PROVIDER_COLUMNS} FROM identity_providers \
             WHERE tenant_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(self
            .query(&sql, &[&tenant, &after, &limit])?
            .iter()
            .map(provider)
            .collect())
    }

    fn user_with_external_id(
        &self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
    ) -> StorageResult<Option<String>> {
        let row = self.query_opt(
            "SELECT user_id FROM user_identity_links \
             WHERE tenant_id = $1 AND provider_id = $2 AND external_id = $3",
            &[&tenant, &provider_id, &external_id],
        )?;
        Ok(row.map(|r| r.get(0)))
    }
}

impl IdentityProviderWrites for PgTx {
    /// Stores the provider under its id (replacing a provider with the same id, as the
    /// embedded engine's put does). A name another provider holds breaks
    /// `identity_providers_name_unique`: `StorageError::Conflict`
    /// (`identity_provider_name_taken`), which also aborts the transaction.
    fn insert_identity_provider(
        &mut self,
        tenant: &str,
        provider: &IdentityProvider,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO identity_providers (tenant_id, id, name, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, id) DO UPDATE \
             SET name = $3, created_at = $4",
            &[&tenant, &provider.id, &provider.name, &provider.created_at],
        )?;
        Ok(())
    }

    /// Deletes the provider; users' remaining links to it go with it (`ON DELETE CASCADE`),
    /// though the rules remove them first. `users.oauth_provider_id` is left as it is.
    fn delete_identity_provider(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM identity_providers WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )?;
        Ok(deleted > 0)
    }

    /// The check only (see the module's documentation): a pair another user holds answers
    /// `StorageError::Conflict` (`external_id_taken`); the link itself is stored when the user
    /// record holding it is written.
    fn link_external_id(
        &mut self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
        user_id: &str,
    ) -> StorageResult<()> {
        let holder = self.user_with_external_id(tenant, provider_id, external_id)?;
        if holder.is_some_and(|holder| holder != user_id) {
            return Err(StorageError::Conflict {
                code: "external_id_taken",
                message:
                    "another user is already linked to that identity provider with that externalId"
                        .into(),
            });
        }
        Ok(())
    }

    /// Clears the external id of the link that holds the pair (the link itself stays until the
    /// next write of its user, which the rules make without it): the pair is free at once, for
    /// another user of the same transaction.
    fn unlink_external_id(
        &mut self,
        tenant: &str,
        provider_id: &str,
        external_id: &str,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE user_identity_links SET external_id = NULL \
             WHERE tenant_id = $1 AND provider_id = $2 AND external_id = $3",
            &[&tenant, &provider_id, &external_id],
        )?;
        Ok(())
    }
}
