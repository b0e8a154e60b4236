//! Plugin configuration changed through one host applies on every other host from its very
//! next request, and a plugin uploaded through one host runs on the others without compiling.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::forms::{user_data_path, violations};
use crate::plugins::upload;
use crate::support::cluster::{Cluster, HOSTS};
use crate::support::{guests, Api, TenantApi};

/// A per-host counter of the operator's `/v1/plugin-runtime` view.
async fn runtime_counter(cluster: &Cluster, host: usize, counter: &str) -> u64 {
    let (status, view) = cluster
        .host(host)
        .operator()
        .get("/v1/plugin-runtime")
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view[counter]
        .as_u64()
        .unwrap_or_else(|| panic!("no {counter}: {view}"))
}

/// What a write of a too-long value answers: `None` when accepted, else its violation codes.
async fn refusal(t: &TenantApi, path: &str) -> Option<Vec<String>> {
    let too_long = json!({"formData": [{"marker": "s", "type": "string", "value": "abcdef"}]});
    let answer = t.put(path, too_long).await;
    if answer.0 == StatusCode::OK {
        return None;
    }
    Some(
        violations(answer)
            .into_iter()
            .map(|(_, code)| code)
            .collect(),
    )
}

async fn patch_binding(t: &TenantApi, binding: &str, change: Value) {
    let (status, body) = t
        .patch(&format!("/plugin-bindings/{binding}"), change)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn configuration_changed_through_one_host_applies_on_the_next_request_of_another() {
    guests::dir(); // built before any connection idles while they build
    let cluster = Cluster::start().await;
    let t = cluster.tenant("acme").await;
    let (first, last) = (cluster.tenant_on(0, &t), cluster.tenant_on(HOSTS - 1, &t));
    // Little fuel, so the spinning version 2 fails fast; the validator needs far less.
    let (status, body) = first
        .put("/plugin-limits", json!({"fuel": 20_000_000}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    upload(&first, "validator", "example_field_validator").await;
    let form = json!({"identifier": "reg", "fields": [{"marker": "s", "type": "string", "validators": {"maxLength": 3}}]});
    assert_eq!(first.post("/forms", form).await.0, StatusCode::CREATED);
    let path = user_data_path(&first, "a@example.com", "reg").await;
    assert_eq!(refusal(&last, &path).await, None, "nothing bound yet");

    let (status, b) = first
        .post(
            "/plugin-bindings",
            json!({"plugin": "validator", "interface": "field-validator", "target": "*"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let binding = b["id"].as_str().unwrap().to_string();
    let too_long = Some(vec!["too_long".to_string()]);
    assert_eq!(
        refusal(&last, &path).await,
        too_long,
        "bound through host 1"
    );

    patch_binding(&first, &binding, json!({"enabled": false})).await;
    assert_eq!(refusal(&last, &path).await, None, "disabled through host 1");
    patch_binding(&first, &binding, json!({"enabled": true})).await;
    assert_eq!(refusal(&last, &path).await, too_long, "enabled again");

    // Version 2 validates fields too, but spins out of fuel: the binding fails closed.
    upload(&first, "validator", "hostile_infinite_loop").await;
    assert_eq!(
        refusal(&last, &path).await,
        too_long,
        "version 2 waits for activation"
    );
    let activated = first
        .post("/plugins/validator/activate", json!({"version": 2}))
        .await;
    assert_eq!(activated.0, StatusCode::OK, "{}", activated.1);
    let failed = Some(vec!["validator_failed".to_string()]);
    assert_eq!(refusal(&last, &path).await, failed, "version 2 activated");
    let rolled_back = first.post_empty("/plugins/validator/rollback").await;
    assert_eq!(rolled_back.0, StatusCode::OK, "{}", rolled_back.1);
    assert_eq!(
        refusal(&last, &path).await,
        too_long,
        "rolled back to version 1"
    );

    let deleted = first.delete(&format!("/plugin-bindings/{binding}")).await;
    assert!(deleted.0.is_success(), "{deleted:?}");
    assert_eq!(refusal(&last, &path).await, None, "binding deleted");
}

#[tokio::test]
async fn a_plugin_uploaded_through_one_host_runs_on_the_others_without_compiling() {
    guests::dir(); // built before any connection idles while they build
    let cluster = Cluster::start().await;
    let t = cluster.tenant("acme").await;
    let first = cluster.tenant_on(0, &t);
    upload(&first, "validator", "example_field_validator").await;
    assert_eq!(runtime_counter(&cluster, 0, "compilations").await, 1);

    let input = json!({"input": {"fields": [{"marker": "nick", "type": "string", "value": "a", "settings": {"minLength": 2}}]}, "settings": {}, "interface": "field-validator"});
    for host in 1..HOSTS {
        let (status, run) = cluster
            .tenant_on(host, &t)
            .post("/plugins/validator/versions/1/dry-run", input.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{run}");
        assert_eq!(run["outcome"], "denied", "host {host}: {run}");
        assert_eq!(
            runtime_counter(&cluster, host, "compilations").await,
            0,
            "host {host}"
        );
        assert_eq!(
            runtime_counter(&cluster, host, "deserializations").await,
            1,
            "host {host}"
        );
    }
    assert_balancer_spreads(&cluster).await;
}

/// The balancer sends successive requests of one client to different hosts: the hosts'
/// compilation counters (1 on host 1, 0 elsewhere) both show up through it.
async fn assert_balancer_spreads(cluster: &Cluster) {
    let operator: Api = cluster.operator();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..HOSTS {
        let (_, view) = operator.get("/v1/plugin-runtime").await;
        seen.insert(view["compilations"].as_u64().unwrap());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [0, 1]);
}
