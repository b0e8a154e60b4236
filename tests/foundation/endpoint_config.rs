//! Endpoint configuration per user.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, create_user, Server};

#[tokio::test]
async fn set_read_replace_delete() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let a = create_user(&t, "a@x.com").await;
    let b = create_user(&t, "b@x.com").await;
    let ua = format!("/users/{}", a["id"].as_str().unwrap());
    let ub = format!("/users/{}", b["id"].as_str().unwrap());
    assert_error(
        t.get(&format!("{ua}/endpoints/http/configuration")).await,
        StatusCode::NOT_FOUND,
        "endpoint_configuration_not_found",
    );
    let config = json!({"url": "https://hooks.example.com", "headers": {"x": "1"}});
    let (status, body) = t
        .put(
            &format!("{ua}/endpoints/http/configuration"),
            config.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, config);
    assert_eq!(
        t.get(&format!("{ua}/endpoints/http/configuration")).await.1,
        config
    );
    // Per user and per endpoint.
    assert_error(
        t.get(&format!("{ub}/endpoints/http/configuration")).await,
        StatusCode::NOT_FOUND,
        "endpoint_configuration_not_found",
    );
    assert_error(
        t.get(&format!("{ua}/endpoints/slack/configuration")).await,
        StatusCode::NOT_FOUND,
        "endpoint_configuration_not_found",
    );
    t.put(
        &format!("{ua}/endpoints/http/configuration"),
        json!({"url": "b"}),
    )
    .await;
    assert_eq!(
        t.get(&format!("{ua}/endpoints/http/configuration")).await.1,
        json!({"url": "b"})
    );

    // Like every request body, a configuration is a JSON object.
    assert_error(
        t.put(&format!("{ua}/endpoints/http/configuration"), json!([1]))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    let big = json!({"blob": "x".repeat(70 * 1024)});
    assert_error(
        t.put(&format!("{ua}/endpoints/http/configuration"), big)
            .await,
        StatusCode::BAD_REQUEST,
        "configuration_too_large",
    );
    assert_error(
        t.put(
            &format!("{ua}/endpoints/bad%20name/configuration"),
            json!({}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_endpoint_name",
    );
    assert_error(
        t.put("/users/missing/endpoints/http/configuration", json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );

    assert_eq!(
        t.delete(&format!("{ua}/endpoints/http/configuration"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        t.delete(&format!("{ua}/endpoints/http/configuration"))
            .await,
        StatusCode::NOT_FOUND,
        "endpoint_configuration_not_found",
    );
}
