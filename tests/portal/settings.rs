//! Portal settings and pages.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, Server};

#[tokio::test]
async fn settings_read_and_update() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, s) = t.get("/portal/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["namespace"], "acme");
    assert_eq!(s["published"], false);
    assert_eq!(s["loginTitle"], "Sign in");
    let (_, s) = t
        .patch(
            "/portal/settings",
            json!({"loginTitle": "Welcome to Acme", "published": true, "maxPortalUsers": 3}),
        )
        .await;
    assert_eq!(s["loginTitle"], "Welcome to Acme");
    assert_eq!(s["published"], true);
    assert_eq!(s["maxPortalUsers"], 3);
    assert_eq!(t.get("/portal/settings").await.1, s);
    assert_error(
        t.patch("/portal/settings", json!({"namespace": "x"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(
        t.patch("/portal/settings", json!({"signupLinkTtlSeconds": 0}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_setting",
    );
    assert_error(
        t.patch("/portal/settings", json!({"maxFailedSignIns": 0}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_setting",
    );
    assert_error(
        t.patch("/portal/settings", json!({"loginTitle": ""})).await,
        StatusCode::BAD_REQUEST,
        "invalid_name",
    );
}

/// Seed 002 types `loginTitle` optional: `null` unsets it and the login page (here: the
/// invitation, which carries it) shows the default; an absent field keeps it.
#[tokio::test]
async fn login_title_null_unsets_it() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    t.patch("/portal/settings", json!({"loginTitle": "Welcome to Acme"}))
        .await;
    let (status, s) = t
        .patch(
            "/portal/settings",
            json!({"loginTitle": null, "maxPortalUsers": 7}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert!(s["loginTitle"].is_null(), "{s}");
    assert_eq!(s["maxPortalUsers"], 7);
    assert_eq!(t.get("/portal/settings").await.1, s);
    // Absent: kept (unset here); set again, then absent keeps the value.
    t.patch("/portal/settings", json!({"published": true}))
        .await;
    assert!(t.get("/portal/settings").await.1["loginTitle"].is_null());

    let (_, p) = t
        .post("/profiles", json!({"email": "pat@example.com"}))
        .await;
    t.post("/portal/users", json!({"profileId": p["id"]})).await;
    let (_, outbox) = t.get("/notifications").await;
    let invitation = outbox["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(invitation["data"]["loginTitle"], "Sign in");

    t.patch("/portal/settings", json!({"loginTitle": "Back again"}))
        .await;
    t.patch("/portal/settings", json!({"published": false}))
        .await;
    assert_eq!(
        t.get("/portal/settings").await.1["loginTitle"],
        "Back again"
    );
}

#[tokio::test]
async fn pages_crud() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let page = json!({"code": "home", "title": "Home", "path": "/", "visible": true});
    let (status, created) = t.post("/portal/pages", page.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created, page);
    t.post(
        "/portal/pages",
        json!({"code": "orders", "title": "Orders", "path": "/orders", "visible": false}),
    )
    .await;
    assert_error(
        t.post("/portal/pages", page.clone()).await,
        StatusCode::CONFLICT,
        "page_code_taken",
    );
    assert_error(
        t.post(
            "/portal/pages",
            json!({"code": "bad code", "title": "x", "path": "/x", "visible": true}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_page_code",
    );
    assert_error(
        t.post(
            "/portal/pages",
            json!({"code": "x", "title": "x", "path": "no-slash", "visible": true}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_page_path",
    );
    assert_error(
        t.post("/portal/pages", json!({"code": "x", "title": "x"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    let (_, pages) = t.get("/portal/pages").await;
    let codes: Vec<_> = pages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].clone())
        .collect();
    assert_eq!(codes, vec![json!("home"), json!("orders")]);
    let (_, updated) = t
        .patch(
            "/portal/pages/orders",
            json!({"visible": true, "title": "My orders"}),
        )
        .await;
    assert_eq!(
        updated,
        json!({"code": "orders", "title": "My orders", "path": "/orders", "visible": true})
    );
    assert_error(
        t.patch("/portal/pages/orders", json!({"path": "bad"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_page_path",
    );
    assert_error(
        t.patch("/portal/pages/none", json!({"visible": true}))
            .await,
        StatusCode::NOT_FOUND,
        "page_not_found",
    );
    assert_eq!(
        t.delete("/portal/pages/orders").await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        t.delete("/portal/pages/orders").await,
        StatusCode::NOT_FOUND,
        "page_not_found",
    );
}
