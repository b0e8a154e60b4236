//! Tenants, API keys, and isolation between tenants.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, Api, Server};

#[tokio::test]
async fn operator_manages_tenants() {
    let server = Server::start();
    let op = server.operator();
    let (status, t) = op
        .post(
            "/v1/tenants",
            json!({"namespace": "acme_1", "name": "Acme"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(t["namespace"], "acme_1");
    assert_eq!(t["name"], "Acme");
    assert_error(
        op.post("/v1/tenants", json!({"namespace": "acme_1"})).await,
        StatusCode::CONFLICT,
        "namespace_taken",
    );
    for bad in ["a", "Acme", "ac-me", "ac me", &"x".repeat(65), ""] {
        assert_error(
            op.post("/v1/tenants", json!({"namespace": bad})).await,
            StatusCode::BAD_REQUEST,
            "invalid_namespace",
        );
    }
    op.post("/v1/tenants", json!({"namespace": "beta"})).await;
    let (_, page) = op.get("/v1/tenants?limit=1").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["nextCursor"].as_str().unwrap().to_string();
    let (_, page2) = op
        .get(&format!("/v1/tenants?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert!(page2["nextCursor"].is_null());
    assert_ne!(page["items"][0]["id"], page2["items"][0]["id"]);

    assert_eq!(op.get("/v1/tenants/acme_1").await.1["name"], "Acme");
    assert_error(
        op.get("/v1/tenants/nope").await,
        StatusCode::NOT_FOUND,
        "tenant_not_found",
    );
    assert_eq!(
        op.delete("/v1/tenants/acme_1").await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        op.get("/v1/tenants/acme_1").await,
        StatusCode::NOT_FOUND,
        "tenant_not_found",
    );
    assert_error(
        op.delete("/v1/tenants/acme_1").await,
        StatusCode::NOT_FOUND,
        "tenant_not_found",
    );
}

#[tokio::test]
async fn api_keys_are_shown_once_and_can_be_revoked() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let op = server.operator();
    let (status, keys) = op.get("/v1/tenants/acme/api-keys").await;
    assert_eq!(status, StatusCode::OK);
    let listed = &keys["items"][0];
    assert!(
        listed["key"].is_null(),
        "the secret is never listed: {listed}"
    );
    assert_eq!(t.get("/users").await.0, StatusCode::OK);

    // The key is stored only as a hash.
    let db = crate::support::stored_bytes(&server.data_dir).await;
    // `ptk_` + 32-hex tenant id + `_` + the 43-character random secret (which may contain `_`).
    let secret = &t.key["ptk_".len() + 32 + 1..];
    assert_eq!(secret.len(), 43);
    assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()));

    let id = listed["id"].as_str().unwrap();
    assert_eq!(
        op.delete(&format!("/v1/tenants/acme/api-keys/{id}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        t.get("/users").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        op.delete(&format!("/v1/tenants/acme/api-keys/{id}")).await,
        StatusCode::NOT_FOUND,
        "api_key_not_found",
    );
}

#[tokio::test]
async fn a_key_of_one_tenant_reveals_nothing_of_another() {
    let server = Server::start();
    let a = server.tenant("alpha").await;
    let b = server.tenant("beta").await;
    let (_, user_b) = b
        .post(
            "/users",
            json!({"firstName": "B", "lastName": "B", "email": "b@b.com"}),
        )
        .await;
    let id_b = user_b["id"].as_str().unwrap();

    let a_on_b = Api::new(&server.base_url, Some(&a.key)).scoped("/v1/tenants/beta");
    let a_on_missing = Api::new(&server.base_url, Some(&a.key)).scoped("/v1/tenants/gamma");
    // Same answer for an existing and a missing tenant, and for existing and missing records.
    for (api, path) in [
        (&a_on_b, format!("/users/{id_b}")),
        (&a_on_b, "/users".to_string()),
        (&a_on_missing, "/users".to_string()),
        (
            &a_on_b,
            "/users/00000000000000000000000000000000".to_string(),
        ),
    ] {
        assert_error(api.get(&path).await, StatusCode::FORBIDDEN, "forbidden");
    }
    assert_error(
        a_on_b
            .post(
                "/users",
                json!({"firstName": "X", "lastName": "Y", "email": "x@y.com"}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // Tenant A cannot reach B's user through its own tenant path either.
    assert_error(
        a.get(&format!("/users/{id_b}")).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    // The same email lives in both tenants independently.
    let (status, _) = a
        .post(
            "/users",
            json!({"firstName": "B", "lastName": "B", "email": "b@b.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        b.get("/users").await.1["items"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        a.get("/users").await.1["items"].as_array().unwrap().len(),
        1
    );

    // Garbage and missing tokens.
    let garbage = Api::new(&server.base_url, Some("ptk_garbage")).scoped("/v1/tenants/alpha");
    assert_error(
        garbage.get("/users").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let none = Api::new(&server.base_url, None).scoped("/v1/tenants/alpha");
    assert_error(
        none.get("/users").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn deleting_a_tenant_removes_its_data_and_keys() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    t.post(
        "/users",
        json!({"firstName": "A", "lastName": "B", "email": "a@b.com"}),
    )
    .await;
    server.operator().delete("/v1/tenants/acme").await;
    assert_error(
        t.get("/users").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    // A new tenant with the same namespace starts empty.
    let t2 = server.tenant("acme").await;
    assert_eq!(t2.get("/users").await.1["items"], json!([]));
}

#[tokio::test]
async fn tenant_settings_are_validated() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (_, s) = t.get("/settings").await;
    assert_eq!(
        s,
        json!({"resetCodeTtlSeconds": 86400, "passwordMinLength": 8, "allowedOrigins": [],
               "mailSenderName": null, "mailSenderAddress": null, "mailReplyTo": null,
               "mailLanguage": "en_US"})
    );
    let (status, s) = t.patch("/settings", json!({"passwordMinLength": 12})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["passwordMinLength"], 12);
    assert_error(
        t.patch("/settings", json!({"resetCodeTtlSeconds": 0}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_setting",
    );
    assert_error(
        t.patch("/settings", json!({"passwordMinLength": 0})).await,
        StatusCode::BAD_REQUEST,
        "invalid_setting",
    );
    assert_error(
        t.patch("/settings", json!({"bogus": 1})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
}
