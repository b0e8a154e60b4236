//! Self sign-up (`signUp`) through an auth provider: the account, its form data and the
//! provider's group from the unchanged SDK; then every refusal: closed, inactive, unpublished,
//! no licence left (412), the email taken, bad values (422, nothing written), another form.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{app, value_of, App, LOGIN, PASSWORD, PASSWORD_MARKER};
use crate::support::node::run_oneentry_script;
use crate::support::{Api, Server};

const NEW_EMAIL: &str = "sam@example.com";

async fn open_sign_up(app: &App, extra: Value) {
    let mut patch = json!({"selfSignup": true});
    if let (Some(patch), Some(extra)) = (patch.as_object_mut(), extra.as_object()) {
        patch.extend(extra.clone());
    }
    let (status, body) = app.tenant.patch("/auth-providers/email", patch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn case(app: &App, step: &str) -> String {
    json!({
        "base": app.base, "appToken": app.app_token, "provider": "email", "form": "reg",
        "loginMarker": LOGIN, "passwordMarker": PASSWORD_MARKER,
        "email": NEW_EMAIL, "password": PASSWORD, "step": step,
        "values": [{"marker": "s", "type": "string", "value": "hello"},
                   {"marker": "i", "type": "integer", "value": "7"}],
    })
    .to_string()
}

#[tokio::test]
async fn a_person_signs_up_from_the_sdk_and_signs_in() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let (status, body) = app.tenant.post("/groups", json!({"name": "members"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    open_sign_up(&app, json!({"userGroupIdentifier": "members"})).await;
    let seen = run_oneentry_script("signup.mjs", &[("ONEENTRY_CASE", case(&app, "sign-up"))]).await;
    let created = &seen["created"];
    assert_eq!(created["identifier"], NEW_EMAIL, "{seen}");
    assert_eq!(created["isActive"], true, "{seen}");
    assert_eq!(value_of(&created["formData"], "i"), &json!(7), "{seen}");
    assert_eq!(seen["again"]["statusCode"], 422, "{seen}");
    assert_eq!(
        seen["again"]["details"]["violations"][0]["code"], "email_taken",
        "{seen}"
    );
    assert_eq!(seen["user"]["identifier"], NEW_EMAIL, "{seen}");
    assert_eq!(
        value_of(&seen["user"]["formData"], "s"),
        &json!("hello"),
        "{seen}"
    );
    assert_eq!(seen["user"]["groups"], json!(["members"]), "{seen}");
    // The tenant sees a portal user with a profile that has access.
    let (_, users) = app.tenant.get("/users?limit=50").await;
    let user = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == NEW_EMAIL)
        .expect("the new user");
    assert_eq!(user["kind"], "portal");
    assert_eq!(user["status"], "active");
    assert_eq!(user["number"], created["id"]);

    // The person deletes their account from the app.
    let seen = run_oneentry_script("signup.mjs", &[("ONEENTRY_CASE", case(&app, "delete"))]).await;
    assert_eq!(seen["deleted"], json!({"success": true}), "{seen}");
    assert_eq!(seen["afterDelete"], 401, "{seen}");
    let (_, users) = app.tenant.get("/users?limit=50").await;
    assert!(!users.to_string().contains(NEW_EMAIL), "{users}");
}

/// `signUp` through the layer, without the SDK.
async fn sign_up(app: &App, body: Value) -> (StatusCode, Value) {
    let rb = Api::new(&app.base, None)
        .request(
            Method::POST,
            "/api/content/users-auth-providers/marker/email/users/sign-up",
        )
        .header("x-app-token", &app.app_token)
        .json(&body);
    Api::send(rb).await
}

fn body(email: &str) -> Value {
    json!({
        "formIdentifier": "reg", "langCode": "en_US",
        "authData": [{"marker": LOGIN, "value": email}, {"marker": PASSWORD_MARKER, "value": PASSWORD}],
        "formData": {"en_US": [{"marker": "s", "type": "string", "value": "hello"}]},
    })
}

#[track_caller]
fn refused((status, body): (StatusCode, Value), expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], code, "{body}");
}

async fn users(app: &App) -> usize {
    let (_, users) = app.tenant.get("/users?limit=50").await;
    users["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn sign_up_is_refused_with_the_reason_and_writes_nothing() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let before = users(&app).await;
    // Closed by default.
    refused(
        sign_up(&app, body("a@example.com")).await,
        StatusCode::FORBIDDEN,
        "signup_closed",
    );
    open_sign_up(&app, json!({})).await;
    // Bad values: every violation together.
    let mut bad = body("not-an-email");
    bad["authData"][1]["value"] = json!("x");
    bad["formData"]["en_US"][0]["value"] = json!("A1");
    let (status, answer) = sign_up(&app, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let codes: Vec<&str> = answer["details"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"invalid_email"), "{answer}");
    assert!(codes.contains(&"password_too_short"), "{answer}");
    assert!(codes.len() >= 3, "{answer}");
    let mut no_password = body("b@example.com");
    no_password["authData"].as_array_mut().unwrap().pop();
    let (status, answer) = sign_up(&app, no_password).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        answer["details"]["violations"][0]["marker"],
        PASSWORD_MARKER
    );
    let mut other_form = body("c@example.com");
    other_form["formIdentifier"] = json!("other");
    refused(
        sign_up(&app, other_form).await,
        StatusCode::BAD_REQUEST,
        "form_mismatch",
    );
    refused(
        sign_up(&app, json!([])).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_eq!(users(&app).await, before, "nothing written");

    // The licence limit, as for addUser.
    let (status, _) = app
        .tenant
        .patch("/portal/settings", json!({"maxPortalUsers": 2}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sign_up(&app, body("d@example.com")).await.0, StatusCode::OK);
    refused(
        sign_up(&app, body("e@example.com")).await,
        StatusCode::PRECONDITION_FAILED,
        "no_portal_licenses",
    );
    // An inactive provider and an unpublished portal.
    let (status, _) = app
        .tenant
        .patch(
            "/portal/settings",
            json!({"maxPortalUsers": 10, "published": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    refused(
        sign_up(&app, body("f@example.com")).await,
        StatusCode::FORBIDDEN,
        "portal_unpublished",
    );
    open_sign_up(&app, json!({"isActive": false})).await;
    refused(
        sign_up(&app, body("g@example.com")).await,
        StatusCode::FORBIDDEN,
        "auth_provider_inactive",
    );
    assert_eq!(users(&app).await, before + 1);
}

/// The code of the tenant's newest outbox message of `template` to `email`.
async fn code_in_outbox(app: &App, template: &str, email: &str) -> String {
    let (_, outbox) = app.tenant.get("/notifications?limit=100").await;
    let message = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|n| n["template"] == template && n["recipient"] == email)
        .unwrap_or_else(|| panic!("no {template} message to {email}: {outbox}"));
    message["data"]["code"]
        .as_str()
        .expect("the code")
        .to_string()
}

#[tokio::test]
async fn an_account_that_needs_activation_works_once_activated_with_the_mailed_code() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    open_sign_up(&app, json!({"isCheckCode": true})).await;
    let seen = run_oneentry_script("signup.mjs", &[("ONEENTRY_CASE", case(&app, "sign-up"))]).await;
    assert_eq!(seen["created"]["isActive"], false, "{seen}");
    assert_eq!(seen["signIn"]["statusCode"], 403, "{seen}");
    assert_eq!(seen["signIn"]["code"], "invitation_pending", "{seen}");
    let code = code_in_outbox(&app, "activation_code", NEW_EMAIL).await;
    let mut activate: Value = serde_json::from_str(&case(&app, "activate")).unwrap();
    activate["code"] = json!(code);
    let seen = run_oneentry_script("signup.mjs", &[("ONEENTRY_CASE", activate.to_string())]).await;
    assert_eq!(seen["wrongCode"], 400, "{seen}");
    assert_eq!(seen["activated"], true, "{seen}");
    assert_eq!(seen["user"]["identifier"], NEW_EMAIL, "{seen}");
    // The code is used up.
    let again = Api::new(&app.base, None)
        .request(
            Method::POST,
            "/api/content/users-auth-providers/marker/email/users/activate",
        )
        .header("x-app-token", &app.app_token)
        .json(&json!({"userIdentifier": NEW_EMAIL, "code": code}));
    let (status, body) = Api::send(again).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_active"))
    );
}

#[tokio::test]
async fn a_forgotten_password_is_changed_with_the_mailed_code() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let step = |step: &str, extra: Value| {
        let mut c = json!({"base": app.base, "appToken": app.app_token, "provider": "email",
            "email": super::EMAIL, "loginMarker": LOGIN, "passwordMarker": PASSWORD_MARKER,
            "step": step});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        c.to_string()
    };
    let seen = run_oneentry_script(
        "password.mjs",
        &[("ONEENTRY_CASE", step("request", json!({})))],
    )
    .await;
    assert_eq!(seen["requested"], json!({"success": true}), "{seen}");
    // An unknown email gets the same answer, and nothing is sent to it.
    assert_eq!(seen["unknown"], json!({"success": true}), "{seen}");
    let code = code_in_outbox(&app, "password_reset_code", super::EMAIL).await;
    let (_, outbox) = app.tenant.get("/notifications?limit=100").await;
    assert!(
        !outbox.to_string().contains("nobody@example.com"),
        "{outbox}"
    );
    let extra = json!({"code": code, "newPassword": "a-new-portal-password"});
    let seen =
        run_oneentry_script("password.mjs", &[("ONEENTRY_CASE", step("change", extra))]).await;
    assert_eq!(seen["differ"], "passwords_differ", "{seen}");
    assert_eq!(seen["changed"], true, "{seen}");
    assert_eq!(seen["oldPassword"], 401, "{seen}");
    assert_eq!(seen["newPassword"], "ok", "{seen}");
}

#[tokio::test]
async fn the_tenants_signup_policies_decide_self_sign_ups() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    open_sign_up(&app, json!({})).await;
    crate::plugins::upload(&app.tenant, "old-policy", "compat_signup_policy_0_1").await;
    crate::plugins::upload(&app.tenant, "domains", "example_signup_policy").await;
    for (plugin, settings) in [
        // A 0.1.0 policy decides links only: its denial of example.com does not reach sign-ups.
        ("old-policy", json!({"deniedDomain": "example.com"})),
        (
            "domains",
            json!({"allowedDomains": ["example.com"],
            "selfSignup": {"requiredFields": ["s"], "denialMessage": "no accounts for {domain}"}}),
        ),
    ] {
        let binding = json!({"plugin": plugin, "interface": "signup-policy", "target": "signup",
            "settings": settings});
        let (status, body) = app.tenant.post("/plugin-bindings", binding).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let before = users(&app).await;
    let (status, denied) = sign_up(&app, body("eve@evil.test")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{denied}");
    assert_eq!(denied["code"], "signup_denied", "{denied}");
    assert_eq!(denied["message"], "no accounts for evil.test", "{denied}");
    let mut without_field = body("ann@example.com");
    without_field["formData"] = json!({"en_US": [{"marker": "i", "type": "integer", "value": 3}]});
    assert_eq!(sign_up(&app, without_field).await.0, StatusCode::FORBIDDEN);
    assert_eq!(users(&app).await, before, "nothing written");
    let (status, created) = sign_up(&app, body("ann@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    // Each policy call is in the plugin's log under the function it ran.
    let (_, log) = app.tenant.get("/plugins/domains/invocations").await;
    assert!(log.to_string().contains("decide-self-signup"), "{log}");
}

#[tokio::test]
async fn code_routes_refuse_bad_input_clearly() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let post = |path: &'static str, body: Value| {
        let rb = Api::new(&app.base, None)
            .request(
                Method::POST,
                &format!("/api/content/users-auth-providers/marker/email/users/{path}"),
            )
            .header("x-app-token", &app.app_token)
            .json(&body);
        Api::send(rb)
    };
    let email = super::EMAIL;
    refused(
        post(
            "generate-code",
            json!({"userIdentifier": email, "eventIdentifier": "nope"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "unknown_event",
    );
    refused(
        post("generate-code", json!([email, "activation"])).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    refused(
        post(
            "check-code",
            json!({"userIdentifier": email, "eventIdentifier": "activation", "code": 12345678}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    refused(
        post("check-code", json!({"userIdentifier": email, "eventIdentifier": "activation", "code": "x".repeat(10_000)})).await,
        StatusCode::BAD_REQUEST,
        "invalid_code",
    );
    refused(
        post("change-password", json!({"userIdentifier": email, "eventIdentifier": "activation",
            "code": "12345678", "type": 1, "password1": "a-new-password", "password2": "a-new-password"})).await,
        StatusCode::BAD_REQUEST,
        "wrong_event",
    );
    refused(
        post(
            "activate",
            json!({"userIdentifier": "nobody@example.com", "code": "12345678"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_code",
    );
    // Another tenant's app token opens none of them.
    let other = super::app(&server, "other").await;
    let rb = Api::new(&app.base, None)
        .request(
            Method::POST,
            "/api/content/users-auth-providers/marker/email/users/generate-code",
        )
        .header("x-app-token", &other.app_token)
        .json(&json!({"userIdentifier": email, "eventIdentifier": "password_reset"}));
    refused(
        Api::send(rb).await,
        StatusCode::FORBIDDEN,
        "invalid_app_token",
    );
    let (_, outbox) = app.tenant.get("/notifications?limit=100").await;
    assert!(
        !outbox.to_string().contains("password_reset_code"),
        "{outbox}"
    );
}
