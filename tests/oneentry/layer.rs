//! The OneEntry layer from outside, without the SDK: OneEntry's error shape on every error
//! (bad bodies, unknown routes and methods, the extractors' rejections), the app token (missing,
//! unknown, another tenant's, an unknown tenant: 403 revealing nothing), the query's bounds, the
//! device header's bounds, unknown and inactive providers, and CORS per tenant.

use reqwest::header::{HeaderValue, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{app, App, EMAIL, LOGIN, PASSWORD, PASSWORD_MARKER};
use crate::support::{Api, Server};

const APP_TOKEN: &str = "x-app-token";
const DEVICE: &str = "x-device-metadata";

/// A request to the layer of `app` with its app token.
fn request(app: &App, method: Method, path: &str) -> reqwest::RequestBuilder {
    Api::new(&app.base, None)
        .request(method, &format!("/api/content{path}"))
        .header(APP_TOKEN, &app.app_token)
}

fn auth_body() -> Value {
    json!({"authData": [{"marker": LOGIN, "value": EMAIL}, {"marker": PASSWORD_MARKER, "value": PASSWORD}]})
}

/// Asserts OneEntry's error shape with `status` and Portico's `code`.
#[track_caller]
fn assert_oneentry_error((status, body): (StatusCode, Value), expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["statusCode"], expected.as_u16(), "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(body["pageData"], Value::Null, "{body}");
    assert!(body["timestamp"].as_str().is_some(), "{body}");
    assert!(body.get("error").is_none(), "not the /v1 shape: {body}");
}

#[tokio::test]
async fn an_error_names_its_request_as_its_header_does() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let answer = request(&app, Method::GET, "/no-such-route")
        .header("x-request-id", "oneentry-error-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert_eq!(answer.headers()["x-request-id"], "oneentry-error-0001");
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["requestId"], "oneentry-error-0001", "{body}");
    assert_eq!(body["code"], "route_not_found", "{body}");
}

#[tokio::test]
async fn every_error_has_oneentry_shape() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let auth = "/users-auth-providers/marker/email/users/auth";
    let malformed = request(&app, Method::POST, auth)
        .header("content-type", "application/json")
        .body("{not json");
    assert_oneentry_error(
        Api::send(malformed).await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    let array = request(&app, Method::POST, auth).json(&json!([1, 2]));
    assert_oneentry_error(
        Api::send(array).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    let nowhere = request(&app, Method::GET, "/no/such/route");
    assert_oneentry_error(
        Api::send(nowhere).await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    );
    let wrong_method = request(&app, Method::DELETE, "/forms");
    assert_oneentry_error(
        Api::send(wrong_method).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let unknown = request(&app, Method::GET, "/users-auth-providers/marker/phone");
    assert_oneentry_error(
        Api::send(unknown).await,
        StatusCode::NOT_FOUND,
        "auth_provider_not_found",
    );
    let unknown_form = request(&app, Method::GET, "/forms/marker/nope");
    assert_oneentry_error(
        Api::send(unknown_form).await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
    let no_session = request(&app, Method::GET, "/users/me");
    assert_oneentry_error(
        Api::send(no_session).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    // The /v1 API keeps its own shape.
    let (_, v1) = app.tenant.get("/forms/nope").await;
    assert_eq!(v1["error"]["code"], "form_not_found");
}

#[tokio::test]
async fn the_app_token_is_checked_before_anything_else() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let other = super::app(&server, "other").await;
    let providers = "/api/content/users-auth-providers";
    let with = |base: &str, token: Option<&str>| {
        let rb = Api::new(base, None).request(Method::GET, providers);
        match token {
            Some(token) => rb.header(APP_TOKEN, token),
            None => rb,
        }
    };
    let unknown_tenant = format!("{}/v1/tenants/ghost", server.base_url);
    for (rb, what) in [
        (with(&app.base, None), "no token"),
        (with(&app.base, Some("pta_unknown")), "an unknown token"),
        (
            with(&app.base, Some(&other.app_token)),
            "another tenant's token",
        ),
        (
            with(&app.base, Some(&app.tenant.key)),
            "the tenant's API key",
        ),
        (
            with(&unknown_tenant, Some(&app.app_token)),
            "an unknown tenant",
        ),
    ] {
        let answer = Api::send(rb).await;
        assert_eq!(answer.0, StatusCode::FORBIDDEN, "{what}: {answer:?}");
        assert_oneentry_error(answer, StatusCode::FORBIDDEN, "invalid_app_token");
    }
    // A valid token of the tenant, and the API key is still the only key to the tenant API.
    assert_eq!(
        Api::send(with(&app.base, Some(&app.app_token))).await.0,
        StatusCode::OK
    );
    let (status, _) = Api::new(&app.base, Some(&app.app_token))
        .get("/forms")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn queries_and_device_descriptions_are_bounded() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    for (query, code) in [
        ("?limit=0", "invalid_limit"),
        ("?limit=101", "invalid_limit"),
        ("?limit=100", ""),
        ("?langCode=en%20US", "invalid_lang_code"),
        ("?offset=-1", "invalid_query"),
        ("?langCode=tr_TR&offset=0&limit=30&unknown=1", ""),
    ] {
        let answer = Api::send(request(&app, Method::GET, &format!("/forms{query}"))).await;
        if code.is_empty() {
            assert_eq!(answer.0, StatusCode::OK, "{query}: {answer:?}");
        } else {
            assert_oneentry_error(answer, StatusCode::BAD_REQUEST, code);
        }
    }
    let (_, tr) = Api::send(request(
        &app,
        Method::GET,
        "/forms/marker/reg?langCode=tr_TR",
    ))
    .await;
    assert_eq!(tr["localizeInfos"]["title"], "Her şey");

    let auth = "/users-auth-providers/marker/email/users/auth";
    let described = |metadata: &str| {
        request(&app, Method::POST, auth)
            .header(DEVICE, HeaderValue::from_str(metadata).unwrap())
            .json(&auth_body())
    };
    let long = "x".repeat(201);
    for bad in [
        "not json".to_string(),
        json!({"deviceInfo": {"os": long, "browser": "b", "location": "l"}}).to_string(),
        json!({"deviceInfo": {"os": 1}}).to_string(),
        format!("{{\"fingerprint\": \"{}\"}}", "f".repeat(5000)),
    ] {
        let answer = Api::send(described(&bad)).await;
        assert_oneentry_error(answer, StatusCode::BAD_REQUEST, "invalid_device_metadata");
    }
    let at_bound = json!({"fingerprint": "UQ_1", "deviceInfo": {"os": "x".repeat(200), "browser": "Firefox", "location": "de-DE"}});
    let (status, tokens) = Api::send(described(&at_bound.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let sessions = request(
        &app,
        Method::GET,
        "/users-auth-providers/marker/email/users/sessions",
    )
    .bearer_auth(tokens["accessToken"].as_str().unwrap());
    let (status, sessions) = Api::send(sessions).await;
    assert_eq!(status, StatusCode::OK, "{sessions}");
    assert_eq!(sessions[0]["deviceInfo"]["browser"], "Firefox");
    assert_eq!(sessions[0]["current"], true);
}

#[tokio::test]
async fn an_inactive_provider_signs_nobody_in() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let (status, body) = app
        .tenant
        .patch("/auth-providers/email", json!({"isActive": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let auth = request(
        &app,
        Method::POST,
        "/users-auth-providers/marker/email/users/auth",
    )
    .json(&auth_body());
    assert_oneentry_error(
        Api::send(auth).await,
        StatusCode::FORBIDDEN,
        "auth_provider_inactive",
    );
}

#[tokio::test]
async fn browsers_of_the_tenants_origins_only_get_cors_answers() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let (status, body) = app
        .tenant
        .patch(
            "/settings",
            json!({"allowedOrigins": ["https://app.example.com"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = format!("{}/api/content/users/me", app.base);
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(Method::OPTIONS, &url)
            .header(ORIGIN, origin)
            .header("access-control-request-method", "PUT")
            .header(
                "access-control-request-headers",
                "x-app-token, x-device-metadata, authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://app.example.com").await.unwrap();
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example.com"
    );
    let allow_headers = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for header in [
        "x-app-token",
        "x-device-metadata",
        "authorization",
        "content-type",
    ] {
        assert!(allow_headers.contains(header), "{allow_headers}");
    }
    assert!(headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("PUT"));
    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    // An actual request from the allowed origin (an error here) carries the header too.
    let answer = client
        .get(&url)
        .header(ORIGIN, "https://app.example.com")
        .header(APP_TOKEN, &app.app_token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    // Another tenant's origins are its own.
    let other = super::app(&server, "other").await;
    let other_url = format!("{}/api/content/forms", other.base);
    let elsewhere = client
        .request(Method::OPTIONS, &other_url)
        .header(ORIGIN, "https://app.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(elsewhere
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
