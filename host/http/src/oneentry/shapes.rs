//! The entities as the SDK's validation schemas expect them (`base/validation.js`,
//! `auth-provider/authProviderSchemas.js`, `forms/formsSchemas.js` of the `oneentry` package):
//! numeric `id`s (the records' per-tenant numbers), `identifier`s, and texts in the language
//! asked for under `localizeInfos`.

use serde_json::{json, Map, Value};

use portico_core::domain::auth_providers::AuthProvider;
use portico_core::domain::forms::{Form, StoredField};
use portico_core::domain::portal::self_signup::SignedUp;
use portico_core::domain::{ActiveSession, SessionTokens, UserView};

/// The text of `texts` in `lang`, else in `en_US`, else any; `fallback` when there is none.
fn localised(
    texts: &std::collections::BTreeMap<String, String>,
    lang: &str,
    fallback: &str,
) -> String {
    texts
        .get(lang)
        .or_else(|| texts.get("en_US"))
        .or_else(|| texts.values().next())
        .cloned()
        .unwrap_or_else(|| fallback.to_string())
}

/// `AuthEntitySchema`: what `auth` and `refresh` answer.
pub fn auth_entity(user_identifier: &str, provider: &str, tokens: &SessionTokens) -> Value {
    json!({
        "userIdentifier": user_identifier,
        "authProviderIdentifier": provider,
        "accessToken": tokens.access_token,
        "refreshToken": tokens.refresh_token,
        "expiresIn": tokens.expires_in,
    })
}

/// `SignUpResponseSchema`: the account a sign-up created, with its form data in `lang`.
pub fn signed_up_entity(signed_up: &SignedUp, data: &[StoredField], lang: &str) -> Value {
    let user = &signed_up.user;
    let contacts = user.notification_data.clone().unwrap_or(Value::Null);
    let phone_sms = contacts.get("phoneSMS").cloned();
    let mut notification = json!({
        "email": contacts.get("email").cloned().unwrap_or_else(|| json!(user.email)),
        "phonePush": contacts.get("phonePush").cloned().unwrap_or_else(|| json!([])),
    });
    if let Some(sms) = phone_sms {
        notification["phoneSMS"] = sms;
    }
    json!({
        "id": user.number,
        "identifier": user.email,
        "isActive": signed_up.active,
        "formData": data,
        "notificationData": notification,
        "locale": lang,
        "createdDate": user.created_at,
        "updatedDate": user.updated_at,
        "version": 0,
        "state": {},
    })
}

/// `UserEntitySchema`: the signed-in user with their data of `form` in one language.
pub fn user_entity(user: &UserView, provider: &str, form: &str, data: &[StoredField]) -> Value {
    let groups: Vec<&str> = user.groups.iter().map(|m| m.group.name.as_str()).collect();
    // `state` is an object in OneEntry; another JSON value is kept under `value`.
    let state = match &user.state {
        Some(Value::Object(state)) => Value::Object(state.clone()),
        Some(other) => json!({ "value": other }),
        None => Value::Object(Map::new()),
    };
    json!({
        "id": user.number,
        "identifier": user.email,
        "authProviderIdentifier": provider,
        "formIdentifier": form,
        "formData": data,
        "notificationData": user.notification_data,
        "groups": groups,
        "state": state,
        "total": "1",
        "moduleFormConfigs": [],
    })
}

/// `FormEntitySchema`: a form and its fields (`attributes`) in one language.
pub fn form_entity(form: &Form, lang: &str) -> Value {
    let attributes: Vec<Value> = form
        .fields
        .iter()
        .enumerate()
        .map(|(position, field)| {
            json!({
                "marker": field.marker,
                "identifier": field.marker,
                "type": field.field_type,
                "isRequired": field.required,
                "isVisible": true,
                "isLogin": form.login_marker.as_deref() == Some(field.marker.as_str()),
                "position": position,
                "localizeInfos": { "title": localised(&field.label, lang, &field.marker) },
                "settings": field.settings,
            })
        })
        .collect();
    json!({
        "id": form.number,
        "identifier": form.identifier,
        "localizeInfos": { "title": localised(&form.title, lang, &form.identifier) },
        "version": 0,
        "position": form.number,
        "processingType": "db",
        "type": null,
        "attributeSetId": null,
        "templateId": null,
        "attributes": attributes,
        "moduleFormConfigs": [],
    })
}

/// `AuthProviderEntitySchema`: a provider in one language.
pub fn provider_entity(provider: &AuthProvider, lang: &str) -> Value {
    let info = provider
        .localize_infos
        .get(lang)
        .or_else(|| provider.localize_infos.get("en_US"))
        .or_else(|| provider.localize_infos.values().next())
        .map(|info| Value::Object(info.clone()))
        .unwrap_or_else(|| json!({ "title": provider.identifier }));
    json!({
        "id": provider.number,
        "identifier": provider.identifier,
        "type": provider.provider_type,
        "formIdentifier": provider.form_identifier,
        "userGroupIdentifier": provider.user_group_identifier.clone().unwrap_or_default(),
        "isActive": provider.is_active,
        "isCheckCode": provider.is_check_code,
        "selfSignup": provider.self_signup,
        "version": provider.version,
        "localizeInfos": info,
        "config": provider.config,
    })
}

/// `ActiveSessionSchema`: one live session of the signed-in user.
pub fn session_entity(session: &ActiveSession) -> Value {
    let device = session.meta.device.clone().unwrap_or_default();
    json!({
        "deviceInfo": {
            "os": device.os,
            "browser": device.browser,
            "location": device.location,
        },
        "authProviderIdentifier": session.meta.provider,
        "startedAt": session.meta.started_at,
        "expiresAt": session.expires_at,
        "current": session.current,
    })
}
