//! App tokens (the `x-app-token` of a tenant's browser apps) managed by the tenant through its
//! API key: shown once, listed without their secret, revoked, bounded, stored only as digests,
//! and never a key to the tenant API. And the tenant's `allowedOrigins` setting.

use portico_core::domain::app_tokens::MAX_APP_TOKENS_PER_TENANT;
use portico_core::domain::origins::MAX_ALLOWED_ORIGINS;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{assert_error, stored_bytes, Api, Server, TenantApi};

/// Creates an app token named `name`; answers the whole answer (with the secret).
async fn create_token(t: &TenantApi, name: &str) -> Value {
    let (status, created) = t.post("/app-tokens", json!({ "name": name })).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

#[tokio::test]
async fn app_tokens_are_shown_once_listed_without_their_secret_and_revoked() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let created = create_token(&t, "storefront").await;
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("pta_"), "{created}");
    assert_eq!(created["name"], "storefront");
    assert!(created["createdAt"].is_string(), "{created}");
    let id = created["id"].as_str().unwrap().to_string();

    let (status, listed) = t.get("/app-tokens").await;
    assert_eq!(status, StatusCode::OK);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["name"], "storefront");
    assert!(
        items[0].get("token").is_none(),
        "the secret is never listed: {listed}"
    );
    let secret = token.strip_prefix("pta_").unwrap();
    assert_eq!(secret.len(), 43);
    assert!(!listed.to_string().contains(secret));

    // The secret is stored as a digest only: neither the token nor its random part is stored.
    let db = stored_bytes(&server.data_dir).await;
    assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()));

    assert_eq!(
        t.delete(&format!("/app-tokens/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get("/app-tokens").await.1["items"], json!([]));
    assert_error(
        t.delete(&format!("/app-tokens/{id}")).await,
        StatusCode::NOT_FOUND,
        "app_token_not_found",
    );
    assert_error(
        t.delete("/app-tokens/00000000000000000000000000000000")
            .await,
        StatusCode::NOT_FOUND,
        "app_token_not_found",
    );
}

#[tokio::test]
async fn a_tenant_cannot_see_or_revoke_another_tenants_tokens() {
    let server = Server::start();
    let a = server.tenant("alpha").await;
    let b = server.tenant("beta").await;
    let theirs = create_token(&b, "web").await;
    let id = theirs["id"].as_str().unwrap();
    assert_eq!(a.get("/app-tokens").await.1["items"], json!([]));
    // Another tenant's id is unknown here, answered as any unknown id.
    let (status, body) = a.delete(&format!("/app-tokens/{id}")).await;
    let (_, unknown) = a
        .delete("/app-tokens/00000000000000000000000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], unknown["error"]["code"]);
    assert_eq!(b.get("/app-tokens").await.1["items"][0]["id"], id);
    // Another tenant's key on this tenant's routes: refused, as on every tenant route.
    let a_on_b = Api::new(&server.base_url, Some(&a.key)).scoped("/v1/tenants/beta");
    assert_error(
        a_on_b.get("/app-tokens").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        a_on_b.delete(&format!("/app-tokens/{id}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let none = Api::new(&server.base_url, None).scoped("/v1/tenants/alpha");
    assert_error(
        none.post("/app-tokens", json!({"name": "x"})).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn an_app_token_never_opens_the_tenant_api() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let token = create_token(&t, "web").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let as_key = Api::new(&server.base_url, Some(&token)).scoped("/v1/tenants/acme");
    let bad_key = Api::new(&server.base_url, Some("ptk_not-a-key")).scoped("/v1/tenants/acme");
    for path in ["/users", "/settings", "/app-tokens", "/notifications"] {
        let refused = as_key.get(path).await;
        assert_eq!(refused, bad_key.get(path).await, "{path}");
        assert_error(refused, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert_error(
        as_key.post("/app-tokens", json!({"name": "more"})).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    // Nor the operator's routes.
    let as_operator = Api::new(&server.base_url, Some(&token));
    assert_error(
        as_operator.get("/v1/tenants/acme/api-keys").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn bad_bodies_and_names_are_refused() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let json_ct = "application/json";
    assert_error(
        t.raw(Method::POST, "/app-tokens", json_ct, b"{\"name\":".to_vec())
            .await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    for body in [
        json!({}),
        json!({"name": 5}),
        json!({"name": null}),
        json!({"name": "web", "scopes": ["all"]}),
        json!(["web"]),
    ] {
        assert_error(
            t.post("/app-tokens", body.clone()).await,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        );
    }
    let longest = "n".repeat(200);
    for name in ["", "   ", "a\u{7}b", &format!("{longest}n")] {
        assert_error(
            t.post("/app-tokens", json!({ "name": name })).await,
            StatusCode::BAD_REQUEST,
            "invalid_name",
        );
    }
    assert_eq!(create_token(&t, &longest).await["name"], longest.as_str());
    assert_error(
        t.raw(Method::POST, "/app-tokens", "text/plain", b"{}".to_vec())
            .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
}

#[tokio::test]
async fn a_tenant_holds_at_most_max_app_tokens_per_tenant() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let mut ids = Vec::new();
    for i in 0..MAX_APP_TOKENS_PER_TENANT {
        ids.push(create_token(&t, &format!("app {i}")).await["id"].clone());
    }
    let (status, refused) = t.post("/app-tokens", json!({"name": "one more"})).await;
    assert_error(
        (status, refused.clone()),
        StatusCode::CONFLICT,
        "too_many_app_tokens",
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("MAX_APP_TOKENS_PER_TENANT"), "{message}");
    // Revoking one makes room.
    let first = ids[0].as_str().unwrap();
    t.delete(&format!("/app-tokens/{first}")).await;
    create_token(&t, "replacement").await;
    assert_eq!(
        t.get("/app-tokens").await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        MAX_APP_TOKENS_PER_TENANT
    );
}

#[tokio::test]
async fn allowed_origins_are_exact_origins_bounded_in_number() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    assert_eq!(t.get("/settings").await.1["allowedOrigins"], json!([]));
    let (status, settings) = t
        .patch(
            "/settings",
            json!({"allowedOrigins": ["https://app.example.com", "HTTP://Localhost:3000", "https://app.example.com:443"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    // As browsers name them; each once.
    let expected = json!(["https://app.example.com", "http://localhost:3000"]);
    assert_eq!(settings["allowedOrigins"], expected);
    // Another setting's change keeps them.
    t.patch("/settings", json!({"passwordMinLength": 10})).await;
    assert_eq!(t.get("/settings").await.1["allowedOrigins"], expected);

    for bad in [
        "*",
        "https://app.example.com/",
        "https://app.example.com/path",
        "app.example.com",
        "ftp://app.example.com",
        "https://*.example.com",
        "null",
    ] {
        assert_error(
            t.patch("/settings", json!({ "allowedOrigins": [bad] }))
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_setting",
        );
    }
    for body in [
        json!({"allowedOrigins": "https://app.example.com"}),
        json!({"allowedOrigins": [5]}),
    ] {
        let (status, _) = t.patch("/settings", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let at_limit: Vec<String> = (0..MAX_ALLOWED_ORIGINS)
        .map(|i| format!("https://app{i}.example.com"))
        .collect();
    let (status, _) = t
        .patch("/settings", json!({ "allowedOrigins": at_limit }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut past = at_limit.clone();
    past.push("https://one-more.example.com".into());
    let (status, refused) = t
        .patch("/settings", json!({ "allowedOrigins": past }))
        .await;
    assert_error(
        (status, refused.clone()),
        StatusCode::BAD_REQUEST,
        "invalid_setting",
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("MAX_ALLOWED_ORIGINS"), "{message}");
    // Nothing of a refused patch is kept; an empty list allows none.
    assert_eq!(
        t.get("/settings").await.1["allowedOrigins"],
        json!(at_limit)
    );
    let (_, cleared) = t.patch("/settings", json!({"allowedOrigins": []})).await;
    assert_eq!(cleared["allowedOrigins"], json!([]));
}
