//! A user's links to identity providers, over a transaction: finding a provider by id or name,
//! linking and unlinking with the external-id index, and the links as the API shows them. A
//! (provider, external id) pair belongs to at most one user of a tenant: the store's identity
//! links enforce it and change in the same transaction as the user.
//!
//! The providers themselves and their operations are in `domain::identity_providers`.

use serde::Serialize;

use super::records::UserRecord;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::ids::looks_like_id;
use crate::identity_providers::IdentityProvider;
use crate::storage::prelude::*;

pub(crate) use crate::users::ProviderLink;

/// A user's link as the API shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    /// The provider's id.
    pub id: String,
    /// The provider's name.
    pub name: String,
    /// The user's id at the provider, once known.
    pub external_id: Option<String>,
}

/// Finds a provider by id or name.
pub(crate) fn find(
    tx: &(impl IdentityProviderReads + ?Sized),
    tenant_id: &str,
    id_or_name: &str,
) -> DomainResult<Option<IdentityProvider>> {
    if looks_like_id(id_or_name) {
        if let Some(p) = tx.identity_provider(tenant_id, id_or_name)? {
            return Ok(Some(p));
        }
    }
    Ok(tx.identity_provider_by_name(tenant_id, id_or_name)?)
}

/// Forgets who holds `link`'s external id (the caller removes the link from the user).
pub(crate) fn unindex_link(
    tx: &mut (impl IdentityProviderWrites + ?Sized),
    tenant_id: &str,
    link: &ProviderLink,
) -> DomainResult<()> {
    if let Some(external_id) = &link.external_id {
        tx.unlink_external_id(tenant_id, &link.provider_id, external_id)?;
    }
    Ok(())
}

/// The refusal to change a link that `addUserWithoutConfirmation` set.
pub(crate) fn immutable(provider: &IdentityProvider) -> DomainError {
    DomainError::conflict(
        "oauth_credentials_immutable",
        format!("the OAuth2 credentials of this user ({}) were set by addUserWithoutConfirmation and cannot be changed", provider.name),
    )
}

/// Links (or re-links) `user` to `provider`, keeping the external-id index unique. The caller
/// saves the user.
pub(crate) fn attach_link(
    tx: &mut (impl IdentityProviderWrites + ?Sized),
    tenant_id: &str,
    user: &mut UserRecord,
    provider: &IdentityProvider,
    external_id: Option<String>,
) -> DomainResult<()> {
    if user.oauth_provider_id.as_deref() == Some(provider.id.as_str()) {
        return Err(immutable(provider));
    }
    let new_link = ProviderLink {
        provider_id: provider.id.clone(),
        external_id,
    };
    if let Some(external_id) = &new_link.external_id {
        if let Some(owner) = tx.user_with_external_id(tenant_id, &provider.id, external_id)? {
            if owner != user.id {
                return Err(DomainError::conflict(
                    "external_id_taken",
                    format!(
                        "another user is already linked to {} with that externalId",
                        provider.name
                    ),
                ));
            }
        }
    }
    if let Some(pos) = user
        .identity_providers
        .iter()
        .position(|l| l.provider_id == provider.id)
    {
        let old = user.identity_providers.remove(pos);
        unindex_link(tx, tenant_id, &old)?;
    }
    if let Some(external_id) = &new_link.external_id {
        tx.link_external_id(tenant_id, &provider.id, external_id, &user.id)?;
    }
    user.identity_providers.push(new_link);
    Ok(())
}

/// `links` as the API shows them, in order; those of deleted providers are left out.
pub(crate) fn link_views(
    tx: &(impl IdentityProviderReads + ?Sized),
    tenant_id: &str,
    links: &[ProviderLink],
) -> DomainResult<Vec<LinkView>> {
    let mut out = Vec::with_capacity(links.len());
    for link in links {
        if let Some(p) = tx.identity_provider(tenant_id, &link.provider_id)? {
            out.push(LinkView {
                id: p.id,
                name: p.name,
                external_id: link.external_id.clone(),
            });
        }
    }
    Ok(out)
}
