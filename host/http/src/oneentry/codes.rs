//! The one-time codes of `AuthProvider` (`generateCode`, `checkCode`, `activateUser`,
//! `changePassword`): a code goes to the person's email through the outbox; the app hands it
//! back. Events are `activation` and `password_reset`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::schemas::OneEntrySuccess;
use crate::app_tokens::AppTokenAuth;
use crate::{blocking, ApiJson, ApiResult, AppState};
use portico_core::domain::portal::codes::{code_event, CodeEvent};
use portico_core::domain::DomainError;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate))
        .routes(routes!(check))
        .routes(routes!(activate))
        .routes(routes!(change_password))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneEntryGenerateBody)]
struct GenerateBody {
    user_identifier: String,
    #[schema(value_type = super::schemas::OneEntryCodeEvent)]
    event_identifier: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneEntryCheckBody)]
struct CheckBody {
    user_identifier: String,
    #[schema(value_type = super::schemas::OneEntryCodeEvent)]
    event_identifier: String,
    code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneEntryActivateBody)]
struct ActivateBody {
    user_identifier: String,
    code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneEntryChangePasswordBody)]
struct ChangePasswordBody {
    user_identifier: String,
    #[schema(value_type = super::schemas::OneEntryCodeEvent)]
    event_identifier: String,
    code: String,
    /// OneEntry's kind of change; Portico changes a password by code only (any value).
    #[serde(rename = "type")]
    #[schema(required = false)]
    _kind: Option<Value>,
    password1: String,
    password2: String,
}

/// `generateCode`: sends a code for the event to the person's email; the same answer whether
/// or not the email is a portal user's (nothing is sent then).
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/generate-code", tag = "oneentry", operation_id = "oneentryGenerateCode",
    security(("appToken" = [])), request_body = GenerateBody,
    responses((status = 200, body = OneEntrySuccess), (status = 400, description = "`unknown_event`, `invalid_code`, `invalid_email`"), (status = 404, description = "`auth_provider_not_found`"), (status = 429, description = "At most one code per user and event per minute")))]
async fn generate(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<GenerateBody>,
) -> ApiResult<Json<Value>> {
    blocking(&s, move |d| {
        let event = code_event(&body.event_identifier)?;
        d.portal.send_code(&tenant, &body.user_identifier, event)
    })
    .await?;
    Ok(Json(json!({ "success": true })))
}

/// `checkCode`: `true` for the right code (it stays usable); 400 `invalid_code` otherwise.
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/check-code", tag = "oneentry", operation_id = "oneentryCheckCode",
    security(("appToken" = [])), request_body = CheckBody,
    responses((status = 200, body = bool, content_type = "application/json"), (status = 400, description = "`unknown_event`, `invalid_code`, `invalid_email`"), (status = 404, description = "`auth_provider_not_found`")))]
async fn check(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<CheckBody>,
) -> ApiResult<Json<bool>> {
    blocking(&s, move |d| {
        let event = code_event(&body.event_identifier)?;
        d.portal
            .check_code(&tenant, &body.user_identifier, event, &body.code)
    })
    .await?;
    Ok(Json(true))
}

/// `activateUser`: the activation code activates the account; `true`.
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/activate", tag = "oneentry", operation_id = "oneentryActivateUser",
    security(("appToken" = [])), request_body = ActivateBody,
    responses((status = 200, body = bool, content_type = "application/json"), (status = 400, description = "`invalid_code`, `already_active`"), (status = 404, description = "`auth_provider_not_found`")))]
async fn activate(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<ActivateBody>,
) -> ApiResult<Json<bool>> {
    blocking(&s, move |d| {
        d.portal
            .activate_with_code(&tenant, &body.user_identifier, &body.code)
    })
    .await?;
    Ok(Json(true))
}

/// `changePassword`: a `password_reset` code sets a new password (and ends the sessions); `true`.
#[utoipa::path(post, path = "/users-auth-providers/marker/{marker}/users/change-password", tag = "oneentry", operation_id = "oneentryChangePassword",
    security(("appToken" = [])), request_body = ChangePasswordBody,
    responses((status = 200, body = bool, content_type = "application/json"), (status = 400, description = "`unknown_event`, `wrong_event`, `invalid_code`, `passwords_differ`, `password_too_short`"), (status = 404, description = "`auth_provider_not_found`")))]
async fn change_password(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> ApiResult<Json<bool>> {
    blocking(&s, move |d| {
        if code_event(&body.event_identifier)? != CodeEvent::PasswordReset {
            return Err(DomainError::bad_request(
                "wrong_event",
                "a password is changed with a password_reset code",
            ));
        }
        d.portal.change_password_with_code(
            &tenant,
            &body.user_identifier,
            &body.code,
            &body.password1,
            &body.password2,
        )
    })
    .await?;
    Ok(Json(true))
}
