//! Signup links (`signupUrl(profile, {withSign, refresh})`); registering through them is in
//! `registration`. A link is a random token stored only as a digest; it expires (portal setting)
//! and works once. Without `withSign`, registering needs a confirmation code sent to the
//! profile's email through the outbox; with `withSign`, the link alone is enough. `refresh`
//! revokes the profile's earlier links before issuing a new one, and so does `denyAccess` (all of
//! them). The link records are in `links`.

pub(crate) mod links;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use self::links::{find_link, issue_link_with_claims, revoke_links};
pub use self::links::{indexed_links, live_links, prune_expired_links};
use super::load_settings;
use super::policy::SignupRequest;
use super::profiles::records::{profile_arg, Profile};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::page_links::stored_pages_base;
use crate::domain::tenants::Tenant;
use crate::domain::Portal;
use crate::portal::PortalSettings;

/// Live signup links one profile may have at once, whatever its signup policies allow: each
/// `signupUrl` without `refresh` adds one, so this bounds the links stored per profile and the
/// work of counting them. `refresh` replaces them all with one.
pub const MAX_LIVE_SIGNUP_LINKS: u32 = 50;

/// Options of `signupUrl`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignupUrlOptions {
    /// A signed link: registering needs no confirmation code.
    #[serde(default)]
    pub with_sign: bool,
    /// Revoke the profile's earlier links before issuing this one.
    #[serde(default)]
    pub refresh: bool,
}

/// Answer of `signupUrl`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignupUrl {
    /// The link to register through; its token is stored only as a digest.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Unexpired links the profile has now, this one included.
    pub live_links: u32,
}

/// What a link is for, shown before registering.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignupInfo {
    /// The email of the profile the link registers.
    pub email: Option<String>,
    /// Claims the tenant's signup policy attached to the link.
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// Whether the link is signed.
    pub with_sign: bool,
    /// Whether registering needs the confirmation code sent to the profile's email (unsigned
    /// links).
    pub confirmation_required: bool,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Refuses a new link (without `refresh`) for a profile at `MAX_LIVE_SIGNUP_LINKS`.
fn room_for_another_link(live: u32) -> DomainResult<()> {
    if live >= MAX_LIVE_SIGNUP_LINKS {
        return Err(DomainError::conflict(
            "too_many_live_links",
            format!(
                "the profile has {live} live signup links, the most one may have; \
                 issue the next one with refresh to replace them"
            ),
        ));
    }
    Ok(())
}

impl Portal {
    /// `signupUrl(profile, {withSign, refresh})`. The tenant's signup policies decide first: a
    /// denial refuses (403 with the plugin's message); a decision may shorten the TTL, forbid
    /// `withSign`, cap the profile's live links, and add claims to the link.
    pub fn signup_url(
        &self,
        tenant: &Tenant,
        profile_id: &str,
        options: &SignupUrlOptions,
    ) -> DomainResult<SignupUrl> {
        let (profile, email, settings, live) = self.signup_candidate(tenant, profile_id)?;
        let live_after_refresh = if options.refresh { 0 } else { live };
        // Checked again in the write: this only spares the policies a refused request.
        room_for_another_link(live_after_refresh)?;
        let request = SignupRequest {
            profile_id: &profile.id,
            profile_email: &email,
            ttl_seconds: settings.signup_link_ttl_seconds,
            with_sign: options.with_sign,
            refresh: options.refresh,
            live_links: live_after_refresh,
        };
        let (ttl, claims) = self.signup_link_terms(tenant, &request)?;
        self.store_signup_link(tenant, profile_id, options, ttl, claims)
    }

    /// The profile a link is asked for, with its email, the portal settings and the profile's
    /// live links, read on one snapshot. Refused when the profile is blocked or has no email.
    fn signup_candidate(
        &self,
        tenant: &Tenant,
        profile_id: &str,
    ) -> DomainResult<(Profile, String, PortalSettings, u32)> {
        let (profile, settings, live) = {
            let tx = self.ctx.store.read()?;
            let profile = profile_arg(&*tx, &tenant.id, profile_id)?;
            let live = live_links(&*tx, &tenant.id, &profile.id, self.ctx.now())?;
            (profile, load_settings(&*tx, &tenant.id)?, live)
        };
        if profile.blocked {
            return Err(DomainError::refused(
                "profile_blocked",
                "the profile is blocked",
            ));
        }
        let Some(email) = profile.email.clone() else {
            return Err(DomainError::bad_request(
                "profile_without_email",
                "the profile has no email to register with",
            ));
        };
        Ok((profile, email, settings, live))
    }

    /// What the tenant's signup policies allow for `request`: the link's lifetime (the
    /// portal's, or a policy's shorter one) and its claims. Refused when a policy denies, forbids
    /// the signed link asked for, or allows no more live links than the profile has.
    fn signup_link_terms(
        &self,
        tenant: &Tenant,
        request: &SignupRequest,
    ) -> DomainResult<(u64, Map<String, Value>)> {
        let policy = self.run_signup_policies(tenant, request)?;
        if policy.forbid_with_sign && request.with_sign {
            return Err(DomainError::refused(
                "with_sign_forbidden",
                "a signup policy forbids signed links for this profile",
            ));
        }
        if policy
            .max_live_links
            .is_some_and(|max| request.live_links >= max)
        {
            return Err(DomainError::conflict(
                "too_many_live_links",
                format!(
                    "a signup policy allows at most {} live links for this profile",
                    policy.max_live_links.unwrap_or(0)
                ),
            ));
        }
        let ttl = policy
            .max_ttl_seconds
            .map_or(request.ttl_seconds, |max| max.min(request.ttl_seconds));
        Ok((ttl, policy.claims))
    }

    /// The write phase of `signupUrl`: revokes the profile's links (`refresh`) or prunes its
    /// expired ones, checks the room for one more, and stores the new link, valid `ttl` seconds,
    /// with `claims`.
    fn store_signup_link(
        &self,
        tenant: &Tenant,
        profile_id: &str,
        options: &SignupUrlOptions,
        ttl: u64,
        claims: Map<String, Value>,
    ) -> DomainResult<SignupUrl> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let profile = profile_arg(&*tx, &tenant.id, profile_id)?;
        let live_before = if options.refresh {
            revoke_links(&mut *tx, &tenant.id, &profile.id)?;
            0
        } else {
            prune_expired_links(&mut *tx, &tenant.id, &profile.id, now)?;
            live_links(&*tx, &tenant.id, &profile.id, now)?
        };
        room_for_another_link(live_before)?;
        let pages_base = stored_pages_base(&*tx, &self.ctx.public_url, tenant)?;
        let link = issue_link_with_claims(
            &mut *tx,
            tenant,
            &pages_base,
            &profile.id,
            options.with_sign,
            now + Duration::seconds(ttl as i64),
            claims,
        )?;
        tx.commit()?;
        Ok(SignupUrl {
            url: link.url,
            expires_at: link.expires_at,
            live_links: live_before + 1,
        })
    }

    /// What a link is for.
    pub fn signup_info(&self, tenant: &Tenant, token: &str) -> DomainResult<SignupInfo> {
        let (_, link, profile) =
            find_link(&*self.ctx.store.read()?, &tenant.id, token, self.ctx.now())?;
        Ok(SignupInfo {
            email: profile.email,
            claims: link.claims,
            with_sign: link.with_sign,
            confirmation_required: !link.with_sign,
            expires_at: link.expires_at,
        })
    }
}
