//! `/v1/tenants/{tenant}/auth-providers`: the tenant's auth providers (OneEntry's sign-up and
//! sign-in settings), managed with the tenant API key.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::auth_providers::{AuthProvider, AuthProviderPatch, NewAuthProvider};
use portico_core::domain::Page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth-providers", post(create).get(list))
        .route(
            "/auth-providers/{marker}",
            get(read).patch(update).delete(remove),
        )
}

#[derive(Deserialize)]
struct MarkerPath {
    marker: String,
}

async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewAuthProvider>,
) -> ApiResult<(StatusCode, Json<AuthProvider>)> {
    let provider = blocking(&s, move |d| d.auth_providers.create_auth_provider(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(provider)))
}

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
