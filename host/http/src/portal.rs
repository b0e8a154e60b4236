//! `/v1/tenants/{tenant}/portal...` for the tenant's key: settings, pages, access, portal users,
//! signup URLs. `addProfile` / `removeProfile` are deprecated aliases of `grantAccess` /
//! `denyAccess` and answer with a `Deprecation` header.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, OptionalJson, PageParams};
use portico_core::domain::{
    DeliveryStatus, HookDelivery, OAuthCredentials, Page, PageRequest, PortalPage, PortalPagePatch,
    PortalSettingsPatch, PortalSettingsView, Profile, SignupUrl, SignupUrlOptions, UserView,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/settings", get(get_settings).patch(update_settings))
        .route("/portal/pages", post(create_page).get(list_pages))
        .route(
            "/portal/pages/{code}",
            patch(update_page).delete(delete_page),
        )
        .route("/portal/grant-access", post(grant_access))
        .route("/portal/deny-access", post(deny_access))
        .route("/portal/add-profile", post(add_profile))
        .route("/portal/remove-profile", post(remove_profile))
        .route("/portal/users", post(add_user))
        .route(
            "/portal/users/without-confirmation",
            post(add_user_without_confirmation),
        )
        .route("/portal/users/{user_id}/set-internal", post(set_internal))
        .route("/portal/signup-urls", post(signup_url))
        .route("/portal/hook-deliveries", get(list_hook_deliveries))
        .route(
            "/portal/hook-deliveries/{delivery_id}/retry",
            post(retry_hook_delivery),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveryQuery {
    status: Option<DeliveryStatus>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct DeliveryPath {
    delivery_id: String,
}

async fn list_hook_deliveries(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<Page<HookDelivery>>> {
    let page = PageRequest {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(
        blocking(&s, move |d| {
            d.hooks.list_hook_deliveries(&t, q.status, &page)
        })
        .await?,
    ))
}

async fn retry_hook_delivery(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<DeliveryPath>,
) -> ApiResult<Json<HookDelivery>> {
    Ok(Json(
        blocking(&s, move |d| d.hooks.retry_hook_delivery(&t, &p.delivery_id)).await?,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfileRef {
    profile_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WithoutConfirmation {
    profile_id: String,
    auth: Option<OAuthCredentials>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetInternal {
    #[serde(default)]
    unsafe_ignore_oauth: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignupUrlBody {
    profile_id: String,
    #[serde(flatten)]
    options: SignupUrlOptionsBody,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignupUrlOptionsBody {
    #[serde(default)]
    with_sign: bool,
    #[serde(default)]
    refresh: bool,
}

#[derive(Deserialize)]
struct CodePath {
    code: String,
}

#[derive(Deserialize)]
struct UserPath {
    user_id: String,
}

async fn get_settings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
) -> ApiResult<Json<PortalSettingsView>> {
    Ok(Json(
        blocking(&s, move |d| d.portal.portal_settings(&t)).await?,
    ))
}

async fn update_settings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(patch): ApiJson<PortalSettingsPatch>,
) -> ApiResult<Json<PortalSettingsView>> {
    Ok(Json(
        blocking(&s, move |d| d.portal.update_portal_settings(&t, patch)).await?,
    ))
}

async fn create_page(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(page): ApiJson<PortalPage>,
) -> ApiResult<(StatusCode, Json<PortalPage>)> {
    let page = blocking(&s, move |d| d.portal.create_portal_page(&t, page)).await?;
    Ok((StatusCode::CREATED, Json(page)))
}

async fn list_pages(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PortalPage>>> {
    Ok(Json(
        blocking(&s, move |d| d.portal.portal_pages(&t, &p.into())).await?,
    ))
}

async fn update_page(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<CodePath>,
    ApiJson(patch): ApiJson<PortalPagePatch>,
) -> ApiResult<Json<PortalPage>> {
    Ok(Json(
        blocking(&s, move |d| d.portal.update_portal_page(&t, &p.code, patch)).await?,
    ))
}

async fn delete_page(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<CodePath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.portal.delete_portal_page(&t, &p.code)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_access(
    s: AppState,
    t: portico_core::domain::Tenant,
    profile_id: String,
    granted: bool,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.portal.set_portal_access(&t, &profile_id, granted)
        })
        .await?,
    ))
}

async fn grant_access(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ProfileRef>,
) -> ApiResult<Json<Profile>> {
    set_access(s, t, b.profile_id, true).await
}

async fn deny_access(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ProfileRef>,
) -> ApiResult<Json<Profile>> {
    set_access(s, t, b.profile_id, false).await
}

/// Headers of a deprecated alias (RFC 9745 `Deprecation`, and a `Link` to its successor).
fn deprecated(successor: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("deprecation", HeaderValue::from_static("true"));
    headers.insert("link", HeaderValue::from_static(successor));
    headers
}

async fn add_profile(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ProfileRef>,
) -> ApiResult<(HeaderMap, Json<Profile>)> {
    let profile = set_access(s, t, b.profile_id, true).await?;
    Ok((
        deprecated("<./grant-access>; rel=\"successor-version\""),
        profile,
    ))
}

async fn remove_profile(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ProfileRef>,
) -> ApiResult<(HeaderMap, Json<Profile>)> {
    let profile = set_access(s, t, b.profile_id, false).await?;
    Ok((
        deprecated("<./deny-access>; rel=\"successor-version\""),
        profile,
    ))
}

async fn add_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ProfileRef>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = blocking(&s, move |d| d.portal.add_portal_user(&t, &b.profile_id)).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn add_user_without_confirmation(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<WithoutConfirmation>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = blocking(&s, move |d| {
        d.portal
            .add_portal_user_without_confirmation(&t, &b.profile_id, b.auth)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn set_internal(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserPath>,
    OptionalJson(b): OptionalJson<SetInternal>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.portal
                .set_portal_user_as_internal(&t, &p.user_id, b.unsafe_ignore_oauth)
        })
        .await?,
    ))
}

async fn signup_url(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<SignupUrlBody>,
) -> ApiResult<Json<SignupUrl>> {
    let options = SignupUrlOptions {
        with_sign: b.options.with_sign,
        refresh: b.options.refresh,
    };
    Ok(Json(
        blocking(&s, move |d| {
            d.portal.signup_url(&t, &b.profile_id, &options)
        })
        .await?,
    ))
}
