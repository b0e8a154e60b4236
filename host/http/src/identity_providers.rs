//! `/v1/tenants/{tenant}/identity-providers`: the tenant's identity providers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::{IdentityProvider, NewIdentityProvider, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/identity-providers", post(create).get(list))
        .route("/identity-providers/{provider}", get(read).delete(remove))
}

#[derive(Deserialize)]
struct ProviderPath {
    provider: String,
}

async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewIdentityProvider>,
) -> ApiResult<(StatusCode, Json<IdentityProvider>)> {
    let provider = blocking(&s, move |d| d.users.create_identity_provider(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(provider)))
}

async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<IdentityProvider>>> {
    Ok(Json(
        blocking(&s, move |d| d.users.list_identity_providers(&t, &p.into())).await?,
    ))
}

async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProviderPath>,
) -> ApiResult<Json<IdentityProvider>> {
    Ok(Json(
        blocking(&s, move |d| d.users.get_identity_provider(&t, &p.provider)).await?,
    ))
}

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
