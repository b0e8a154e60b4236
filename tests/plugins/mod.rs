//! Plugins: upload and refusals, versions and bindings, limits with real hostile guests,
//! the invocation log and its bound, tenant isolation, cached artifacts across restarts, the CLI runner, and
//! the plugins' native unit tests.

mod bindings;
mod fixtures;
mod invocation_log;
mod isolation;
mod js_python;
mod limits;
mod native;
mod output_lifting;
mod registry;
mod residency;
mod scaffold;
mod sdk_crates;
mod sharing;
mod upload_limits;
mod wit_versions;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{guests, TenantApi};

/// Uploads a guest plugin under `name`; answers the upload response.
pub async fn upload(t: &TenantApi, name: &str, guest: &str) -> Value {
    let (status, body) = upload_bytes(t, name, guests::bytes(guest)).await;
    assert_eq!(status, StatusCode::CREATED, "upload {guest}: {body}");
    body
}

pub async fn upload_bytes(t: &TenantApi, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    t.raw(
        reqwest::Method::POST,
        &format!("/plugins?name={name}"),
        "application/wasm",
        bytes,
    )
    .await
}

/// One field for the validators: a string with its settings.
pub fn one_field(settings: Value) -> Value {
    json!({"fields": [{"marker": "nickname", "type": "string", "value": "ann", "settings": settings}]})
}

/// Dry-runs version `version` of `plugin` as a field validator.
pub async fn validate(
    t: &TenantApi,
    plugin: &str,
    version: u32,
    input: Value,
    settings: Value,
) -> Value {
    let (status, body) = t
        .post(
            &format!("/plugins/{plugin}/versions/{version}/dry-run"),
            json!({"interface": "field-validator", "input": input, "settings": settings}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "dry run: {body}");
    body
}

/// The validator example on a good and a bad field: proves the tenant's plugins still work.
pub async fn assert_validator_works(t: &TenantApi) {
    let (status, list) = t.get("/plugins?limit=500").await;
    assert_eq!(status, StatusCode::OK);
    let has = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "validator");
    if !has {
        upload(t, "validator", "example_field_validator").await;
    }
    let ok = validate(
        t,
        "validator",
        1,
        one_field(json!({"minLength": 2})),
        json!({}),
    )
    .await;
    assert_eq!(ok["outcome"], "ok", "{ok}");
    let bad = validate(
        t,
        "validator",
        1,
        one_field(json!({"minLength": 5})),
        json!({}),
    )
    .await;
    assert_eq!(bad["outcome"], "denied", "{bad}");
    assert_eq!(bad["result"]["violations"][0]["code"], "too_short");
}
