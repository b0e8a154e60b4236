//! Resident plugin versions: `portico serve --resident-plugin-versions N` keeps at most N
//! versions loaded; the others, at start and after eviction, load from their stored artifact on
//! their next call and are never recompiled.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{one_field, upload_bytes, validate};
use crate::support::{guests, Server, TenantApi, OPERATOR_TOKEN};

const ARGS: [&str; 2] = ["--resident-plugin-versions", "2"];
const NAMES: [&str; 3] = ["v1", "v2", "v3"];

/// The component with a custom section appended: the same code under another sha256.
fn variant(component: &[u8], n: u8) -> Vec<u8> {
    let name = b"portico-test-variant";
    let mut out = component.to_vec();
    out.push(0); // custom section id
    out.push((1 + name.len() + 1) as u8); // section size (one LEB128 byte)
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.push(n);
    out
}

async fn stats(server: &Server) -> Value {
    let (status, stats) = server.operator().get("/v1/plugin-runtime").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    stats
}

/// Each version runs (a 3-letter value against minLength 5 is denied).
async fn run_all(t: &TenantApi) {
    for name in NAMES {
        let run = validate(t, name, 1, one_field(json!({"minLength": 5})), json!({})).await;
        assert_eq!(run["outcome"], "denied", "{name}: {run}");
    }
}

#[tokio::test]
async fn versions_beyond_the_resident_maximum_reload_from_artifacts_without_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(dir.path(), Some(OPERATOR_TOKEN), &ARGS);
    let t = server.tenant("acme").await;
    let validator = guests::bytes("example_field_validator");
    for (n, name) in NAMES.iter().enumerate() {
        let (status, body) = upload_bytes(&t, name, variant(&validator, n as u8)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let s = stats(&server).await;
    assert_eq!(s["compilations"], 3, "{s}");
    assert_eq!(s["loadedVersions"], 2, "the oldest upload is unloaded: {s}");
    // The unloaded bytes uploaded again load from their artifact: no compilation.
    let (status, body) = upload_bytes(&t, "again", variant(&validator, 0)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let s = stats(&server).await;
    assert_eq!(s["compilations"], 3, "{s}");
    assert_eq!(s["deserializations"], 1, "{s}");

    // The unloaded version runs again from its artifact; another one makes room for it.
    run_all(&t).await;
    let s = stats(&server).await;
    assert_eq!(s["compilations"], 3, "nothing recompiled: {s}");
    assert!(s["deserializations"].as_u64().unwrap() >= 1, "{s}");
    assert_eq!(s["loadedVersions"], 2, "{s}");
    assert!(server.stop().success());

    // After a restart: at most the maximum is loaded before serving, the rest on first call.
    let server = Server::start_with(dir.path(), Some(OPERATOR_TOKEN), &ARGS);
    let t = TenantApi {
        api: crate::support::Api::new(&server.base_url, Some(&t.key)).scoped("/v1/tenants/acme"),
        namespace: t.namespace.clone(),
        key: t.key.clone(),
    };
    let s = stats(&server).await;
    assert_eq!(s["compilations"], 0, "{s}");
    assert_eq!(s["loadedVersions"], 2, "{s}");
    run_all(&t).await;
    let s = stats(&server).await;
    assert_eq!(s["compilations"], 0, "restart recompiled: {s}");
    assert!(s["deserializations"].as_u64().unwrap() >= 3, "{s}");
    assert_eq!(s["loadedVersions"], 2, "{s}");
    let (_, versions) = t.get("/plugins/v3/versions").await;
    assert_eq!(
        versions["items"][0]["loadedFrom"], "deserialized",
        "{versions}"
    );
}
