//! App tokens: the tenant's own routes that create, list and revoke them (authorized by the
//! tenant's API key, as every tenant route), the `AppTokenAuth` extractor the public app routes
//! (the OneEntry-compatible layer) authenticate with, and `origin_allowed`, the check of a
//! browser's `Origin` against the tenant's `allowedOrigins`.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, short_read, ApiError, ApiJson, ApiPath, ApiResult, AppState};
use portico_core::domain::app_tokens::invalid_app_token;
use portico_core::domain::{AppToken, AppTokenId, CreatedAppToken, Tenant};

/// The header a OneEntry app sends its app token in.
pub const APP_TOKEN_HEADER: &str = "x-app-token";

/// The tenant's app token routes, nested under `/v1/tenants/{tenant}`.
pub fn tenant_scoped_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_app_token, list_app_tokens))
        .routes(routes!(revoke_app_token))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewAppToken {
    /// 1 to 200 printable characters.
    #[schema(
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        max_length = 200
    )]
    name: String,
}

#[derive(Deserialize)]
struct TokenPath {
    token_id: String,
}

#[derive(Serialize, ToSchema)]
struct Items<T> {
    items: Vec<T>,
}

/// Creates an app token for browser apps: the secret is shown once.
#[utoipa::path(post, path = "/app-tokens", tag = "app tokens", operation_id = "createAppToken",
    security(("tenantApiKey" = [])), request_body = NewAppToken,
    responses((status = 201, body = CreatedAppToken),
        (status = 400, description = "`invalid_name`"),
        (status = 409, description = "`too_many_app_tokens`")))]
async fn create_app_token(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewAppToken>,
) -> ApiResult<(StatusCode, Json<CreatedAppToken>)> {
    let created = blocking(&s, move |d| d.tenants.create_app_token(&t, &body.name)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Lists the tenant's app tokens, never their secrets.
#[utoipa::path(get, path = "/app-tokens", tag = "app tokens", operation_id = "listAppTokens",
    security(("tenantApiKey" = [])), responses((status = 200, body = Items<AppToken>)))]
async fn list_app_tokens(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
) -> ApiResult<Json<Items<AppToken>>> {
    let items = blocking(&s, move |d| d.tenants.list_app_tokens(&t)).await?;
    Ok(Json(Items { items }))
}

/// Revokes an app token: refused from the next request on.
#[utoipa::path(delete, path = "/app-tokens/{token_id}", tag = "app tokens", operation_id = "revokeAppToken",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, description = "`app_token_not_found`")))]
async fn revoke_app_token(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TokenPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.tenants.revoke_app_token(&t, &p.token_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant named in the path (`{tenant}`), authenticated by one of its app tokens in the
/// `x-app-token` header. A missing, malformed, unknown or revoked token is refused with 403
/// `invalid_app_token` (never 401: the OneEntry SDK answers a 401 by rotating the user's
/// tokens), the same whether or not the tenant exists.
pub struct AppTokenAuth {
    /// The tenant whose app token it is.
    pub tenant: Tenant,
    /// Which of its app tokens authenticated the request.
    pub token: AppTokenId,
}

impl FromRequestParts<AppState> for AppTokenAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiPath(mut params) =
            ApiPath::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let namespace = params.remove("tenant").unwrap_or_default();
        let secret = parts
            .headers
            .get(APP_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .ok_or_else(|| ApiError::from(invalid_app_token()))?;
        // A token check: on the async worker with the embedded store, on an operation thread
        // when reads wait for the network.
        let (tenant, token) = short_read(state, move |d| {
            d.tenants.authenticate_app_token(&namespace, &secret)
        })
        .await?;
        Ok(AppTokenAuth { tenant, token })
    }
}

/// Whether the tenant named `namespace` allows a browser's `Origin` header value (its
/// `allowedOrigins` setting; a namespace no tenant has allows none). A short read: the settings
/// are cached until the configuration changes.
pub async fn origin_allowed(state: &AppState, namespace: &str, origin: &str) -> ApiResult<bool> {
    let (namespace, origin) = (namespace.to_string(), origin.to_string());
    short_read(state, move |d| {
        d.tenants.origin_allowed(&namespace, &origin)
    })
    .await
}

#[cfg(test)]
#[path = "app_tokens_tests.rs"]
mod tests;
