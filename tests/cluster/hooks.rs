//! After-hook events queued through the balancer while every host's delivery workers run:
//! each event reaches each bound hook once, and its effects apply once.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::plugins::upload;
use crate::portal::{id, profile};
use crate::support::cluster::Cluster;
use crate::support::{guests, TenantApi};

/// Portal users whose access is added, denied and granted: three events each.
const USERS: usize = 8;
/// Each binding adds users granted access to a group of its own.
const GROUPS: [&str; 2] = ["customers", "members"];

async fn bind_grant_group(t: &TenantApi, group: &str) -> String {
    let (status, b) = t
        .post("/plugin-bindings", json!({"plugin": "hooks", "interface": "lifecycle-hooks", "target": "portal", "settings": {"grantGroup": group}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(
        t.post("/groups", json!({"name": group})).await.0,
        StatusCode::CREATED
    );
    id(&b)
}

/// Three after-hook events for a new portal user; answers the user's id.
async fn user_added_denied_granted(t: &TenantApi, email: &str) -> String {
    let p = id(&profile(t, email).await);
    let (status, user) = t.post("/portal/users", json!({"profileId": p})).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    for step in ["/portal/deny-access", "/portal/grant-access"] {
        let (status, body) = t.post(step, json!({"profileId": p})).await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
    }
    id(&user)
}

/// Waits until no delivery is pending; answers them all.
async fn settled_deliveries(t: &TenantApi) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, page) = t.get("/portal/hook-deliveries?status=pending").await;
        if page["items"].as_array().unwrap().is_empty() {
            let (_, all) = t.get("/portal/hook-deliveries?limit=500").await;
            return all["items"].as_array().unwrap().clone();
        }
        assert!(Instant::now() < deadline, "still pending: {page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn each_after_hook_event_reaches_each_binding_once_with_every_host_delivering() {
    guests::dir(); // built before any connection idles while they build
    let cluster = Cluster::start().await;
    let t = cluster.tenant("acme").await;
    upload(&t, "hooks", "example_lifecycle_hooks").await;
    let mut bindings = Vec::new();
    for group in GROUPS {
        bindings.push(bind_grant_group(&t, group).await);
    }
    let mut users = Vec::new();
    for i in 0..USERS {
        users.push(user_added_denied_granted(&t, &format!("p{i}@example.com")).await);
    }

    let deliveries = settled_deliveries(&t).await;
    assert_eq!(deliveries.len(), 3 * USERS);
    for d in &deliveries {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(
            d["doneBindings"].as_array().unwrap().len(),
            GROUPS.len(),
            "{d}"
        );
    }
    for user in &users {
        let (_, view) = t.get(&format!("/users/{user}")).await;
        for group in GROUPS {
            let memberships = view["groups"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["name"] == group);
            assert_eq!(memberships.count(), 1, "{group}: {view}");
        }
    }
    let (_, log) = t.get("/plugin-invocations?limit=500").await;
    let calls = log["items"].as_array().unwrap();
    for binding in &bindings {
        for hook in ["after-add-user", "after-deny-access", "after-grant-access"] {
            let count = calls
                .iter()
                .filter(|c| c["bindingId"] == binding.as_str() && c["function"] == hook)
                .count();
            assert_eq!(count, USERS, "{hook} calls of binding {binding}");
        }
    }
}
