//! `/v1/tenants/{tenant}/portal...` for the tenant's key: settings, pages, access, portal users,
//! signup URLs. `addProfile` / `removeProfile` are deprecated aliases of `grantAccess` /
//! `denyAccess` and answer with a `Deprecation` header.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, OptionalJson, PageParams};
use portico_core::domain::{
    DeliveryStatus, HookDelivery, OAuthCredentials, Page, PageRequest, PortalPage, PortalPagePatch,
    PortalSettingsPatch, PortalSettingsView, Profile, SignupUrl, SignupUrlOptions, UserView,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, update_settings))
        .routes(routes!(create_page, list_pages))
        .routes(routes!(update_page, delete_page))
        .routes(routes!(grant_access))
        .routes(routes!(deny_access))
        .routes(routes!(add_profile))
        .routes(routes!(remove_profile))
        .routes(routes!(add_user))
        .routes(routes!(add_user_without_confirmation))
        .routes(routes!(set_internal))
        .routes(routes!(signup_url))
        .routes(routes!(list_hook_deliveries))
        .routes(routes!(retry_hook_delivery))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeliveryQuery {
    status: Option<DeliveryStatus>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct DeliveryPath {
    delivery_id: String,
}

/// The lifecycle hooks' deliveries, filtered by status.
#[utoipa::path(get, path = "/portal/hook-deliveries", tag = "portal", operation_id = "listHookDeliveries",
    security(("tenantApiKey" = [])), params(DeliveryQuery),
    responses((status = 200, body = Page<HookDelivery>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
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

/// Retries a failed hook delivery.
#[utoipa::path(post, path = "/portal/hook-deliveries/{delivery_id}/retry", tag = "portal", operation_id = "retryHookDelivery",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = HookDelivery), (status = 404, description = "`hook_delivery_not_found`"), (status = 409, description = "`not_failed`")))]
async fn retry_hook_delivery(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<DeliveryPath>,
) -> ApiResult<Json<HookDelivery>> {
    Ok(Json(
        blocking(&s, move |d| d.hooks.retry_hook_delivery(&t, &p.delivery_id)).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfileRef {
    profile_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WithoutConfirmation {
    profile_id: String,
    auth: Option<OAuthCredentials>,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetInternal {
    #[serde(default)]
    unsafe_ignore_oauth: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignupUrlBody {
    profile_id: String,
    #[serde(flatten)]
    options: SignupUrlOptionsBody,
}

#[derive(Deserialize, ToSchema)]
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

/// The portal's settings.
#[utoipa::path(get, path = "/portal/settings", tag = "portal", operation_id = "getPortalSettings",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = PortalSettingsView)))]
async fn get_settings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
) -> ApiResult<Json<PortalSettingsView>> {
    Ok(Json(
        blocking(&s, move |d| d.portal.portal_settings(&t)).await?,
    ))
}

/// Changes the portal settings the patch names.
#[utoipa::path(patch, path = "/portal/settings", tag = "portal", operation_id = "updatePortalSettings",
    security(("tenantApiKey" = [])), request_body = PortalSettingsPatch,
    responses((status = 200, body = PortalSettingsView), (status = 400, description = "`invalid_setting`")))]
async fn update_settings(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(patch): ApiJson<PortalSettingsPatch>,
) -> ApiResult<Json<PortalSettingsView>> {
    Ok(Json(
        blocking(&s, move |d| d.portal.update_portal_settings(&t, patch)).await?,
    ))
}

/// Adds a portal page.
#[utoipa::path(post, path = "/portal/pages", tag = "portal", operation_id = "createPortalPage",
    security(("tenantApiKey" = [])), request_body = PortalPage,
    responses((status = 201, body = PortalPage), (status = 400, description = "`invalid_page_code`, `invalid_page_path`"), (status = 409, description = "`page_code_taken`")))]
async fn create_page(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(page): ApiJson<PortalPage>,
) -> ApiResult<(StatusCode, Json<PortalPage>)> {
    let page = blocking(&s, move |d| d.portal.create_portal_page(&t, page)).await?;
    Ok((StatusCode::CREATED, Json(page)))
}

/// The portal's pages.
#[utoipa::path(get, path = "/portal/pages", tag = "portal", operation_id = "listPortalPages",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<PortalPage>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list_pages(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PortalPage>>> {
    Ok(Json(
        blocking(&s, move |d| d.portal.portal_pages(&t, &p.into())).await?,
    ))
}

/// Changes a portal page.
#[utoipa::path(patch, path = "/portal/pages/{code}", tag = "portal", operation_id = "updatePortalPage",
    security(("tenantApiKey" = [])), request_body = PortalPagePatch,
    responses((status = 200, body = PortalPage), (status = 400, description = "`invalid_page_path`"), (status = 404, description = "`portal_page_not_found`")))]
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

/// Deletes a portal page.
#[utoipa::path(delete, path = "/portal/pages/{code}", tag = "portal", operation_id = "deletePortalPage",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`portal_page_not_found`")))]
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

/// `grantAccess`: the profile may use the portal.
#[utoipa::path(post, path = "/portal/grant-access", tag = "portal", operation_id = "grantPortalAccess",
    security(("tenantApiKey" = [])), request_body = ProfileRef,
    responses((status = 200, body = Profile), (status = 404, description = "`profile_not_found`")))]
async fn grant_access(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ProfileRef>,
) -> ApiResult<Json<Profile>> {
    set_access(s, t, b.profile_id, true).await
}

/// `denyAccess`: the profile may no longer use the portal.
#[utoipa::path(post, path = "/portal/deny-access", tag = "portal", operation_id = "denyPortalAccess",
    security(("tenantApiKey" = [])), request_body = ProfileRef,
    responses((status = 200, body = Profile), (status = 404, description = "`profile_not_found`")))]
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

/// Deprecated alias of `grantAccess` (answers a `Deprecation` header).
#[utoipa::path(post, path = "/portal/add-profile", tag = "portal", operation_id = "addPortalProfile",
    security(("tenantApiKey" = [])), request_body = ProfileRef,
    responses((status = 200, body = Profile, headers(("deprecation" = String, description = "`true`"), ("link" = String, description = "The successor route"))),
        (status = 404, description = "`profile_not_found`")))]
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

/// Deprecated alias of `denyAccess` (answers a `Deprecation` header).
#[utoipa::path(post, path = "/portal/remove-profile", tag = "portal", operation_id = "removePortalProfile",
    security(("tenantApiKey" = [])), request_body = ProfileRef,
    responses((status = 200, body = Profile, headers(("deprecation" = String, description = "`true`"), ("link" = String, description = "The successor route"))),
        (status = 404, description = "`profile_not_found`")))]
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

/// Invites the profile's person as a portal user (an invitation notification).
#[utoipa::path(post, path = "/portal/users", tag = "portal", operation_id = "addPortalUser",
    security(("tenantApiKey" = [])), request_body = ProfileRef,
    responses((status = 201, body = UserView), (status = 400, description = "`profile_without_email`"), (status = 404, description = "`profile_not_found`"), (status = 403, description = "`profile_blocked`, `signup_denied`, `plugin_failed`, `plugin_veto`"), (status = 409, description = "`profile_has_user`, `email_taken`"), (status = 412, description = "`no_portal_licenses`")))]
async fn add_user(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<ProfileRef>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = blocking(&s, move |d| d.portal.add_portal_user(&t, &b.profile_id)).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Adds the profile's person as an active portal user at once.
#[utoipa::path(post, path = "/portal/users/without-confirmation", tag = "portal", operation_id = "addPortalUserWithoutConfirmation",
    security(("tenantApiKey" = [])), request_body = WithoutConfirmation,
    responses((status = 201, body = UserView), (status = 400, description = "`profile_without_email`, `missing_oauth_credentials`, `unknown_identity_provider`"), (status = 404, description = "`profile_not_found`"), (status = 403, description = "`profile_blocked`, `signup_denied`, `plugin_failed`, `plugin_veto`"), (status = 409, description = "`profile_has_user`, `email_taken`"), (status = 412, description = "`no_portal_licenses`")))]
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

/// Turns a portal user into an internal user.
#[utoipa::path(post, path = "/portal/users/{user_id}/set-internal", tag = "portal", operation_id = "setPortalUserInternal",
    security(("tenantApiKey" = [])), request_body(content = Option<SetInternal>, description = "Optional"),
    responses((status = 200, body = UserView), (status = 400, description = "`not_a_portal_user`, `oauth_user`"), (status = 404, description = "`user_not_found`")))]
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

/// `signupUrl`: a signup link for the profile (the signup policies decide).
#[utoipa::path(post, path = "/portal/signup-urls", tag = "portal", operation_id = "signupUrl",
    security(("tenantApiKey" = [])), request_body = SignupUrlBody,
    responses((status = 200, body = SignupUrl), (status = 400, description = "`profile_without_email`, `with_sign_forbidden`"), (status = 404, description = "`profile_not_found`"), (status = 403, description = "`profile_blocked`, `signup_denied`, `plugin_failed`"), (status = 409, description = "`profile_has_user`, `too_many_live_links`")))]
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
