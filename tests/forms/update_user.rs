//! `updateUser` for the signed-in portal user (seed 004), sign-in by form markers, and reading
//! one's own data back.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::seed::{fields_of, seed_bodies};
use super::violations;
use crate::portal::{publish, registered_user};
use crate::support::{assert_error, Api, Server, TenantApi};

/// Signs in by email and password; answers a client with the session.
async fn signed_in(server: &Server, t: &TenantApi, email: &str, password: &str) -> Api {
    let anon = server
        .anonymous()
        .scoped(&format!("/v1/tenants/{}", t.namespace));
    let (status, tokens) = anon
        .post(
            "/portal/sessions",
            json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    Api::new(&server.base_url, tokens["accessToken"].as_str())
        .scoped(&format!("/v1/tenants/{}", t.namespace))
}

/// The form `reg` with the fields of `body` plus the login and password markers.
fn reg_form_for(body: &Value) -> Value {
    let mut fields: Vec<Value> = fields_of(&body["formData"])
        .iter()
        .map(|f| {
            let mut d = json!({"marker": f["marker"], "type": f["type"]});
            if matches!(f["type"].as_str(), Some("radioButton" | "list")) {
                d["settings"] = json!({"options": [{"title": "red", "value": "1"}, {"title": "blue", "value": "2"}]});
            }
            d
        })
        .collect();
    fields.push(json!({"marker": "email", "type": "string"}));
    fields.push(json!({"marker": "password", "type": "string"}));
    json!({"fields": fields, "loginMarker": "email", "passwordMarker": "password"})
}

#[tokio::test]
async fn every_seed_example_body_updates_the_signed_in_user() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    // The seed's examples set the password "12345": allow it.
    t.patch("/settings", json!({"passwordMinLength": 5})).await;
    t.post("/forms", json!({"identifier": "reg", "fields": []}))
        .await;
    let (_, user_id) = registered_user(&server, &t, "fedor@test.ru", "first-password").await;
    let mut password = "first-password".to_string();
    for body in seed_bodies() {
        let (status, form) = t.put("/forms/reg", reg_form_for(&body)).await;
        assert_eq!(status, StatusCode::OK, "{form}");
        let me = signed_in(&server, &t, "fedor@test.ru", &password).await;
        let (status, answer) = me.put("/portal/me", body.clone()).await;
        assert_eq!(status, StatusCode::OK, "seed body {body}: {answer}");
        assert_eq!(answer, json!(true));
        password = "12345".into();

        let lang = body["langCode"].as_str().unwrap_or("en_US");
        let (_, read) = me
            .get(&format!("/portal/me/form-data/reg?langCode={lang}"))
            .await;
        for field in fields_of(&body["formData"]) {
            assert!(
                read["formData"].as_array().unwrap().contains(&field),
                "{field} stored: {read}"
            );
        }
        let (_, user) = me.get("/portal/me").await;
        assert_eq!(
            user["notificationData"]["phoneSMS"],
            body["notificationData"]["phoneSMS"]
        );
    }
    // The admin API sees the same data and the contacts.
    let (_, user) = t.get(&format!("/users/{user_id}")).await;
    assert_eq!(user["notificationData"]["email"], "test@test.ru");
    assert_eq!(user["state"], json!({}));
    // The password set through authData works for the next sign-in; the old one does not.
    signed_in(&server, &t, "fedor@test.ru", "12345").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    assert_error(
        anon.post(
            "/portal/sessions",
            json!({"email": "fedor@test.ru", "password": "first-password"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn every_violation_comes_back_together_and_nothing_is_written() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    t.post(
        "/forms",
        json!({"identifier": "reg", "loginMarker": "email", "passwordMarker": "password", "fields": [
            {"marker": "email", "type": "string"}, {"marker": "password", "type": "string"},
            {"marker": "age", "type": "integer", "settings": {"min": 0, "max": 150}},
            {"marker": "nick", "type": "string"}
        ]}),
    )
    .await;
    registered_user(&server, &t, "pat@example.com", "first-password").await;
    let me = signed_in(&server, &t, "pat@example.com", "first-password").await;
    let bad = json!({
        "formIdentifier": "reg",
        "authData": [{"marker": "password", "value": "short"}, {"marker": "pin", "value": "1"}],
        "formData": [{"marker": "age", "type": "integer", "value": 200}, {"marker": "nick", "type": "string", "value": "ok"}],
        "notificationData": {"email": "not-an-email", "phonePush": ["+1"], "phoneSMS": "call me"},
        "state": {"step": 2}
    });
    let (status, body) = me.put("/portal/me", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let mut found = violations((status, body));
    found.sort();
    let mut expected: Vec<(String, String)> = [
        ("age", "out_of_range"),
        ("notificationData.email", "invalid_email"),
        ("notificationData.phonePush[0]", "invalid_phone"),
        ("notificationData.phoneSMS", "invalid_phone"),
        ("password", "password_too_short"),
        ("pin", "unknown_auth_marker"),
    ]
    .iter()
    .map(|(m, c)| (m.to_string(), c.to_string()))
    .collect();
    expected.sort();
    assert_eq!(found, expected);
    // Nothing was written: not the good field, not the state, not the password.
    let (_, data) = me.get("/portal/me/form-data/reg").await;
    assert_eq!(data["formData"], json!([]));
    let (_, user) = me.get("/portal/me").await;
    assert_eq!(user["state"], Value::Null);
    signed_in(&server, &t, "pat@example.com", "first-password").await;

    // Changing the login email through its marker: taken addresses are a violation.
    registered_user(&server, &t, "other@example.com", "other-password").await;
    let (status, body) = me
        .put("/portal/me", json!({"formIdentifier": "reg", "authData": [{"marker": "email", "value": "other@example.com"}]}))
        .await;
    assert_eq!(
        violations((status, body)),
        vec![("email".to_string(), "email_taken".to_string())]
    );
    let (status, _) = me
        .put("/portal/me", json!({"formIdentifier": "reg", "authData": [{"marker": "email", "value": "New@Example.com"}]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    signed_in(&server, &t, "new@example.com", "first-password").await;

    assert_error(
        me.put("/portal/me", json!({"formIdentifier": "nope"}))
            .await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
    assert_error(
        me.put("/portal/me", json!({"authData": []})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(
        server
            .anonymous()
            .scoped("/v1/tenants/acme")
            .put("/portal/me", json!({"formIdentifier": "reg"}))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn sign_in_by_form_markers() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    t.post(
        "/forms",
        json!({"identifier": "login", "loginMarker": "email_reg", "passwordMarker": "password_reg", "fields": [
            {"marker": "email_reg", "type": "string"}, {"marker": "password_reg", "type": "string"}
        ]}),
    )
    .await;
    t.post(
        "/forms",
        json!({"identifier": "plain", "fields": [{"marker": "x", "type": "string"}]}),
    )
    .await;
    let (_, user_id) = registered_user(&server, &t, "your@email.com", "yourPassword").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let auth = json!({"authData": [{"marker": "email_reg", "value": "your@email.com"}, {"marker": "password_reg", "value": "yourPassword"}]});
    let (status, tokens) = anon.post("/portal/auth/login", auth).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["userId"], user_id.as_str());
    let me = Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");
    assert_eq!(me.get("/portal/me").await.0, StatusCode::OK);

    let wrong = json!({"authData": [{"marker": "email_reg", "value": "your@email.com"}, {"marker": "password_reg", "value": "nope-nope"}]});
    assert_error(
        anon.post("/portal/auth/login", wrong).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_error(
        anon.post(
            "/portal/auth/login",
            json!({"authData": [{"marker": "email_reg", "value": "your@email.com"}]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "missing_auth_data",
    );
    assert_error(
        anon.post("/portal/auth/plain", json!({"authData": []}))
            .await,
        StatusCode::BAD_REQUEST,
        "form_without_auth_markers",
    );
    assert_error(
        anon.post("/portal/auth/nope", json!({"authData": []}))
            .await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
}
