//! grantAccess / denyAccess (and the deprecated aliases), addUser, addUserWithoutConfirmation,
//! setPortalUserAsInternal.

use reqwest::StatusCode;
use serde_json::json;

use super::{id, profile, publish, registered_user};
use crate::support::{assert_error, create_user, Api, Server};

#[tokio::test]
async fn grant_and_deny_access_and_deprecated_aliases() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let pid = id(&profile(&t, "p@example.com").await);
    for (path, granted) in [
        ("grant-access", true),
        ("grant-access", true),
        ("deny-access", false),
        ("deny-access", false),
    ] {
        let (status, p) = t
            .post(&format!("/portal/{path}"), json!({"profileId": pid}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(p["accessGranted"], granted);
    }
    for (path, granted) in [("add-profile", true), ("remove-profile", false)] {
        let response = t
            .request(reqwest::Method::POST, &format!("/portal/{path}"))
            .json(&json!({"profileId": pid}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["deprecation"],
            "true",
            "{path} is deprecated"
        );
        assert!(response.headers()["link"]
            .to_str()
            .unwrap()
            .contains("successor-version"));
        let p: serde_json::Value = response.json().await.unwrap();
        assert_eq!(p["accessGranted"], granted);
    }
    assert_error(
        t.post("/portal/grant-access", json!({})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
}

#[tokio::test]
async fn add_user_invites_and_its_errors() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    t.patch(
        "/portal/settings",
        json!({"maxPortalUsers": 2, "loginTitle": "Acme portal"}),
    )
    .await;
    let p = profile(&t, "pat@example.com").await;
    let (status, user) = t.post("/portal/users", json!({"profileId": id(&p)})).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["status"], "invited");
    assert_eq!(user["kind"], "portal");
    assert_eq!(user["email"], "pat@example.com");
    assert_eq!(
        t.get(&format!("/profiles/{}", id(&p))).await.1["userId"],
        user["id"]
    );
    // The invitation is in the outbox with a working signup link.
    let (_, outbox) = t.get("/notifications").await;
    let n = outbox["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(n["template"], "portal_invitation");
    assert_eq!(n["recipient"], "pat@example.com");
    assert_eq!(n["data"]["loginTitle"], "Acme portal");
    let link = n["data"]["signupLink"].as_str().unwrap();
    // The invitation leads to the signup page; the API reads the same link.
    assert!(link.contains("/portal/acme/signup?token=psu_"), "{link}");
    let api = link.replace("/portal/acme/signup?", "/v1/tenants/acme/portal/signup?");
    let info: serde_json::Value = reqwest::get(api).await.unwrap().json().await.unwrap();
    assert_eq!(info["email"], "pat@example.com");
    assert_eq!(info["confirmationRequired"], false);

    // 409: the profile already has a user; another profile with a used email.
    assert_error(
        t.post("/portal/users", json!({"profileId": id(&p)})).await,
        StatusCode::CONFLICT,
        "profile_has_user",
    );
    create_user(&t, "taken@example.com").await;
    let taken = profile(&t, "taken@example.com").await;
    assert_error(
        t.post("/portal/users", json!({"profileId": id(&taken)}))
            .await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    // 400: a profile without email; not a profile.
    let (_, bare) = t.post("/profiles", json!({})).await;
    assert_error(
        t.post("/portal/users", json!({"profileId": id(&bare)}))
            .await,
        StatusCode::BAD_REQUEST,
        "profile_without_email",
    );
    // 412: licences.
    let second = profile(&t, "second@example.com").await;
    assert_eq!(
        t.post("/portal/users", json!({"profileId": id(&second)}))
            .await
            .0,
        StatusCode::CREATED
    );
    let third = profile(&t, "third@example.com").await;
    assert_error(
        t.post("/portal/users", json!({"profileId": id(&third)}))
            .await,
        StatusCode::PRECONDITION_FAILED,
        "no_portal_licenses",
    );
    assert_eq!(
        t.get(&format!("/profiles/{}", id(&third))).await.1["userId"],
        json!(null),
        "nothing changed"
    );
}

#[tokio::test]
async fn add_user_without_confirmation_sets_immutable_oauth_credentials() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    t.post("/identity-providers", json!({"name": "google"}))
        .await;
    let p = profile(&t, "o@example.com").await;
    assert_error(
        t.post(
            "/portal/users/without-confirmation",
            json!({"profileId": id(&p)}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "missing_oauth_credentials",
    );
    assert_error(
        t.post(
            "/portal/users/without-confirmation",
            json!({"profileId": id(&p), "auth": {"provider": "github", "externalId": "1"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "unknown_identity_provider",
    );
    let (status, user) = t
        .post(
            "/portal/users/without-confirmation",
            json!({"profileId": id(&p), "auth": {"provider": "google", "externalId": "g-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["status"], "active");
    assert_eq!(user["identityProviders"][0]["externalId"], "g-1");
    let u = format!("/users/{}", id(&user));
    // The credentials can never be changed.
    assert_error(
        t.post(
            &format!("{u}/identity-providers"),
            json!({"identityProvider": "google", "externalId": "g-2"}),
        )
        .await,
        StatusCode::CONFLICT,
        "oauth_credentials_immutable",
    );
    assert_error(
        t.delete(&format!("{u}/identity-providers/google")).await,
        StatusCode::CONFLICT,
        "oauth_credentials_immutable",
    );
    // The same OAuth2 credentials cannot serve a second profile.
    let p2 = profile(&t, "o2@example.com").await;
    assert_error(
        t.post(
            "/portal/users/without-confirmation",
            json!({"profileId": id(&p2), "auth": {"provider": "google", "externalId": "g-1"}}),
        )
        .await,
        StatusCode::CONFLICT,
        "external_id_taken",
    );
    assert_eq!(
        t.get(&format!("/profiles/{}", id(&p2))).await.1["userId"],
        json!(null)
    );
}

#[tokio::test]
async fn set_portal_user_as_internal_and_the_oauth_rule() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    publish(&t).await;
    // A password portal user converts; its portal session ends.
    let (_, uid) = registered_user(&server, &t, "pw@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (_, tokens) = anon
        .post(
            "/portal/sessions",
            json!({"email": "pw@example.com", "password": "portal-password"}),
        )
        .await;
    let me = Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");
    assert_eq!(me.get("/portal/me").await.0, StatusCode::OK);
    let (status, user) = t
        .post_empty(&format!("/portal/users/{uid}/set-internal"))
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["kind"], "internal");
    assert_error(
        me.get("/portal/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        t.post_empty(&format!("/portal/users/{uid}/set-internal"))
            .await,
        StatusCode::BAD_REQUEST,
        "not_a_portal_user",
    );

    // An OAuth2 portal user needs unsafeIgnoreOauth, and then its credentials become ordinary.
    t.post("/identity-providers", json!({"name": "google"}))
        .await;
    let p = profile(&t, "oauth@example.com").await;
    let (_, oauth_user) = t
        .post(
            "/portal/users/without-confirmation",
            json!({"profileId": id(&p), "auth": {"provider": "google", "externalId": "g-9"}}),
        )
        .await;
    let oid = id(&oauth_user);
    assert_error(
        t.post_empty(&format!("/portal/users/{oid}/set-internal"))
            .await,
        StatusCode::BAD_REQUEST,
        "oauth_user",
    );
    assert_eq!(
        t.get(&format!("/users/{oid}")).await.1["kind"],
        "portal",
        "refused: nothing changed"
    );
    let (status, user) = t
        .post(
            &format!("/portal/users/{oid}/set-internal"),
            json!({"unsafeIgnoreOauth": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["kind"], "internal");
    assert_eq!(user["identityProviders"][0]["externalId"], "g-9");
    let (status, _) = t
        .delete(&format!("/users/{oid}/identity-providers/google"))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the credential is an ordinary link now"
    );
    assert_error(
        t.post_empty("/portal/users/missing/set-internal").await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
}
