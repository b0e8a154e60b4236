//! App tokens: the credential of a tenant's public (browser) apps, sent as `x-app-token`. A
//! tenant creates, lists and revokes its own; the secret is shown once and stored as its
//! SHA-256 digest, as API keys are. An app token grants only the public app routes: it is never
//! an API key (its prefix differs, so the API refuses it as it refuses any bad key).

use serde::Serialize;

use super::error::{DomainError, DomainResult};
use super::ids::new_id;
use super::secrets::{random_token, token_digest, TOKEN_RANDOM_BYTES};
use super::tenants::validate_name;
/// Longest app token name (the bound of every free-text name).
pub use super::tenants::MAX_NAME_LEN;
use super::Tenants;
pub use crate::app_tokens::{AppToken, AppTokenId};
use crate::tenants::Tenant;

/// Prefix of app tokens, so a leaked one is recognisable in logs and scanners (and never taken
/// for an API key, `ptk_`, or a portal access token, `pat_`).
pub const APP_TOKEN_PREFIX: &str = "pta_";
/// Most app tokens a tenant holds at once: one per app and environment is a handful; revoking
/// one makes room for another.
pub const MAX_APP_TOKENS_PER_TENANT: usize = 20;
/// Characters after the prefix: the base64url form (unpadded) of `TOKEN_RANDOM_BYTES`.
const APP_TOKEN_SECRET_LEN: usize = (TOKEN_RANDOM_BYTES * 4).div_ceil(3);

/// A freshly created app token: the only time the secret is shown.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedAppToken {
    /// The token's id, name and creation time (shown inline).
    #[serde(flatten)]
    pub meta: AppToken,
    /// The token itself, `pta_<secret>`; the store keeps only its digest.
    pub token: String,
}

/// The answer to a missing, malformed, unknown or revoked app token, the same for all of them
/// and whether or not the tenant exists (403: a 401 would make the OneEntry SDK rotate the
/// user's tokens).
pub fn invalid_app_token() -> DomainError {
    DomainError::refused(
        "invalid_app_token",
        "a valid app token (x-app-token header) of this tenant is required",
    )
}

/// Whether `secret` has the form of an app token (prefix and base64url secret of the issued
/// length), so a malformed one is refused without reading the store.
fn well_formed(secret: &str) -> bool {
    secret.strip_prefix(APP_TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == APP_TOKEN_SECRET_LEN
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

impl Tenants {
    /// Creates an app token for the tenant (`name`: which app it is for, 1 to `MAX_NAME_LEN`
    /// characters); the secret is in the answer and nowhere else. Refused (409
    /// `too_many_app_tokens`) when the tenant holds `MAX_APP_TOKENS_PER_TENANT`.
    pub fn create_app_token(&self, tenant: &Tenant, name: &str) -> DomainResult<CreatedAppToken> {
        let name = validate_name("name", name)?;
        let token = random_token(APP_TOKEN_PREFIX);
        let meta = AppToken {
            id: new_id(),
            name,
            created_at: self.ctx.now(),
        };
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if tx.count_app_tokens(&tenant.id)? >= MAX_APP_TOKENS_PER_TENANT {
            return Err(DomainError::conflict(
                "too_many_app_tokens",
                format!(
                    "the tenant holds {MAX_APP_TOKENS_PER_TENANT} app tokens, its limit \
                     (MAX_APP_TOKENS_PER_TENANT); revoke one to create another"
                ),
            ));
        }
        tx.insert_app_token(&tenant.id, &token_digest(&token), &meta)?;
        tx.commit()?;
        Ok(CreatedAppToken { meta, token })
    }

    /// The tenant's app tokens (without their secrets), ordered by id (creation order).
    pub fn list_app_tokens(&self, tenant: &Tenant) -> DomainResult<Vec<AppToken>> {
        let mut tokens = self.ctx.store.read()?.app_tokens(&tenant.id)?;
        tokens.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(tokens)
    }

    /// Revokes an app token at once: the next request with it is refused. An id the tenant does
    /// not hold (another tenant's included) is 404 `app_token_not_found`.
    pub fn revoke_app_token(&self, tenant: &Tenant, token_id: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if !tx.delete_app_token(&tenant.id, token_id)? {
            return Err(DomainError::not_found("app token", token_id));
        }
        tx.commit()?;
        Ok(())
    }

    /// Checks an app token of `tenant`: its id when `secret` is one of the tenant's live app
    /// tokens, otherwise `invalid_app_token` (403). A malformed secret is refused without
    /// reading the store.
    pub fn verify_app_token(&self, tenant: &Tenant, secret: &str) -> DomainResult<AppTokenId> {
        if !well_formed(secret) {
            return Err(invalid_app_token());
        }
        let token = self
            .ctx
            .store
            .read()?
            .app_token(&tenant.id, &token_digest(secret))?;
        token
            .map(|t| AppTokenId(t.id))
            .ok_or_else(invalid_app_token)
    }

    /// Checks an app token for the tenant named `namespace`: the tenant and the token's id, or
    /// `invalid_app_token` (403) alike for a bad token and a namespace no tenant has, so the
    /// answer reveals nothing about which tenants exist.
    pub fn authenticate_app_token(
        &self,
        namespace: &str,
        secret: &str,
    ) -> DomainResult<(Tenant, AppTokenId)> {
        if !well_formed(secret) {
            return Err(invalid_app_token());
        }
        let tenant = match self.get_tenant(namespace) {
            Err(DomainError::NotFound { .. }) => return Err(invalid_app_token()),
            other => other?,
        };
        let id = self.verify_app_token(&tenant, secret)?;
        Ok((tenant, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_are_well_formed_and_others_are_not() {
        let token = random_token(APP_TOKEN_PREFIX);
        assert!(well_formed(&token), "{token}");
        let api_key_like = random_token("ptk_");
        for bad in [
            "",
            "pta_",
            "pta_short",
            api_key_like.as_str(),
            &token[..token.len() - 1],
            &format!("{token}x"),
            &format!("{}!", &token[..token.len() - 1]),
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
