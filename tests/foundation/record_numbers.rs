//! Users and forms carry a number in their tenant (`number`): 1, 2, ... in creation order,
//! kept by every update, never handed out again after a delete, counted per tenant.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{create_user, Server, TenantApi};

async fn create_form(t: &TenantApi, identifier: &str) -> Value {
    let body = json!({"identifier": identifier, "fields": [{"marker": "s", "type": "string"}]});
    let (status, form) = t.post("/forms", body).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    form
}

#[tokio::test]
async fn users_are_numbered_per_tenant_and_keep_their_number() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let first = create_user(&t, "one@example.com").await;
    let second = create_user(&t, "two@example.com").await;
    assert_eq!(
        (first["number"].as_u64(), second["number"].as_u64()),
        (Some(1), Some(2))
    );
    let path = format!("/users/{}", second["id"].as_str().unwrap());
    let (status, changed) = t.patch(&path, json!({"lastName": "Changed"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["number"], 2);
    assert_eq!(t.get(&path).await.1["number"], 2);
    assert_eq!(
        t.post_empty(&format!("{path}/block")).await.0,
        StatusCode::OK
    );
    assert_eq!(t.get(&path).await.1["number"], 2);
    // A deleted user's number is not handed out again.
    assert_eq!(t.delete(&path).await.0, StatusCode::NO_CONTENT);
    let third = create_user(&t, "three@example.com").await;
    assert_eq!(third["number"], 3);
    let (_, page) = t.get("/users").await;
    let numbers: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["number"])
        .collect();
    assert_eq!(numbers.len(), 2);
    assert!(
        numbers.contains(&&json!(1)) && numbers.contains(&&json!(3)),
        "{page}"
    );
    // Another tenant counts from 1.
    let other = server.tenant("other").await;
    assert_eq!(create_user(&other, "one@example.com").await["number"], 1);
}

#[tokio::test]
async fn forms_are_numbered_per_tenant_and_keep_their_number() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    assert_eq!(create_form(&t, "reg").await["number"], 1);
    assert_eq!(create_form(&t, "profile").await["number"], 2);
    let (status, replaced) = t
        .put(
            "/forms/reg",
            json!({"fields": [{"marker": "nick", "type": "string"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["number"], 1);
    assert_eq!(t.get("/forms/reg").await.1["number"], 1);
    let (_, page) = t.get("/forms").await;
    assert_eq!(page["items"][0]["identifier"], "profile");
    assert_eq!(page["items"][0]["number"], 2);
    assert_eq!(t.delete("/forms/profile").await.0, StatusCode::NO_CONTENT);
    assert_eq!(create_form(&t, "profile").await["number"], 3);
    let other = server.tenant("other").await;
    assert_eq!(create_form(&other, "reg").await["number"], 1);
}
