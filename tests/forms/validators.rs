//! Validator plugins on form writes: the example validator bound and working for each of the 15
//! types, bindings per field type and per form field, one invocation per plugin per request, and
//! a hostile validator failing closed or open.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::validator_rules::{plugin_form, plugin_good_values, plugin_rules};
use super::{entries, user_data_path, violations};
use crate::plugins::upload;
use crate::support::{Server, TenantApi, OPERATOR_TOKEN};

async fn bind(t: &TenantApi, plugin: &str, target: &str, settings: Value, policy: &str) -> String {
    let (status, b) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": plugin, "interface": "field-validator", "target": target, "settings": settings, "failurePolicy": policy}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

/// The example validator `guest` bound fail-closed to every field, and the form `plug` with
/// every type.
async fn validated_form(t: &TenantApi, guest: &str) {
    upload(t, "validator", guest).await;
    bind(t, "validator", "*", json!({}), "fail-closed").await;
    let (status, form) = t.post("/forms", plugin_form("plug")).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
}

async fn invocation_count(t: &TenantApi) -> usize {
    t.get("/plugin-invocations?limit=500").await.1["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn the_example_validator_checks_every_type_in_one_call() {
    checks_every_type_in_one_call("example_field_validator").await;
}

/// The JavaScript port of the example (`plugins/examples-js`, QuickJS), uploaded under the
/// default limits: the same codes on a real form write.
#[tokio::test]
async fn the_javascript_validator_checks_every_type_in_one_call() {
    checks_every_type_in_one_call("field_validator_js").await;
}

/// The Python port (`plugins/examples-python`, componentize-py), under the default limits.
#[tokio::test]
async fn the_python_validator_checks_every_type_in_one_call() {
    checks_every_type_in_one_call("field_validator_py").await;
}

async fn checks_every_type_in_one_call(guest: &str) {
    let server = Server::start();
    let t = server.tenant("acme").await;
    validated_form(&t, guest).await;
    let path = user_data_path(&t, "a@example.com", "plug").await;

    // Good values of all 15 types pass the plugin, in one invocation.
    let before = invocation_count(&t).await;
    let (status, body) = t
        .put(&path, json!({"formData": entries(&plugin_good_values())}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        invocation_count(&t).await,
        before + 1,
        "one call for the whole request"
    );

    // Each type's setting broken on its own: the plugin's code on that field's marker.
    for (marker, ty, _, bad, code) in plugin_rules() {
        let found = violations(
            t.put(
                &path,
                json!({"formData": [{"marker": marker, "type": ty, "value": bad}]}),
            )
            .await,
        );
        assert_eq!(found, vec![(marker.to_string(), code.to_string())], "{ty}");
    }
    // All broken at once: every violation together, nothing written, still one call.
    let before = invocation_count(&t).await;
    let all_bad: Vec<(&str, &str, Value)> = plugin_rules()
        .into_iter()
        .map(|(m, ty, _, bad, _)| (m, ty, bad))
        .collect();
    let found = violations(t.put(&path, json!({"formData": entries(&all_bad)})).await);
    assert_eq!(found.len(), 15, "{found:?}");
    assert_eq!(invocation_count(&t).await, before + 1);
    let (_, stored) = t.get(&path).await;
    let stored_s = stored["formData"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["marker"] == "s")
        .unwrap()
        .clone();
    assert_eq!(stored_s["value"], "abc", "the good values stayed: {stored}");
}

#[tokio::test]
async fn bindings_per_field_type_and_per_field() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "validator", "example_field_validator").await;
    t.post(
        "/forms",
        json!({"identifier": "a", "fields": [{"marker": "name", "type": "string"}, {"marker": "code", "type": "string"}, {"marker": "n", "type": "integer"}]}),
    )
    .await;
    t.post(
        "/forms",
        json!({"identifier": "b", "fields": [{"marker": "title", "type": "string"}]}),
    )
    .await;
    let path_a = user_data_path(&t, "a@example.com", "a").await;
    let path_b = path_a.replace("/form-data/a", "/form-data/b");
    // Every string field of every form: at most 5 characters.
    bind(
        &t,
        "validator",
        "type:string",
        json!({"maxLength": 5}),
        "fail-closed",
    )
    .await;
    // One field of form a: a pattern.
    bind(
        &t,
        "validator",
        "field:a/code",
        json!({"pattern": "^[A-Z]+$"}),
        "fail-closed",
    )
    .await;

    let long = "toolong";
    let found = violations(
        t.put(
            &path_a,
            json!({"formData": [{"marker": "name", "value": long}, {"marker": "code", "value": "abc"}, {"marker": "n", "value": 999}]}),
        )
        .await,
    );
    assert_eq!(
        found,
        vec![
            ("name".to_string(), "too_long".to_string()),
            ("code".to_string(), "pattern_mismatch".to_string())
        ]
    );
    let found = violations(
        t.put(
            &path_b,
            json!({"formData": [{"marker": "title", "value": long}]}),
        )
        .await,
    );
    assert_eq!(
        found,
        vec![("title".to_string(), "too_long".to_string())],
        "the type binding covers every form"
    );
    let (status, _) = t.put(&path_a, json!({"formData": [{"marker": "name", "value": "ok"}, {"marker": "code", "value": "ABC"}]})).await;
    assert_eq!(status, StatusCode::OK);

    // A field's own `validators` are laid over the binding's settings: the more specific wins.
    let (status, form) = t
        .post(
            "/forms",
            json!({"identifier": "c", "fields": [{"marker": "nick", "type": "string", "validators": {"maxLength": 10}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let path_c = path_a.replace("/form-data/a", "/form-data/c");
    let (status, body) = t
        .put(
            &path_c,
            json!({"formData": [{"marker": "nick", "value": long}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found = violations(
        t.put(
            &path_c,
            json!({"formData": [{"marker": "nick", "value": "far too long"}]}),
        )
        .await,
    );
    assert_eq!(found, vec![("nick".to_string(), "too_long".to_string())]);
}

#[tokio::test]
async fn a_hostile_validator_fails_closed_or_open() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "spinner", "hostile_infinite_loop").await;
    let binding = bind(&t, "spinner", "*", json!({}), "fail-closed").await;
    t.post(
        "/forms",
        json!({"identifier": "a", "fields": [{"marker": "name", "type": "string"}]}),
    )
    .await;
    let path = user_data_path(&t, "a@example.com", "a").await;
    let (status, body) = t
        .put(
            &path,
            json!({"formData": [{"marker": "name", "value": "x"}]}),
        )
        .await;
    let found = violations((status, body.clone()));
    assert_eq!(
        found,
        vec![("name".to_string(), "validator_failed".to_string())]
    );
    assert!(
        body.to_string().contains("(out_of_fuel: fuel limit of"),
        "names the documented outcome and the limit: {body}"
    );
    assert!(!body.to_string().contains("OutOfFuel"), "{body}");
    assert_eq!(t.get(&path).await.1["formData"], json!([]));

    t.patch(
        &format!("/plugin-bindings/{binding}"),
        json!({"failurePolicy": "fail-open"}),
    )
    .await;
    let (status, _) = t
        .put(
            &path,
            json!({"formData": [{"marker": "name", "value": "x"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "fail-open lets the write through");
    // Another tenant is unaffected.
    let other = server.tenant("other").await;
    other
        .post(
            "/forms",
            json!({"identifier": "a", "fields": [{"marker": "name", "type": "string"}]}),
        )
        .await;
    let other_path = user_data_path(&other, "o@example.com", "a").await;
    assert_eq!(
        other
            .put(
                &other_path,
                json!({"formData": [{"marker": "name", "value": "x"}]})
            )
            .await
            .0,
        StatusCode::OK
    );
}

/// The forms layer hands the validator WIT values and takes its violations back typed; the
/// output limit still applies to them: inside it the violations arrive, past it the binding
/// fails closed naming the limit.
#[tokio::test]
async fn a_validators_output_is_capped_on_the_typed_path() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "flood", "hostile_huge_output").await;
    let binding = bind(&t, "flood", "*", json!({"bytes": 10_000}), "fail-closed").await;
    t.post(
        "/forms",
        json!({"identifier": "a", "fields": [{"marker": "name", "type": "string"}]}),
    )
    .await;
    let path = user_data_path(&t, "a@example.com", "a").await;
    let write = json!({"formData": [{"marker": "name", "value": "x"}]});
    let found = violations(t.put(&path, write.clone()).await);
    assert_eq!(found, vec![("huge".to_string(), "huge".to_string()); 3]);

    t.patch(
        &format!("/plugin-bindings/{binding}"),
        json!({"settings": {}}),
    )
    .await;
    let (status, body) = t.put(&path, write).await;
    let found = violations((status, body.clone()));
    assert_eq!(
        found,
        vec![("name".to_string(), "validator_failed".to_string())]
    );
    assert!(
        body.to_string().contains("output limit of 1 MiB exceeded"),
        "names the limit: {body}"
    );
}

/// Handlers answer only once their writes are committed, though the thread that ran the
/// operation is released before the commit: concurrent validated updates (and refused ones)
/// with every commit held 100 ms, then a crash (SIGKILL) right after the last answer; after the
/// restart every answered update is there, and so is every invocation record, the refused
/// requests' included.
#[tokio::test]
async fn answered_updates_and_their_invocation_log_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(
        dir.path(),
        Some(OPERATOR_TOKEN),
        &["--test-commit-delay-ms", "100"],
    );
    let t = server.tenant("crash").await;
    validated_form(&t, "example_field_validator").await;
    let mut paths = Vec::new();
    for i in 0..24 {
        paths.push(user_data_path(&t, &format!("u{i}@example.com"), "plug").await);
    }
    let before = invocation_count(&t).await;
    let mut updates = tokio::task::JoinSet::new();
    for (i, path) in paths.iter().enumerate() {
        let (api, path) = (t.api.clone(), path.clone());
        // Every third one breaks the plugin's rule for `s`; the others store `s` = `v<i>`.
        let value = if i % 3 == 0 {
            json!("abcdef")
        } else {
            json!(format!("v{i}"))
        };
        updates.spawn(async move {
            let body = json!({"formData": [{"marker": "s", "type": "string", "value": value}]});
            (i, path.clone(), api.put(&path, body).await)
        });
    }
    let mut stored = Vec::new();
    for (i, path, (status, body)) in updates.join_all().await {
        if i % 3 == 0 {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        } else {
            assert_eq!(status, StatusCode::OK, "{body}");
            stored.push((path, format!("v{i}")));
        }
    }
    server.kill();

    let server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = server.tenant_again(&t);
    for (path, value) in stored {
        let (status, body) = t.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let s = body["formData"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["marker"] == "s")
            .unwrap_or_else(|| panic!("{path}: no `s` after the crash: {body}"));
        assert_eq!(s["value"], value.as_str(), "{path}");
    }
    assert_eq!(invocation_count(&t).await, before + paths.len());
}

/// Configuration read on every request (bindings, their settings, the tenant's plugin limits)
/// is decoded once and reused: a change must still apply from the very next request.
#[tokio::test]
async fn validator_configuration_changes_apply_to_the_next_request() {
    let server = Server::start();
    let t = server.tenant("config").await;
    upload(&t, "validator", "example_field_validator").await;
    let binding = bind(&t, "validator", "*", json!({}), "fail-closed").await;
    let (status, form) = t.post("/forms", plugin_form("plug")).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let path = user_data_path(&t, "a@example.com", "plug").await;
    let too_long = json!({"formData": [{"marker": "s", "type": "string", "value": "abcdef"}]});
    let refused = |resp| violations(resp) == vec![("s".to_string(), "too_long".to_string())];

    assert!(refused(t.put(&path, too_long.clone()).await));
    let (status, body) = t
        .patch(
            &format!("/plugin-bindings/{binding}"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = t.put(&path, too_long.clone()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a disabled binding still validated: {body}"
    );

    let (status, body) = t
        .patch(
            &format!("/plugin-bindings/{binding}"),
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(refused(t.put(&path, too_long.clone()).await));

    // Limits: one unit of fuel, and the binding (fail-closed) refuses every write.
    let (status, body) = t.put("/plugin-limits", json!({"fuel": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found = violations(t.put(&path, too_long.clone()).await);
    assert_eq!(
        found,
        vec![("s".to_string(), "validator_failed".to_string())]
    );

    // Deleting the binding stops the calls at once.
    let (status, body) = t.delete(&format!("/plugin-bindings/{binding}")).await;
    assert!(status.is_success(), "{status} {body}");
    let (status, body) = t.put(&path, too_long).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a deleted binding still validated: {body}"
    );
}

#[tokio::test]
async fn concurrent_validated_updates_run_on_a_single_operation_thread() {
    // No step of a validated update (plugin call, host look-ups, invocation log, deferred
    // durability) waits for another operation: one operation thread serves them all.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        Some(OPERATOR_TOKEN),
        &["--operation-threads", "1"],
    );
    let t = server.tenant("acme").await;
    validated_form(&t, "example_field_validator").await;
    let path = user_data_path(&t, "a@example.com", "plug").await;
    let before = invocation_count(&t).await;
    let mut updates = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (api, path) = (t.api.clone(), path.clone());
        let body = json!({"formData": entries(&plugin_good_values())});
        updates.spawn(async move { api.put(&path, body).await });
    }
    for (status, body) in updates.join_all().await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(invocation_count(&t).await, before + 16);
}
