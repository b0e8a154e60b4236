//! The upload limits, each as a pair (inside: accepted; past it: refused naming the limit):
//! compiled artifact size, a tenant's stored plugin bytes and versions, and the component size
//! as the tenant's override sets it.

use reqwest::StatusCode;
use serde_json::json;

use super::{upload, upload_bytes};
use crate::support::{assert_error, guests, Server};

#[tokio::test]
async fn compiled_size_limit_pair() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let image = guests::huge_image(15);
    assert!(image.len() < 8 << 10, "{} bytes", image.len());
    let (status, _) = t
        .put("/plugin-limits", json!({"compiledBytes": 8 << 20}))
        .await;
    assert_eq!(status, StatusCode::OK);
    upload(&t, "validator", "example_field_validator").await;
    let (status, body) = upload_bytes(&t, "image", image.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "compiled_too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("which exceeds 8 MiB (the compiled size limit, compiledBytes)"),
        "{body}"
    );
    let (status, _) = t
        .put("/plugin-limits", json!({"compiledBytes": 32 << 20}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        upload_bytes(&t, "image", image).await.0,
        StatusCode::CREATED
    );
    let (_, limits) = t.get("/plugin-limits").await;
    assert_eq!(limits["defaults"]["compiledBytes"], 64 << 20);
}

/// Each tenant's stored plugin bytes (components and artifacts) are bounded: inside the limit an
/// upload is stored; past it, refused with 413 naming the limit. Other tenants are unaffected.
#[tokio::test]
async fn stored_bytes_limit_pair() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let other = server.tenant("other").await;
    let (status, _) = t
        .put("/plugin-limits", json!({"storedBytes": 8 << 20}))
        .await;
    assert_eq!(status, StatusCode::OK);
    upload(&t, "validator", "example_field_validator").await;
    let (status, body) = upload_bytes(&t, "image", guests::huge_image(15)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "plugin_storage_full");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("which exceeds 8 MiB (the stored bytes limit, storedBytes)"),
        "{body}"
    );
    // Uploading bytes the tenant already holds adds nothing.
    upload(&t, "validator", "example_field_validator").await;
    assert_eq!(
        upload_bytes(&other, "image", guests::huge_image(15))
            .await
            .0,
        StatusCode::CREATED
    );
}

/// Each tenant's plugin versions are bounded by its limit, itself within the operator's
/// maximum: at the limit uploads are refused with 409 naming it.
#[tokio::test]
async fn versions_limit_pair_within_the_operator_maximum() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, _) = t.put("/plugin-limits", json!({"versions": 2})).await;
    assert_eq!(status, StatusCode::OK);
    upload(&t, "validator", "example_field_validator").await;
    upload(&t, "validator", "example_field_validator").await;
    let (status, body) = upload_bytes(&t, "spinner", guests::bytes("hostile_infinite_loop")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "too_many_plugin_versions");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("holds 2 plugin versions, its limit (versions)"),
        "{body}"
    );
    // The operator lowers every tenant's maximum: another tenant gets one version.
    let op = server.operator();
    let (status, body) = op.put("/v1/plugin-limits", json!({"versions": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let other = server.tenant("other").await;
    upload(&other, "validator", "example_field_validator").await;
    let (status, _) = upload_bytes(&other, "spinner", guests::bytes("hostile_infinite_loop")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(
        t.put("/plugin-limits", json!({"versions": 2})).await,
        StatusCode::BAD_REQUEST,
        "limit_out_of_range",
    );
}

#[tokio::test]
async fn component_size_limit_pair_follows_the_tenant_override() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let bytes = guests::bytes("example_field_validator");
    let (status, _) = t
        .put("/plugin-limits", json!({"componentBytes": bytes.len() - 1}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = upload_bytes(&t, "validator", bytes.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains(&format!("exceeds {} bytes", bytes.len() - 1)));
    let (status, _) = t
        .put("/plugin-limits", json!({"componentBytes": bytes.len()}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        upload_bytes(&t, "validator", bytes).await.0,
        StatusCode::CREATED
    );
    // Beyond the operator's maximum: refused, naming the limit.
    assert_error(
        t.put("/plugin-limits", json!({"componentBytes": 1u64 << 40}))
            .await,
        StatusCode::BAD_REQUEST,
        "limit_out_of_range",
    );
    let (_, limits) = t.get("/plugin-limits").await;
    assert_eq!(limits["defaults"]["fuel"], 10_000_000);
    assert_eq!(limits["defaults"]["deadlineMs"], 100);
    assert_eq!(limits["defaults"]["memoryBytes"], 32 << 20);
    assert_eq!(limits["defaults"]["outputBytes"], 1 << 20);
    assert_eq!(limits["defaults"]["logBytes"], 4096);
}
