//! `/v1/tenants/{tenant}/profiles...`: the External users collection and its seed operations
//! (`block`, `unblock`, `getByUser`, `getUser`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::{Page, Profile, ProfileInput, UserView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profiles", post(create).get(list))
        .route(
            "/profiles/{profile_id}",
            get(read).patch(update).delete(remove),
        )
        .route(
            "/profiles/{profile_id}/user",
            get(get_user).put(link_user).delete(unlink_user),
        )
        .route("/profiles/{profile_id}/block", post(block))
        .route("/profiles/{profile_id}/unblock", post(unblock))
        .route("/profiles/by-user/{user_id}", get(get_by_user))
}

#[derive(Deserialize)]
struct ProfilePath {
    profile_id: String,
}

#[derive(Deserialize)]
struct UserPath {
    user_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkBody {
    user_id: String,
}

/// `getByUser`: the profile or `null`.
#[derive(Serialize)]
struct MaybeProfile {
    profile: Option<Profile>,
}

/// `getUser`: the user or `null`.
#[derive(Serialize)]
struct MaybeUser {
    user: Option<UserView>,
}

async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<ProfileInput>,
) -> ApiResult<(StatusCode, Json<Profile>)> {
    let profile = blocking(&s, move |d| d.profiles.create_profile(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(profile)))
}

async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Profile>>> {
    Ok(Json(
        blocking(&s, move |d| d.profiles.list_profiles(&t, &p.into())).await?,
    ))
}

async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| d.profiles.get_profile(&t, &p.profile_id)).await?,
    ))
}

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

async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.profiles.delete_profile(&t, &p.profile_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfilePath>,
) -> ApiResult<Json<MaybeUser>> {
    let user = blocking(&s, move |d| d.profiles.user_of_profile(&t, &p.profile_id)).await?;
    Ok(Json(MaybeUser { user }))
}

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

async fn get_by_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
) -> ApiResult<Json<MaybeProfile>> {
    let profile = blocking(&s, move |d| d.profiles.profile_by_user(&t, &p.user_id)).await?;
    Ok(Json(MaybeProfile { profile }))
}
