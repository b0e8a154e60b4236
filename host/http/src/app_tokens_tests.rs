//! `AppTokenAuth` and `origin_allowed` over the real embedded store, on a route of their own
//! (the public app routes that use them are wired elsewhere).

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use portico_core::domain::{Domain, TenantSettingsPatch};
use serde_json::Value;
use tower::ServiceExt;

use super::{origin_allowed, AppTokenAuth, APP_TOKEN_HEADER};
use crate::AppState;

struct Fixture {
    state: AppState,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(portico_store_redb::Store::open(dir.path()).unwrap());
    let domain = Domain::new(store, "http://portico.test".into());
    domain.tenants.create_tenant("acme", None).unwrap();
    domain.tenants.create_tenant("beta", None).unwrap();
    Fixture {
        state: AppState::new(Arc::new(domain)),
        _dir: dir,
    }
}

impl Fixture {
    fn create_token(&self, namespace: &str) -> (String, String) {
        let tenants = &self.state.domain.tenants;
        let tenant = tenants.get_tenant(namespace).unwrap();
        let created = tenants.create_app_token(&tenant, "web").unwrap();
        (created.meta.id, created.token)
    }

    /// A request through `AppTokenAuth` for `namespace` with `token` (no header when `None`):
    /// the status and the body (the token's id and tenant when it was accepted).
    async fn probe(&self, namespace: &str, token: Option<&str>) -> (StatusCode, Value) {
        async fn whoami(auth: AppTokenAuth) -> String {
            serde_json::json!({"tenant": auth.tenant.namespace, "token": auth.token.0}).to_string()
        }
        let app = Router::new()
            .route("/v1/tenants/{tenant}/probe", get(whoami))
            .with_state(self.state.clone());
        let mut request = Request::get(format!("/v1/tenants/{namespace}/probe"));
        if let Some(token) = token {
            request = request.header(APP_TOKEN_HEADER, token);
        }
        let response = app
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }
}

/// Asserts the refusal every bad app token gets, and answers its message.
fn refused((status, body): (StatusCode, Value)) -> String {
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "invalid_app_token", "{body}");
    body["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_live_app_token_names_its_tenant_and_itself() {
    let f = fixture();
    let (id, token) = f.create_token("acme");
    let (status, body) = f.probe("acme", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tenant"], "acme");
    assert_eq!(body["token"], id.as_str());
}

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_tokens_are_refused_alike_with_403() {
    let f = fixture();
    let (id, token) = f.create_token("acme");
    let unknown = format!("pta_{}", "A".repeat(token.len() - 4));
    let api_key = f
        .state
        .domain
        .tenants
        .create_api_key("acme", None)
        .unwrap()
        .key;
    let message = refused(f.probe("acme", None).await);
    for bad in [
        "",
        "garbage",
        "pta_short",
        unknown.as_str(),
        api_key.as_str(),
    ] {
        assert_eq!(refused(f.probe("acme", Some(bad)).await), message, "{bad}");
    }
    let tenants = &f.state.domain.tenants;
    tenants
        .revoke_app_token(&tenants.get_tenant("acme").unwrap(), &id)
        .unwrap();
    assert_eq!(refused(f.probe("acme", Some(&token)).await), message);
}

#[tokio::test]
async fn a_token_is_refused_on_another_tenant_and_on_a_missing_one_alike() {
    let f = fixture();
    let (_, token) = f.create_token("acme");
    let on_other = refused(f.probe("beta", Some(&token)).await);
    let on_missing = refused(f.probe("nobody", Some(&token)).await);
    assert_eq!(on_other, on_missing);
}

#[tokio::test]
async fn origins_are_allowed_per_tenant() {
    let f = fixture();
    let tenants = &f.state.domain.tenants;
    let acme = tenants.get_tenant("acme").unwrap();
    let patch = TenantSettingsPatch {
        allowed_origins: Some(vec!["https://app.example.com".into()]),
        ..TenantSettingsPatch::default()
    };
    tenants.update_tenant_settings(&acme, patch).unwrap();
    let allowed = |ns: &'static str, origin: &'static str| {
        let state = f.state.clone();
        async move { origin_allowed(&state, ns, origin).await.unwrap() }
    };
    assert!(allowed("acme", "https://app.example.com").await);
    assert!(!allowed("acme", "https://other.example.com").await);
    assert!(!allowed("acme", "null").await);
    assert!(!allowed("beta", "https://app.example.com").await);
    assert!(!allowed("nobody", "https://app.example.com").await);
}
