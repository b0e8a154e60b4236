//! `AuthProvider` of the SDK (`/api/content/users-auth-providers`): the tenant's auth providers,
//! and sign-in, refresh, sign-out and sessions through one of them.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::device::Device;
use super::form_data::rules_body;
use super::query::{LangQuery, ListQuery};
use super::shapes::{auth_entity, provider_entity, session_entity, signed_up_entity};
use crate::app_tokens::AppTokenAuth;
use crate::auth::PortalUser;
use crate::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState};
use portico_core::domain::forms::FormDataOwner;
use portico_core::domain::{AuthDatum, DomainError, SessionOrigin, SessionTokens};

pub fn routes() -> Router<AppState> {
    let users = "/users-auth-providers/marker/{marker}/users";
    Router::new()
        .route("/users-auth-providers", get(list))
        .route("/users-auth-providers/marker/{marker}", get(one))
        .route(&format!("{users}/sign-up"), post(sign_up))
        .route(&format!("{users}/auth"), post(sign_in))
        .route(&format!("{users}/refresh"), post(refresh))
        .route(&format!("{users}/logout"), post(sign_out))
        .route(&format!("{users}/logout-all"), post(sign_out_everywhere))
        .route(&format!("{users}/sessions"), get(sessions))
}

#[derive(Deserialize)]
struct MarkerPath {
    #[allow(dead_code)]
    tenant: String,
    marker: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthBody {
    auth_data: Vec<AuthDatum>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshBody {
    refresh_token: String,
}

/// `getAuthProviders`: the tenant's providers in number order.
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
