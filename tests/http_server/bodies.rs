//! Every JSON request body is a JSON object, a struct inside it too (never an array matched by
//! position), and its integers are kept exactly or refused.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{assert_error, create_user, Server};

#[tokio::test]
async fn arrays_in_place_of_objects_are_refused_and_change_nothing() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let op = server.operator();
    let (_, before) = op.get("/v1/plugin-limits").await;
    assert_error(
        op.put("/v1/plugin-limits", json!([1, 5000])).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_eq!(op.get("/v1/plugin-limits").await.1, before);

    let user = create_user(&t, "a@x.com").await;
    let id = user["id"].as_str().unwrap();
    assert_error(
        t.post("/portal/grant-access", json!([id])).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    // An optional body too.
    assert_error(
        t.post(&format!("/portal/users/{id}/set-internal"), json!([true]))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(
        op.post("/v1/tenants/acme/api-keys", json!(["ci"])).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    // A single value is not an object either.
    assert_error(
        t.raw(
            Method::POST,
            "/groups",
            "application/json",
            b"\"admins\"".to_vec(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
}

#[tokio::test]
async fn a_nested_struct_given_as_an_array_is_refused_naming_it() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, body) = t
        .post(
            "/forms",
            json!({"identifier": "f", "fields": [["nickname", "string", true]]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_body");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("fields[0]") && message.contains("JSON object"),
        "{message}"
    );
    assert_error(
        t.get("/forms/f").await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
    // The same form as objects is fine.
    let (status, body) = t
        .post(
            "/forms",
            json!({"identifier": "f", "fields": [{"marker": "nickname", "type": "string"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn integers_are_kept_exactly_or_refused_naming_the_field() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let user = create_user(&t, "a@x.com").await;
    let path = format!(
        "/users/{}/endpoints/http/configuration",
        user["id"].as_str().unwrap()
    );
    // Inside 64 bits: kept exactly (beyond 2^53, where a float would round).
    let exact = json!({"max": u64::MAX, "min": i64::MIN, "odd": 9007199254740993u64});
    let (status, body) = t.put(&path, exact.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(t.get(&path).await.1, exact);
    // Past them: refused, naming the field; nothing changes.
    let (status, body) = t
        .raw(
            Method::PUT,
            &path,
            "application/json",
            br#"{"limits": {"max": 18446744073709551616}}"#.to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "integer_out_of_range");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("limits.max") && message.contains("18446744073709551616"),
        "{message}"
    );
    assert_eq!(t.get(&path).await.1, exact);
}
