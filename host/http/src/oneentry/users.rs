//! `Users` of the SDK (`/api/content/users`): the signed-in user (`getUser`), `updateUser` with
//! every rule of the `/v1` route, and `deleteUser`.

use axum::extract::State;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::query::LangQuery;
use super::shapes::user_entity;
use crate::app_tokens::AppTokenAuth;
use crate::auth::PortalUser;
use crate::{blocking, ApiJson, ApiQuery, ApiResult, AppState};
use portico_core::domain::forms::{Form, FormDataOwner};
use portico_core::domain::{Domain, DomainError, DomainResult, PortalSession, UpdateUserBody};
use portico_core::fields::FieldType;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users/me", get(me).put(update_me))
        .route("/users/me/account", delete(delete_me))
}

/// `getUser`: the user, with their data of their provider's form in the language asked for.
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

/// The SDK's `updateUser` body as the rules read it: `formData` flattened to one list per
/// language (the SDK wraps whatever the app passed in `{langCode: [...]}`, a language map
/// included), and numbers sent as strings read as numbers where the field's type is numeric.
fn sdk_body(
    d: &Domain,
    session: &PortalSession,
    mut body: Map<String, Value>,
    lang: &str,
) -> DomainResult<UpdateUserBody> {
    if let Some(form_data) = body.remove("formData") {
        let form = match body.get("formIdentifier").and_then(Value::as_str) {
            Some(identifier) => Some(d.forms.get_form(&session.tenant, identifier)?),
            None => None,
        };
        body.insert(
            "formData".into(),
            by_language(form_data, lang, form.as_ref()),
        );
    }
    serde_json::from_value(Value::Object(body))
        .map_err(|e| DomainError::bad_request("invalid_body", e.to_string()))
}

/// `{lang: [item]}` from any of the shapes: an item, a list, a language map, or a language map
/// of those (the SDK's wrapping of the others).
fn by_language(form_data: Value, lang: &str, form: Option<&Form>) -> Value {
    let mut lists: Map<String, Value> = Map::new();
    collect(form_data, lang, &mut lists);
    if let Some(form) = form {
        for items in lists.values_mut() {
            for item in items.as_array_mut().into_iter().flatten() {
                read_numbers(item, form);
            }
        }
    }
    Value::Object(lists)
}

fn collect(value: Value, lang: &str, lists: &mut Map<String, Value>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| collect(v, lang, lists)),
        Value::Object(map) if is_language_map(&map) => {
            for (inner_lang, inner) in map {
                collect(inner, &inner_lang, lists);
            }
        }
        item => {
            let list = lists.entry(lang.to_string()).or_insert_with(|| json!([]));
            if let Value::Array(list) = list {
                list.push(item);
            }
        }
    }
}

/// `{"en_US": [...], "tr_TR": {...}}`: no marker, and lists or items under each key.
fn is_language_map(map: &Map<String, Value>) -> bool {
    !map.is_empty()
        && !map.contains_key("marker")
        && map.values().all(|v| v.is_array() || v.is_object())
}

/// `"43"` becomes 43 for an integer field and `"1.9"` 1.9 for a float field; anything that does
/// not read as one stays as sent, for the field's check to report.
fn read_numbers(item: &mut Value, form: &Form) {
    let Some(marker) = item.get("marker").and_then(Value::as_str) else {
        return;
    };
    let Some(field) = form.field(marker) else {
        return;
    };
    let Some(text) = item.get("value").and_then(Value::as_str) else {
        return;
    };
    let number = match field.field_type {
        FieldType::Integer => text.trim().parse::<i64>().ok().map(Value::from),
        FieldType::Float => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from),
        _ => None,
    };
    if let Some(number) = number {
        item["value"] = number;
    }
}
