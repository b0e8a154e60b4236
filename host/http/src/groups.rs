//! `/v1/tenants/{tenant}/groups`: the tenant's groups.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::{Group, NewGroup, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", post(create).get(list))
        .route("/groups/{group}", get(read).delete(remove))
}

#[derive(Deserialize)]
struct GroupPath {
    group: String,
}

async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewGroup>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    let group = blocking(&s, move |d| d.users.create_group(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(group)))
}

async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Group>>> {
    Ok(Json(
        blocking(&s, move |d| d.users.list_groups(&t, &p.into())).await?,
    ))
}

async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<GroupPath>,
) -> ApiResult<Json<Group>> {
    Ok(Json(
        blocking(&s, move |d| d.users.get_group(&t, &p.group)).await?,
    ))
}

async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<GroupPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.users.delete_group(&t, &p.group)).await?;
    Ok(StatusCode::NO_CONTENT)
}
