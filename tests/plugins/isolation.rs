//! Tenant isolation: tenant B cannot see, bind, run or read the log of tenant A's plugins.

use reqwest::StatusCode;
use serde_json::json;

use super::{one_field, upload};
use crate::support::{assert_error, Server};

#[tokio::test]
async fn another_tenant_cannot_see_bind_or_run_a_plugin() {
    let server = Server::start();
    let a = server.tenant("acme").await;
    let b = server.tenant("other").await;
    let up = upload(&a, "validator", "example_field_validator").await;
    let id = up["pluginId"].as_str().unwrap();
    let (_, binding) = a.post("/plugin-bindings", json!({"plugin": id, "interface": "field-validator"})).await;
    let binding_id = binding["id"].as_str().unwrap();

    let (_, list) = b.get("/plugins").await;
    assert_eq!(list["items"], json!([]));
    assert_error(b.get(&format!("/plugins/{id}")).await, StatusCode::NOT_FOUND, "plugin_not_found");
    assert_error(b.get("/plugins/validator").await, StatusCode::NOT_FOUND, "plugin_not_found");
    assert_error(b.get(&format!("/plugins/{id}/versions/1")).await, StatusCode::NOT_FOUND, "plugin_not_found");
    assert_error(
        b.post(&format!("/plugins/{id}/versions/1/dry-run"),
            json!({"interface": "field-validator", "input": one_field(json!({}))})).await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.post("/plugin-bindings", json!({"plugin": id, "interface": "field-validator"})).await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(b.get(&format!("/plugin-bindings/{binding_id}")).await, StatusCode::NOT_FOUND, "plugin_binding_not_found");
    assert_error(
        b.post(&format!("/plugin-bindings/{binding_id}/invoke"), json!({"input": one_field(json!({}))})).await,
        StatusCode::NOT_FOUND,
        "plugin_binding_not_found",
    );
    assert_error(b.post(&format!("/plugins/{id}/activate"), json!({"version": 1})).await, StatusCode::NOT_FOUND, "plugin_not_found");
    assert_error(b.delete(&format!("/plugins/{id}")).await, StatusCode::NOT_FOUND, "plugin_not_found");
    assert_error(b.get(&format!("/plugins/{id}/invocations")).await, StatusCode::NOT_FOUND, "plugin_not_found");
    // A's key does not open B's routes either.
    let (status, _) = crate::support::Api::new(&server.base_url, Some(&a.key)).get("/v1/tenants/other/plugins").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A still has everything.
    let (_, plugin) = a.get(&format!("/plugins/{id}")).await;
    assert_eq!(plugin["name"], "validator");
}
