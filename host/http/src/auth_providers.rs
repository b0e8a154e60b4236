//! `/v1/tenants/{tenant}/auth-providers`: the tenant's auth providers (OneEntry's sign-up and
//! sign-in settings), managed with the tenant API key.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::auth_providers::{AuthProvider, AuthProviderPatch, NewAuthProvider};
use portico_core::domain::Page;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(read, update, remove))
}

#[derive(Deserialize)]
struct MarkerPath {
    marker: String,
}

/// Creates an auth provider (how portal users sign up and sign in through OneEntry apps).
#[utoipa::path(post, path = "/auth-providers", tag = "auth providers", operation_id = "createAuthProvider",
    security(("tenantApiKey" = [])), request_body = NewAuthProvider,
    responses((status = 201, body = AuthProvider), (status = 400, description = "`invalid_auth_provider_identifier`, `unsupported_auth_provider_type`, `unknown_form`, `form_lacks_markers`, `unknown_user_group`, `invalid_lang_code`, `invalid_localize_infos`, `localize_infos_too_large`, `auth_provider_config_too_large`"), (status = 409, description = "`auth_provider_identifier_taken`, `too_many_auth_providers`")))]
async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewAuthProvider>,
) -> ApiResult<(StatusCode, Json<AuthProvider>)> {
    let provider = blocking(&s, move |d| d.auth_providers.create_auth_provider(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(provider)))
}

/// Lists the tenant's auth providers in number order.
#[utoipa::path(get, path = "/auth-providers", tag = "auth providers", operation_id = "listAuthProviders",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<AuthProvider>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuthProvider>>> {
    let page = blocking(&s, move |d| {
        d.auth_providers.list_auth_providers(&t, &p.into())
    })
    .await?;
    Ok(Json(page))
}

/// Reads an auth provider by its identifier.
#[utoipa::path(get, path = "/auth-providers/{marker}", tag = "auth providers", operation_id = "getAuthProvider",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = AuthProvider), (status = 404, description = "`auth_provider_not_found`")))]
async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
) -> ApiResult<Json<AuthProvider>> {
    let provider = blocking(&s, move |d| {
        d.auth_providers.get_auth_provider(&t, &p.marker)
    })
    .await?;
    Ok(Json(provider))
}

/// Changes the fields the patch names; adds one to `version`.
#[utoipa::path(patch, path = "/auth-providers/{marker}", tag = "auth providers", operation_id = "updateAuthProvider",
    security(("tenantApiKey" = [])), request_body = AuthProviderPatch,
    responses((status = 200, body = AuthProvider), (status = 400, description = "`invalid_auth_provider_identifier`, `unsupported_auth_provider_type`, `unknown_form`, `form_lacks_markers`, `unknown_user_group`, `invalid_lang_code`, `invalid_localize_infos`, `localize_infos_too_large`, `auth_provider_config_too_large`"), (status = 404, description = "`auth_provider_not_found`")))]
async fn update(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
    ApiJson(patch): ApiJson<AuthProviderPatch>,
) -> ApiResult<Json<AuthProvider>> {
    let provider = blocking(&s, move |d| {
        d.auth_providers.update_auth_provider(&t, &p.marker, patch)
    })
    .await?;
    Ok(Json(provider))
}

/// Deletes an auth provider.
#[utoipa::path(delete, path = "/auth-providers/{marker}", tag = "auth providers", operation_id = "deleteAuthProvider",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`auth_provider_not_found`")))]
async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| {
        d.auth_providers.delete_auth_provider(&t, &p.marker)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
