//! `before-update-user` and `after-update-user` (since `portico:plugin@0.2.0`) on real
//! requests: a veto answers 403 with the plugin's message and changes nothing, through the `/v1`
//! API (`PATCH /users/{id}`), the portal user's `PUT .../portal/me` and OneEntry's
//! `PUT /users/me` (the profile page: `pages::profile`); an allowed update goes through and
//! its after-hook's effect is applied, its event naming what changed (never a password); hooks
//! built against 0.1.0 keep working and take no part in user updates.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::id;
use super::plugins::{bind, in_group, settled_deliveries};
use crate::oneentry::{app, App, EMAIL, LOGIN, PASSWORD, PASSWORD_MARKER};
use crate::plugins::upload;
use crate::support::{assert_error, Api, Server, TenantApi};

/// The example hooks' message for a VIP profile's email change.
fn vip_veto(profile_id: &str) -> String {
    format!("profile {profile_id} is marked vip: its email cannot be changed")
}

/// The profile and the user of the app's registered portal user (the tenant's only ones).
async fn registered(t: &TenantApi) -> (String, String) {
    let (_, profiles) = t.get("/profiles").await;
    let (_, users) = t.get(&format!("/users?email={EMAIL}")).await;
    (id(&profiles["items"][0]), id(&users["items"][0]))
}

/// A request to the OneEntry layer of `app` with its app token.
fn oneentry(app: &App, method: Method, path: &str) -> reqwest::RequestBuilder {
    Api::new(&app.base, None)
        .request(method, &format!("/api/content{path}"))
        .header("x-app-token", &app.app_token)
}

/// Signs the app's user in through OneEntry with `password`; answers the access token.
async fn oneentry_sign_in(app: &App, password: &str) -> String {
    let auth = oneentry(
        app,
        Method::POST,
        "/users-auth-providers/marker/email/users/auth",
    )
    .json(&json!({"authData": [{"marker": LOGIN, "value": EMAIL},
                               {"marker": PASSWORD_MARKER, "value": password}]}));
    let (status, tokens) = Api::send(auth).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens["accessToken"].as_str().unwrap().to_string()
}

/// OneEntry's `PUT /users/me` with `body`, signed in with `token`.
async fn oneentry_update(app: &App, token: &str, body: Value) -> (StatusCode, Value) {
    let update = oneentry(app, Method::PUT, "/users/me")
        .bearer_auth(token)
        .json(&body);
    Api::send(update).await
}

/// The example hooks (`guest`: the Rust example or its JavaScript port) bound with
/// `{"updateGroup": "updated"}`, the group created.
async fn example_hooks_bound(t: &TenantApi, guest: &str) {
    upload(t, "hooks", guest).await;
    let settings = json!({"updateGroup": "updated"});
    bind(
        t,
        "hooks",
        "lifecycle-hooks",
        "portal",
        settings,
        "fail-closed",
    )
    .await;
    t.post("/groups", json!({"name": "updated"})).await;
}

#[tokio::test]
async fn a_vip_email_change_is_vetoed_through_the_api_and_oneentry() {
    a_vip_email_change_is_vetoed_as("example_lifecycle_hooks").await;
}

/// The JavaScript port of the example hooks (`plugins/examples-js`) on the same requests.
#[tokio::test]
async fn the_javascript_hooks_veto_a_vip_email_change() {
    a_vip_email_change_is_vetoed_as("lifecycle_hooks_js").await;
}

/// The Python port of the example hooks (`plugins/examples-python`) on the same requests.
#[tokio::test]
async fn the_python_hooks_veto_a_vip_email_change() {
    a_vip_email_change_is_vetoed_as("lifecycle_hooks_py").await;
}

async fn a_vip_email_change_is_vetoed_as(guest: &str) {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let t = &app.tenant;
    let (profile, user) = registered(t).await;
    let (status, body) = t
        .patch(
            &format!("/profiles/{profile}"),
            json!({"data": {"vip": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    example_hooks_bound(t, guest).await;

    // The /v1 API: 403 `plugin_veto` with the plugin's message, as the other before-hooks.
    let answer = t
        .patch(
            &format!("/users/{user}"),
            json!({"email": "new@example.com"}),
        )
        .await;
    assert_eq!(
        answer.1["error"]["message"],
        vip_veto(&profile),
        "{}",
        answer.1
    );
    assert_error(answer, StatusCode::FORBIDDEN, "plugin_veto");

    // The portal user's own `PUT .../portal/me`: the same veto.
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (status, tokens) = anon
        .post(
            "/portal/sessions",
            json!({"email": EMAIL, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let me = Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");
    let body = json!({"formIdentifier": "reg",
                      "authData": [{"marker": LOGIN, "value": "new@example.com"}]});
    let answer = me.put("/portal/me", body).await;
    assert_eq!(
        answer.1["error"]["message"],
        vip_veto(&profile),
        "{}",
        answer.1
    );
    assert_error(answer, StatusCode::FORBIDDEN, "plugin_veto");

    // OneEntry's `PUT /users/me`: the same veto in OneEntry's error shape.
    let token = oneentry_sign_in(&app, PASSWORD).await;
    let body = json!({"formIdentifier": "reg",
                      "authData": [{"marker": LOGIN, "value": "new@example.com"}]});
    let (status, answer) = oneentry_update(&app, &token, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["statusCode"], 403, "{answer}");
    assert_eq!(answer["code"], "plugin_veto", "{answer}");
    assert_eq!(answer["message"], vip_veto(&profile), "{answer}");

    // Nothing changed: the email is the old one, and signs in.
    let (_, read) = t.get(&format!("/users/{user}")).await;
    assert_eq!(read["email"], EMAIL, "{read}");
    let (_, found) = t.get("/users?email=new@example.com").await;
    assert_eq!(found["items"], json!([]), "{found}");
    oneentry_sign_in(&app, PASSWORD).await;
    let deliveries = settled_deliveries(t).await;
    assert!(
        deliveries.iter().all(|d| d["hook"] != "after-update-user"),
        "no after-hook for a vetoed update: {deliveries:?}"
    );
    assert!(!in_group(t, &user, "updated").await);
}

#[tokio::test]
async fn an_allowed_update_goes_through_and_its_after_hook_applies_its_effect() {
    an_allowed_update_goes_through_as("example_lifecycle_hooks").await;
}

/// The JavaScript port of the example hooks on the same requests.
#[tokio::test]
async fn the_javascript_hooks_let_an_allowed_update_through_and_apply_their_effect() {
    an_allowed_update_goes_through_as("lifecycle_hooks_js").await;
}

/// The Python port of the example hooks on the same requests.
#[tokio::test]
async fn the_python_hooks_let_an_allowed_update_through_and_apply_their_effect() {
    an_allowed_update_goes_through_as("lifecycle_hooks_py").await;
}

async fn an_allowed_update_goes_through_as(guest: &str) {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let t = &app.tenant;
    let (profile, user) = registered(t).await;
    t.patch(
        &format!("/profiles/{profile}"),
        json!({"data": {"vip": true}}),
    )
    .await;
    example_hooks_bound(t, guest).await;

    // A VIP's other changes go through the /v1 API.
    let (status, read) = t
        .patch(&format!("/users/{user}"), json!({"firstName": "Vera"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["firstName"], "Vera");

    // And through OneEntry, a new password riding along.
    let token = oneentry_sign_in(&app, PASSWORD).await;
    let new_password = "another-portal-password";
    let body = json!({"formIdentifier": "reg",
        "formData": [{"marker": "s", "type": "string", "value": "ann"}],
        "authData": [{"marker": PASSWORD_MARKER, "value": new_password}],
        "state": {"step": 2}});
    let (status, answer) = oneentry_update(&app, &token, body).await;
    assert_eq!((status, &answer), (StatusCode::OK, &json!(true)));
    oneentry_sign_in(&app, new_password).await;

    let deliveries = settled_deliveries(t).await;
    let updates: Vec<&Value> = deliveries
        .iter()
        .filter(|d| d["hook"] == "after-update-user")
        .collect();
    assert_eq!(updates.len(), 2, "{deliveries:?}");
    assert!(
        updates.iter().all(|d| d["status"] == "delivered"),
        "{updates:?}"
    );
    assert!(
        in_group(t, &user, "updated").await,
        "the after-hook's effect"
    );

    let (by_api, by_user) = (&updates[0]["event"], &updates[1]["event"]);
    assert_eq!(by_api["actor"]["kind"], "api-key", "{by_api}");
    assert_eq!(by_api["details"], json!({"changes": {"firstName": "Vera"}}));
    assert_eq!(by_user["actor"], json!({"kind": "portal-user", "id": user}));
    assert_eq!(
        by_user["details"]["changes"],
        json!({"formIdentifier": "reg", "formData": {"en_US": {"s": "ann"}},
               "password": true, "state": {"step": 2}})
    );
    let events = serde_json::to_string(&updates).unwrap();
    assert!(
        !events.contains(new_password),
        "no password in events: {events}"
    );
}

#[tokio::test]
async fn hooks_of_0_1_0_keep_working_and_take_no_part_in_user_updates() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "old-hooks", "compat_lifecycle_hooks_0_1").await;
    let settings = json!({"grantGroup": "customers"});
    bind(
        &t,
        "old-hooks",
        "lifecycle-hooks",
        "portal",
        settings,
        "fail-closed",
    )
    .await;
    t.post("/groups", json!({"name": "customers"})).await;

    // Its 0.1.0 hooks still run: a locked profile's block is vetoed.
    let (_, locked) = t
        .post(
            "/profiles",
            json!({"email": "lee@example.com", "data": {"locked": true}}),
        )
        .await;
    let (status, body) = t
        .post_empty(&format!("/profiles/{}/block", id(&locked)))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["error"]["message"],
        format!("0.1.0 hooks: profile {} is locked", id(&locked))
    );

    // A portal user of that profile is updated unaffected, and granted access as before.
    let (status, user) = t
        .post("/portal/users", json!({"profileId": id(&locked)}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let (status, read) = t
        .patch(
            &format!("/users/{}", id(&user)),
            json!({"email": "lee.new@example.com", "lastName": "Lee"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["email"], "lee.new@example.com");
    t.post("/portal/deny-access", json!({"profileId": id(&locked)}))
        .await;
    t.post("/portal/grant-access", json!({"profileId": id(&locked)}))
        .await;

    let deliveries = settled_deliveries(&t).await;
    assert!(
        deliveries.iter().all(|d| d["status"] == "delivered"),
        "{deliveries:?}"
    );
    assert!(deliveries.iter().any(|d| d["hook"] == "after-update-user"));
    assert!(
        in_group(&t, &id(&user), "customers").await,
        "after-grant-access"
    );
    let (_, log) = t.get("/plugin-invocations?limit=100").await;
    let not_run: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["function"]
                .as_str()
                .is_some_and(|f| f.ends_with("-update-user"))
        })
        .collect();
    assert_eq!(not_run.len(), 2, "before and after: {log}");
    assert!(
        not_run
            .iter()
            .all(|i| i["outcome"] == "ok" && i["fuelUsed"] == 0),
        "answered without running: {not_run:?}"
    );
}

/// A tenant without lifecycle-hook bindings pays nothing for its user updates (no event queued),
/// and binding hooks later takes effect at once (the configuration cache is refreshed).
#[tokio::test]
async fn updates_run_hooks_only_once_hooks_are_bound() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (_, profile) = t
        .post(
            "/profiles",
            json!({"email": "vip@example.com", "data": {"vip": true}}),
        )
        .await;
    let (_, user) = t
        .post("/portal/users", json!({"profileId": id(&profile)}))
        .await;
    let user = id(&user);
    let (status, read) = t
        .patch(
            &format!("/users/{user}"),
            json!({"email": "vip2@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let hooks: Vec<Value> = settled_deliveries(&t)
        .await
        .iter()
        .map(|d| d["hook"].clone())
        .collect();
    assert_eq!(hooks, [json!("after-add-user")], "no after-update-user");

    example_hooks_bound(&t, "example_lifecycle_hooks").await;
    let answer = t
        .patch(
            &format!("/users/{user}"),
            json!({"email": "vip3@example.com"}),
        )
        .await;
    assert_error(answer, StatusCode::FORBIDDEN, "plugin_veto");
    let (status, _) = t
        .patch(&format!("/users/{user}"), json!({"lastName": "Vip"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let deliveries = settled_deliveries(&t).await;
    assert_eq!(deliveries.last().unwrap()["hook"], "after-update-user");
    assert!(in_group(&t, &user, "updated").await);
}
