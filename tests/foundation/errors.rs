//! Bad input: every refusal is a JSON error with the right status, never a 500.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{assert_error, Server};

#[tokio::test]
async fn malformed_and_mistyped_bodies() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let json_ct = "application/json";
    assert_error(
        t.raw(Method::POST, "/users", json_ct, b"{not json".to_vec())
            .await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    assert_error(
        t.raw(Method::POST, "/users", json_ct, b"".to_vec()).await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    assert_error(
        t.post(
            "/users",
            json!({"firstName": 5, "lastName": "x", "email": "a@b.com"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(
        t.post("/users", json!({"firstName": "x", "email": "a@b.com"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(
        t.post("/users", json!([1, 2])).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(
        t.raw(
            Method::POST,
            "/users",
            "text/plain",
            br#"{"firstName":"a"}"#.to_vec(),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // The refusal names the field that has the wrong type.
    let (_, body) = t
        .post(
            "/users",
            json!({"firstName": "x", "lastName": ["y"], "email": "a@b.com"}),
        )
        .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("lastName"), "{message}");
    // Nothing was created by any of these.
    assert_eq!(t.get("/users").await.1["items"], json!([]));

    // JSON content types with parameters or a `+json` suffix are JSON.
    for ct in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/x+json",
    ] {
        let body = format!(
            r#"{{"firstName":"a","lastName":"b","email":"{}@b.com"}}"#,
            ct.len()
        );
        let (status, created) = t.raw(Method::POST, "/users", ct, body.into_bytes()).await;
        assert_eq!(status, StatusCode::CREATED, "{ct}: {created}");
    }
    for ct in ["application/xml", "json", "text/json"] {
        assert_error(
            t.raw(Method::POST, "/users", ct, br#"{"firstName":"a"}"#.to_vec())
                .await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let huge = json!({"firstName": "a".repeat(400 * 1024), "lastName": "b", "email": "a@b.com"});
    assert_error(
        t.post("/users", huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    let raw = vec![b' '; 300 * 1024];
    assert_error(
        t.raw(
            Method::POST,
            "/users/x/reset-password",
            "application/json",
            raw,
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
}

#[tokio::test]
async fn unknown_routes_methods_and_queries() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    assert_error(
        server.anonymous().get("/v1/nope").await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    );
    assert_error(
        t.put("/users", json!({})).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    assert_error(
        t.get("/users?limit=abc").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        t.get("/users?limit=0").await,
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    );
    assert_error(
        t.get("/users?limit=100000").await,
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    );
    assert_error(
        t.get("/users?status=sleepy").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_error(
        t.get("/users/unknown-id").await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
}
