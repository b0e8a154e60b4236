//! Bearer-token extractors: the operator token for tenant management, a tenant API key for a
//! tenant's own routes (`/v1/tenants/{tenant}/...`).

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::error::ApiError;
use super::extractors::ApiPath;
use super::{short_read, AppState};
use portico_core::domain::Tenant;

fn bearer(parts: &Parts) -> Result<String, ApiError> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing 'Authorization: Bearer <token>' header"))?;
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be 'Bearer <token>'"))
}

/// The `{tenant}` of a tenant route. A path that does not decode (a segment of invalid UTF-8,
/// say) is a client's mistake, answered 400 `invalid_path` before the token is checked, as on the
/// routes without a token.
async fn tenant_in_path(parts: &mut Parts, state: &AppState) -> Result<String, ApiError> {
    let ApiPath(mut params) =
        ApiPath::<HashMap<String, String>>::from_request_parts(parts, state).await?;
    Ok(params.remove("tenant").unwrap_or_default())
}

/// Proof that the request carries the operator token.
pub struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        short_read(state, move |d| d.tenants.authenticate_operator(&token)).await?;
        Ok(Operator)
    }
}

/// The tenant named in the path, authenticated by one of its API keys.
pub struct TenantAuth(pub Tenant);

impl FromRequestParts<AppState> for TenantAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let namespace = tenant_in_path(parts, state).await?;
        let token = bearer(parts)?;
        let tenant = short_read(state, move |d| {
            d.tenants.authenticate_tenant_key(&namespace, &token)
        })
        .await?;
        Ok(TenantAuth(tenant))
    }
}

/// A signed-in portal user of the tenant in the path (bearer access token); the session names
/// its family, so sign-out ends exactly this session.
pub struct PortalUser {
    pub session: portico_core::domain::PortalSession,
}

impl FromRequestParts<AppState> for PortalUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let namespace = tenant_in_path(parts, state).await?;
        let token = bearer(parts)?;
        let session = short_read(state, move |d| {
            d.portal.authenticate_portal_session(&namespace, &token)
        })
        .await?;
        Ok(PortalUser { session })
    }
}
