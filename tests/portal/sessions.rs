//! Portal sign-in, refresh rotation, sign-out, refusals with reasons, lockout, app links, the
//! bound on live sessions per user.

use reqwest::StatusCode;
use serde_json::json;

use super::{id, profile, publish, registered_user};
use crate::support::{assert_error, Api, Server};

#[tokio::test]
async fn sign_in_refresh_sign_out() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    let (_, uid) = registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (status, tokens) = anon
        .post(
            "/portal/sessions",
            json!({"email": "PAT@example.com", "password": "portal-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["tokenType"], "Bearer");
    assert_eq!(tokens["userId"], uid.as_str());
    assert!(tokens["expiresIn"].as_u64().unwrap() <= 900);
    let me = Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");
    assert_eq!(me.get("/portal/me").await.1["id"], uid.as_str());
    // A portal session is not an API key, and not valid for another tenant.
    assert_error(
        me.get("/users").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    server.tenant("other").await;
    let elsewhere =
        Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/other");
    assert_error(
        elsewhere.get("/portal/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );

    // Refresh rotates: the new pair works, the old access token does not; the old refresh token
    // gives another pair of the same session for a short grace (a second tab refreshing at
    // once), then never again (the rules' clock tests check its end).
    let (status, rotated) = anon
        .post(
            "/portal/sessions/refresh",
            json!({"refreshToken": tokens["refreshToken"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, twin) = anon
        .post(
            "/portal/sessions/refresh",
            json!({"refreshToken": tokens["refreshToken"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{twin}");
    assert_ne!(twin["accessToken"], rotated["accessToken"]);
    assert_error(
        me.get("/portal/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let me = Api::new(&server.base_url, rotated["accessToken"].as_str()).scoped("/v1/tenants/acme");
    assert_eq!(me.get("/portal/me").await.0, StatusCode::OK);

    // Sign-out ends this session (access and refresh), not others.
    let (_, other_session) = anon
        .post(
            "/portal/sessions",
            json!({"email": "pat@example.com", "password": "portal-password"}),
        )
        .await;
    assert_eq!(
        me.delete("/portal/sessions").await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        me.get("/portal/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    // The whole session ends: the twin pair and the traded refresh token too.
    for refresh_token in [
        &rotated["refreshToken"],
        &twin["refreshToken"],
        &tokens["refreshToken"],
    ] {
        assert_error(
            anon.post(
                "/portal/sessions/refresh",
                json!({"refreshToken": refresh_token}),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
        );
    }
    let twin_me =
        Api::new(&server.base_url, twin["accessToken"].as_str()).scoped("/v1/tenants/acme");
    assert_error(
        twin_me.get("/portal/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let other = Api::new(&server.base_url, other_session["accessToken"].as_str())
        .scoped("/v1/tenants/acme");
    assert_eq!(other.get("/portal/me").await.0, StatusCode::OK);
}

#[tokio::test]
async fn sign_in_refusals_name_the_reason() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (pid, _) = registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let sign_in = |email: &'static str, password: &'static str| {
        let anon = anon.clone();
        async move {
            anon.post(
                "/portal/sessions",
                json!({"email": email, "password": password}),
            )
            .await
        }
    };
    assert_error(
        sign_in("pat@example.com", "portal-password").await,
        StatusCode::FORBIDDEN,
        "portal_unpublished",
    );
    publish(&t).await;
    assert_error(
        sign_in("pat@example.com", "wrong-password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_error(
        sign_in("nobody@example.com", "portal-password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );

    t.post_empty(&format!("/profiles/{pid}/block")).await;
    assert_error(
        sign_in("pat@example.com", "portal-password").await,
        StatusCode::FORBIDDEN,
        "profile_blocked",
    );
    t.post_empty(&format!("/profiles/{pid}/unblock")).await;
    t.post("/portal/deny-access", json!({"profileId": pid}))
        .await;
    assert_error(
        sign_in("pat@example.com", "portal-password").await,
        StatusCode::FORBIDDEN,
        "access_denied",
    );
    t.post("/portal/grant-access", json!({"profileId": pid}))
        .await;
    assert_eq!(
        sign_in("pat@example.com", "portal-password").await.0,
        StatusCode::OK
    );

    // Invited but not registered.
    let invited = profile(&t, "inv@example.com").await;
    let (_, user) = t
        .post("/portal/users", json!({"profileId": id(&invited)}))
        .await;
    // Give the invited user a password through an admin reset so only the status refuses.
    let (_, reset) = t
        .post_empty(&format!("/users/{}/reset-password", id(&user)))
        .await;
    anon.post(
        "/password-reset",
        json!({"code": reset["resetCode"], "newPassword": "invited-password"}),
    )
    .await;
    assert_error(
        sign_in("inv@example.com", "invited-password").await,
        StatusCode::FORBIDDEN,
        "invitation_pending",
    );
    // Internal users cannot sign in to the portal.
    let (_, internal) = t
        .post(
            "/users",
            json!({"firstName": "I", "lastName": "U", "email": "int@example.com", "sendWelcomeEmail": false,
                   "authentication": {"generatePassword": false, "password": "internal-pw", "passwordConfirmation": "internal-pw"}}),
        )
        .await;
    assert!(internal["id"].is_string());
    assert_error(
        sign_in("int@example.com", "internal-pw").await,
        StatusCode::FORBIDDEN,
        "not_a_portal_user",
    );
    assert_error(
        anon.post("/portal/sessions", json!({"email": "x@y.com"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
}

#[tokio::test]
async fn blocking_or_denying_ends_live_sessions_at_once() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    let (pid, _) = registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    for action in ["block", "deny"] {
        let (_, tokens) = anon
            .post(
                "/portal/sessions",
                json!({"email": "pat@example.com", "password": "portal-password"}),
            )
            .await;
        let me =
            Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");
        assert_eq!(me.get("/portal/me").await.0, StatusCode::OK);
        if action == "block" {
            t.post_empty(&format!("/profiles/{pid}/block")).await;
        } else {
            t.post("/portal/deny-access", json!({"profileId": pid}))
                .await;
        }
        assert_error(
            me.get("/portal/me").await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
        assert_error(
            anon.post(
                "/portal/sessions/refresh",
                json!({"refreshToken": tokens["refreshToken"]}),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
        );
        t.post_empty(&format!("/profiles/{pid}/unblock")).await;
        t.post("/portal/grant-access", json!({"profileId": pid}))
            .await;
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    t.patch(
        "/portal/settings",
        json!({"maxFailedSignIns": 3, "lockoutSeconds": 2}),
    )
    .await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let attempt = |password: &'static str| {
        let anon = anon.clone();
        async move {
            anon.post(
                "/portal/sessions",
                json!({"email": "pat@example.com", "password": password}),
            )
            .await
        }
    };
    for _ in 0..2 {
        assert_error(
            attempt("wrong-password").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    let (status, body) = attempt("wrong-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "account_locked");
    // Even the right password is refused while locked.
    assert_error(
        attempt("portal-password").await,
        StatusCode::TOO_MANY_REQUESTS,
        "account_locked",
    );
    // The lock cooling down (and failures forgotten after a day) is checked on a manual clock:
    // the core's rules tests (host/core/tests/rules/clock/sessions.rs).
}

#[tokio::test]
async fn app_url_token_is_single_use() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (_, tokens) = anon
        .post(
            "/portal/sessions",
            json!({"email": "pat@example.com", "password": "portal-password"}),
        )
        .await;
    let me = Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");
    let (_, plain) = me.post("/portal/me/app-url", json!({})).await;
    let plain = plain["url"].as_str().unwrap();
    assert!(plain.ends_with("/portal/acme/"), "{plain}");
    let (_, with_token) = me
        .post("/portal/me/app-url", json!({"withAuthToken": true}))
        .await;
    let url = with_token["url"].as_str().unwrap();
    let token = url.split("authToken=").nth(1).unwrap();
    let (status, session) = anon
        .post("/portal/sessions/exchange", json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let exchanged =
        Api::new(&server.base_url, session["accessToken"].as_str()).scoped("/v1/tenants/acme");
    assert_eq!(exchanged.get("/portal/me").await.0, StatusCode::OK);
    assert_error(
        anon.post("/portal/sessions/exchange", json!({"token": token}))
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_auth_token",
    );
    assert_error(
        me.post("/portal/me/app-url", json!({"withAuthToken": "yes"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
}

#[tokio::test]
async fn a_users_sessions_past_fifty_end_oldest_first() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let mut sessions = Vec::new();
    // MAX_LIVE_SESSIONS_PER_USER is 50: the 51st sign-in ends the first session.
    for _ in 0..51 {
        let (status, tokens) = anon
            .post(
                "/portal/sessions",
                json!({"email": "pat@example.com", "password": "portal-password"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        sessions.push(tokens);
    }
    let me = |tokens: &serde_json::Value| {
        Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme")
    };
    assert_error(
        me(&sessions[0]).get("/portal/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        anon.post(
            "/portal/sessions/refresh",
            json!({"refreshToken": sessions[0]["refreshToken"]}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    );
    for kept in [&sessions[1], &sessions[50]] {
        assert_eq!(me(kept).get("/portal/me").await.0, StatusCode::OK);
    }
}
