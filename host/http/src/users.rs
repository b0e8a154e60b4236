//! `/v1/tenants/{tenant}/users...`: internal users and the `sys.users` operations on them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, OptionalJson};
use portico_core::domain::{
    GroupRef, NewUser, Page, PageRequest, ResetPasswordResult, UpdatePasswordResult, UserFilter,
    UserKind, UserPatch, UserStatus, UserView,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", post(create_user).get(list_users))
        .route(
            "/users/{user_id}",
            get(get_user).patch(update_user).delete(delete_user),
        )
        .route("/users/{user_id}/activate", post(activate))
        .route("/users/{user_id}/deactivate", post(deactivate))
        .route("/users/{user_id}/block", post(block))
        .route("/users/{user_id}/reset-password", post(reset_password))
        .route("/users/{user_id}/update-password", post(update_password))
        .route(
            "/users/{user_id}/identity-providers",
            post(add_identity_provider),
        )
        .route(
            "/users/{user_id}/identity-providers/{provider}",
            delete(remove_identity_provider),
        )
        .route("/users/{user_id}/groups", post(add_group))
        .route("/users/{user_id}/groups/{group}", delete(remove_group))
        .route(
            "/users/{user_id}/groups/{group}/contains",
            get(contains_group),
        )
        .route(
            "/users/{user_id}/groups/{group}/is-primary",
            get(is_primary_group),
        )
        .route("/users/{user_id}/primary-group", get(primary_group))
        .route(
            "/users/{user_id}/endpoints/{endpoint}/configuration",
            put(set_endpoint_configuration)
                .get(get_endpoint_configuration)
                .delete(delete_endpoint_configuration),
        )
}

#[derive(Deserialize)]
struct UserPath {
    user_id: String,
}

#[derive(Deserialize)]
struct UserProviderPath {
    user_id: String,
    provider: String,
}

#[derive(Deserialize)]
struct UserGroupPath {
    user_id: String,
    group: String,
}

#[derive(Deserialize)]
struct UserEndpointPath {
    user_id: String,
    endpoint: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListUsersParams {
    limit: Option<usize>,
    cursor: Option<String>,
    status: Option<UserStatus>,
    kind: Option<UserKind>,
    email: Option<String>,
    group: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetPasswordBody {
    #[serde(alias = "notify")]
    notify_user: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdatePasswordBody {
    current_password: String,
    new_password: String,
    #[serde(alias = "notify")]
    notify_user: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddIdentityProviderBody {
    identity_provider: String,
    external_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddGroupBody {
    group: String,
    #[serde(default)]
    primary: bool,
}

/// A yes/no answer (`containsGroup`, `isPrimaryGroup`).
#[derive(Serialize)]
struct Answer {
    result: bool,
}

async fn create_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = blocking(&s, move |d| d.users.create_user(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn list_users(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListUsersParams>,
) -> ApiResult<Json<Page<UserView>>> {
    let filter = UserFilter {
        status: q.status,
        kind: q.kind,
        email: q.email,
        group: q.group,
    };
    let page = PageRequest {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(
        blocking(&s, move |d| d.users.list_users(&t, &filter, &page)).await?,
    ))
}

async fn get_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| d.users.get_user(&t, &p.user_id)).await?,
    ))
}

async fn update_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| d.users.update_user(&t, &p.user_id, patch)).await?,
    ))
}

async fn delete_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.users.delete_user(&t, &p.user_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_status(
    s: AppState,
    t: portico_core::domain::Tenant,
    user_id: String,
    status: UserStatus,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| d.users.set_user_status(&t, &user_id, status)).await?,
    ))
}

async fn activate(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    set_status(s, t, p.user_id, UserStatus::Active).await
}

async fn deactivate(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    set_status(s, t, p.user_id, UserStatus::Inactive).await
}

async fn block(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    set_status(s, t, p.user_id, UserStatus::Blocked).await
}

async fn reset_password(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
    OptionalJson(body): OptionalJson<ResetPasswordBody>,
) -> ApiResult<Json<ResetPasswordResult>> {
    let notify = body.notify_user.unwrap_or(false);
    Ok(Json(
        blocking(&s, move |d| d.users.reset_password(&t, &p.user_id, notify)).await?,
    ))
}

async fn update_password(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
    ApiJson(body): ApiJson<UpdatePasswordBody>,
) -> ApiResult<Json<UpdatePasswordResult>> {
    let notify = body.notify_user.unwrap_or(false);
    Ok(Json(
        blocking(&s, move |d| {
            d.users.update_password(
                &t,
                &p.user_id,
                &body.current_password,
                &body.new_password,
                notify,
            )
        })
        .await?,
    ))
}

async fn add_identity_provider(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
    ApiJson(body): ApiJson<AddIdentityProviderBody>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users.add_user_identity_provider(
                &t,
                &p.user_id,
                &body.identity_provider,
                body.external_id.as_deref(),
            )
        })
        .await?,
    ))
}

async fn remove_identity_provider(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserProviderPath>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users
                .remove_user_identity_provider(&t, &p.user_id, &p.provider)
        })
        .await?,
    ))
}

async fn add_group(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
    ApiJson(body): ApiJson<AddGroupBody>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users
                .add_user_group(&t, &p.user_id, &body.group, body.primary)
        })
        .await?,
    ))
}

async fn remove_group(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserGroupPath>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users.remove_user_group(&t, &p.user_id, &p.group)
        })
        .await?,
    ))
}

async fn contains_group(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserGroupPath>,
) -> ApiResult<Json<Answer>> {
    let result = blocking(&s, move |d| d.users.user_in_group(&t, &p.user_id, &p.group)).await?;
    Ok(Json(Answer { result }))
}

async fn is_primary_group(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserGroupPath>,
) -> ApiResult<Json<Answer>> {
    let result = blocking(&s, move |d| {
        d.users.is_primary_group(&t, &p.user_id, &p.group)
    })
    .await?;
    Ok(Json(Answer { result }))
}

async fn primary_group(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<GroupRef>> {
    Ok(Json(
        blocking(&s, move |d| d.users.primary_group(&t, &p.user_id)).await?,
    ))
}

async fn set_endpoint_configuration(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserEndpointPath>,
    ApiJson(config): ApiJson<serde_json::Value>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users
                .set_endpoint_configuration(&t, &p.user_id, &p.endpoint, config)
        })
        .await?,
    ))
}

async fn get_endpoint_configuration(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserEndpointPath>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users.endpoint_configuration(&t, &p.user_id, &p.endpoint)
        })
        .await?,
    ))
}

async fn delete_endpoint_configuration(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserEndpointPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| {
        d.users
            .delete_endpoint_configuration(&t, &p.user_id, &p.endpoint)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
