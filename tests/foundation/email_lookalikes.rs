//! Lookalike emails are one identity (issue 16): NFC and lowercase, invisible and bidi
//! characters refused, confusable duplicates taken, for internal and portal users alike.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, Server, TenantApi};

async fn create(t: &TenantApi, email: &str) -> (StatusCode, serde_json::Value) {
    t.post(
        "/users",
        json!({"firstName": "A", "lastName": "B", "email": email, "sendWelcomeEmail": false}),
    )
    .await
}

#[tokio::test]
async fn lookalike_emails_are_refused_or_taken() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, admin) = create(&t, "admin@x.com").await;
    assert_eq!(status, StatusCode::CREATED, "{admin}");

    for invisible in [
        "admin\u{200b}@x.com",
        "\u{202e}admin@x.com",
        "ad\u{00ad}min@x.com",
    ] {
        let refused = create(&t, invisible).await;
        assert_error(refused, StatusCode::BAD_REQUEST, "invalid_email");
    }
    for lookalike in [
        "\u{ff41}\u{ff44}\u{ff4d}\u{ff49}\u{ff4e}@x.com", // fullwidth
        "\u{430}dmin@x.com",                              // Cyrillic a
        "ADMIN@X.COM",
    ] {
        let taken = create(&t, lookalike).await;
        assert_error(taken, StatusCode::CONFLICT, "email_taken");
    }
    // A precomposed and a decomposed accent are the same address.
    let (status, cafe) = create(&t, "caf\u{e9}@x.com").await;
    assert_eq!(status, StatusCode::CREATED, "{cafe}");
    assert_error(
        create(&t, "cafe\u{301}@x.com").await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    let (_, found) = t.get("/users?email=cafe%CC%81%40x.com").await;
    assert_eq!(found["items"][0]["id"], cafe["id"]);
    // Renaming into a lookalike is refused too; renaming to itself is not.
    let uid = cafe["id"].as_str().unwrap();
    assert_error(
        t.patch(
            &format!("/users/{uid}"),
            json!({"email": "\u{430}dmin@x.com"}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    let (status, _) = t
        .patch(
            &format!("/users/{uid}"),
            json!({"email": "cafe\u{301}@x.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Deleting the user frees the address and its lookalikes.
    let (status, _) = t
        .delete(&format!("/users/{}", admin["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, again) = create(&t, "\u{430}dmin@x.com").await;
    assert_eq!(status, StatusCode::CREATED, "{again}");

    // Portal users: an invitation to a lookalike of an existing user's email is refused.
    let (_, p) = t
        .post("/profiles", json!({"email": "\u{ff41}dmin@x.com"}))
        .await;
    assert_error(
        t.post("/portal/users", json!({"profileId": p["id"]})).await,
        StatusCode::CONFLICT,
        "email_taken",
    );
}
