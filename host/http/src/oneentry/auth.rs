//! `AuthProvider` of the SDK (`/api/content/users-auth-providers`): the tenant's auth providers,
//! and sign-in, refresh, sign-out and sessions through one of them.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::device::Device;
use super::form_data::rules_body;
use super::query::{LangQuery, ListQuery};
use super::schemas::{
    AuthEntity, AuthProviderEntity, OneEntryActiveSession, OneEntrySignUpBody, SignedUpEntity,
};
use super::shapes::{auth_entity, provider_entity, session_entity, signed_up_entity};
use crate::app_tokens::AppTokenAuth;
use crate::auth::PortalUser;
use crate::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState};
use portico_core::domain::forms::FormDataOwner;
use portico_core::domain::{AuthDatum, DomainError, SessionOrigin, SessionTokens};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(sign_up))
        .routes(routes!(sign_in))
        .routes(routes!(refresh))
        .routes(routes!(sign_out))
        .routes(routes!(sign_out_everywhere))
        .routes(routes!(sessions))
}

#[derive(Deserialize)]
struct MarkerPath {
    #[allow(dead_code)]
    tenant: String,
    marker: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneEntryAuthBody)]
struct AuthBody {
    #[schema(value_type = Vec<super::schemas::OneEntryAuthDatum>)]
    auth_data: Vec<AuthDatum>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneEntryRefreshBody)]
struct RefreshBody {
    refresh_token: String,
}

/// `getAuthProviders`: the tenant's providers in number order.
#[utoipa::path(get, path = "/users-auth-providers", tag = "oneentry", operation_id = "oneentryGetAuthProviders",
    security(("appToken" = [])), params(ListQuery),
    responses((status = 200, body = Vec<AuthProviderEntity>), (status = 400, description = "`invalid_limit`, `invalid_lang_code`")))]
async fn list(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<Value>>> {
    let request = q.request()?;
    let providers = blocking(&s, move |d| {
        d.auth_providers
            .auth_providers_at(&tenant, request.offset, request.limit)
    })
    .await?;
    Ok(Json(
        providers
            .iter()
            .map(|p| provider_entity(p, &request.lang))
            .collect(),
    ))
}

/// `getAuthProviderByMarker`.
#[utoipa::path(get, path = "/users-auth-providers/marker/{marker}", tag = "oneentry", operation_id = "oneentryGetAuthProviderByMarker",
    security(("appToken" = [])), params(LangQuery),
    responses((status = 200, body = AuthProviderEntity), (status = 400, description = "`invalid_lang_code`"), (status = 404, description = "`auth_provider_not_found`")))]
async fn one(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<Value>> {
    let lang = q.lang()?;
    let provider = blocking(&s, move |d| {
        d.auth_providers.get_auth_provider(&tenant, &p.marker)
    })
    .await?;
    Ok(Json(provider_entity(&provider, &lang)))
}

/// `signUp`: a new portal account through the provider (when its self sign-up is open).
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/sign-up", tag = "oneentry", operation_id = "oneentrySignUp",
    security(("appToken" = [])), params(LangQuery), request_body = OneEntrySignUpBody,
    responses((status = 200, body = SignedUpEntity), (status = 400, description = "`invalid_lang_code`, `invalid_body`"), (status = 403, description = "`signup_closed`, `auth_provider_inactive`, `signup_denied`, `plugin_failed`"), (status = 404, description = "`auth_provider_not_found`"), (status = 409, description = "`email_taken`"), (status = 412, description = "`no_portal_licenses`"), (status = 422, description = "`validation_failed` (`details.violations`)")))]
async fn sign_up(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let lang = q.lang()?;
    let answer = blocking(&s, move |d| {
        let provider = d.auth_providers.get_auth_provider(&tenant, &p.marker)?;
        let form = d.forms.get_form(&tenant, &provider.form_identifier)?;
        let body = rules_body(body, &lang, Some(&form))?;
        let signed_up = d
            .portal
            .self_sign_up(&tenant, &provider, body, Some(&lang))?;
        let owner = FormDataOwner::User(signed_up.user.id.clone());
        let data = d
            .forms
            .get_form_data(&tenant, &owner, &form.identifier, Some(&lang))?;
        Ok(signed_up_entity(&signed_up, &data.form_data, &lang))
    })
    .await?;
    Ok(Json(answer))
}

/// `auth`: the provider's form names the login and password markers of `authData`.
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/auth", tag = "oneentry", operation_id = "oneentryAuth",
    security(("appToken" = [])), params(("x-device-metadata" = Option<String>, Header, description = "`{\"fingerprint\", \"deviceInfo\": {\"os\", \"browser\", \"location\"}}` as JSON")), request_body = AuthBody,
    responses((status = 200, body = AuthEntity), (status = 400, description = "`invalid_device_metadata`, `missing_auth_data`"), (status = 401, description = "`invalid_credentials`"), (status = 403, description = "`access_denied`, `user_blocked`, `user_inactive`, `profile_blocked`, `portal_unpublished`, `auth_provider_inactive`"), (status = 404, description = "`auth_provider_not_found`"), (status = 429, description = "`account_locked` (`Retry-After`)")))]
async fn sign_in(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
    Device(device): Device,
    ApiJson(body): ApiJson<AuthBody>,
) -> ApiResult<Json<Value>> {
    let marker = p.marker.clone();
    let (email, tokens) = blocking(&s, move |d| {
        let provider = d.auth_providers.get_auth_provider(&tenant, &p.marker)?;
        if !provider.is_active {
            return Err(inactive(&provider.identifier));
        }
        let origin = SessionOrigin {
            provider: Some(provider.identifier.clone()),
            device,
        };
        let tokens = d.portal.portal_sign_in_by_markers(
            &tenant,
            &provider.form_identifier,
            &body.auth_data,
            &origin,
        )?;
        Ok((user_email(d, &tenant, &tokens)?, tokens))
    })
    .await?;
    Ok(Json(auth_entity(&email, &marker, &tokens)))
}

/// `refresh` (and the SDK's own refresh after a 401): a new pair of the same session.
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/refresh", tag = "oneentry", operation_id = "oneentryRefresh",
    security(("appToken" = [])), request_body = RefreshBody,
    responses((status = 200, body = AuthEntity), (status = 401, description = "`invalid_refresh_token`"), (status = 404, description = "`auth_provider_not_found`")))]
async fn refresh(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Json<Value>> {
    let marker = p.marker.clone();
    let (email, tokens) = blocking(&s, move |d| {
        let tokens = d.portal.portal_refresh(&tenant, &body.refresh_token)?;
        Ok((user_email(d, &tenant, &tokens)?, tokens))
    })
    .await?;
    Ok(Json(auth_entity(&email, &marker, &tokens)))
}

/// `logout`: ends the session of the refresh token (when it is the signed-in user's); `true`.
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/logout", tag = "oneentry", operation_id = "oneentryLogout",
    security(("appToken" = [], "portalSession" = [])), request_body = RefreshBody,
    responses((status = 200, body = bool, content_type = "application/json"), (status = 401, description = "`unauthorized`, `invalid_token`: a missing or bad access token")))]
async fn sign_out(
    _app: AppTokenAuth,
    user: PortalUser,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Json<bool>> {
    blocking(&s, move |d| {
        d.portal
            .portal_sign_out_refresh(&user.session, &body.refresh_token)
    })
    .await?;
    Ok(Json(true))
}

/// `logoutAll`: ends every session of the signed-in user; `true`.
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/logout-all", tag = "oneentry", operation_id = "oneentryLogoutAll",
    security(("appToken" = [], "portalSession" = [])),
    responses((status = 200, body = bool, content_type = "application/json"), (status = 401, description = "`unauthorized`, `invalid_token`: a missing or bad access token")))]
async fn sign_out_everywhere(
    _app: AppTokenAuth,
    user: PortalUser,
    State(s): State<AppState>,
) -> ApiResult<Json<bool>> {
    blocking(&s, move |d| {
        d.portal.portal_sign_out_everywhere(&user.session)
    })
    .await?;
    Ok(Json(true))
}

/// `getActiveSessionsByMarker`: the signed-in user's live sessions, the oldest first.
#[utoipa::path(get, path = "/users-auth-providers/marker/{marker}/users/sessions", tag = "oneentry", operation_id = "oneentryGetActiveSessions",
    security(("appToken" = [], "portalSession" = [])),
    responses((status = 200, body = Vec<OneEntryActiveSession>), (status = 401, description = "`unauthorized`, `invalid_token`: a missing or bad access token")))]
async fn sessions(
    _app: AppTokenAuth,
    user: PortalUser,
    State(s): State<AppState>,
) -> ApiResult<Json<Vec<Value>>> {
    let sessions = blocking(&s, move |d| d.portal.portal_sessions(&user.session)).await?;
    Ok(Json(sessions.iter().map(session_entity).collect()))
}

/// The signed-in user's email (OneEntry's `userIdentifier`).
fn user_email(
    d: &portico_core::domain::Domain,
    tenant: &portico_core::domain::Tenant,
    tokens: &SessionTokens,
) -> Result<String, DomainError> {
    Ok(d.users.get_user(tenant, &tokens.user_id)?.email)
}

fn inactive(marker: &str) -> DomainError {
    DomainError::refused(
        "auth_provider_inactive",
        format!("the auth provider '{marker}' is not active"),
    )
}
