//! Serving, health, operator token, graceful shutdown and restart.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, store, Api, Server, StoreKind};

#[tokio::test]
async fn health_answers_with_schema_version() {
    let server = Server::start();
    let (status, body) = server.anonymous().get("/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let schema_version = match store() {
        StoreKind::Embedded => portico_store_redb::SCHEMA_VERSION,
        StoreKind::Postgres => portico_store_postgres::SCHEMA_VERSION,
    };
    assert_eq!(body["schemaVersion"], schema_version);
}

#[tokio::test]
async fn generated_operator_token_is_printed_once_and_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Server::start_in(dir.path(), None);
    let line = first
        .startup_output
        .iter()
        .find(|l| l.contains("operator token"))
        .expect("token printed on first start")
        .clone();
    let token = line.rsplit(' ').next().unwrap().to_string();
    let op = Api::new(&first.base_url, Some(&token));
    assert_eq!(op.get("/v1/tenants").await.0, StatusCode::OK);
    assert!(first.stop().success());

    // Second start: the stored hash is kept, nothing is printed, the same token still works.
    let second = Server::start_in(dir.path(), None);
    assert!(!second
        .startup_output
        .iter()
        .any(|l| l.contains("operator token")));
    let op = Api::new(&second.base_url, Some(&token));
    assert_eq!(op.get("/v1/tenants").await.0, StatusCode::OK);
    // The token is not in the database file in clear.
    let db = crate::support::stored_bytes(dir.path()).await;
    assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()));
}

#[tokio::test]
async fn operator_routes_need_the_operator_token() {
    let server = Server::start();
    assert_error(
        server.anonymous().get("/v1/tenants").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let wrong = Api::new(&server.base_url, Some("not-the-token"));
    assert_error(
        wrong.get("/v1/tenants").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let tenant = server.tenant("acme").await;
    // A tenant key is not an operator token.
    let as_tenant = Api::new(&server.base_url, Some(&tenant.key));
    assert_error(
        as_tenant.get("/v1/tenants").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_data_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_in(dir.path(), Some(crate::support::OPERATOR_TOKEN));
    let t = server.tenant("acme").await;
    let (status, group) = t
        .post(
            "/groups",
            json!({"name": "admins", "label": "Administrators"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, provider) = t
        .post("/identity-providers", json!({"name": "slack"}))
        .await;
    let (status, user) = t
        .post(
            "/users",
            json!({
                "firstName": "Ada", "lastName": "Lovelace", "email": "Ada@Example.com",
                "sendWelcomeEmail": true,
                "authentication": {"generatePassword": false, "passwordExpired": false,
                                   "password": "1234567890", "passwordConfirmation": "1234567890"},
                "groups": [{"group": "admins", "primary": true}]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().unwrap().to_string();
    t.post(
        &format!("/users/{id}/identity-providers"),
        json!({"identityProvider": "slack", "externalId": "U123"}),
    )
    .await;
    t.put(
        &format!("/users/{id}/endpoints/http/configuration"),
        json!({"url": "https://x"}),
    )
    .await;
    let (_, before) = t.get(&format!("/users/{id}")).await;
    let key = t.key.clone();

    let status = server.stop();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");

    let server = Server::start_in(dir.path(), Some(crate::support::OPERATOR_TOKEN));
    let t = Api::new(&server.base_url, Some(&key)).scoped("/v1/tenants/acme");
    let (status, after) = t.get(&format!("/users/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(before, after);
    assert_eq!(after["email"], "ada@example.com");
    assert_eq!(after["groups"][0]["id"], group["id"]);
    assert_eq!(after["identityProviders"][0]["id"], provider["id"]);
    assert_eq!(
        t.get(&format!("/users/{id}/endpoints/http/configuration"))
            .await
            .1,
        json!({"url": "https://x"})
    );
    assert_eq!(
        t.get("/notifications").await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The email index survived too.
    assert_error(
        t.post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "ada@example.com"}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    // The password still verifies.
    let (status, _) = t
        .post(
            &format!("/users/{id}/update-password"),
            json!({"currentPassword": "1234567890", "newPassword": "abcdefghijk"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
