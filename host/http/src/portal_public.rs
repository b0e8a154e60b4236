//! Routes external users call: registration through a signup link, sign-in, refresh, sign-out,
//! the app-link token exchange (no API key), and `/portal/me` (a portal session).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::PortalUser;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState};
use portico_core::domain::forms::{FormDataOwner, FormDataView};
use portico_core::domain::{
    AuthDatum, DomainError, Registration, SessionTokens, SignupInfo, Tenant, UpdateUserBody,
    UserView,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup_info, register))
        .routes(routes!(send_confirmation))
        .routes(routes!(sign_in, sign_out))
        .routes(routes!(refresh))
        .routes(routes!(exchange))
        .routes(routes!(me, update_me))
        .routes(routes!(my_form_data))
        .routes(routes!(sign_in_by_markers))
        .routes(routes!(app_url))
}

#[derive(Deserialize)]
struct TenantPath {
    tenant: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TokenQuery {
    /// The signup link's token.
    token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SignIn {
    email: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AppUrlBody {
    #[serde(default)]
    with_auth_token: bool,
}

#[derive(Serialize, ToSchema)]
struct Url {
    url: String,
}

/// Resolves the path's tenant; an unknown one answers like a bad credential, revealing nothing.
fn tenant_or(
    d: &portico_core::domain::Domain,
    namespace: &str,
    refusal: fn() -> DomainError,
) -> Result<Tenant, DomainError> {
    d.tenants.get_tenant(namespace).map_err(|_| refusal())
}

fn invalid_link() -> DomainError {
    DomainError::bad_request(
        "invalid_signup_link",
        "the signup link is invalid, expired or already used",
    )
}

fn invalid_credentials() -> DomainError {
    DomainError::unauthenticated("invalid_credentials", "wrong email or password")
}

fn invalid_token() -> DomainError {
    DomainError::unauthenticated("invalid_token", "unknown, used or expired token")
}

/// What a signup link is for (email, whether it needs a confirmation code), without using it.
#[utoipa::path(get, path = "/v1/tenants/{tenant}/portal/signup", tag = "portal users", operation_id = "signupInfo",
     params(TokenQuery),
    responses((status = 200, body = SignupInfo), (status = 400, description = "`invalid_signup_link`")))]
async fn signup_info(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> ApiResult<Json<SignupInfo>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.portal
                .signup_info(&tenant_or(d, &p.tenant, invalid_link)?, &q.token)
        })
        .await?,
    ))
}

/// Mails the signup link's confirmation code.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/portal/signup/confirmation", tag = "portal users", operation_id = "sendSignupConfirmation",
     request_body = TokenBody,
    responses((status = 202, description = "Queued"), (status = 400, description = "`invalid_signup_link`"), (status = 409, description = "`confirmation_not_needed`"), (status = 429, description = "Too many codes asked for")))]
async fn send_confirmation(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiJson(b): ApiJson<TokenBody>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| {
        d.portal
            .send_signup_confirmation(&tenant_or(d, &p.tenant, invalid_link)?, &b.token)
    })
    .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Registers through a signup link: a password (and the confirmation code when the link needs one).
#[utoipa::path(post, path = "/v1/tenants/{tenant}/portal/signup", tag = "portal users", operation_id = "registerPortalUser",
     request_body = Registration,
    responses((status = 201, body = UserView), (status = 400, description = "`invalid_signup_link`, `password_too_short`, `password_mismatch`, `confirmation_required`, `wrong_confirmation_code`"), (status = 409, description = "`already_registered`, `email_taken`"), (status = 412, description = "`no_portal_licenses`")))]
async fn register(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiJson(b): ApiJson<Registration>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = blocking(&s, move |d| {
        d.portal
            .register_portal_user(&tenant_or(d, &p.tenant, invalid_link)?, b)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Signs a portal user in with email and password: an access and a refresh token.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/portal/sessions", tag = "portal users", operation_id = "portalSignIn",
     request_body = SignIn,
    responses((status = 200, body = SessionTokens), (status = 401, description = "`invalid_credentials`"), (status = 403, description = "`account_locked`, `access_denied`, `user_blocked`, `user_inactive`, `profile_blocked`, `portal_unpublished`, `invitation_pending`"), (status = 429, description = "`account_locked`: too many failed sign-ins (`Retry-After`)")))]
async fn sign_in(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiJson(b): ApiJson<SignIn>,
) -> ApiResult<Json<SessionTokens>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.portal.portal_sign_in(
                &tenant_or(d, &p.tenant, invalid_credentials)?,
                &b.email,
                &b.password,
            )
        })
        .await?,
    ))
}

/// Trades a refresh token for new tokens.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/portal/sessions/refresh", tag = "portal users", operation_id = "portalRefresh",
     request_body = RefreshBody,
    responses((status = 200, body = SessionTokens), (status = 401, description = "`invalid_refresh_token`, `invalid_token`")))]
async fn refresh(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiJson(b): ApiJson<RefreshBody>,
) -> ApiResult<Json<SessionTokens>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.portal
                .portal_refresh(&tenant_or(d, &p.tenant, invalid_token)?, &b.refresh_token)
        })
        .await?,
    ))
}

/// Trades an app link's one-time token for a session.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/portal/sessions/exchange", tag = "portal users", operation_id = "portalExchange",
     request_body = TokenBody,
    responses((status = 200, body = SessionTokens), (status = 401, description = "`invalid_token`, `invalid_auth_token`")))]
async fn exchange(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiJson(b): ApiJson<TokenBody>,
) -> ApiResult<Json<SessionTokens>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.portal
                .exchange_app_token(&tenant_or(d, &p.tenant, invalid_token)?, &b.token)
        })
        .await?,
    ))
}

/// Ends this session.
#[utoipa::path(delete, path = "/v1/tenants/{tenant}/portal/sessions", tag = "portal users", operation_id = "portalSignOut",
    security(("portalSession" = [])),
    responses((status = 204, description = "Signed out")))]
async fn sign_out(user: PortalUser, State(s): State<AppState>) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.portal.portal_sign_out(&user.session)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/v1/tenants/{tenant}/portal/me", tag = "portal users", operation_id = "portalMe",
    security(("portalSession" = [])),
    responses((status = 200, body = UserView)))]
async fn me(user: PortalUser, State(s): State<AppState>) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users
                .get_user(&user.session.tenant, &user.session.user_id)
        })
        .await?,
    ))
}

/// The portal app's URL for the signed-in user (with a one-time token when asked).
#[utoipa::path(post, path = "/v1/tenants/{tenant}/portal/me/app-url", tag = "portal users", operation_id = "portalAppUrl",
    security(("portalSession" = [])), request_body = AppUrlBody,
    responses((status = 200, body = Url), (status = 409, description = "`portal_unpublished`: no app URL")))]
async fn app_url(
    user: PortalUser,
    State(s): State<AppState>,
    ApiJson(b): ApiJson<AppUrlBody>,
) -> ApiResult<Json<Url>> {
    let url = blocking(&s, move |d| {
        d.portal.portal_app_url(&user.session, b.with_auth_token)
    })
    .await?;
    Ok(Json(Url { url }))
}

#[derive(Deserialize)]
struct FormPath {
    tenant: String,
    form: String,
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LangQuery {
    /// A language code (`en_US` by default).
    lang_code: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MarkerSignIn {
    auth_data: Vec<AuthDatum>,
}

/// `updateUser`: answers `true` (every violation together as 422 otherwise).
#[utoipa::path(put, path = "/v1/tenants/{tenant}/portal/me", tag = "portal users", operation_id = "updatePortalMe",
    security(("portalSession" = [])), params(LangQuery), request_body = UpdateUserBody,
    responses((status = 200, body = bool, content_type = "application/json"), (status = 400, description = "`invalid_lang_code`, `form_not_found`"), (status = 403, description = "`plugin_veto`, `plugin_failed`: a `before-update-user` lifecycle hook vetoed the update (its message), or failed with its binding failing closed"), (status = 404, description = "`form_not_found`"), (status = 409, description = "`email_taken`"), (status = 422, description = "`validation_failed` (`details.violations`: `unknown_auth_marker`, `invalid_email`, `invalid_phone`...)")))]
async fn update_me(
    user: PortalUser,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<UpdateUserBody>,
) -> ApiResult<Json<bool>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.portal
                .update_signed_in_user(&user.session, body, q.lang_code.as_deref())
        })
        .await?,
    ))
}

/// The signed-in user's data of one form in one language (`en_US` by default).
#[utoipa::path(get, path = "/v1/tenants/{tenant}/portal/me/form-data/{form}", tag = "portal users", operation_id = "portalMyFormData",
    security(("portalSession" = [])), params(LangQuery),
    responses((status = 200, body = FormDataView), (status = 400, description = "`invalid_lang_code`"), (status = 404, description = "`form_not_found`")))]
async fn my_form_data(
    user: PortalUser,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<FormPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<FormDataView>> {
    let owner = FormDataOwner::User(user.session.user_id.clone());
    Ok(Json(
        blocking(&s, move |d| {
            d.forms.get_form_data(
                &user.session.tenant,
                &owner,
                &p.form,
                q.lang_code.as_deref(),
            )
        })
        .await?,
    ))
}

/// Sign-in with the form's login and password markers (`authData`).
#[utoipa::path(post, path = "/v1/tenants/{tenant}/portal/auth/{form}", tag = "portal users", operation_id = "portalSignInByMarkers",
     request_body = MarkerSignIn,
    responses((status = 200, body = SessionTokens), (status = 400, description = "`form_without_auth_markers`, `missing_auth_data`"), (status = 401, description = "`invalid_credentials`"), (status = 403, description = "`account_locked`, `access_denied`, `user_blocked`, `user_inactive`, `profile_blocked`, `portal_unpublished`, `invitation_pending`"), (status = 429, description = "`account_locked`: too many failed sign-ins (`Retry-After`)"), (status = 404, description = "`form_not_found`")))]
async fn sign_in_by_markers(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<FormPath>,
    ApiJson(b): ApiJson<MarkerSignIn>,
) -> ApiResult<Json<SessionTokens>> {
    Ok(Json(
        blocking(&s, move |d| {
            let tenant = tenant_or(d, &p.tenant, invalid_credentials)?;
            d.portal
                .portal_sign_in_by_markers(&tenant, &p.form, &b.auth_data, &Default::default())
        })
        .await?,
    ))
}
