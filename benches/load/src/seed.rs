//! Seeding a Portico through its HTTP API: tenants with keys, plugins, the form, portal users
//! and profile pools (shared by `portico-load run` and `portico-load scale`).

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::fixtures::{form_definition, Tenant, DOMAIN, OPERATOR_TOKEN, PASSWORD, POOL};
use crate::http::{parallel, Http};

/// Uploads a component as plugin `name` of the tenant at `tenant_base`.
pub async fn upload_plugin(
    http: &Http,
    tenant_base: &str,
    auth: &[(String, String)],
    name: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    let a = http
        .call(
            Method::POST,
            &format!("{tenant_base}/plugins?name={name}"),
            auth,
            Some(bytes),
            "application/wasm",
        )
        .await?;
    anyhow::ensure!(
        a.status == StatusCode::CREATED,
        "{tenant_base}: upload {name}: {} {}",
        a.status,
        a.body
    );
    Ok(())
}

/// Creates a tenant (as the operator) and an API key for it; answers the key.
pub async fn create_tenant(http: &Http, base: &str, namespace: &str, name: &str) -> Result<String> {
    let op = vec![(
        "authorization".to_string(),
        format!("Bearer {OPERATOR_TOKEN}"),
    )];
    http.json(
        Method::POST,
        &format!("{base}/v1/tenants"),
        &op,
        Some(&json!({"namespace": namespace, "name": name})),
        StatusCode::CREATED,
    )
    .await?;
    Ok(http
        .json(
            Method::POST,
            &format!("{base}/v1/tenants/{namespace}/api-keys"),
            &op,
            Some(&json!({"name": "bench"})),
            StatusCode::CREATED,
        )
        .await?
        .body["key"]
        .as_str()
        .context("key")?
        .to_string())
}

/// The plugins a seeded tenant binds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    /// None: the plugin-overhead baseline.
    Nothing,
    /// The example validator on every field and the signup policy: what the peer's update does
    /// (its update hook checks the fields), so the update scenarios compare like with like.
    Checks,
    /// The checks and the example lifecycle hooks (`portal`): blocks and unblocks run their
    /// before- and after-hooks, and so does a user's update (`before-update-user`,
    /// `after-update-user`, since WIT 0.2.0).
    ChecksAndHooks,
}

/// A tenant with the form, the plugins of `bound`, a published portal, `users` registered
/// portal users and the profile pools.
pub(crate) async fn seed(
    http: &Http,
    base: &str,
    namespace: &str,
    bound: Bound,
    users: usize,
) -> Result<Tenant> {
    let key = create_tenant(http, base, namespace, "Bench").await?;
    let mut t = Tenant {
        base: format!("{base}/v1/tenants/{namespace}"),
        key,
        users: vec![],
        link_profiles: vec![],
        block_profiles: vec![],
    };
    let h = t.auth();
    let patch = json!({"published": true, "maxPortalUsers": 100000});
    http.json(
        Method::PATCH,
        &format!("{}/portal/settings", t.base),
        &h,
        Some(&patch),
        StatusCode::OK,
    )
    .await?;
    http.json(
        Method::POST,
        &format!("{}/forms", t.base),
        &h,
        Some(&form_definition()),
        StatusCode::CREATED,
    )
    .await?;
    bind_plugins(http, &t, bound).await?;
    // Registered portal users: profile -> signed signup link (through the policy) -> register.
    let tb = t.base.clone();
    let hh = h.clone();
    let hc = http.clone();
    t.users = parallel(users, 4, move |i| {
        let (http, base, h) = (hc.clone(), tb.clone(), hh.clone());
        async move {
            let email = format!("user{i}@{DOMAIN}");
            let p = http
                .json(
                    Method::POST,
                    &format!("{base}/profiles"),
                    &h,
                    Some(&json!({"email": email, "firstName": "Pat"})),
                    StatusCode::CREATED,
                )
                .await?;
            let link = http
                .json(
                    Method::POST,
                    &format!("{base}/portal/signup-urls"),
                    &h,
                    Some(&json!({"profileId": p.body["id"], "withSign": true})),
                    StatusCode::OK,
                )
                .await?;
            let token = link.body["url"]
                .as_str()
                .context("url")?
                .split("token=")
                .nth(1)
                .context("token")?
                .to_string();
            http.json(
                Method::POST,
                &format!("{base}/portal/signup"),
                &[],
                Some(&json!({"token": token, "password": PASSWORD})),
                StatusCode::CREATED,
            )
            .await?;
            Ok(email)
        }
    })
    .await?;
    for (prefix, pool) in [
        ("link", &mut t.link_profiles),
        ("block", &mut t.block_profiles),
    ] {
        for i in 0..POOL {
            let p = http
                .json(
                    Method::POST,
                    &format!("{}/profiles", t.base),
                    &h,
                    Some(&json!({"email": format!("{prefix}{i}@{DOMAIN}"), "firstName": "Pool"})),
                    StatusCode::CREATED,
                )
                .await?;
            pool.push(p.body["id"].as_str().context("profile id")?.to_string());
        }
    }
    Ok(t)
}

/// Uploads and binds the example plugins of `bound` in the tenant `t`.
async fn bind_plugins(http: &Http, t: &Tenant, bound: Bound) -> Result<()> {
    let h = t.auth();
    let wasm = crate::repo_root().join("plugins/target/wasm32-wasip2/release");
    let plugins = [
        (
            "validator",
            "example_field_validator",
            json!({"plugin": "validator", "interface": "field-validator", "target": "*", "settings": {}}),
        ),
        (
            "policy",
            "example_signup_policy",
            json!({"plugin": "policy", "interface": "signup-policy", "target": "signup", "settings": {"allowedDomains": [DOMAIN]}}),
        ),
        (
            "hooks",
            "example_lifecycle_hooks",
            json!({"plugin": "hooks", "interface": "lifecycle-hooks", "target": "portal", "settings": {}}),
        ),
    ];
    let count = match bound {
        Bound::Nothing => 0,
        Bound::Checks => 2,
        Bound::ChecksAndHooks => 3,
    };
    for (name, file, binding) in &plugins[..count] {
        let bytes = std::fs::read(wasm.join(format!("{file}.wasm")))?;
        upload_plugin(http, &t.base, &h, name, bytes).await?;
        http.json(
            Method::POST,
            &format!("{}/plugin-bindings", t.base),
            &h,
            Some(binding),
            StatusCode::CREATED,
        )
        .await?;
    }
    Ok(())
}
