//! Tenant isolation: tenant B cannot see, bind, run or read the log of tenant A's plugins; the
//! host look-ups a plugin makes see only its own tenant.

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
    let (_, binding) = a
        .post(
            "/plugin-bindings",
            json!({"plugin": id, "interface": "field-validator"}),
        )
        .await;
    let binding_id = binding["id"].as_str().unwrap();

    let (_, list) = b.get("/plugins").await;
    assert_eq!(list["items"], json!([]));
    assert_error(
        b.get(&format!("/plugins/{id}")).await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.get("/plugins/validator").await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.get(&format!("/plugins/{id}/versions/1")).await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.post(
            &format!("/plugins/{id}/versions/1/dry-run"),
            json!({"interface": "field-validator", "input": one_field(json!({}))}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.post(
            "/plugin-bindings",
            json!({"plugin": id, "interface": "field-validator"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.get(&format!("/plugin-bindings/{binding_id}")).await,
        StatusCode::NOT_FOUND,
        "plugin_binding_not_found",
    );
    assert_error(
        b.post(
            &format!("/plugin-bindings/{binding_id}/invoke"),
            json!({"input": one_field(json!({}))}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "plugin_binding_not_found",
    );
    assert_error(
        b.post(&format!("/plugins/{id}/activate"), json!({"version": 1}))
            .await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.delete(&format!("/plugins/{id}")).await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    assert_error(
        b.get(&format!("/plugins/{id}/invocations")).await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    // A's key does not open B's routes either.
    let (status, _) = crate::support::Api::new(&server.base_url, Some(&a.key))
        .get("/v1/tenants/other/plugins")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A still has everything.
    let (_, plugin) = a.get(&format!("/plugins/{id}")).await;
    assert_eq!(plugin["name"], "validator");
}

/// Dry-runs the lookup probe of `t` on string fields `(marker, value)`; answers the violations
/// by marker as `(code, message)`.
async fn probe(
    t: &crate::support::TenantApi,
    fields: &[(&str, &str)],
    settings: serde_json::Value,
) -> std::collections::BTreeMap<String, (String, String)> {
    let fields: Vec<_> = fields
        .iter()
        .map(|(marker, value)| json!({"marker": marker, "type": "string", "value": value}))
        .collect();
    let (status, run) = t
        .post(
            "/plugins/probe/versions/1/dry-run",
            json!({"interface": "field-validator", "input": {"fields": fields}, "settings": settings}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["outcome"], "denied", "{run}");
    assert!(
        run["logs"].as_str().unwrap().contains("INFO probed"),
        "{run}"
    );
    run["result"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let text = |k: &str| v[k].as_str().unwrap().to_string();
            (text("marker"), (text("code"), text("message")))
        })
        .collect()
}

fn found(violation: &(String, String)) -> serde_json::Value {
    assert_eq!(violation.0, "found", "{violation:?}");
    serde_json::from_str(&violation.1).unwrap()
}

#[tokio::test]
async fn host_lookups_see_only_the_plugins_own_tenant() {
    use crate::support::create_user;
    let server = Server::start();
    let a = server.tenant("acme").await;
    let b = server.tenant("other").await;
    // The same email in both tenants, in different groups; one email only in B.
    let mut ids = Vec::new();
    for (t, group) in [(&a, "a-team"), (&b, "b-team")] {
        t.post("/groups", json!({"name": group})).await;
        let user = create_user(t, "Same@Example.com").await;
        let id = user["id"].as_str().unwrap().to_string();
        let (status, _) = t
            .post(&format!("/users/{id}/groups"), json!({"group": group}))
            .await;
        assert_eq!(status, StatusCode::OK);
        ids.push(id);
    }
    let (a_id, b_id) = (ids[0].clone(), ids[1].clone());
    assert_ne!(a_id, b_id);
    let only_b = create_user(&b, "only-b@example.com").await;
    let only_b_id = only_b["id"].as_str().unwrap();
    upload(&a, "probe", "hostile_lookup_probe").await;
    upload(&b, "probe", "hostile_lookup_probe").await;

    let fields = [
        ("same", "same@example.com"),
        ("onlyB", "only-b@example.com"),
        ("ownId", a_id.as_str()),
        ("otherId", b_id.as_str()),
        ("otherOnlyId", only_b_id),
    ];
    let seen = probe(&a, &fields, json!({"probe": "from-a", "n": 1})).await;
    let same = found(&seen["same"]);
    assert_eq!(
        same["id"],
        a_id.as_str(),
        "A's plugin found another tenant's user: {same}"
    );
    assert!(
        same["email"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("same@example.com"),
        "{same}"
    );
    assert_eq!(same["groups"], json!(["a-team"]));
    assert_eq!(seen["onlyB"].0, "not_found", "{:?}", seen["onlyB"]);
    assert_eq!(
        seen["ownId"],
        ("groups".to_string(), json!(["a-team"]).to_string())
    );
    assert_eq!(seen["otherId"], ("groups".to_string(), "[]".to_string()));
    assert_eq!(
        seen["otherOnlyId"],
        ("groups".to_string(), "[]".to_string())
    );
    // The other host imports: the run's settings and the current time.
    let host: serde_json::Value = serde_json::from_str(&seen["_host"].1).unwrap();
    assert_eq!(host["settings"], json!({"probe": "from-a", "n": 1}));
    assert_eq!(host["probe"], "from-a");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let plugin_now = host["nowMs"].as_u64().unwrap();
    assert!(
        plugin_now.abs_diff(now) < 3_600_000,
        "now-ms {plugin_now} is not the current time {now}"
    );

    // The same component in B sees B's users only.
    let seen = probe(&b, &fields, json!({})).await;
    let same = found(&seen["same"]);
    assert_eq!(same["id"], b_id.as_str());
    assert_eq!(same["groups"], json!(["b-team"]));
    assert_eq!(found(&seen["onlyB"])["id"], only_b_id);
    assert_eq!(seen["ownId"], ("groups".to_string(), "[]".to_string()));
    assert_eq!(
        seen["otherId"],
        ("groups".to_string(), json!(["b-team"]).to_string())
    );

    // Through a binding, the binding's settings are what `host.settings()` answers.
    let (status, binding) = a
        .post("/plugin-bindings", json!({"plugin": "probe", "interface": "field-validator", "settings": {"probe": "bound"}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{binding}");
    let (_, run) = a
        .post(
            &format!("/plugin-bindings/{}/invoke", binding["id"].as_str().unwrap()),
            json!({"input": {"fields": [{"marker": "same", "type": "string", "value": "SAME@example.com"}]}}),
        )
        .await;
    let violations = run["result"]["violations"].as_array().unwrap();
    let same: serde_json::Value =
        serde_json::from_str(violations[0]["message"].as_str().unwrap()).unwrap();
    assert_eq!(same["id"], a_id.as_str(), "{run}");
    let host: serde_json::Value =
        serde_json::from_str(violations[1]["message"].as_str().unwrap()).unwrap();
    assert_eq!(host["probe"], "bound", "{run}");
}
