//! The External users collection: CRUD, links to users, block/unblock, getByUser/getUser.

use reqwest::StatusCode;
use serde_json::json;

use super::{id, profile};
use crate::support::{assert_error, create_user, Server};

#[tokio::test]
async fn profile_crud() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let p = profile(&t, "Pat@Example.com").await;
    assert_eq!(p["email"], "pat@example.com");
    assert_eq!(p["data"], json!({"tier": "gold"}));
    assert_eq!(p["blocked"], false);
    assert_eq!(p["accessGranted"], false);
    let pid = id(&p);
    assert_eq!(t.get(&format!("/profiles/{pid}")).await.1, p);
    let (status, p2) = t
        .patch(
            &format!("/profiles/{pid}"),
            json!({"data": {"vip": true}, "lastName": "Doe"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p2["data"], json!({"vip": true}));
    assert_eq!(p2["lastName"], "Doe");
    assert_eq!(p2["email"], "pat@example.com");
    assert_error(
        t.patch(&format!("/profiles/{pid}"), json!({"data": [1]}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_profile_data",
    );
    assert_error(
        t.post("/profiles", json!({"email": "nope"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_email",
    );
    assert_error(
        t.post("/profiles", json!({"data": "x"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_profile_data",
    );
    profile(&t, "other@example.com").await;
    let (_, page) = t.get("/profiles?limit=1").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["nextCursor"].is_string());
    assert_eq!(
        t.delete(&format!("/profiles/{pid}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        t.get(&format!("/profiles/{pid}")).await,
        StatusCode::NOT_FOUND,
        "profile_not_found",
    );
}

#[tokio::test]
async fn link_get_user_and_get_by_user() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let p = profile(&t, "pat@example.com").await;
    let pid = id(&p);
    let user = create_user(&t, "pat@example.com").await;
    let uid = id(&user);
    assert_eq!(
        t.get(&format!("/profiles/{pid}/user")).await.1,
        json!({"user": null})
    );
    assert_eq!(
        t.get(&format!("/profiles/by-user/{uid}")).await.1,
        json!({"profile": null})
    );

    let (status, linked) = t
        .put(&format!("/profiles/{pid}/user"), json!({"userId": uid}))
        .await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert_eq!(linked["userId"], uid.as_str());
    assert_eq!(
        t.get(&format!("/profiles/{pid}/user")).await.1["user"]["id"],
        uid.as_str()
    );
    assert_eq!(
        t.get(&format!("/profiles/by-user/{uid}")).await.1["profile"]["id"],
        pid.as_str()
    );
    // One profile per user and one user per profile.
    let other = profile(&t, "o@example.com").await;
    assert_error(
        t.put(
            &format!("/profiles/{}/user", id(&other)),
            json!({"userId": uid}),
        )
        .await,
        StatusCode::CONFLICT,
        "user_has_profile",
    );
    let user2 = create_user(&t, "u2@example.com").await;
    assert_error(
        t.put(
            &format!("/profiles/{pid}/user"),
            json!({"userId": id(&user2)}),
        )
        .await,
        StatusCode::CONFLICT,
        "profile_has_user",
    );
    assert_error(
        t.get("/profiles/by-user/missing").await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    // Deleting the user unlinks the profile.
    t.delete(&format!("/users/{uid}")).await;
    assert_eq!(
        t.get(&format!("/profiles/{pid}")).await.1["userId"],
        json!(null)
    );
    let (status, _) = t
        .put(
            &format!("/profiles/{}/user", id(&other)),
            json!({"userId": id(&user2)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, unlinked) = t.delete(&format!("/profiles/{}/user", id(&other))).await;
    assert_eq!(unlinked["userId"], json!(null));
}

#[tokio::test]
async fn block_and_unblock_are_idempotent() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let pid = id(&profile(&t, "pat@example.com").await);
    for (action, blocked) in [
        ("block", true),
        ("block", true),
        ("unblock", false),
        ("unblock", false),
    ] {
        let (status, p) = t.post_empty(&format!("/profiles/{pid}/{action}")).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["blocked"], blocked, "{action}");
    }
}

#[tokio::test]
async fn items_of_another_kind_or_tenant_are_a_bad_request() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let other = server.tenant("other").await;
    let foreign = id(&profile(&other, "f@example.com").await);
    let user = id(&create_user(&t, "u@example.com").await);
    for bad in [user.as_str(), foreign.as_str(), "garbage"] {
        for action in ["block", "unblock"] {
            let (status, body) = t.post_empty(&format!("/profiles/{bad}/{action}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{action} {bad}: {body}");
            assert_eq!(body["error"]["code"], "not_a_profile");
        }
        assert_error(
            t.get(&format!("/profiles/{bad}/user")).await,
            StatusCode::BAD_REQUEST,
            "not_a_profile",
        );
        assert_error(
            t.post("/portal/grant-access", json!({"profileId": bad}))
                .await,
            StatusCode::BAD_REQUEST,
            "not_a_profile",
        );
        assert_error(
            t.post("/portal/users", json!({"profileId": bad})).await,
            StatusCode::BAD_REQUEST,
            "not_a_profile",
        );
        assert_error(
            t.post("/portal/signup-urls", json!({"profileId": bad}))
                .await,
            StatusCode::BAD_REQUEST,
            "not_a_profile",
        );
    }
    let (_, body) = t.post_empty(&format!("/profiles/{user}/block")).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is a user"),
        "{body}"
    );
    // The other tenant's profile is untouched.
    assert_eq!(
        other.get(&format!("/profiles/{foreign}")).await.1["blocked"],
        false
    );
}
