//! `Users` of the SDK (`/api/content/users`): the signed-in user (`getUser`), `updateUser` with
//! every rule of the `/v1` route, and `deleteUser`.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::form_data::rules_body;
use super::query::LangQuery;
use super::schemas::{OneEntrySuccess, OneEntryUpdateUserBody, UserEntity};
use super::shapes::user_entity;
use crate::app_tokens::AppTokenAuth;
use crate::auth::PortalUser;
use crate::{blocking, ApiJson, ApiQuery, ApiResult, AppState};
use portico_core::domain::forms::FormDataOwner;
use portico_core::domain::{Domain, DomainResult, PortalSession, UpdateUserBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(delete_me))
}

/// `getUser`: the user, with their data of their provider's form in the language asked for.
#[utoipa::path(get, path = "/users/me", tag = "oneentry", operation_id = "oneentryGetUser",
    security(("appToken" = [], "portalSession" = [])), params(LangQuery),
    responses((status = 200, body = UserEntity), (status = 400, description = "`invalid_lang_code`"), (status = 401, description = "`unauthorized`, `invalid_token`")))]
async fn me(
    _app: AppTokenAuth,
    user: PortalUser,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<Value>> {
    let lang = q.lang()?;
    Ok(Json(
        blocking(&s, move |d| user_view(d, &user.session, &lang)).await?,
    ))
}

fn user_view(d: &Domain, session: &PortalSession, lang: &str) -> DomainResult<Value> {
    let tenant = &session.tenant;
    let user = d.users.get_user(tenant, &session.user_id)?;
    let provider = match &session.meta.provider {
        Some(marker) => Some(d.auth_providers.get_auth_provider(tenant, marker)?),
        None => d
            .auth_providers
            .auth_providers_at(tenant, 0, 1)?
            .into_iter()
            .next(),
    };
    let Some(provider) = provider else {
        return Ok(user_entity(&user, "", "", &[]));
    };
    let owner = FormDataOwner::User(session.user_id.clone());
    let data = d
        .forms
        .get_form_data(tenant, &owner, &provider.form_identifier, Some(lang))?;
    Ok(user_entity(
        &user,
        &provider.identifier,
        &provider.form_identifier,
        &data.form_data,
    ))
}

/// `updateUser`: `true`, or every violation together (422) with nothing written.
#[utoipa::path(put, path = "/users/me", tag = "oneentry", operation_id = "oneentryUpdateUser",
    security(("appToken" = [], "portalSession" = [])), params(LangQuery), request_body = OneEntryUpdateUserBody,
    responses((status = 200, body = bool, content_type = "application/json"), (status = 400, description = "`invalid_lang_code`, `invalid_body`, `form_mismatch`"), (status = 401, description = "`unauthorized`, `invalid_token`"), (status = 403, description = "`plugin_veto`, `plugin_failed`: a `before-update-user` lifecycle hook vetoed the update (its message), or failed with its binding failing closed"), (status = 404, description = "`form_not_found`"), (status = 409, description = "`email_taken`"), (status = 422, description = "`validation_failed` (`details.violations`)")))]
async fn update_me(
    _app: AppTokenAuth,
    user: PortalUser,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> ApiResult<Json<bool>> {
    let lang = q.lang()?;
    Ok(Json(
        blocking(&s, move |d| {
            let body = sdk_body(d, &user.session, body, &lang)?;
            d.portal
                .update_signed_in_user(&user.session, body, Some(&lang))
        })
        .await?,
    ))
}

/// `deleteUser`: deletes the signed-in user (their sessions and form data with them).
#[utoipa::path(delete, path = "/users/me/account", tag = "oneentry", operation_id = "oneentryDeleteUser",
    security(("appToken" = [], "portalSession" = [])),
    responses((status = 200, body = OneEntrySuccess), (status = 401, description = "`unauthorized`, `invalid_token`")))]
async fn delete_me(
    _app: AppTokenAuth,
    user: PortalUser,
    State(s): State<AppState>,
) -> ApiResult<Json<Value>> {
    blocking(&s, move |d| {
        d.users
            .delete_user(&user.session.tenant, &user.session.user_id)
    })
    .await?;
    Ok(Json(json!({ "success": true })))
}

/// The SDK's `updateUser` body as the rules read it, `formData` read for the body's form.
fn sdk_body(
    d: &Domain,
    session: &PortalSession,
    body: Map<String, Value>,
    lang: &str,
) -> DomainResult<UpdateUserBody> {
    let form = match body.get("formIdentifier").and_then(Value::as_str) {
        Some(identifier) => Some(d.forms.get_form(&session.tenant, identifier)?),
        None => None,
    };
    rules_body(body, lang, form.as_ref())
}
