//! Internal users: create, read, list, update, delete, status changes.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{assert_error, create_user, Server};

#[tokio::test]
async fn create_normalises_email_and_refuses_duplicates() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, user) = t
        .post(
            "/users",
            json!({"firstName": " Ada ", "lastName": "Lovelace", "email": "  Ada@Example.COM "}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["firstName"], "Ada");
    assert_eq!(user["status"], "active");
    assert_eq!(user["groups"], json!([]));
    assert!(
        user["passwordHash"].is_null() && user["password_hash"].is_null(),
        "no secret in the view: {user}"
    );
    assert_error(
        t.post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "ADA@example.com"}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    for bad in ["not-an-email", "a@", "@b.com", ""] {
        assert_error(
            t.post(
                "/users",
                json!({"firstName": "A", "lastName": "B", "email": bad}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_email",
        );
    }
    assert_error(
        t.post(
            "/users",
            json!({"firstName": "  ", "lastName": "B", "email": "x@y.com"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_name",
    );
    assert_error(
        t.post("/users", json!({"firstName": "A", "lastName": "B", "email": "x@y.com", "groups": [{"group": "nope"}]}))
            .await,
        StatusCode::NOT_FOUND,
        "group_not_found",
    );
    // None of the refused requests left a user or an email index entry behind.
    assert_eq!(
        t.get("/users").await.1["items"].as_array().unwrap().len(),
        1
    );
    let (status, _) = t
        .post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "x@y.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn password_fields_follow_generate_password() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    // Defaults: generatePassword and passwordExpired are true, so the password fields are skipped.
    let (_, user) = t
        .post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "gen@x.com", "sendWelcomeEmail": false,
                   "authentication": {"password": "1234567890", "passwordConfirmation": "1234567890"}}),
        )
        .await;
    assert_eq!(
        user["authentication"],
        json!({"hasPassword": false, "passwordExpired": true})
    );

    let (status, user) = t
        .post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "own@x.com",
                   "authentication": {"generatePassword": false, "passwordExpired": false,
                                      "password": "1234567890", "passwordConfirmation": "1234567890",
                                      "newPassword": "1234567890"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(
        user["authentication"],
        json!({"hasPassword": true, "passwordExpired": false})
    );

    assert_error(
        t.post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "mm@x.com",
                   "authentication": {"generatePassword": false, "password": "1234567890", "passwordConfirmation": "0987654321"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "password_mismatch",
    );
    assert_error(
        t.post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "short@x.com",
                   "authentication": {"generatePassword": false, "password": "short", "passwordConfirmation": "short"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "password_too_short",
    );
    // The policy follows the tenant setting.
    t.patch("/settings", json!({"passwordMinLength": 12})).await;
    assert_error(
        t.post(
            "/users",
            json!({"firstName": "A", "lastName": "B", "email": "p12@x.com",
                   "authentication": {"generatePassword": false, "password": "12345678901", "passwordConfirmation": "12345678901"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "password_too_short",
    );
}

#[tokio::test]
async fn welcome_email_goes_to_the_outbox() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (_, user) = t
        .post(
            "/users",
            json!({"firstName": "Ada", "lastName": "L", "email": "ada@x.com"}),
        )
        .await;
    create_user(&t, "quiet@x.com").await; // sendWelcomeEmail: false
    let (status, outbox) = t.get("/notifications").await;
    assert_eq!(status, StatusCode::OK);
    let items = outbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{outbox}");
    let n = &items[0];
    assert_eq!(n["recipient"], "ada@x.com");
    assert_eq!(n["channel"], "email");
    assert_eq!(n["template"], "welcome");
    assert_eq!(n["userId"], user["id"]);
    assert_eq!(n["status"], "pending");
    assert_eq!(n["data"]["firstName"], "Ada");
    // A generated-password user gets a link to choose a password; the link works.
    let link = n["data"]["setPasswordLink"]
        .as_str()
        .expect("set-password link");
    let code = link.split("code=").nth(1).unwrap();
    let public = server.anonymous().scoped("/v1/tenants/acme");
    let (status, info) = public.get(&format!("/password-reset?code={code}")).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["purpose"], "set_password");
    let (status, _) = public
        .post(
            "/password-reset",
            json!({"code": code, "newPassword": "first-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = user["id"].as_str().unwrap();
    assert_eq!(
        t.get(&format!("/users/{id}")).await.1["authentication"]["hasPassword"],
        true
    );
}

#[tokio::test]
async fn read_update_delete() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let user = create_user(&t, "a@x.com").await;
    create_user(&t, "b@x.com").await;
    let id = user["id"].as_str().unwrap();
    assert_eq!(t.get(&format!("/users/{id}")).await.1, user);

    let (status, updated) = t
        .patch(
            &format!("/users/{id}"),
            json!({"firstName": "New", "email": "NEW@x.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["firstName"], "New");
    assert_eq!(updated["lastName"], "Last");
    assert_eq!(updated["email"], "new@x.com");
    // The old address is free again, the new one is taken.
    create_user(&t, "a@x.com").await;
    assert_error(
        t.patch(&format!("/users/{id}"), json!({"email": "b@x.com"}))
            .await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    assert_error(
        t.patch(&format!("/users/{id}"), json!({"email": "nope"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_email",
    );
    assert_error(
        t.patch(&format!("/users/{id}"), json!({"status": "blocked"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(
        t.patch("/users/missing", json!({"firstName": "x"})).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );

    assert_eq!(
        t.delete(&format!("/users/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        t.get(&format!("/users/{id}")).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    assert_error(
        t.delete(&format!("/users/{id}")).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    // Its email is free again.
    create_user(&t, "new@x.com").await;
}

#[tokio::test]
async fn activate_deactivate_block_are_idempotent() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let id = create_user(&t, "a@x.com").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (action, status) in [
        ("deactivate", "inactive"),
        ("deactivate", "inactive"),
        ("activate", "active"),
        ("activate", "active"),
        ("block", "blocked"),
        ("activate", "active"),
    ] {
        let (code, user) = t.post_empty(&format!("/users/{id}/{action}")).await;
        assert_eq!(code, StatusCode::OK, "{action}: {user}");
        assert_eq!(user["status"], status, "{action}");
    }
    assert_error(
        t.post_empty("/users/missing/activate").await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
}

#[tokio::test]
async fn list_paginates_and_filters() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    t.post("/groups", json!({"name": "admins"})).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let user = create_user(&t, &format!("u{i}@x.com")).await;
        ids.push(user["id"].as_str().unwrap().to_string());
    }
    t.post_empty(&format!("/users/{}/deactivate", ids[1])).await;
    t.post_empty(&format!("/users/{}/deactivate", ids[5])).await;
    t.post(
        &format!("/users/{}/groups", ids[2]),
        json!({"group": "admins"}),
    )
    .await;
    t.post(
        &format!("/users/{}/groups", ids[5]),
        json!({"group": "admins"}),
    )
    .await;

    // Walk all pages of 3.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/users?limit=3&cursor={c}"),
            None => "/users?limit=3".to_string(),
        };
        let (_, page) = t.get(&path).await;
        for u in page["items"].as_array().unwrap() {
            seen.push(u["id"].as_str().unwrap().to_string());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every user once, in creation order");

    let ids_of = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids_of(&t.get("/users?status=inactive").await.1),
        vec![ids[1].clone(), ids[5].clone()]
    );
    assert_eq!(
        ids_of(&t.get("/users?group=admins").await.1),
        vec![ids[2].clone(), ids[5].clone()]
    );
    assert_eq!(
        ids_of(&t.get("/users?group=admins&status=inactive").await.1),
        vec![ids[5].clone()]
    );
    assert_eq!(
        ids_of(&t.get("/users?email=U3@X.com").await.1),
        vec![ids[3].clone()]
    );
    assert_eq!(
        ids_of(&t.get("/users?email=nobody@x.com").await.1),
        Vec::<String>::new()
    );
    // A filtered list pages too.
    let (_, first) = t.get("/users?status=active&limit=2").await;
    assert_eq!(ids_of(&first), vec![ids[0].clone(), ids[2].clone()]);
    let c = first["nextCursor"].as_str().unwrap();
    let (_, second) = t
        .get(&format!("/users?status=active&limit=2&cursor={c}"))
        .await;
    assert_eq!(ids_of(&second), vec![ids[3].clone(), ids[4].clone()]);
    assert_error(
        t.get("/users?group=nope").await,
        StatusCode::NOT_FOUND,
        "group_not_found",
    );
}
