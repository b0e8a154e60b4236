//! What ends a portal user's way in: blocking or deactivating the user ends its live sessions,
//! and a denial revokes the profile's signup links and invitation (issue 16).

use reqwest::StatusCode;
use serde_json::json;

use super::{id, profile, publish, registered_user};
use crate::support::{assert_error, Api, Server, TenantApi};

/// Signs `email` in and answers a client holding the access token, and the refresh token.
async fn signed_in(server: &Server, t: &TenantApi, email: &str, password: &str) -> (Api, String) {
    let anon = server
        .anonymous()
        .scoped(&format!("/v1/tenants/{}", t.namespace));
    let (status, tokens) = anon
        .post(
            "/portal/sessions",
            json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let me = Api::new(&server.base_url, tokens["accessToken"].as_str())
        .scoped(&format!("/v1/tenants/{}", t.namespace));
    (me, tokens["refreshToken"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn blocking_or_deactivating_the_user_ends_its_live_sessions() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    t.post("/forms", json!({"identifier": "reg", "fields": []}))
        .await;
    let (_, uid) = registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let update = json!({"formIdentifier": "reg", "state": {"step": 2}});
    for action in ["block", "deactivate"] {
        let (me, refresh) = signed_in(&server, &t, "pat@example.com", "portal-password").await;
        assert_eq!(me.get("/portal/me").await.0, StatusCode::OK);
        let (status, answer) = me.put("/portal/me", update.clone()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");

        let (status, user) = t.post_empty(&format!("/users/{uid}/{action}")).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_error(
            me.get("/portal/me").await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
        assert_error(
            me.put("/portal/me", update.clone()).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
        assert_error(
            anon.post("/portal/sessions/refresh", json!({"refreshToken": refresh}))
                .await,
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
        );
        t.post_empty(&format!("/users/{uid}/activate")).await;
    }
}

/// The token of a signup link URL.
fn token_of(url: &str) -> String {
    url.split("token=").nth(1).expect("token").to_string()
}

#[tokio::test]
async fn denying_access_revokes_earlier_links_and_the_invitation() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let register = |token: String| {
        let anon = anon.clone();
        async move {
            anon.post(
                "/portal/signup",
                json!({"token": token, "password": "portal-password"}),
            )
            .await
        }
    };

    // A signup link issued to a granted profile, then the denial.
    let p = id(&profile(&t, "pat@example.com").await);
    t.post("/portal/grant-access", json!({"profileId": p}))
        .await;
    let (_, link) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": p, "withSign": true}),
        )
        .await;
    let (status, denied) = t.post("/portal/deny-access", json!({"profileId": p})).await;
    assert_eq!(status, StatusCode::OK, "{denied}");
    assert_error(
        register(token_of(link["url"].as_str().unwrap())).await,
        StatusCode::BAD_REQUEST,
        "invalid_signup_link",
    );
    assert_eq!(
        t.get(&format!("/profiles/{p}")).await.1["accessGranted"],
        false
    );

    // The addUser invitation, then the denial.
    let invited = id(&profile(&t, "inv@example.com").await);
    let (status, user) = t.post("/portal/users", json!({"profileId": invited})).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let (_, outbox) = t.get("/notifications").await;
    let invitation = outbox["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(invitation["template"], "portal_invitation");
    let invitation_token = token_of(invitation["data"]["signupLink"].as_str().unwrap());
    t.post("/portal/deny-access", json!({"profileId": invited}))
        .await;
    assert_error(
        register(invitation_token.clone()).await,
        StatusCode::BAD_REQUEST,
        "invalid_signup_link",
    );
    // A link issued after the denial does not give access back either; a grant does.
    let (_, later) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": invited, "withSign": true}),
        )
        .await;
    assert_error(
        register(token_of(later["url"].as_str().unwrap())).await,
        StatusCode::FORBIDDEN,
        "access_denied",
    );
    t.post("/portal/grant-access", json!({"profileId": invited}))
        .await;
    assert_error(
        register(invitation_token).await,
        StatusCode::BAD_REQUEST,
        "invalid_signup_link",
    );
    let (status, registered) = register(token_of(later["url"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    assert_eq!(registered["status"], "active");
}
