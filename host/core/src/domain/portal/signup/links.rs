//! Signup link records over a transaction: issuing a link (a random token stored only as a
//! digest), finding the live one a token names, counting, pruning and revoking a profile's
//! links. They use no other aggregate but the profile records: profiles, access and
//! registration build on them.

use chrono::{DateTime, Duration, Utc};

use crate::domain::error::{DomainError, DomainResult};
use crate::domain::page_links::signup_link;
use crate::domain::portal::profiles::records::Profile;
use crate::domain::secrets::{random_token, token_digest};
use crate::signup_links::SignupLink;
use crate::storage::prelude::*;
use crate::storage::{StorageReads, WriteTransaction};
use crate::tenants::Tenant;

/// A link just issued.
pub(crate) struct IssuedLink {
    /// The link to register through.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Issues a link for `profile_id`, valid `ttl_seconds` from `now`, in the caller's transaction.
pub(crate) fn issue_link(
    tx: &mut dyn WriteTransaction,
    tenant: &Tenant,
    pages_base: &str,
    profile_id: &str,
    with_sign: bool,
    ttl_seconds: u64,
    now: DateTime<Utc>,
) -> DomainResult<IssuedLink> {
    issue_link_with_claims(
        tx,
        tenant,
        pages_base,
        profile_id,
        with_sign,
        now + Duration::seconds(ttl_seconds as i64),
        Default::default(),
    )
}

/// Issues a link for `profile_id` that expires at `expires_at` and carries `claims`.
pub(super) fn issue_link_with_claims(
    tx: &mut dyn WriteTransaction,
    tenant: &Tenant,
    pages_base: &str,
    profile_id: &str,
    with_sign: bool,
    expires_at: DateTime<Utc>,
    claims: serde_json::Map<String, serde_json::Value>,
) -> DomainResult<IssuedLink> {
    let token = random_token("psu_");
    let digest = token_digest(&token);
    let link = SignupLink {
        profile_id: profile_id.to_string(),
        with_sign,
        expires_at,
        confirmation_digest: None,
        failed_confirmations: 0,
        claims,
    };
    tx.insert_signup_link(&tenant.id, &digest, &link)?;
    Ok(IssuedLink {
        url: signup_link(pages_base, &token),
        expires_at,
    })
}

/// A profile's links: `(link digest, expiry)`, the expiry `None` when the link is gone.
pub fn indexed_links(
    tx: &(impl SignupLinkReads + ?Sized),
    tenant_id: &str,
    profile_id: &str,
) -> DomainResult<Vec<(String, Option<DateTime<Utc>>)>> {
    Ok(tx.signup_links_of_profile(tenant_id, profile_id)?)
}

/// Revokes every link of a profile.
pub(crate) fn revoke_links(
    tx: &mut (impl SignupLinkWrites + ?Sized),
    tenant_id: &str,
    profile_id: &str,
) -> DomainResult<()> {
    for (digest, _) in indexed_links(tx, tenant_id, profile_id)? {
        delete_link(tx, tenant_id, &digest, profile_id)?;
    }
    Ok(())
}

/// Deletes a profile's links expired at `at` (they can no longer be used, and would otherwise
/// pile up for a profile that is sent new links without `refresh`).
pub fn prune_expired_links(
    tx: &mut (impl SignupLinkWrites + ?Sized),
    tenant_id: &str,
    profile_id: &str,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    for (digest, expires_at) in indexed_links(tx, tenant_id, profile_id)? {
        if expires_at.is_none_or(|e| e <= at) {
            delete_link(tx, tenant_id, &digest, profile_id)?;
        }
    }
    Ok(())
}

/// Number of links a profile has that are unexpired at `at`.
pub fn live_links(
    tx: &(impl SignupLinkReads + ?Sized),
    tenant_id: &str,
    profile_id: &str,
    at: DateTime<Utc>,
) -> DomainResult<u32> {
    let mut live = 0;
    for (_, expires_at) in indexed_links(tx, tenant_id, profile_id)? {
        if expires_at.is_some_and(|e| e > at) {
            live += 1;
        }
    }
    Ok(live)
}

/// The refusal of a token that names no usable link.
pub(in crate::domain::portal) fn invalid_link() -> DomainError {
    DomainError::bad_request(
        "invalid_signup_link",
        "the signup link is invalid, expired or already used",
    )
}

/// The link of `token` if it has not expired by `now`, with its digest and its profile.
pub(in crate::domain::portal) fn find_link<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    token: &str,
    now: DateTime<Utc>,
) -> DomainResult<(String, SignupLink, Profile)> {
    let digest = token_digest(token);
    let link = tx
        .signup_link(tenant_id, &digest)?
        .ok_or_else(invalid_link)?;
    if link.expires_at <= now {
        return Err(invalid_link());
    }
    let profile = tx
        .profile(tenant_id, &link.profile_id)?
        .ok_or_else(invalid_link)?;
    Ok((digest, link, profile))
}

/// Deletes the link stored under `digest` and its entry in the profile's index.
pub(in crate::domain::portal) fn delete_link(
    tx: &mut (impl SignupLinkWrites + ?Sized),
    tenant_id: &str,
    digest: &str,
    profile_id: &str,
) -> DomainResult<()> {
    tx.delete_signup_link(tenant_id, profile_id, digest)?;
    Ok(())
}
