//! The tenants of the scale benchmark: each with the three example plugins bound, seeded through
//! the HTTP API; the signup policy of each tenant made distinct (its own sha256, so compiled and
//! cached once per tenant); and the traffic that invokes every tenant's plugins.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::fixtures::{form_definition, update_values, DOMAIN, FORM};
use crate::http::{parallel, Http};
use crate::seed::{create_tenant, upload_plugin};

/// Name of the custom section appended to the policy to make each tenant's copy distinct.
const VARIANT_SECTION: &str = "portico-bench-variant";

/// Requests in flight while seeding or driving traffic: enough to overlap the server's commits
/// and compilations on 2 cores without queueing hundreds of compilations.
pub const SEED_PARALLEL: usize = 4;

/// The bytes of the three example plugins.
pub struct Examples {
    pub validator: Vec<u8>,
    pub policy: Vec<u8>,
    pub hooks: Vec<u8>,
}

impl Examples {
    pub fn read() -> Result<Examples> {
        let dir = crate::repo_root().join("plugins/target/wasm32-wasip2/release");
        let read = |n: &str| {
            std::fs::read(dir.join(format!("{n}.wasm"))).with_context(|| format!("read {n}.wasm"))
        };
        Ok(Examples {
            validator: read("example_field_validator")?,
            policy: read("example_signup_policy")?,
            hooks: read("example_lifecycle_hooks")?,
        })
    }
}

fn leb128(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The component with a custom section appended: the same code, another sha256. A component
/// may carry custom sections anywhere; the runtime ignores their contents.
pub fn with_variant(component: &[u8], variant: usize) -> Vec<u8> {
    let payload = format!("variant {variant}");
    let mut body = Vec::new();
    leb128(VARIANT_SECTION.len(), &mut body);
    body.extend_from_slice(VARIANT_SECTION.as_bytes());
    body.extend_from_slice(payload.as_bytes());
    let mut out = component.to_vec();
    out.push(0); // custom section id
    leb128(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

/// One seeded tenant.
#[derive(Clone)]
pub struct ScaleTenant {
    pub base: String,
    pub auth: Vec<(String, String)>,
    /// A profile for the traffic (form data, signup link, block/unblock).
    pub profile: String,
    /// How long the upload of its distinct policy took (compilation included), ms.
    pub policy_upload_ms: f64,
}

/// The namespace of scale tenant `i`.
pub fn namespace(i: usize) -> String {
    format!("scale{i:04}")
}

async fn seed_one(
    http: Http,
    base: String,
    i: usize,
    examples: Arc<Examples>,
) -> Result<ScaleTenant> {
    let ns = namespace(i);
    let key = create_tenant(&http, &base, &ns, &format!("Scale {i}")).await?;
    let tb = format!("{base}/v1/tenants/{ns}");
    let auth = vec![("authorization".to_string(), format!("Bearer {key}"))];
    http.json(
        Method::PATCH,
        &format!("{tb}/portal/settings"),
        &auth,
        Some(&json!({"published": true})),
        StatusCode::OK,
    )
    .await?;
    http.json(
        Method::POST,
        &format!("{tb}/forms"),
        &auth,
        Some(&form_definition()),
        StatusCode::CREATED,
    )
    .await?;
    let policy = with_variant(&examples.policy, i);
    let mut policy_upload_ms = 0.0;
    for (name, bytes) in [
        ("validator", &examples.validator),
        ("policy", &policy),
        ("hooks", &examples.hooks),
    ] {
        let t0 = Instant::now();
        upload_plugin(&http, &tb, &auth, name, bytes.clone()).await?;
        if name == "policy" {
            policy_upload_ms = t0.elapsed().as_secs_f64() * 1000.0;
        }
    }
    for binding in [
        json!({"plugin": "validator", "interface": "field-validator", "target": "*", "settings": {}}),
        json!({"plugin": "policy", "interface": "signup-policy", "target": "signup", "settings": {"allowedDomains": [DOMAIN]}}),
        json!({"plugin": "hooks", "interface": "lifecycle-hooks", "target": "portal", "settings": {}}),
    ] {
        http.json(
            Method::POST,
            &format!("{tb}/plugin-bindings"),
            &auth,
            Some(&binding),
            StatusCode::CREATED,
        )
        .await?;
    }
    let profile = http
        .json(
            Method::POST,
            &format!("{tb}/profiles"),
            &auth,
            Some(&json!({"email": format!("pat{i}@{DOMAIN}"), "firstName": "Pat"})),
            StatusCode::CREATED,
        )
        .await?
        .body["id"]
        .as_str()
        .context("profile id")?
        .to_string();
    Ok(ScaleTenant {
        base: tb,
        auth,
        profile,
        policy_upload_ms,
    })
}

/// Seeds `n` tenants, `SEED_PARALLEL` at a time.
pub async fn seed(http: &Http, base: &str, n: usize) -> Result<Vec<ScaleTenant>> {
    let examples = Arc::new(Examples::read()?);
    let (http, base) = (http.clone(), base.to_string());
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    parallel(n, SEED_PARALLEL, move |i| {
        let (http, base, examples, done) =
            (http.clone(), base.clone(), examples.clone(), done.clone());
        async move {
            let t = seed_one(http, base, i, examples).await?;
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d % 100 == 0 {
                eprintln!("  seeded {d}/{n} tenants");
            }
            Ok(t)
        }
    })
    .await
}

/// The form data the traffic writes: the 15 valid values.
fn form_data_body() -> Value {
    let data: Vec<Value> = update_values(false)
        .into_iter()
        .map(|(m, t, v)| json!({"marker": m, "type": t, "value": v}))
        .collect();
    json!({ "formData": data })
}

/// Through the real endpoints, each tenant's three plugins once: a form-data write of its
/// profile (the validator), a signed signup link (the policy), block and unblock (the hooks).
/// Answers the number of requests.
pub async fn traffic(http: &Http, tenants: &[ScaleTenant]) -> Result<usize> {
    let tenants: Arc<Vec<ScaleTenant>> = Arc::new(tenants.to_vec());
    let body = Arc::new(form_data_body());
    let http = http.clone();
    let n = tenants.len();
    parallel(n, SEED_PARALLEL, move |i| {
        let (http, tenants, body) = (http.clone(), tenants.clone(), body.clone());
        async move {
            let t = &tenants[i];
            let p = &t.profile;
            http.json(
                Method::PUT,
                &format!("{}/profiles/{p}/form-data/{FORM}?langCode=en_US", t.base),
                &t.auth,
                Some(&body),
                StatusCode::OK,
            )
            .await?;
            signup_link(&http, t).await?;
            for action in ["block", "unblock"] {
                http.json(
                    Method::POST,
                    &format!("{}/profiles/{p}/{action}", t.base),
                    &t.auth,
                    None,
                    StatusCode::OK,
                )
                .await?;
            }
            Ok(())
        }
    })
    .await?;
    Ok(n * 4)
}

/// A signed signup link for the tenant's profile: one call of its (distinct) policy.
pub async fn signup_link(http: &Http, t: &ScaleTenant) -> Result<()> {
    http.json(
        Method::POST,
        &format!("{}/portal/signup-urls", t.base),
        &t.auth,
        Some(&json!({"profileId": t.profile, "withSign": true})),
        StatusCode::OK,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb128_encodes_multi_byte_lengths() {
        let mut out = Vec::new();
        leb128(300, &mut out);
        assert_eq!(out, [0xac, 0x02]);
    }

    #[test]
    fn variants_differ_and_keep_the_original_prefix() {
        let base = b"\0asm\x0d\0\x01\0".to_vec();
        let (a, b) = (with_variant(&base, 1), with_variant(&base, 2));
        assert_ne!(a, b);
        assert!(a.starts_with(&base));
        assert_eq!(a[base.len()], 0);
    }
}
