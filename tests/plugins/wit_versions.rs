//! Components built against both WIT versions side by side: a 0.1.0 signup policy
//! (`plugins/compat/signup-policy-0-1`) and the 0.2.0 example policy, both bound, keep deciding
//! `signupUrl` together; for a self sign-up only the 0.2.0 one is asked.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::upload;
use crate::portal::{id, profile};
use crate::support::TenantApi;

async fn bind(t: &TenantApi, plugin: &str, settings: Value) -> String {
    let (status, b) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": plugin, "interface": "signup-policy", "target": "signup",
                   "settings": settings}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    id(&b)
}

fn token(link: &Value) -> String {
    let url = link["url"].as_str().unwrap();
    url.split("token=").nth(1).unwrap().to_string()
}

#[tokio::test]
async fn policies_of_0_1_0_and_0_2_0_decide_signup_links_together() {
    let server = crate::support::Server::start();
    let t = server.tenant("acme").await;
    let old = upload(&t, "old-policy", "compat_signup_policy_0_1").await;
    let new = upload(&t, "domains", "example_signup_policy").await;
    for uploaded in [&old, &new] {
        assert_eq!(uploaded["exports"], json!(["signup-policy"]), "{uploaded}");
    }
    bind(
        &t,
        "old-policy",
        json!({"deniedDomain": "evil.test", "maxTtlSeconds": 600}),
    )
    .await;
    bind(
        &t,
        "domains",
        json!({"allowedDomains": ["example.com", "evil.test"]}),
    )
    .await;

    let ann = id(&profile(&t, "ann@example.com").await);
    let (status, link) = t
        .post("/portal/signup-urls", json!({"profileId": ann}))
        .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let expires: chrono::DateTime<chrono::Utc> =
        link["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!(
        expires - chrono::Utc::now() <= chrono::Duration::seconds(600),
        "0.1.0 capped it"
    );
    let (_, info) = server
        .anonymous()
        .get(&format!(
            "/v1/tenants/acme/portal/signup?token={}",
            token(&link)
        ))
        .await;
    assert_eq!(info["claims"]["policyVersion"], "0.1.0", "{info}");
    assert_eq!(info["claims"]["emailDomain"], "example.com", "{info}");

    // The 0.1.0 policy still denies.
    let eve = id(&profile(&t, "eve@evil.test").await);
    let (status, body) = t
        .post("/portal/signup-urls", json!({"profileId": eve}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "signup_denied");
    assert_eq!(body["error"]["message"], "no signup links for evil.test");
}

#[tokio::test]
async fn only_0_2_0_policies_decide_self_signups() {
    let server = crate::support::Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "old-policy", "compat_signup_policy_0_1").await;
    upload(&t, "domains", "example_signup_policy").await;
    let old = bind(&t, "old-policy", json!({"deniedDomain": "other.test"})).await;
    let new = bind(&t, "domains", json!({"allowedDomains": ["example.com"]})).await;
    let input = |email: &str| {
        json!({"input": {"function": "decide-self-signup", "request": {
            "email": email, "authProvider": "email", "fields": []}}})
    };

    let (_, run) = t
        .post(
            &format!("/plugin-bindings/{old}/invoke"),
            input("eve@other.test"),
        )
        .await;
    assert_eq!(
        (run["outcome"].clone(), run["passed"].clone()),
        (json!("ok"), json!(true)),
        "{run}"
    );
    assert_eq!(run["result"], json!({"allowed": true}));
    assert_eq!(run["fuelUsed"], 0, "not run: {run}");
    assert!(
        run["logs"].as_str().unwrap().contains("does not take part"),
        "{run}"
    );

    let (_, run) = t
        .post(
            &format!("/plugin-bindings/{new}/invoke"),
            input("eve@other.test"),
        )
        .await;
    assert_eq!(run["outcome"], "denied", "{run}");
    assert_eq!(run["result"]["denial"]["code"], "domain_not_allowed");
    let (_, run) = t
        .post(
            &format!("/plugin-bindings/{new}/invoke"),
            input("ann@example.com"),
        )
        .await;
    assert_eq!(run["outcome"], "ok", "{run}");
    assert_eq!(run["result"], json!({"allowed": true}));
}
