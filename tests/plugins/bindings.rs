//! Bindings (settings, failure policy), dry runs of every interface, the invocation log and
//! per-plugin counters.

use reqwest::StatusCode;
use serde_json::json;

use super::{one_field, upload};
use crate::support::{assert_error, Server};

#[tokio::test]
async fn bindings_crud_settings_and_failure_policy() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "signup", "example_signup_policy").await;
    upload(&t, "spinner", "hostile_infinite_loop").await;

    // Only exported interfaces can be bound.
    assert_error(
        t.post(
            "/plugin-bindings",
            json!({"plugin": "signup", "interface": "field-validator"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "interface_not_exported",
    );
    assert_error(
        t.post(
            "/plugin-bindings",
            json!({"plugin": "signup", "interface": "signup-policy", "settings": [1]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_settings",
    );
    let (status, b) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": "signup", "interface": "signup-policy", "target": "signup",
                   "settings": {"allowedDomains": ["example.com"], "maxTtlSeconds": 3600}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["failurePolicy"], "fail-closed");
    assert_eq!(b["enabled"], true);
    let id = b["id"].as_str().unwrap().to_string();
    let (_, got) = t.get(&format!("/plugin-bindings/{id}")).await;
    assert_eq!(got["settings"]["maxTtlSeconds"], 3600);

    let request = |email: &str| json!({"input": {"request": {"profileId": "p1", "profileEmail": email, "ttlSeconds": 86400}}});
    let (_, run) = t
        .post(
            &format!("/plugin-bindings/{id}/invoke"),
            request("ann@example.com"),
        )
        .await;
    assert_eq!(run["outcome"], "ok", "{run}");
    assert_eq!(run["passed"], true);
    assert_eq!(run["result"]["decision"]["maxTtlSeconds"], 3600);
    let (_, run) = t
        .post(
            &format!("/plugin-bindings/{id}/invoke"),
            request("eve@evil.test"),
        )
        .await;
    assert_eq!(run["outcome"], "denied", "{run}");
    assert_eq!(run["passed"], false);
    assert_eq!(run["result"]["denial"]["code"], "domain_not_allowed");

    // The binding's settings are what the plugin sees: widen them with PATCH.
    let (status, patched) = t
        .patch(
            &format!("/plugin-bindings/{id}"),
            json!({"settings": {"allowedDomains": ["evil.test"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let (_, run) = t
        .post(
            &format!("/plugin-bindings/{id}/invoke"),
            request("eve@evil.test"),
        )
        .await;
    assert_eq!(run["outcome"], "ok", "{run}");

    // Failure policy: a plugin that fails blocks the request when closed, not when open.
    let (_, spin) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": "spinner", "interface": "lifecycle-hooks"}),
        )
        .await;
    let spin_id = spin["id"].as_str().unwrap().to_string();
    let hook = json!({"input": {"hook": "before-block", "event": {"profile": {"id": "p1", "email": "a@b.c"}}}});
    let (_, run) = t
        .post(&format!("/plugin-bindings/{spin_id}/invoke"), hook.clone())
        .await;
    assert_eq!(
        (run["outcome"].as_str(), run["passed"].as_bool()),
        (Some("out_of_fuel"), Some(false)),
        "{run}"
    );
    t.patch(
        &format!("/plugin-bindings/{spin_id}"),
        json!({"failurePolicy": "fail-open"}),
    )
    .await;
    let (_, run) = t
        .post(&format!("/plugin-bindings/{spin_id}/invoke"), hook)
        .await;
    assert_eq!(
        (run["outcome"].as_str(), run["passed"].as_bool()),
        (Some("out_of_fuel"), Some(true)),
        "{run}"
    );

    let (_, list) = t.get("/plugin-bindings?limit=1").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(list["nextCursor"].is_string());
    assert_eq!(
        t.delete(&format!("/plugin-bindings/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        t.get(&format!("/plugin-bindings/{id}")).await,
        StatusCode::NOT_FOUND,
        "plugin_binding_not_found",
    );
}

#[tokio::test]
async fn a_binding_pins_a_version_and_null_unpins_it() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "rules", "example_field_validator").await;
    // Version 2 also validates fields, but spins out of fuel: easy to tell apart.
    upload(&t, "rules", "hostile_infinite_loop").await;
    let (status, b) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": "rules", "interface": "field-validator", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!(b["version"], 1);
    let path = format!("/plugin-bindings/{}", b["id"].as_str().unwrap());
    let (status, _) = t
        .post("/plugins/rules/activate", json!({"version": 2}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let input = json!({"input": one_field(json!({"minLength": 1}))});
    let run = |input: serde_json::Value| {
        let t = &t;
        let path = path.clone();
        async move {
            let (status, run) = t.post(&format!("{path}/invoke"), input).await;
            assert_eq!(status, StatusCode::OK, "{run}");
            (
                run["version"].as_u64().unwrap(),
                run["outcome"].as_str().unwrap().to_string(),
            )
        }
    };
    // Pinned: the active version 2 is not used.
    assert_eq!(run(input.clone()).await, (1, "ok".to_string()));
    // A patch without "version" keeps the pin.
    let (_, patched) = t.patch(&path, json!({"settings": {"note": "kept"}})).await;
    assert_eq!(patched["version"], 1, "{patched}");
    assert_eq!(run(input.clone()).await, (1, "ok".to_string()));
    // "version": null unpins: the binding follows the active version again.
    let (status, patched) = t.patch(&path, json!({"version": null})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert!(patched["version"].is_null(), "{patched}");
    assert!(t.get(&path).await.1["version"].is_null());
    assert_eq!(run(input.clone()).await, (2, "out_of_fuel".to_string()));
    // And a number pins again.
    let (_, patched) = t.patch(&path, json!({"version": 1})).await;
    assert_eq!(patched["version"], 1, "{patched}");
    assert_eq!(run(input).await, (1, "ok".to_string()));
    assert_error(
        t.patch(&path, json!({"version": 7})).await,
        StatusCode::NOT_FOUND,
        "plugin_version_not_found",
    );
    // Each binding run is in the log with the binding and the version it ran.
    let (_, log) = t.get("/plugins/rules/invocations").await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|i| i["bindingId"] == b["id"]), "{log}");
    let versions: Vec<_> = items
        .iter()
        .map(|i| i["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 1, 2, 1]);
}

#[tokio::test]
async fn dry_runs_of_signup_policy_and_lifecycle_hooks() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "hooks", "example_lifecycle_hooks").await;
    let event = |vip: bool, groups: serde_json::Value| {
        json!({"profile": {"id": "p1", "email": "a@b.c", "status": "active", "groups": groups, "data": {"vip": vip}},
               "user": null, "actor": {"kind": "api-key", "id": "k1"}, "details": {}})
    };
    let dry = |hook: &str, vip: bool| {
        json!({"interface": "lifecycle-hooks", "input": {"hook": hook, "event": event(vip, json!([]))},
               "settings": {"grantGroup": "customers"}})
    };
    let (_, run) = t
        .post(
            "/plugins/hooks/versions/1/dry-run",
            dry("before-block", true),
        )
        .await;
    assert_eq!(run["outcome"], "denied", "{run}");
    assert!(run["result"]["veto"]["message"]
        .as_str()
        .unwrap()
        .contains("vip"));
    let (_, run) = t
        .post(
            "/plugins/hooks/versions/1/dry-run",
            dry("before-block", false),
        )
        .await;
    assert_eq!(run["outcome"], "ok", "{run}");
    let (_, run) = t
        .post(
            "/plugins/hooks/versions/1/dry-run",
            dry("after-grant-access", false),
        )
        .await;
    assert_eq!(
        run["result"]["effects"],
        json!([{"type": "add-to-group", "group": "customers"}]),
        "{run}"
    );

    // Bad input is a 400 that names the problem, and nothing runs.
    assert_error(
        t.post(
            "/plugins/hooks/versions/1/dry-run",
            dry("before-explode", false),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    );
    assert_error(
        t.post(
            "/plugins/hooks/versions/1/dry-run",
            json!({"interface": "field-validator", "input": one_field(json!({}))}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "interface_not_exported",
    );
}

#[tokio::test]
async fn invocation_log_and_counters() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let up = upload(&t, "spinner", "hostile_infinite_loop").await;
    let id = up["pluginId"].as_str().unwrap();
    for settings in [
        json!({"iterations": 10}),
        json!({}),
        json!({"iterations": 10}),
    ] {
        let (status, _) = t
            .post("/plugins/spinner/versions/1/dry-run",
                json!({"interface": "field-validator", "input": one_field(json!({})), "settings": settings}))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, log) = t.get("/plugins/spinner/invocations").await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["outcome"], "ok");
    assert_eq!(items[1]["outcome"], "out_of_fuel");
    assert_eq!(
        items[1]["error"],
        "fuel limit of 10000000 instructions exhausted"
    );
    assert_eq!(items[1]["fuelUsed"], 10_000_000);
    assert_eq!(items[0]["pluginId"], id);
    assert_eq!(items[0]["version"], 1);
    assert_eq!(items[0]["interface"], "field-validator");
    assert_eq!(items[0]["function"], "validate");
    assert!(items[0]["durationUs"].is_u64() && items[0]["bindingId"].is_null());

    let (_, page) = t.get("/plugin-invocations?limit=2").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["nextCursor"].as_str().unwrap();
    let (_, rest) = t
        .get(&format!("/plugin-invocations?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["nextCursor"].is_null());

    // The tenant's log is in time order across plugins, paged by invocation id.
    upload(&t, "other", "hostile_infinite_loop").await;
    for name in ["other", "spinner"] {
        let (status, _) = t
            .post(&format!("/plugins/{name}/versions/1/dry-run"),
                json!({"interface": "field-validator", "input": one_field(json!({})), "settings": {"iterations": 1}}))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, all) = t.get("/plugin-invocations?limit=4").await;
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pluginName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["spinner", "spinner", "spinner", "other"]);
    let cursor = all["nextCursor"].as_str().unwrap();
    assert_eq!(cursor, all["items"][3]["id"]);
    let (_, last) = t
        .get(&format!("/plugin-invocations?limit=4&cursor={cursor}"))
        .await;
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert_eq!(last["items"][0]["pluginName"], "spinner");
    assert!(last["nextCursor"].is_null());

    let (_, plugin) = t.get(&format!("/plugins/{id}")).await;
    assert_eq!(plugin["counters"]["total"], 4);
    assert_eq!(plugin["counters"]["byOutcome"]["ok"], 3);
    assert_eq!(plugin["counters"]["byOutcome"]["out_of_fuel"], 1);
    assert_eq!(plugin["counters"]["byOutcome"]["memory"], 0);
}
