//! Routes external users call: registration through a signup link, sign-in, refresh, sign-out,
//! the app-link token exchange (no API key), and `/portal/me` (a portal session).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::auth::PortalUser;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState};
use portico_core::domain::forms::{FormDataOwner, FormDataView};
use portico_core::domain::{
    AuthDatum, DomainError, Registration, SessionTokens, SignupInfo, Tenant, UpdateUserBody,
    UserView,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/tenants/{tenant}/portal/signup",
            get(signup_info).post(register),
        )
        .route(
            "/v1/tenants/{tenant}/portal/signup/confirmation",
            post(send_confirmation),
        )
        .route(
            "/v1/tenants/{tenant}/portal/sessions",
            post(sign_in).delete(sign_out),
        )
        .route(
            "/v1/tenants/{tenant}/portal/sessions/refresh",
            post(refresh),
        )
        .route(
            "/v1/tenants/{tenant}/portal/sessions/exchange",
            post(exchange),
        )
        .route("/v1/tenants/{tenant}/portal/me", get(me).put(update_me))
        .route(
            "/v1/tenants/{tenant}/portal/me/form-data/{form}",
            get(my_form_data),
        )
        .route(
            "/v1/tenants/{tenant}/portal/auth/{form}",
            post(sign_in_by_markers),
        )
        .route("/v1/tenants/{tenant}/portal/me/app-url", post(app_url))
}

#[derive(Deserialize)]
struct TenantPath {
    tenant: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenQuery {
    token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AppUrlBody {
    #[serde(default)]
    with_auth_token: bool,
}

#[derive(Serialize)]
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

async fn sign_out(user: PortalUser, State(s): State<AppState>) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.portal.portal_sign_out(&user.session)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(user: PortalUser, State(s): State<AppState>) -> ApiResult<Json<UserView>> {
    Ok(Json(
        blocking(&s, move |d| {
            d.users
                .get_user(&user.session.tenant, &user.session.user_id)
        })
        .await?,
    ))
}

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

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LangQuery {
    lang_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MarkerSignIn {
    auth_data: Vec<AuthDatum>,
}

/// `updateUser`: answers `true` (every violation together as 422 otherwise).
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
