//! Issue 4: profiles, portal settings and pages, access, portal users, signup links, sessions.

mod access;
mod plugins;
mod profiles;
mod revocation;
mod sessions;
mod settings;
mod signup;
mod update_user_hooks;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::TenantApi;

/// Creates a profile with an email and answers it.
pub async fn profile(t: &TenantApi, email: &str) -> Value {
    let (status, p) = t
        .post(
            "/profiles",
            json!({"email": email, "firstName": "Pat", "data": {"tier": "gold"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    p
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// Publishes the portal.
pub async fn publish(t: &TenantApi) {
    let (status, body) = t
        .patch("/portal/settings", json!({"published": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A registered, signed-in-able portal user: profile + signed link + registration. Answers
/// (profile id, user id).
pub async fn registered_user(
    server: &crate::support::Server,
    t: &TenantApi,
    email: &str,
    password: &str,
) -> (String, String) {
    let p = profile(t, email).await;
    let (_, link) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": id(&p), "withSign": true}),
        )
        .await;
    let token = link["url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string();
    let anon = server
        .anonymous()
        .scoped(&format!("/v1/tenants/{}", t.namespace));
    let (status, user) = anon
        .post(
            "/portal/signup",
            json!({"token": token, "password": password}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    (id(&p), id(&user))
}
