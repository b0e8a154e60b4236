//! What the contract run (`scripts/api-contract`) found, each kept as a regression: the answer
//! and the document now agree.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::oneentry::{app, EMAIL, LOGIN, PASSWORD, PASSWORD_MARKER};
use crate::support::{assert_error, create_user, Api, Server};

async fn document(server: &Server) -> Value {
    let (status, doc) = server.anonymous().get("/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// `GET /users?group=` naming no group answers 404 `group_not_found`: documented.
#[tokio::test]
async fn listing_users_of_an_unknown_group_is_a_documented_404() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    create_user(&t, "ann@example.com").await;
    assert_error(
        t.get("/users?group=nobody").await,
        StatusCode::NOT_FOUND,
        "group_not_found",
    );
    let doc = document(&server).await;
    let list = &doc["paths"]["/v1/tenants/{tenant}/users"]["get"]["responses"];
    assert!(list.get("404").is_some(), "{list}");
}

/// The OneEntry routes of the signed-in user need both the app token and the session: with the
/// right app token and no session they answer 401 (the SDK then refreshes); with a wrong app
/// token, 403 `invalid_app_token` whatever the session. Both are documented.
#[tokio::test]
async fn the_signed_in_routes_tell_a_missing_session_from_a_wrong_app_token() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let base = format!("{}/api/content", app.base);
    let users = format!("{base}/users-auth-providers/marker/email/users");
    let client = reqwest::Client::new();
    let auth = json!({"authData": [{"marker": LOGIN, "value": EMAIL}, {"marker": PASSWORD_MARKER, "value": PASSWORD}]});
    let (status, tokens) = Api::send(
        client
            .post(format!("{users}/auth"))
            .header("x-app-token", &app.app_token)
            .json(&auth),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = tokens["accessToken"].as_str().unwrap();
    let doc = document(&server).await;
    for (method, path) in [
        (reqwest::Method::GET, format!("{base}/users/me")),
        (reqwest::Method::GET, format!("{users}/sessions")),
        (reqwest::Method::POST, format!("{users}/logout-all")),
    ] {
        let (status, body) = Api::send(
            client
                .request(method.clone(), &path)
                .header("x-app-token", &app.app_token),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
        let (status, body) = Api::send(
            client
                .request(method.clone(), &path)
                .header("x-app-token", "pat_wrong")
                .bearer_auth(access),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        assert_eq!(body["code"], "invalid_app_token", "{body}");
        let documented = path
            .strip_prefix(&server.base_url)
            .unwrap()
            .replace("/acme/", "/{tenant}/")
            .replace("/marker/email/", "/marker/{marker}/");
        let op = &doc["paths"][&documented][method.as_str().to_lowercase()];
        for status in ["401", "403"] {
            assert!(
                op["responses"].get(status).is_some(),
                "{documented}: {status}"
            );
        }
    }
    // And the session still works with both.
    let (status, me) = Api::send(
        client
            .get(format!("{base}/users/me"))
            .header("x-app-token", &app.app_token)
            .bearer_auth(access),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
}

/// `updateUser` (`PUT /portal/me`) refuses a malformed language code, in the query or the body,
/// with 400 `invalid_lang_code` as every other route does, even with no form data for it to
/// name (it was ignored: the contract run's empty `?langCode=` was answered `true`).
#[tokio::test]
async fn updating_the_signed_in_user_refuses_a_malformed_language_code() {
    let server = Server::start();
    app(&server, "acme").await;
    let (status, tokens) = server
        .anonymous()
        .post(
            "/v1/tenants/acme/portal/sessions",
            json!({"email": EMAIL, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let me = server
        .anonymous()
        .with_token(tokens["accessToken"].as_str().unwrap());
    let body = json!({"formIdentifier": "reg"});
    for query in ["?langCode=", "?langCode=en%20US", "?langCode=_x"] {
        assert_error(
            me.put(&format!("/v1/tenants/acme/portal/me{query}"), body.clone())
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_lang_code",
        );
    }
    assert_error(
        me.put(
            "/v1/tenants/acme/portal/me?langCode=en_US",
            json!({"formIdentifier": "reg", "langCode": ""}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_lang_code",
    );
    let (status, answer) = me
        .put("/v1/tenants/acme/portal/me?langCode=tr_TR", body)
        .await;
    assert_eq!((status, answer), (StatusCode::OK, json!(true)));
}

/// `maxPortalUsers` and `maxFailedSignIns` are bounded (2^53 - 1 and 2^31 - 1), as the
/// document says: a larger one is 400 `invalid_setting` on every engine (PostgreSQL answered it
/// 503 as an outage; redb kept it), and the bounds themselves are kept.
#[tokio::test]
async fn portal_settings_beyond_their_documented_maximum_are_refused() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    for patch in [
        json!({"maxPortalUsers": 9_223_372_036_854_775_808_u64}),
        json!({"maxPortalUsers": 9_007_199_254_740_992_u64}),
        json!({"maxFailedSignIns": 2_147_483_648_u64}),
    ] {
        assert_error(
            t.patch("/portal/settings", patch).await,
            StatusCode::BAD_REQUEST,
            "invalid_setting",
        );
    }
    let (status, settings) = t
        .patch(
            "/portal/settings",
            json!({"maxPortalUsers": 9_007_199_254_740_991_u64, "maxFailedSignIns": 2_147_483_647}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["maxPortalUsers"], 9_007_199_254_740_991_u64);
    assert_eq!(settings["maxFailedSignIns"], 2_147_483_647);
    let doc = document(&server).await;
    let patch = &doc["components"]["schemas"]["PortalSettingsPatch"]["properties"];
    assert_eq!(
        patch["maxPortalUsers"]["maximum"],
        9_007_199_254_740_991_u64
    );
    assert_eq!(patch["maxFailedSignIns"]["maximum"], 2_147_483_647);
}
