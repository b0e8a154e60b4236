//! No live secret in the database (the redb file, or PostgreSQL's tables) in clear, and short
//! ones not searchable (issue 16): the outbox's links and codes are sealed under the server key
//! file beside the database, short codes and the operator token are stored as keyed digests.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::{stored_bytes, Server, TenantApi, OPERATOR_TOKEN};

/// Whether the store holds `needle` anywhere (the redb file's freed pages included).
async fn database_holds(server: &Server, needle: &str) -> bool {
    let bytes = stored_bytes(&server.data_dir).await;
    bytes
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// The newest message in the outbox.
async fn last_message(t: &TenantApi) -> Value {
    let (status, outbox) = t.get("/notifications").await;
    assert_eq!(status, StatusCode::OK, "{outbox}");
    outbox["items"].as_array().unwrap().last().unwrap().clone()
}

#[tokio::test]
async fn an_invitation_token_is_never_in_the_database_file_in_clear() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (_, p) = t
        .post("/profiles", json!({"email": "pat@example.com"}))
        .await;
    let (status, user) = t.post("/portal/users", json!({"profileId": p["id"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let invitation = last_message(&t).await;
    assert_eq!(invitation["template"], "portal_invitation");
    let link = invitation["data"]["signupLink"]
        .as_str()
        .unwrap()
        .to_string();
    let token = link.split("token=").nth(1).unwrap().to_string();
    assert!(token.starts_with("psu_"), "{link}");
    assert!(
        !database_holds(&server, &token).await,
        "the live token is stored in clear"
    );

    // Acknowledged (deleted): its freed pages still hold no clear token.
    let (status, _) = t
        .delete(&format!(
            "/notifications/{}",
            invitation["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!database_holds(&server, &token).await);
    // The link itself still works: the outbox only ever held it sealed.
    let api = link.replace("/portal/acme/signup?", "/v1/tenants/acme/portal/signup?");
    let info: Value = reqwest::get(&api).await.unwrap().json().await.unwrap();
    assert_eq!(info["email"], "pat@example.com");

    // The key is a file beside the database, readable by its owner only.
    let key_file = server.data_dir.join("portico.key");
    assert!(key_file.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn sealed_messages_read_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = server.tenant("acme").await;
    let (_, user) = t
        .post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "a@x.com"}),
        )
        .await;
    let (_, reset) = t
        .post(
            &format!("/users/{}/reset-password", user["id"].as_str().unwrap()),
            json!({"notifyUser": true}),
        )
        .await;
    let code = reset["resetCode"].as_str().unwrap().to_string();
    assert!(!database_holds(&server, &code).await);
    server.stop();
    let server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = server.tenant_again(&t);
    let message = last_message(&t).await;
    assert_eq!(message["template"], "password_reset");
    assert!(message["data"]["link"].as_str().unwrap().ends_with(&code));
}

#[tokio::test]
async fn confirmation_codes_and_the_operator_token_are_stored_as_keyed_digests() {
    let server = Server::start();
    let sha256_hex = |s: &str| hex::encode(Sha256::digest(s.as_bytes()));
    // The configured operator token is short enough to try: no plain SHA-256 of it is stored.
    assert!(!database_holds(&server, &sha256_hex(OPERATOR_TOKEN)).await);

    let t = server.tenant("acme").await;
    t.patch("/portal/settings", json!({"published": true}))
        .await;
    let (_, p) = t
        .post("/profiles", json!({"email": "pat@example.com"}))
        .await;
    let (_, link) = t
        .post("/portal/signup-urls", json!({"profileId": p["id"]}))
        .await;
    let token = link["url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string();
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (status, _) = anon
        .post("/portal/signup/confirmation", json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let code = last_message(&t).await["data"]["confirmationCode"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 8);
    // An unsalted SHA-256 of 8 digits is reversed by trying all 10^8: not what is stored.
    assert!(!database_holds(&server, &sha256_hex(&code)).await);
    assert!(!database_holds(&server, &code).await);
    let (status, registered) = anon
        .post(
            "/portal/signup",
            json!({"token": token, "password": "portal-password", "confirmationCode": code}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    // The operator token still works.
    assert_eq!(server.operator().get("/v1/tenants").await.0, StatusCode::OK);
}
