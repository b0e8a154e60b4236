//! `/v1/tenants/{tenant}/identity-providers`: the tenant's identity providers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::{IdentityProvider, NewIdentityProvider, Page};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(read, remove))
}

#[derive(Deserialize)]
struct ProviderPath {
    provider: String,
}

/// Creates an identity provider.
#[utoipa::path(post, path = "/identity-providers", tag = "identity providers", operation_id = "createIdentityProvider",
    security(("tenantApiKey" = [])), request_body = NewIdentityProvider,
    responses((status = 201, body = IdentityProvider),
        (status = 400, description = "`invalid_name`"),
        (status = 409, description = "`identity_provider_name_taken`")))]
async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewIdentityProvider>,
) -> ApiResult<(StatusCode, Json<IdentityProvider>)> {
    let provider = blocking(&s, move |d| d.users.create_identity_provider(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(provider)))
}

/// Lists the tenant's identity providers.
#[utoipa::path(get, path = "/identity-providers", tag = "identity providers", operation_id = "listIdentityProviders",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<IdentityProvider>),
        (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<IdentityProvider>>> {
    Ok(Json(
        blocking(&s, move |d| d.users.list_identity_providers(&t, &p.into())).await?,
    ))
}

/// Reads an identity provider by id or name.
#[utoipa::path(get, path = "/identity-providers/{provider}", tag = "identity providers", operation_id = "getIdentityProvider",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = IdentityProvider), (status = 404, description = "`identity_provider_not_found`")))]
async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProviderPath>,
) -> ApiResult<Json<IdentityProvider>> {
    Ok(Json(
        blocking(&s, move |d| d.users.get_identity_provider(&t, &p.provider)).await?,
    ))
}

/// Deletes an identity provider and its links to users.
#[utoipa::path(delete, path = "/identity-providers/{provider}", tag = "identity providers", operation_id = "deleteIdentityProvider",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`identity_provider_not_found`")))]
async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProviderPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| {
        d.users.delete_identity_provider(&t, &p.provider)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
