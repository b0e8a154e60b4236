//! `/v1/tenants/{tenant}/users...`: internal users and the `sys.users` operations on them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, OptionalJson};
use portico_core::domain::{
    GroupRef, NewUser, Page, PageRequest, ResetPasswordResult, UpdatePasswordResult, UserFilter,
    UserKind, UserPatch, UserStatus, UserView,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_user, list_users))
        .routes(routes!(get_user, update_user, delete_user))
        .routes(routes!(activate))
        .routes(routes!(deactivate))
        .routes(routes!(block))
        .routes(routes!(reset_password))
        .routes(routes!(update_password))
        .routes(routes!(add_identity_provider))
        .routes(routes!(remove_identity_provider))
        .routes(routes!(add_group))
        .routes(routes!(remove_group))
        .routes(routes!(contains_group))
        .routes(routes!(is_primary_group))
        .routes(routes!(primary_group))
        .routes(routes!(
            set_endpoint_configuration,
            get_endpoint_configuration,
            delete_endpoint_configuration
        ))
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

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListUsersParams {
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
    cursor: Option<String>,
    status: Option<UserStatus>,
    kind: Option<UserKind>,
    email: Option<String>,
    group: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetPasswordBody {
    #[serde(alias = "notify")]
    notify_user: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdatePasswordBody {
    current_password: String,
    new_password: String,
    #[serde(alias = "notify")]
    notify_user: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddIdentityProviderBody {
    identity_provider: String,
    external_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AddGroupBody {
    group: String,
    #[serde(default)]
    primary: bool,
}

/// A yes/no answer (`containsGroup`, `isPrimaryGroup`).
#[derive(Serialize, ToSchema)]
struct Answer {
    result: bool,
}

/// Creates an internal user (`sys.users`).
#[utoipa::path(post, path = "/users", tag = "users", operation_id = "createUser",
    security(("tenantApiKey" = [])), request_body = NewUser,
    responses((status = 201, body = UserView), (status = 400, description = "`invalid_email`, `invalid_name`, `password_too_short`, `password_mismatch`, `invalid_group`, `ambiguous_group`"), (status = 404, description = "`group_not_found`"), (status = 409, description = "`email_taken`")))]
async fn create_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = blocking(&s, move |d| d.users.create_user(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Lists the tenant's users, filtered by status, kind, email or group.
#[utoipa::path(get, path = "/users", tag = "users", operation_id = "listUsers",
    security(("tenantApiKey" = [])), params(ListUsersParams),
    responses((status = 200, body = Page<UserView>), (status = 400, description = "`invalid_limit`, `invalid_cursor`, `invalid_group`, `ambiguous_group`"), (status = 404, description = "`group_not_found`: the `group` filter names no group")))]
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

/// Reads a user.
#[utoipa::path(get, path = "/users/{user_id}", tag = "users", operation_id = "getUser",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = UserView), (status = 404, description = "`user_not_found`")))]
async fn get_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| d.users.get_user(&t, &p.user_id)).await?,
    ))
}

/// Changes the fields the patch names. For a portal user, the tenant's `before-update-user`
/// hooks may veto the change (403), and `after-update-user` runs after it.
#[utoipa::path(patch, path = "/users/{user_id}", tag = "users", operation_id = "updateUser",
    security(("tenantApiKey" = [])), request_body = UserPatch,
    responses((status = 200, body = UserView), (status = 400, description = "`invalid_email`, `invalid_name`"), (status = 403, description = "`plugin_veto`, `plugin_failed`: a `before-update-user` lifecycle hook vetoed the update (its message), or failed with its binding failing closed"), (status = 404, description = "`user_not_found`"), (status = 409, description = "`email_taken`")))]
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

/// Deletes a user.
#[utoipa::path(delete, path = "/users/{user_id}", tag = "users", operation_id = "deleteUser",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`user_not_found`")))]
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

/// Activates a user (idempotent).
#[utoipa::path(post, path = "/users/{user_id}/activate", tag = "users", operation_id = "activateUser",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = UserView), (status = 404, description = "`user_not_found`")))]
async fn activate(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    set_status(s, t, p.user_id, UserStatus::Active).await
}

/// Deactivates a user (idempotent).
#[utoipa::path(post, path = "/users/{user_id}/deactivate", tag = "users", operation_id = "deactivateUser",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = UserView), (status = 404, description = "`user_not_found`")))]
async fn deactivate(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    set_status(s, t, p.user_id, UserStatus::Inactive).await
}

/// Blocks a user.
#[utoipa::path(post, path = "/users/{user_id}/block", tag = "users", operation_id = "blockUser",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = UserView), (status = 404, description = "`user_not_found`")))]
async fn block(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<UserView>> {
    set_status(s, t, p.user_id, UserStatus::Blocked).await
}

/// `resetPassword`: a single-use reset code and link; `notifyUser` queues the link.
#[utoipa::path(post, path = "/users/{user_id}/reset-password", tag = "users", operation_id = "resetPassword",
    security(("tenantApiKey" = [])), request_body(content = Option<ResetPasswordBody>, description = "Optional"),
    responses((status = 200, body = ResetPasswordResult), (status = 404, description = "`user_not_found`")))]
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

/// `updatePassword`: checks the current password.
#[utoipa::path(post, path = "/users/{user_id}/update-password", tag = "users", operation_id = "updatePassword",
    security(("tenantApiKey" = [])), request_body = UpdatePasswordBody,
    responses((status = 200, body = UpdatePasswordResult), (status = 400, description = "`wrong_current_password`, `no_password`, `password_too_short`"), (status = 404, description = "`user_not_found`")))]
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

/// Links the user to an identity provider (again: updates the externalId).
#[utoipa::path(post, path = "/users/{user_id}/identity-providers", tag = "users", operation_id = "addUserIdentityProvider",
    security(("tenantApiKey" = [])), request_body = AddIdentityProviderBody,
    responses((status = 200, body = UserView), (status = 400, description = "`invalid_identity_provider`"), (status = 404, description = "`user_not_found`, `identity_provider_not_found`"), (status = 409, description = "`external_id_taken`")))]
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

/// Unlinks the user from an identity provider (no effect when not linked).
#[utoipa::path(delete, path = "/users/{user_id}/identity-providers/{provider}", tag = "users", operation_id = "removeUserIdentityProvider",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = UserView), (status = 400, description = "`invalid_identity_provider`: an unknown provider"), (status = 404, description = "`user_not_found`")))]
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

/// Adds the user to a group (`primary` moves the primary flag to it).
#[utoipa::path(post, path = "/users/{user_id}/groups", tag = "users", operation_id = "addUserGroup",
    security(("tenantApiKey" = [])), request_body = AddGroupBody,
    responses((status = 200, body = UserView), (status = 400, description = "`invalid_group`, `ambiguous_group`"), (status = 404, description = "`user_not_found`, `group_not_found`")))]
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

/// Removes the user from a group.
#[utoipa::path(delete, path = "/users/{user_id}/groups/{group}", tag = "users", operation_id = "removeUserGroup",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = UserView), (status = 400, description = "`invalid_group`, `ambiguous_group`"), (status = 404, description = "`user_not_found`, `group_not_found`")))]
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

/// `containsGroup`: whether the user is in the group.
#[utoipa::path(get, path = "/users/{user_id}/groups/{group}/contains", tag = "users", operation_id = "containsGroup",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Answer), (status = 400, description = "`invalid_group`, `ambiguous_group`"), (status = 404, description = "`user_not_found`, `group_not_found`")))]
async fn contains_group(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserGroupPath>,
) -> ApiResult<Json<Answer>> {
    let result = blocking(&s, move |d| d.users.user_in_group(&t, &p.user_id, &p.group)).await?;
    Ok(Json(Answer { result }))
}

/// `isPrimaryGroup`: whether the group is the user's primary group.
#[utoipa::path(get, path = "/users/{user_id}/groups/{group}/is-primary", tag = "users", operation_id = "isPrimaryGroup",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Answer), (status = 400, description = "`invalid_group`, `ambiguous_group`"), (status = 404, description = "`user_not_found`, `group_not_found`")))]
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

/// `getPrimaryGroup`: the user's primary group.
#[utoipa::path(get, path = "/users/{user_id}/primary-group", tag = "users", operation_id = "getPrimaryGroup",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = GroupRef), (status = 404, description = "`user_not_found`, `primary_group_not_found`")))]
async fn primary_group(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<GroupRef>> {
    Ok(Json(
        blocking(&s, move |d| d.users.primary_group(&t, &p.user_id)).await?,
    ))
}

/// Stores the user's configuration of an endpoint (any JSON, at most 64 KiB).
#[utoipa::path(put, path = "/users/{user_id}/endpoints/{endpoint}/configuration", tag = "users", operation_id = "setEndpointConfiguration",
    security(("tenantApiKey" = [])), request_body(content = std::collections::HashMap<String, serde_json::Value>, description = "Any JSON object, at most 64 KiB"),
    responses((status = 200, body = std::collections::HashMap<String, serde_json::Value>), (status = 400, description = "`invalid_endpoint_name`, `configuration_too_large`"), (status = 404, description = "`user_not_found`")))]
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

/// The user's configuration of an endpoint.
#[utoipa::path(get, path = "/users/{user_id}/endpoints/{endpoint}/configuration", tag = "users", operation_id = "getEndpointConfiguration",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = std::collections::HashMap<String, serde_json::Value>), (status = 400, description = "`invalid_endpoint_name`"), (status = 404, description = "`user_not_found`, `endpoint_configuration_not_found`")))]
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

/// Deletes the user's configuration of an endpoint.
#[utoipa::path(delete, path = "/users/{user_id}/endpoints/{endpoint}/configuration", tag = "users", operation_id = "deleteEndpointConfiguration",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 400, description = "`invalid_endpoint_name`"), (status = 404, description = "`user_not_found`, `endpoint_configuration_not_found`")))]
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
