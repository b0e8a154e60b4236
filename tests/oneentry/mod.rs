//! Issue 19: apps written for the unchanged `oneentry` npm SDK, run by Node against a real
//! server (`tests/oneentry/js`), and the OneEntry layer's answers and errors seen from outside.

mod layer;
mod sdk;
mod signup;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::forms::{all_types_form, create_form};
use crate::portal::{publish, registered_user};
use crate::support::{Server, TenantApi};

/// The login and password markers of the sign-up form.
pub const LOGIN: &str = "email";
pub const PASSWORD_MARKER: &str = "password";
pub const EMAIL: &str = "pat@example.com";
pub const PASSWORD: &str = "portal-password";

/// A tenant ready for a OneEntry app: a published portal, the 15-type form `reg` with login and
/// password markers, the provider `email` on it, a registered portal user, and an app token.
pub struct App {
    pub tenant: TenantApi,
    /// `defineOneEntry`'s URL for the tenant.
    pub base: String,
    pub app_token: String,
    /// The app token's id (what revoking names).
    pub app_token_id: String,
}

pub async fn app(server: &Server, namespace: &str) -> App {
    let t = server.tenant(namespace).await;
    publish(&t).await;
    let mut form = all_types_form("reg");
    let fields = form["fields"].as_array_mut().unwrap();
    fields.push(json!({"marker": LOGIN, "type": "string"}));
    fields.push(json!({"marker": PASSWORD_MARKER, "type": "string"}));
    form["loginMarker"] = json!(LOGIN);
    form["passwordMarker"] = json!(PASSWORD_MARKER);
    create_form(&t, form).await;
    let provider = json!({
        "identifier": "email", "type": "email", "formIdentifier": "reg",
        "isActive": true, "isCheckCode": false, "selfSignup": false,
        "localizeInfos": {"en_US": {"title": "Email"}, "tr_TR": {"title": "E-posta"}},
    });
    let (status, body) = t.post("/auth-providers", provider).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    registered_user(server, &t, EMAIL, PASSWORD).await;
    let (status, token) = t.post("/app-tokens", json!({"name": "web app"})).await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    App {
        base: format!("{}/v1/tenants/{namespace}", server.base_url),
        app_token: token["token"].as_str().expect("the secret").to_string(),
        app_token_id: token["id"].as_str().expect("the id").to_string(),
        tenant: t,
    }
}

/// The value of `marker` in a `[{marker, type, value}]` list.
pub fn value_of<'v>(form_data: &'v Value, marker: &str) -> &'v Value {
    form_data
        .as_array()
        .and_then(|items| items.iter().find(|i| i["marker"] == marker))
        .map(|i| &i["value"])
        .unwrap_or(&Value::Null)
}
