//! The one-time codes of `AuthProvider` (`generateCode`, `checkCode`, `activateUser`,
//! `changePassword`): a code goes to the person's email through the outbox; the app hands it
//! back. Events are `activation` and `password_reset`.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app_tokens::AppTokenAuth;
use crate::{blocking, ApiJson, ApiResult, AppState};
use portico_core::domain::portal::codes::{code_event, CodeEvent};
use portico_core::domain::DomainError;

pub fn routes() -> Router<AppState> {
    let users = "/users-auth-providers/marker/{marker}/users";
    Router::new()
        .route(&format!("{users}/generate-code"), post(generate))
        .route(&format!("{users}/check-code"), post(check))
        .route(&format!("{users}/activate"), post(activate))
        .route(&format!("{users}/change-password"), post(change_password))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateBody {
    user_identifier: String,
    event_identifier: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckBody {
    user_identifier: String,
    event_identifier: String,
    code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivateBody {
    user_identifier: String,
    code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangePasswordBody {
    user_identifier: String,
    event_identifier: String,
    code: String,
    /// OneEntry's kind of change; Portico changes a password by code only (any value).
    #[serde(rename = "type")]
    _kind: Option<Value>,
    password1: String,
    password2: String,
}

/// `generateCode`: sends a code for the event to the person's email; the same answer whether
/// or not the email is a portal user's (nothing is sent then).
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
