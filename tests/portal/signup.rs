//! Signup links: withSign, confirmation through the outbox, refresh, single use, expiry.

use reqwest::StatusCode;
use serde_json::json;

use super::{id, profile};
use crate::support::{assert_error, Server};

fn token_of(url: &serde_json::Value) -> String {
    url["url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn signed_link_registers_without_confirmation_once() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let pid = id(&profile(&t, "pat@example.com").await);
    let (status, link) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": pid, "withSign": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    assert!(link["url"].as_str().unwrap().starts_with(&server.base_url));
    assert_eq!(link["liveLinks"], 1);
    let token = token_of(&link);
    let db = crate::support::stored_bytes(&server.data_dir).await;
    assert!(
        !db.windows(token.len()).any(|w| w == token.as_bytes()),
        "stored only hashed"
    );

    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (_, info) = anon.get(&format!("/portal/signup?token={token}")).await;
    assert_eq!(info["withSign"], true);
    assert_eq!(info["confirmationRequired"], false);
    assert_error(
        anon.post(
            "/portal/signup",
            json!({"token": token, "password": "short"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "password_too_short",
    );
    let (status, user) = anon
        .post(
            "/portal/signup",
            json!({"token": token, "password": "portal-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["kind"], "portal");
    assert_eq!(user["status"], "active");
    let (_, p) = t.get(&format!("/profiles/{pid}")).await;
    assert_eq!(p["userId"], user["id"]);
    assert_eq!(p["accessGranted"], true);
    // Single use.
    assert_error(
        anon.post(
            "/portal/signup",
            json!({"token": token, "password": "portal-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_signup_link",
    );
    // A second link for a registered profile: already registered.
    let (_, again) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": pid, "withSign": true}),
        )
        .await;
    assert_error(
        anon.post(
            "/portal/signup",
            json!({"token": token_of(&again), "password": "portal-password"}),
        )
        .await,
        StatusCode::CONFLICT,
        "already_registered",
    );
}

#[tokio::test]
async fn unsigned_link_needs_the_confirmation_code_from_the_outbox() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let pid = id(&profile(&t, "pat@example.com").await);
    let (_, link) = t
        .post("/portal/signup-urls", json!({"profileId": pid}))
        .await;
    let token = token_of(&link);
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    assert_eq!(
        anon.get(&format!("/portal/signup?token={token}")).await.1["confirmationRequired"],
        true
    );
    assert_error(
        anon.post(
            "/portal/signup",
            json!({"token": token, "password": "portal-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "confirmation_required",
    );
    assert_eq!(
        anon.post("/portal/signup/confirmation", json!({"token": token}))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let (_, outbox) = t.get("/notifications").await;
    let n = outbox["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(n["template"], "signup_confirmation");
    assert_eq!(n["recipient"], "pat@example.com");
    let code = n["data"]["confirmationCode"].as_str().unwrap().to_string();
    assert_error(
        anon.post(
            "/portal/signup",
            json!({"token": token, "password": "portal-password", "confirmationCode": "00000000x"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "wrong_confirmation_code",
    );
    let (status, _) = anon
        .post(
            "/portal/signup",
            json!({"token": token, "password": "portal-password", "confirmationCode": code}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn wrong_codes_burn_the_link() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let pid = id(&profile(&t, "pat@example.com").await);
    let (_, link) = t
        .post("/portal/signup-urls", json!({"profileId": pid}))
        .await;
    let token = token_of(&link);
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    anon.post("/portal/signup/confirmation", json!({"token": token}))
        .await;
    for _ in 0..5 {
        assert_error(
            anon.post(
                "/portal/signup",
                json!({"token": token, "password": "portal-password", "confirmationCode": "x"}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "wrong_confirmation_code",
        );
    }
    assert_error(
        anon.get(&format!("/portal/signup?token={token}")).await,
        StatusCode::BAD_REQUEST,
        "invalid_signup_link",
    );
}

#[tokio::test]
async fn refresh_revokes_earlier_links() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let pid = id(&profile(&t, "pat@example.com").await);
    let (_, first) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": pid, "withSign": true}),
        )
        .await;
    let (_, second) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": pid, "withSign": true}),
        )
        .await;
    assert_eq!(
        second["liveLinks"], 2,
        "without refresh, earlier links keep working"
    );
    let (_, third) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": pid, "withSign": true, "refresh": true}),
        )
        .await;
    assert_eq!(third["liveLinks"], 1);
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    for old in [&first, &second] {
        assert_error(
            anon.get(&format!("/portal/signup?token={}", token_of(old)))
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_signup_link",
        );
    }
    assert_eq!(
        anon.get(&format!("/portal/signup?token={}", token_of(&third)))
            .await
            .0,
        StatusCode::OK
    );

    // Expired links (refused, and no longer counted) are checked on a manual clock:
    // the core's rules tests (host/core/tests/rules/clock/credentials.rs).

    // Blocked profiles get no links.
    t.post_empty(&format!("/profiles/{pid}/block")).await;
    assert_error(
        t.post("/portal/signup-urls", json!({"profileId": pid}))
            .await,
        StatusCode::FORBIDDEN,
        "profile_blocked",
    );
    assert_error(
        t.post(
            "/portal/signup-urls",
            json!({"profileId": pid, "withSgn": true}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
}

#[tokio::test]
async fn a_profile_has_a_bounded_number_of_live_links() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let pid = id(&profile(&t, "pat@example.com").await);
    let issue = |refresh: bool| {
        t.post(
            "/portal/signup-urls",
            json!({"profileId": pid, "withSign": true, "refresh": refresh}),
        )
    };
    let mut first = None;
    for n in 1..=50 {
        let (status, link) = issue(false).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        assert_eq!(link["liveLinks"], n);
        first.get_or_insert(link);
    }
    // The 51st is refused and stores nothing: the earlier links still work.
    assert_error(
        issue(false).await,
        StatusCode::CONFLICT,
        "too_many_live_links",
    );
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let first = token_of(&first.unwrap());
    let (status, _) = anon.get(&format!("/portal/signup?token={first}")).await;
    assert_eq!(status, StatusCode::OK);
    // `refresh` replaces them all with one.
    let (status, fresh) = issue(true).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(fresh["liveLinks"], 1);
    assert_error(
        anon.get(&format!("/portal/signup?token={first}")).await,
        StatusCode::BAD_REQUEST,
        "invalid_signup_link",
    );
}
