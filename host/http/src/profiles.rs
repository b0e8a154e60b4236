//! `/v1/tenants/{tenant}/profiles...`: the External users collection and its seed operations
//! (`block`, `unblock`, `getByUser`, `getUser`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::{Page, Profile, ProfileInput, UserView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(read, update, remove))
        .routes(routes!(get_user, link_user, unlink_user))
        .routes(routes!(block))
        .routes(routes!(unblock))
        .routes(routes!(get_by_user))
}

#[derive(Deserialize)]
struct ProfilePath {
    profile_id: String,
}

#[derive(Deserialize)]
struct UserPath {
    user_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkBody {
    user_id: String,
}

/// `getByUser`: the profile or `null`.
#[derive(Serialize, ToSchema)]
struct MaybeProfile {
    profile: Option<Profile>,
}

/// `getUser`: the user or `null`.
#[derive(Serialize, ToSchema)]
struct MaybeUser {
    user: Option<UserView>,
}

/// Creates an external-user profile.
#[utoipa::path(post, path = "/profiles", tag = "profiles", operation_id = "createProfile",
    security(("tenantApiKey" = [])), request_body = ProfileInput,
    responses((status = 201, body = Profile), (status = 400, description = "`invalid_profile_data`, `profile_data_too_large`"), (status = 404, description = "`user_not_found`"), (status = 409, description = "`user_has_profile`")))]
async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<ProfileInput>,
) -> ApiResult<(StatusCode, Json<Profile>)> {
    let profile = blocking(&s, move |d| d.profiles.create_profile(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(profile)))
}

/// Lists the tenant's profiles.
#[utoipa::path(get, path = "/profiles", tag = "profiles", operation_id = "listProfiles",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<Profile>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Profile>>> {
    Ok(Json(
        blocking(&s, move |d| d.profiles.list_profiles(&t, &p.into())).await?,
    ))
}

/// Reads a profile.
#[utoipa::path(get, path = "/profiles/{profile_id}", tag = "profiles", operation_id = "getProfile",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Profile), (status = 404, description = "`profile_not_found`")))]
async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| d.profiles.get_profile(&t, &p.profile_id)).await?,
    ))
}

/// Changes the fields the body names.
#[utoipa::path(patch, path = "/profiles/{profile_id}", tag = "profiles", operation_id = "updateProfile",
    security(("tenantApiKey" = [])), request_body = ProfileInput,
    responses((status = 200, body = Profile), (status = 400, description = "`invalid_profile_data`, `profile_data_too_large`"), (status = 404, description = "`profile_not_found`"), (status = 409, description = "`user_has_profile`")))]
async fn update(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
    ApiJson(body): ApiJson<ProfileInput>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.profiles.update_profile(&t, &p.profile_id, body)
        })
        .await?,
    ))
}

/// Deletes a profile.
#[utoipa::path(delete, path = "/profiles/{profile_id}", tag = "profiles", operation_id = "deleteProfile",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`profile_not_found`")))]
async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.profiles.delete_profile(&t, &p.profile_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `getUser`: the profile's user, or `null`.
#[utoipa::path(get, path = "/profiles/{profile_id}/user", tag = "profiles", operation_id = "getProfileUser",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = MaybeUser), (status = 404, description = "`profile_not_found`")))]
async fn get_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<Json<MaybeUser>> {
    let user = blocking(&s, move |d| d.profiles.user_of_profile(&t, &p.profile_id)).await?;
    Ok(Json(MaybeUser { user }))
}

/// Links the profile to a user.
#[utoipa::path(put, path = "/profiles/{profile_id}/user", tag = "profiles", operation_id = "linkProfileUser",
    security(("tenantApiKey" = [])), request_body = LinkBody,
    responses((status = 200, body = Profile), (status = 404, description = "`profile_not_found`, `user_not_found`"), (status = 409, description = "`user_has_profile`")))]
async fn link_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
    ApiJson(body): ApiJson<LinkBody>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.profiles
                .link_profile_user(&t, &p.profile_id, &body.user_id)
        })
        .await?,
    ))
}

/// Unlinks the profile from its user.
#[utoipa::path(delete, path = "/profiles/{profile_id}/user", tag = "profiles", operation_id = "unlinkProfileUser",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Profile), (status = 404, description = "`profile_not_found`")))]
async fn unlink_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.profiles.unlink_profile_user(&t, &p.profile_id)
        })
        .await?,
    ))
}

/// `block`: blocks the profile.
#[utoipa::path(post, path = "/profiles/{profile_id}/block", tag = "profiles", operation_id = "blockProfile",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Profile), (status = 404, description = "`profile_not_found`")))]
async fn block(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.profiles.set_profile_blocked(&t, &p.profile_id, true)
        })
        .await?,
    ))
}

/// `unblock`: unblocks the profile.
#[utoipa::path(post, path = "/profiles/{profile_id}/unblock", tag = "profiles", operation_id = "unblockProfile",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Profile), (status = 404, description = "`profile_not_found`")))]
async fn unblock(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.profiles.set_profile_blocked(&t, &p.profile_id, false)
        })
        .await?,
    ))
}

/// `getByUser`: the user's profile, or `null`.
#[utoipa::path(get, path = "/profiles/by-user/{user_id}", tag = "profiles", operation_id = "getProfileByUser",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = MaybeProfile)))]
async fn get_by_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<MaybeProfile>> {
    let profile = blocking(&s, move |d| d.profiles.profile_by_user(&t, &p.user_id)).await?;
    Ok(Json(MaybeProfile { profile }))
}
