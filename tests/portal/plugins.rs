//! The tenant's plugins at work in the portal: signup policies on `signupUrl`, `before-*` hooks
//! that veto, `after-*` hooks delivered from the durable queue with their effects, hostile hooks
//! failing closed or open, and a restart with events still queued.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{id, profile};
use crate::plugins::upload;
use crate::support::{assert_error, Server, TenantApi, OPERATOR_TOKEN};

pub(super) async fn bind(
    t: &TenantApi,
    plugin: &str,
    interface: &str,
    target: &str,
    settings: Value,
    policy: &str,
) -> String {
    let (status, b) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": plugin, "interface": interface, "target": target, "settings": settings, "failurePolicy": policy}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    id(&b)
}

/// Waits until no delivery is pending (the worker runs in the background), then answers them all.
pub(super) async fn settled_deliveries(t: &TenantApi) -> Vec<Value> {
    for _ in 0..600 {
        let (_, page) = t.get("/portal/hook-deliveries?status=pending").await;
        if page["items"].as_array().unwrap().is_empty() {
            let (_, all) = t.get("/portal/hook-deliveries?limit=500").await;
            return all["items"].as_array().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "after-hook deliveries still pending: {}",
        t.get("/portal/hook-deliveries").await.1
    );
}

pub(super) async fn in_group(t: &TenantApi, user_id: &str, group: &str) -> bool {
    t.get(&format!("/users/{user_id}/groups/{group}/contains"))
        .await
        .1["result"]
        == true
}

#[tokio::test]
async fn signup_policy_denies_caps_ttl_and_forbids() {
    signup_policy_denies_caps_ttl_and_forbids_as("example_signup_policy").await;
}

/// The JavaScript port of the signup policy (`plugins/examples-js`) on the same requests.
#[tokio::test]
async fn the_javascript_signup_policy_denies_caps_ttl_and_forbids() {
    signup_policy_denies_caps_ttl_and_forbids_as("signup_policy_js").await;
}

/// The Python port of the signup policy (`plugins/examples-python`) on the same requests.
#[tokio::test]
async fn the_python_signup_policy_denies_caps_ttl_and_forbids() {
    signup_policy_denies_caps_ttl_and_forbids_as("signup_policy_py").await;
}

async fn signup_policy_denies_caps_ttl_and_forbids_as(guest: &str) {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "domains", guest).await;
    let binding = bind(
        &t,
        "domains",
        "signup-policy",
        "signup",
        json!({"allowedDomains": ["example.com"], "maxTtlSeconds": 3600}),
        "fail-closed",
    )
    .await;
    let outsider = id(&profile(&t, "eve@evil.test").await);
    let (status, body) = t
        .post("/portal/signup-urls", json!({"profileId": outsider}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "signup_denied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("evil.test"),
        "the plugin's message: {body}"
    );

    let insider = id(&profile(&t, "ann@example.com").await);
    let (status, link) = t
        .post("/portal/signup-urls", json!({"profileId": insider}))
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let expires: chrono::DateTime<chrono::Utc> =
        link["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!(
        expires - chrono::Utc::now() <= chrono::Duration::seconds(3600),
        "TTL capped by the policy"
    );
    // The policy's claims ride on the link.
    let token = link["url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap();
    let (_, info) = server
        .anonymous()
        .get(&format!("/v1/tenants/acme/portal/signup?token={token}"))
        .await;
    assert_eq!(info["claims"]["emailDomain"], "example.com", "{info}");

    t.patch(
        &format!("/plugin-bindings/{binding}"),
        json!({"settings": {"allowedDomains": ["example.com"], "forbidWithSign": true, "maxLiveLinks": 2}}),
    )
    .await;
    assert_error(
        t.post(
            "/portal/signup-urls",
            json!({"profileId": insider, "withSign": true}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "with_sign_forbidden",
    );
    assert_eq!(
        t.post("/portal/signup-urls", json!({"profileId": insider}))
            .await
            .0,
        StatusCode::OK
    );
    assert_error(
        t.post("/portal/signup-urls", json!({"profileId": insider}))
            .await,
        StatusCode::CONFLICT,
        "too_many_live_links",
    );
    // A refresh revokes the earlier links, so it fits under the cap.
    assert_eq!(
        t.post(
            "/portal/signup-urls",
            json!({"profileId": insider, "refresh": true})
        )
        .await
        .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn vip_profiles_cannot_be_blocked_and_grant_adds_to_the_group() {
    vip_profiles_cannot_be_blocked_and_grant_adds_to_the_group_as("example_lifecycle_hooks").await;
}

/// The JavaScript port of the hooks (`plugins/examples-js`) on the same requests.
#[tokio::test]
async fn the_javascript_hooks_veto_vip_blocks_and_add_granted_users_to_the_group() {
    vip_profiles_cannot_be_blocked_and_grant_adds_to_the_group_as("lifecycle_hooks_js").await;
}

/// The Python port of the hooks (`plugins/examples-python`) on the same requests.
#[tokio::test]
async fn the_python_hooks_veto_vip_blocks_and_add_granted_users_to_the_group() {
    vip_profiles_cannot_be_blocked_and_grant_adds_to_the_group_as("lifecycle_hooks_py").await;
}

async fn vip_profiles_cannot_be_blocked_and_grant_adds_to_the_group_as(guest: &str) {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "hooks", guest).await;
    bind(
        &t,
        "hooks",
        "lifecycle-hooks",
        "portal",
        json!({"grantGroup": "customers"}),
        "fail-closed",
    )
    .await;
    t.post("/groups", json!({"name": "customers"})).await;

    let (_, vip) = t
        .post(
            "/profiles",
            json!({"email": "vip@example.com", "data": {"vip": true}}),
        )
        .await;
    let (status, body) = t.post_empty(&format!("/profiles/{}/block", id(&vip))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "plugin_veto");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("vip"),
        "{body}"
    );
    assert_eq!(
        t.get(&format!("/profiles/{}", id(&vip))).await.1["blocked"],
        false,
        "nothing changed"
    );

    let regular = profile(&t, "pat@example.com").await;
    let (status, _) = t
        .post_empty(&format!("/profiles/{}/block", id(&regular)))
        .await;
    assert_eq!(status, StatusCode::OK);
    t.post_empty(&format!("/profiles/{}/unblock", id(&regular)))
        .await;

    // addUser then grantAccess: the after-grant-access effect adds the user to the group.
    let (_, user) = t
        .post("/portal/users", json!({"profileId": id(&regular)}))
        .await;
    t.post("/portal/deny-access", json!({"profileId": id(&regular)}))
        .await;
    t.post("/portal/grant-access", json!({"profileId": id(&regular)}))
        .await;
    let deliveries = settled_deliveries(&t).await;
    let hooks: Vec<&str> = deliveries
        .iter()
        .map(|d| d["hook"].as_str().unwrap())
        .collect();
    assert_eq!(
        hooks,
        [
            "after-block",
            "after-unblock",
            "after-add-user",
            "after-deny-access",
            "after-grant-access"
        ]
    );
    assert!(
        deliveries.iter().all(|d| d["status"] == "delivered"),
        "{deliveries:?}"
    );
    assert!(in_group(&t, &id(&user), "customers").await);
    // The invocations are in the log.
    let (_, log) = t.get("/plugin-invocations?limit=100").await;
    assert!(log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["function"] == "after-grant-access"));
}

/// A signup policy that fails (here out of fuel) refuses the link naming the documented
/// outcome, not the runtime's internal name for it.
#[tokio::test]
async fn a_failed_signup_policy_names_the_documented_outcome() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "spinner", "hostile_infinite_loop").await;
    bind(
        &t,
        "spinner",
        "signup-policy",
        "signup",
        json!({}),
        "fail-closed",
    )
    .await;
    let p = id(&profile(&t, "pat@example.com").await);
    let (status, body) = t.post("/portal/signup-urls", json!({"profileId": p})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "plugin_failed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("(out_of_fuel: "), "{body}");
    assert!(!message.contains("OutOfFuel"), "{body}");
}

#[tokio::test]
async fn a_hostile_hook_fails_closed_or_open_as_bound() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "spinner", "hostile_infinite_loop").await;
    let binding = bind(
        &t,
        "spinner",
        "lifecycle-hooks",
        "portal",
        json!({}),
        "fail-closed",
    )
    .await;
    let p = id(&profile(&t, "pat@example.com").await);
    let (status, body) = t.post_empty(&format!("/profiles/{p}/block")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "plugin_failed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("(out_of_fuel: fuel limit of"),
        "names the documented outcome and the limit: {body}"
    );
    assert!(!message.contains("OutOfFuel"), "{body}");
    assert_eq!(t.get(&format!("/profiles/{p}")).await.1["blocked"], false);

    t.patch(
        &format!("/plugin-bindings/{binding}"),
        json!({"failurePolicy": "fail-open"}),
    )
    .await;
    let (status, body) = t.post_empty(&format!("/profiles/{p}/block")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["blocked"], true);
    // The host keeps serving; another tenant is unaffected.
    let other = server.tenant("other").await;
    assert_eq!(
        other
            .post_empty(&format!(
                "/profiles/{}/block",
                id(&profile(&other, "o@example.com").await)
            ))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn failed_after_hook_deliveries_are_retried_and_visible() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "spinner", "hostile_infinite_loop").await;
    let binding = bind(
        &t,
        "spinner",
        "lifecycle-hooks",
        "portal",
        json!({}),
        "fail-open",
    )
    .await;
    let p = id(&profile(&t, "pat@example.com").await);
    t.post("/portal/grant-access", json!({"profileId": p}))
        .await;
    // Fail-open bindings pass: the delivery completes without effects.
    let deliveries = settled_deliveries(&t).await;
    assert_eq!(deliveries[0]["status"], "delivered");

    // A fail-closed after-hook that fails is retried with backoff. (This plugin spins in
    // `after-grant-access` but lets `before-grant-access` and the deny hooks pass.)
    t.post("/portal/deny-access", json!({"profileId": p})).await;
    settled_deliveries(&t).await;
    t.patch(
        &format!("/plugin-bindings/{binding}"),
        json!({"failurePolicy": "fail-closed"}),
    )
    .await;
    let (status, _) = t
        .post("/portal/grant-access", json!({"profileId": p}))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the request is not held back by its after-hook"
    );
    let mut failing = Value::Null;
    for _ in 0..200 {
        let (_, page) = t.get("/portal/hook-deliveries?status=pending").await;
        if let Some(d) = page["items"]
            .as_array()
            .unwrap()
            .first()
            .filter(|d| d["attempts"].as_u64() >= Some(1))
        {
            failing = d.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(failing["hook"], "after-grant-access", "{failing}");
    assert!(
        failing["lastError"].as_str().unwrap().contains("fuel"),
        "{failing}\n{}",
        t.get("/portal/hook-deliveries").await.1
    );
    assert!(
        failing["nextAttemptAt"].is_string(),
        "a retry is scheduled: {failing}"
    );
    assert_error(
        t.post_empty(&format!(
            "/portal/hook-deliveries/{}/retry",
            failing["id"].as_str().unwrap()
        ))
        .await,
        StatusCode::CONFLICT,
        "not_failed",
    );
    assert_error(
        t.get("/portal/hook-deliveries?status=lost").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
}

#[tokio::test]
async fn queued_after_hooks_survive_a_restart_and_apply_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start_with(dir.path(), Some(OPERATOR_TOKEN), &["--pause-hook-delivery"]);
    let t = server.tenant("acme").await;
    upload(&t, "hooks", "example_lifecycle_hooks").await;
    bind(
        &t,
        "hooks",
        "lifecycle-hooks",
        "portal",
        json!({"grantGroup": "customers"}),
        "fail-closed",
    )
    .await;
    t.post("/groups", json!({"name": "customers"})).await;
    let mut users = Vec::new();
    for i in 0..5 {
        let p = profile(&t, &format!("p{i}@example.com")).await;
        let (_, user) = t.post("/portal/users", json!({"profileId": id(&p)})).await;
        t.post("/portal/deny-access", json!({"profileId": id(&p)}))
            .await;
        t.post("/portal/grant-access", json!({"profileId": id(&p)}))
            .await;
        users.push(id(&user));
    }
    let (_, pending) = t
        .get("/portal/hook-deliveries?status=pending&limit=100")
        .await;
    assert_eq!(
        pending["items"].as_array().unwrap().len(),
        15,
        "add-user, deny and grant for each"
    );
    assert!(
        !in_group(&t, &users[0], "customers").await,
        "nothing delivered while paused"
    );
    let key = t.key.clone();
    assert!(server.stop().success());

    let server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = TenantApi {
        api: crate::support::Api::new(&server.base_url, Some(&key)).scoped("/v1/tenants/acme"),
        namespace: "acme".into(),
        key,
    };
    let deliveries = settled_deliveries(&t).await;
    assert_eq!(deliveries.len(), 15);
    for d in &deliveries {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(
            d["doneBindings"].as_array().unwrap().len(),
            1,
            "applied once: {d}"
        );
    }
    for user in &users {
        let (_, view) = t.get(&format!("/users/{user}")).await;
        let memberships: Vec<_> = view["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["name"] == "customers")
            .collect();
        assert_eq!(memberships.len(), 1, "{view}");
    }
    // Exactly one after-grant-access call per user reached the plugin.
    let (_, log) = t.get("/plugin-invocations?limit=500").await;
    let grants = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["function"] == "after-grant-access")
        .count();
    assert_eq!(grants, 5);
}
