//! Identity providers and users' external ids.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, create_user, Server};

#[tokio::test]
async fn add_update_remove_identity_provider() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, slack) = t
        .post("/identity-providers", json!({"name": "slack"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_error(
        t.post("/identity-providers", json!({"name": "slack"}))
            .await,
        StatusCode::CONFLICT,
        "identity_provider_name_taken",
    );
    assert_error(
        t.post("/identity-providers", json!({"name": ""})).await,
        StatusCode::BAD_REQUEST,
        "invalid_identity_provider_name",
    );
    let a = create_user(&t, "a@x.com").await;
    let b = create_user(&t, "b@x.com").await;
    let ua = format!("/users/{}", a["id"].as_str().unwrap());
    let ub = format!("/users/{}", b["id"].as_str().unwrap());

    let (status, view) = t
        .post(
            &format!("{ua}/identity-providers"),
            json!({"identityProvider": "slack", "externalId": "U1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        view["identityProviders"],
        json!([{"id": slack["id"], "name": "slack", "externalId": "U1"}])
    );
    // Linking again (by id this time) updates the external id.
    let (_, view) = t
        .post(
            &format!("{ua}/identity-providers"),
            json!({"identityProvider": slack["id"], "externalId": "U2"}),
        )
        .await;
    assert_eq!(view["identityProviders"].as_array().unwrap().len(), 1);
    assert_eq!(view["identityProviders"][0]["externalId"], "U2");
    // U1 is free again; U2 belongs to a.
    let (status, _) = t
        .post(
            &format!("{ub}/identity-providers"),
            json!({"identityProvider": "slack", "externalId": "U1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        t.post(
            &format!("{ub}/identity-providers"),
            json!({"identityProvider": "slack", "externalId": "U2"}),
        )
        .await,
        StatusCode::CONFLICT,
        "external_id_taken",
    );
    assert_eq!(
        t.get(&ub).await.1["identityProviders"][0]["externalId"],
        "U1",
        "the refused link changed nothing"
    );
    // The external id is optional.
    t.post("/identity-providers", json!({"name": "google"}))
        .await;
    let (_, view) = t
        .post(
            &format!("{ub}/identity-providers"),
            json!({"identityProvider": "google"}),
        )
        .await;
    assert_eq!(
        view["identityProviders"][1],
        json!({"id": view["identityProviders"][1]["id"], "name": "google", "externalId": null})
    );

    // Errors as the seed gives them: badRequest for invalid arguments, notFound for unknown ones.
    assert_error(
        t.post(
            &format!("{ua}/identity-providers"),
            json!({"identityProvider": ""}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    assert_error(
        t.post(
            &format!("{ua}/identity-providers"),
            json!({"identityProvider": "github"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "identity_provider_not_found",
    );
    assert_error(
        t.post(
            "/users/missing/identity-providers",
            json!({"identityProvider": "slack"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    assert_error(
        t.post(
            &format!("{ua}/identity-providers"),
            json!({"identityProvider": "slack", "externalId": "bad\u{1f}id"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_external_id",
    );

    // Removing: a no-op when not linked; unknown providers are a bad request.
    let (status, view) = t.delete(&format!("{ua}/identity-providers/google")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["identityProviders"].as_array().unwrap().len(), 1);
    let (_, view) = t.delete(&format!("{ua}/identity-providers/slack")).await;
    assert_eq!(view["identityProviders"], json!([]));
    assert_error(
        t.delete(&format!("{ua}/identity-providers/github")).await,
        StatusCode::BAD_REQUEST,
        "unknown_identity_provider",
    );
    assert_error(
        t.delete("/users/missing/identity-providers/slack").await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    // U2 is free after the removal.
    let (status, _) = t
        .post(
            &format!("{ub}/identity-providers"),
            json!({"identityProvider": "slack", "externalId": "U2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn deleting_a_user_or_provider_frees_external_ids() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    t.post("/identity-providers", json!({"name": "slack"}))
        .await;
    let a = create_user(&t, "a@x.com").await;
    let ua = format!("/users/{}", a["id"].as_str().unwrap());
    t.post(
        &format!("{ua}/identity-providers"),
        json!({"identityProvider": "slack", "externalId": "U1"}),
    )
    .await;
    t.delete(&ua).await;
    let b = create_user(&t, "b@x.com").await;
    let ub = format!("/users/{}", b["id"].as_str().unwrap());
    let (status, _) = t
        .post(
            &format!("{ub}/identity-providers"),
            json!({"identityProvider": "slack", "externalId": "U1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        t.delete("/identity-providers/slack").await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get(&ub).await.1["identityProviders"], json!([]));
    assert_error(
        t.get("/identity-providers/slack").await,
        StatusCode::NOT_FOUND,
        "identity_provider_not_found",
    );
}
