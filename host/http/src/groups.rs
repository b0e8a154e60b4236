//! `/v1/tenants/{tenant}/groups`: the tenant's groups.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::{Group, NewGroup, Page};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(read, remove))
}

#[derive(Deserialize)]
struct GroupPath {
    group: String,
}

/// Creates a group.
#[utoipa::path(post, path = "/groups", tag = "groups", operation_id = "createGroup",
    security(("tenantApiKey" = [])), request_body = NewGroup,
    responses((status = 201, body = Group),
        (status = 400, description = "`invalid_name`, `invalid_label`"),
        (status = 409, description = "`group_name_taken`")))]
async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewGroup>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    let group = blocking(&s, move |d| d.users.create_group(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(group)))
}

/// Lists the tenant's groups.
#[utoipa::path(get, path = "/groups", tag = "groups", operation_id = "listGroups",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<Group>),
        (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Group>>> {
    Ok(Json(
        blocking(&s, move |d| d.users.list_groups(&t, &p.into())).await?,
    ))
}

/// Reads a group by id, name or label.
#[utoipa::path(get, path = "/groups/{group}", tag = "groups", operation_id = "getGroup",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Group), (status = 404, description = "`group_not_found`")))]
async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<GroupPath>,
) -> ApiResult<Json<Group>> {
    Ok(Json(
        blocking(&s, move |d| d.users.get_group(&t, &p.group)).await?,
    ))
}

/// Deletes a group; it leaves every member too.
#[utoipa::path(delete, path = "/groups/{group}", tag = "groups", operation_id = "deleteGroup",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`group_not_found`")))]
async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<GroupPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.users.delete_group(&t, &p.group)).await?;
    Ok(StatusCode::NO_CONTENT)
}
