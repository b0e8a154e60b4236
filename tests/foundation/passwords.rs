//! resetPassword, completing a reset through its link, updatePassword; acknowledging a delivered
//! message out of the outbox.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, create_user, Server, TenantApi};

async fn user_with_password(t: &TenantApi, email: &str, password: &str) -> String {
    let (status, user) = t
        .post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": email, "sendWelcomeEmail": false,
                   "authentication": {"generatePassword": false, "passwordExpired": true,
                                      "password": password, "passwordConfirmation": password}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn reset_code_is_single_use_and_reactivates_a_blocked_user() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let id = user_with_password(&t, "a@x.com", "old-password").await;
    t.post_empty(&format!("/users/{id}/block")).await;

    let (status, reset) = t
        .post(
            &format!("/users/{id}/reset-password"),
            json!({"notifyUser": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(reset["userId"], id.as_str());
    assert_eq!(reset["userEmail"], "a@x.com");
    let code = reset["resetCode"].as_str().unwrap();
    // At least 128 bits: 32 random bytes, base64url.
    assert!(code.len() >= 40, "{code}");
    let link = reset["link"].as_str().unwrap();
    assert!(
        link.starts_with(&server.base_url) && link.ends_with(code),
        "{link}"
    );
    // Notified through the outbox.
    let (_, outbox) = t.get("/notifications").await;
    let n = outbox["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(n["template"], "password_reset");
    assert_eq!(n["data"]["link"], link);

    let public = reqwest::Client::new();
    // The link leads to the reset page; the API reads the same code.
    assert!(link.contains("/portal/acme/reset?code=prc_"), "{link}");
    let api = link.replace("/portal/acme/reset?", "/v1/tenants/acme/password-reset?");
    let info: serde_json::Value = public.get(api).send().await.unwrap().json().await.unwrap();
    assert_eq!(info["userEmail"], "a@x.com");
    assert_eq!(info["purpose"], "reset");

    let anon = server.anonymous().scoped("/v1/tenants/acme");
    assert_error(
        anon.post(
            "/password-reset",
            json!({"code": code, "newPassword": "short"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "password_too_short",
    );
    assert_error(
        anon.post("/password-reset", json!({"code": code, "newPassword": "new-password", "newPasswordConfirmation": "other-password"}))
            .await,
        StatusCode::BAD_REQUEST,
        "password_mismatch",
    );
    // The failed attempts did not use the code up.
    let (status, done) = anon
        .post(
            "/password-reset",
            json!({"code": code, "newPassword": "new-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done, json!({"userId": id, "userEmail": "a@x.com"}));

    let (_, user) = t.get(&format!("/users/{id}")).await;
    assert_eq!(
        user["status"], "active",
        "a completed reset reactivates a blocked user"
    );
    assert_eq!(user["authentication"]["passwordExpired"], false);
    // Used twice: refused.
    assert_error(
        anon.post(
            "/password-reset",
            json!({"code": code, "newPassword": "another-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_reset_code",
    );
    assert_error(
        anon.get(&format!("/password-reset?code={code}")).await,
        StatusCode::BAD_REQUEST,
        "invalid_reset_code",
    );
    // The new password is the one that works now.
    let (status, _) = t
        .post(
            &format!("/users/{id}/update-password"),
            json!({"currentPassword": "new-password", "newPassword": "third-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The change was announced.
    let (_, outbox) = t.get("/notifications").await;
    assert!(outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["template"] == "password_changed"));
}

/// Seed 003: "If the user is blocked, this action [resetPassword] will also reactivate the
/// user": at once, not only when the code is used. The code stays single-use.
#[tokio::test]
async fn reset_password_itself_reactivates_a_blocked_user() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let id = user_with_password(&t, "a@x.com", "old-password").await;
    t.post_empty(&format!("/users/{id}/block")).await;
    assert_eq!(t.get(&format!("/users/{id}")).await.1["status"], "blocked");
    let (status, reset) = t.post_empty(&format!("/users/{id}/reset-password")).await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(t.get(&format!("/users/{id}")).await.1["status"], "active");
    // An inactive user stays inactive: the seed reactivates blocked users only.
    t.post_empty(&format!("/users/{id}/deactivate")).await;
    t.post_empty(&format!("/users/{id}/reset-password")).await;
    assert_eq!(t.get(&format!("/users/{id}")).await.1["status"], "inactive");

    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (_, reset) = t.post_empty(&format!("/users/{id}/reset-password")).await;
    let code = reset["resetCode"].as_str().unwrap();
    let redeem = json!({"code": code, "newPassword": "new-password"});
    assert_eq!(
        anon.post("/password-reset", redeem.clone()).await.0,
        StatusCode::OK
    );
    assert_error(
        anon.post("/password-reset", redeem).await,
        StatusCode::BAD_REQUEST,
        "invalid_reset_code",
    );
}

#[tokio::test]
async fn a_new_reset_code_replaces_the_old_one() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let id = user_with_password(&t, "a@x.com", "old-password").await;
    let (_, first) = t.post_empty(&format!("/users/{id}/reset-password")).await;
    let (_, second) = t.post_empty(&format!("/users/{id}/reset-password")).await;
    // Codes are stored only as digests (nothing was queued for delivery: notifyUser is off).
    let db = crate::support::stored_bytes(&server.data_dir).await;
    for code in [&first["resetCode"], &second["resetCode"]] {
        let code = code.as_str().unwrap();
        assert!(!db.windows(code.len()).any(|w| w == code.as_bytes()));
    }
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    assert_error(
        anon.post(
            "/password-reset",
            json!({"code": first["resetCode"], "newPassword": "new-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_reset_code",
    );
    let (status, _) = anon
        .post(
            "/password-reset",
            json!({"code": second["resetCode"], "newPassword": "new-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Without notifyUser nothing was queued for the resets.
    let (_, outbox) = t.get("/notifications").await;
    assert!(!outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["template"] == "password_reset"));
}

#[tokio::test]
async fn reset_codes_expire() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    t.patch("/settings", json!({"resetCodeTtlSeconds": 60}))
        .await;
    let id = user_with_password(&t, "a@x.com", "old-password").await;
    let (_, reset) = t.post_empty(&format!("/users/{id}/reset-password")).await;
    let expires: chrono::DateTime<chrono::Utc> =
        reset["expiresAt"].as_str().unwrap().parse().unwrap();
    let ttl = expires - chrono::Utc::now();
    assert!(
        ttl <= chrono::Duration::seconds(60) && ttl > chrono::Duration::seconds(30),
        "{ttl}"
    );
    // Using a code after it expired (400 reset_code_expired, nothing changes) is checked on a
    // manual clock: the core's rules tests (host/core/tests/rules/clock/credentials.rs).
}

#[tokio::test]
async fn unknown_codes_and_tenants_answer_alike() {
    let server = Server::start();
    server.tenant("acme").await;
    for ns in ["acme", "nosuchtenant"] {
        let anon = server.anonymous().scoped(&format!("/v1/tenants/{ns}"));
        assert_error(
            anon.post(
                "/password-reset",
                json!({"code": "prc_forged", "newPassword": "new-password"}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_reset_code",
        );
    }
}

#[tokio::test]
async fn update_password_checks_the_current_one() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let id = user_with_password(&t, "a@x.com", "old-password").await;
    t.post_empty(&format!("/users/{id}/block")).await;
    let path = format!("/users/{id}/update-password");
    assert_error(
        t.post(
            &path,
            json!({"currentPassword": "wrong-password", "newPassword": "new-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "wrong_current_password",
    );
    assert_error(
        t.post(
            &path,
            json!({"currentPassword": "old-password", "newPassword": "short"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "password_too_short",
    );
    assert_error(
        t.post(&path, json!({"currentPassword": "old-password"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_eq!(
        t.get(&format!("/users/{id}")).await.1["status"],
        "blocked",
        "failed attempts change nothing"
    );

    let (status, body) = t
        .post(&path, json!({"currentPassword": "old-password", "newPassword": "new-password", "notifyUser": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"userId": id, "userEmail": "a@x.com"}));
    let (_, user) = t.get(&format!("/users/{id}")).await;
    assert_eq!(
        user["status"], "active",
        "updatePassword reactivates a blocked user"
    );
    assert_eq!(user["authentication"]["passwordExpired"], false);
    let (_, outbox) = t.get("/notifications").await;
    assert_eq!(outbox["items"][0]["template"], "password_changed");
    // The old password no longer works.
    assert_error(
        t.post(
            &path,
            json!({"currentPassword": "old-password", "newPassword": "x-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "wrong_current_password",
    );

    // A user without a password is told how to get one.
    let other = create_user(&t, "b@x.com").await;
    assert_error(
        t.post(
            &format!("/users/{}/update-password", other["id"].as_str().unwrap()),
            json!({"currentPassword": "anything-at-all", "newPassword": "new-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "no_password",
    );
    assert_error(
        t.post(
            "/users/missing/update-password",
            json!({"currentPassword": "a", "newPassword": "new-password"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
}

#[tokio::test]
async fn a_delivered_message_is_acknowledged_out_of_the_outbox() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let other = server.tenant("other").await;
    let id = user_with_password(&t, "a@x.com", "old-password").await;
    let (status, _) = t
        .post(
            &format!("/users/{id}/reset-password"),
            json!({"notifyUser": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, outbox) = t.get("/notifications").await;
    let message = outbox["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(message["template"], "password_reset");
    let path = format!("/notifications/{}", message["id"].as_str().unwrap());

    // Another tenant cannot see or remove it; an unknown id is 404.
    assert_error(
        other.delete(&path).await,
        StatusCode::NOT_FOUND,
        "notification_not_found",
    );
    assert_error(
        t.delete("/notifications/0000").await,
        StatusCode::NOT_FOUND,
        "notification_not_found",
    );
    assert_eq!(t.delete(&path).await.0, StatusCode::NO_CONTENT);
    let (_, outbox) = t.get("/notifications").await;
    assert!(
        outbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != message["id"]),
        "{outbox}"
    );
    // Acknowledged once: a second time it is gone.
    assert_error(
        t.delete(&path).await,
        StatusCode::NOT_FOUND,
        "notification_not_found",
    );
}
