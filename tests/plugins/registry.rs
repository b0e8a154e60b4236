//! Upload, refusals, versions, activate/rollback/delete, cached artifacts across restarts,
//! and the `portico plugin run` CLI.

use reqwest::StatusCode;
use serde_json::json;
use sha2::Digest;

use super::{assert_validator_works, one_field, upload, upload_bytes, validate};
use crate::support::{assert_error, guests, Server, OPERATOR_TOKEN};

#[tokio::test]
async fn upload_answers_id_version_sha256_and_exports() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let bytes = guests::bytes("example_field_validator");
    let (status, body) = super::upload_bytes(&t, "validator", bytes.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["name"], "validator");
    assert_eq!(body["version"], 1);
    assert_eq!(body["active"], true);
    assert_eq!(body["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
    assert_eq!(body["size"], bytes.len());
    assert_eq!(body["exports"], json!(["field-validator"]));
    assert_eq!(body["pluginId"].as_str().unwrap().len(), 32);

    let hooks = upload(&t, "spinner", "hostile_infinite_loop").await;
    assert_eq!(
        hooks["exports"],
        json!(["signup-policy", "field-validator", "lifecycle-hooks"])
    );
}

#[tokio::test]
async fn uploads_are_refused_with_the_reason() {
    let server = Server::start();
    let t = server.tenant("acme").await;

    let (status, body) = upload_bytes(&t, "core", guests::core_module()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "not_a_component");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("not a WebAssembly component"),
        "{body}"
    );

    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let (status, body) = upload_bytes(&t, "random", random).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["message"], "not a WebAssembly component");

    let (status, body) = upload_bytes(&t, "sockets", guests::bytes("hostile_sockets")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "forbidden_imports");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("wasi:sockets/tcp@"), "{message}");
    assert!(
        message.contains("which Portico does not provide"),
        "{message}"
    );

    let (status, body) =
        upload_bytes(&t, "nothing", guests::bytes("hostile_exports_nothing")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "no_portico_exports");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("exports no Portico interface"));

    // Size: 25 MiB that start like a component exceed the 24 MiB default.
    let mut big = b"\0asm\x0d\0\x01\0".to_vec();
    big.resize(25 << 20, 0);
    let (status, body) = upload_bytes(&t, "big", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "component_too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds 24 MiB"),
        "{body}"
    );

    // Nothing refused was stored; the tenant still uploads and runs plugins.
    let (_, list) = t.get("/plugins").await;
    assert_eq!(list["items"], json!([]));
    assert_validator_works(&t).await;
    assert_eq!(server.anonymous().get("/v1/health").await.0, StatusCode::OK);
}

/// A component exporting a Portico interface under its name but with another signature is
/// refused at upload, naming the mismatch; like every refusal of imports or exports, before
/// anything is compiled.
#[tokio::test]
async fn wrong_signatures_and_forbidden_imports_are_refused_without_compiling() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let compilations = || async {
        server.operator().get("/v1/plugin-runtime").await.1["compilations"]
            .as_u64()
            .unwrap()
    };
    let before = compilations().await;
    let wrong = guests::wat_component("wrong-signature.wat", &[]);
    let (status, body) = upload_bytes(&t, "wrong", wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "signature_mismatch", "{body}");
    assert_eq!(
        body["error"]["message"],
        "portico:plugin/field-validator@0.1.0 does not match the interface Portico serves: \
         it has `validate: func(fields: string) -> string` where the interface has \
         `validate: func(fields: list<field>) -> list<violation>`"
    );
    let (status, body) = upload_bytes(&t, "sockets", guests::bytes("hostile_sockets")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "forbidden_imports");
    let (status, _) = upload_bytes(&t, "nothing", guests::bytes("hostile_exports_nothing")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(compilations().await, before, "a refused upload compiled");
    // The right signatures pass, and then compile once.
    upload(&t, "validator", "example_field_validator").await;
    assert_eq!(compilations().await, before + 1);
    let (_, list) = t.get("/plugins").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

/// A few KB declaring a 15 MiB memory image compile to 15 MiB: the compiled size limit refuses
/// it with 413, naming the limit; within a raised limit the same upload is accepted.
#[tokio::test]
async fn operator_maximum_is_set_by_the_operator_and_bounds_every_tenant() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let op = server.operator();
    upload(&t, "spinner", "hostile_infinite_loop").await;
    // Before the operator sets anything, the maximum is the ceiling with fuel and deadline
    // lower: a tenant cannot hold a core for seconds per call unless the operator allows it.
    let (status, limits) = op.get("/v1/plugin-limits").await;
    assert_eq!(status, StatusCode::OK, "{limits}");
    assert_eq!(limits["maximum"]["fuel"], 1_000_000_000u64);
    assert_eq!(limits["maximum"]["deadlineMs"], 1_000);
    assert_eq!(limits["maximum"]["memoryBytes"], 256 << 20);
    assert_eq!(limits["ceiling"]["fuel"], 10_000_000_000u64);
    assert_eq!(limits["ceiling"]["deadlineMs"], 5_000);
    assert_error(
        t.put("/plugin-limits", json!({"deadlineMs": 1_001})).await,
        StatusCode::BAD_REQUEST,
        "limit_out_of_range",
    );
    // The tenant raises its fuel above the default, within today's maximum.
    let (status, _) = t.put("/plugin-limits", json!({"fuel": 50_000_000})).await;
    assert_eq!(status, StatusCode::OK);

    // Only the operator sets the maximum, and only within the ceiling.
    assert_error(
        crate::support::Api::new(&server.base_url, Some(&t.key))
            .put("/v1/plugin-limits", json!({"fuel": 1}))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        op.put("/v1/plugin-limits", json!({"deadlineMs": 5_001}))
            .await,
        StatusCode::BAD_REQUEST,
        "limit_out_of_range",
    );
    let (status, limits) = op
        .put(
            "/v1/plugin-limits",
            json!({"fuel": 20_000_000, "deadlineMs": 1_000}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{limits}");
    assert_eq!(limits["maximum"]["fuel"], 20_000_000);
    assert_eq!(limits["maximum"]["deadlineMs"], 1_000);
    assert_eq!(limits["maximum"]["memoryBytes"], 256 << 20);

    // The tenant sees the new maximum; its stored 50 M is lowered to it; it cannot set more.
    let (_, mine) = t.get("/plugin-limits").await;
    assert_eq!(mine["operatorMaximum"]["fuel"], 20_000_000, "{mine}");
    assert_eq!(mine["overrides"]["fuel"], 50_000_000);
    assert_eq!(mine["effective"]["fuel"], 20_000_000);
    let (status, body) = t.put("/plugin-limits", json!({"fuel": 20_000_001})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["message"],
        "fuel must be between 1 and the operator's maximum of 20000000"
    );
    // Calls run under the lowered limit.
    let past = validate(&t, "spinner", 1, one_field(json!({})), json!({})).await;
    assert_eq!(
        past["error"], "fuel limit of 20000000 instructions exhausted",
        "{past}"
    );
    // A maximum below a default lowers the default too.
    op.put("/v1/plugin-limits", json!({"fuel": 1_000_000}))
        .await;
    let (status, _) = t.put("/plugin-limits", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, mine) = t.get("/plugin-limits").await;
    assert_eq!(
        (
            mine["defaults"]["fuel"].as_u64(),
            mine["effective"]["fuel"].as_u64()
        ),
        (Some(1_000_000), Some(1_000_000))
    );
    let past = validate(&t, "spinner", 1, one_field(json!({})), json!({})).await;
    assert_eq!(
        past["error"], "fuel limit of 1000000 instructions exhausted",
        "{past}"
    );
}

#[tokio::test]
async fn versions_activate_rollback_and_delete() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    // Another tenant runs the same bytes as version 1 (one compiled copy in the process).
    let other = server.tenant("other").await;
    assert_validator_works(&other).await;
    let v1 = upload(&t, "rules", "example_field_validator").await;
    let id = v1["pluginId"].as_str().unwrap().to_string();
    // Version 2 is another component (it also validates fields); it waits for activation.
    let v2 = upload(&t, "rules", "hostile_infinite_loop").await;
    assert_eq!(v2["pluginId"], v1["pluginId"]);
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["active"], false);

    let (_, versions) = t.get("/plugins/rules/versions").await;
    let items = versions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["active"], true);
    assert_eq!(items[1]["active"], false);
    assert_eq!(items[1]["loadedFrom"], "compiled");

    // A binding follows the active version: v1 validates, v2 spins out of fuel.
    let (status, binding) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": id, "interface": "field-validator", "settings": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{binding}");
    let path = format!(
        "/plugin-bindings/{}/invoke",
        binding["id"].as_str().unwrap()
    );
    let input = json!({"input": one_field(json!({"minLength": 1}))});
    let (_, run) = t.post(&path, input.clone()).await;
    assert_eq!(
        (run["version"].as_u64(), run["outcome"].as_str()),
        (Some(1), Some("ok")),
        "{run}"
    );

    let (status, plugin) = t
        .post("/plugins/rules/activate", json!({"version": 2}))
        .await;
    assert_eq!(status, StatusCode::OK, "{plugin}");
    assert_eq!(plugin["activeVersion"], 2);
    let (_, run) = t.post(&path, input.clone()).await;
    assert_eq!(
        (run["version"].as_u64(), run["outcome"].as_str()),
        (Some(2), Some("out_of_fuel")),
        "{run}"
    );

    let (status, plugin) = t.post_empty(&format!("/plugins/{id}/rollback")).await;
    assert_eq!(status, StatusCode::OK, "{plugin}");
    assert_eq!(plugin["activeVersion"], 1);
    let (_, run) = t.post(&path, input).await;
    assert_eq!(
        (run["version"].as_u64(), run["outcome"].as_str()),
        (Some(1), Some("ok")),
        "{run}"
    );
    assert_error(
        t.post_empty("/plugins/rules/rollback").await,
        StatusCode::CONFLICT,
        "nothing_to_roll_back",
    );
    assert_error(
        t.post("/plugins/rules/activate", json!({"version": 9}))
            .await,
        StatusCode::NOT_FOUND,
        "plugin_version_not_found",
    );

    // Delete: refused while bound, then gone with its versions and log.
    assert_error(
        t.delete("/plugins/rules").await,
        StatusCode::CONFLICT,
        "plugin_in_use",
    );
    let (status, _) = t
        .delete(&format!(
            "/plugin-bindings/{}",
            binding["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let loaded = |stats: serde_json::Value| stats["loadedVersions"].as_u64().unwrap();
    assert_eq!(
        loaded(server.operator().get("/v1/plugin-runtime").await.1),
        2
    );
    assert_eq!(t.delete("/plugins/rules").await.0, StatusCode::NO_CONTENT);
    // The deleted versions' compiled code is freed in the process.
    assert_eq!(
        loaded(server.operator().get("/v1/plugin-runtime").await.1),
        0
    );
    // The other tenant's copy loads again from the stored artifact, without compiling.
    let before = server.operator().get("/v1/plugin-runtime").await.1;
    assert_validator_works(&other).await;
    let after = server.operator().get("/v1/plugin-runtime").await.1;
    assert_eq!(after["compilations"], before["compilations"], "{after}");
    assert_eq!(
        after["deserializations"].as_u64().unwrap(),
        before["deserializations"].as_u64().unwrap() + 1
    );
    assert_error(
        t.get(&format!("/plugins/{id}")).await,
        StatusCode::NOT_FOUND,
        "plugin_not_found",
    );
    let (_, log) = t.get("/plugin-invocations").await;
    assert_eq!(log["items"], json!([]));
}

#[tokio::test]
async fn restart_loads_cached_artifacts_without_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = server.tenant("acme").await;
    upload(&t, "validator", "example_field_validator").await;
    upload(&t, "hooks", "example_lifecycle_hooks").await;
    // Process-wide counters are the operator's: a tenant key does not read them.
    assert_error(
        crate::support::Api::new(&server.base_url, Some(&t.key))
            .get("/v1/plugin-runtime")
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        t.get("/plugin-runtime").await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    );
    let (status, stats) = server.operator().get("/v1/plugin-runtime").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["compilations"], 2, "{stats}");
    assert!(server.stop().success());

    let server = Server::start_in(dir.path(), Some(OPERATOR_TOKEN));
    let t = crate::support::TenantApi {
        api: crate::support::Api::new(&server.base_url, Some(&t.key)).scoped("/v1/tenants/acme"),
        namespace: t.namespace.clone(),
        key: t.key.clone(),
    };
    let (_, stats) = server.operator().get("/v1/plugin-runtime").await;
    assert_eq!(stats["compilations"], 0, "restart recompiled: {stats}");
    assert_eq!(stats["deserializations"], 2, "{stats}");
    let (_, version) = t.get("/plugins/validator/versions/1").await;
    assert_eq!(version["loadedFrom"], "deserialized", "{version}");
    let run = validate(
        &t,
        "validator",
        1,
        one_field(json!({"minLength": 5})),
        json!({}),
    )
    .await;
    assert_eq!(run["outcome"], "denied", "{run}");
    let (_, stats) = server.operator().get("/v1/plugin-runtime").await;
    assert_eq!(stats["compilations"], 0, "{stats}");
}

#[test]
fn cli_runs_a_plugin_with_the_server_limits() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["plugin", "run"])
        .arg(guests::path("example_field_validator"))
        .args(["--interface", "field-validator", "--input"])
        .arg(root.join("plugins/examples/field-validator/sample-input.json"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["outcome"], "denied");
    assert_eq!(
        report["result"]["violations"].as_array().unwrap().len(),
        8,
        "{report}"
    );
    assert!(report["fuelUsed"].as_u64().unwrap() > 0);
    assert!(report["durationUs"].as_u64().is_some());

    // Past a limit the runner reports it and fails.
    let input = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input.path(), one_field(json!({})).to_string()).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["plugin", "run"])
        .arg(guests::path("hostile_infinite_loop"))
        .args(["--interface", "field-validator", "--input"])
        .arg(input.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["outcome"], "out_of_fuel");
    assert_eq!(
        report["error"],
        "fuel limit of 10000000 instructions exhausted"
    );
}

#[tokio::test]
async fn compiled_artifacts_go_with_the_last_tenant_holding_the_bytes() {
    let server = Server::start();
    let (a, b) = (server.tenant("acme").await, server.tenant("beta").await);
    let runtime = || async {
        let (status, stats) = server.operator().get("/v1/plugin-runtime").await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        stats
    };
    let compilations = || async { runtime().await["compilations"].as_u64().unwrap() };
    let before = compilations().await;
    upload(&a, "validator", "example_field_validator").await;
    upload(&a, "hooks", "example_lifecycle_hooks").await;
    assert_eq!(compilations().await, before + 2);
    upload(&b, "validator", "example_field_validator").await;
    let stored = || async { runtime().await["storedArtifacts"].as_u64().unwrap() };
    // The same bytes are compiled and stored once for both tenants.
    assert_eq!(
        compilations().await,
        before + 2,
        "the second tenant's upload compiled"
    );
    assert_eq!(stored().await, 2);
    assert_eq!(
        a.delete("/plugins/validator").await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        stored().await,
        2,
        "the other tenant still holds the validator"
    );
    assert_validator_works(&b).await;
    assert_eq!(a.delete("/plugins/hooks").await.0, StatusCode::NO_CONTENT);
    assert_eq!(stored().await, 1);
    let (status, body) = server.operator().delete("/v1/tenants/beta").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(stored().await, 0);
    // Uploading the bytes again compiles and stores them again.
    upload(&a, "validator", "example_field_validator").await;
    assert_eq!(stored().await, 1);
    assert_validator_works(&a).await;
}

#[tokio::test]
async fn after_an_upgrade_from_schema_1_unheld_artifacts_are_swept_while_serving() {
    use base64::Engine as _;
    use portico::store::{RawReader, Store, SystemTable};

    if crate::support::skip_on_postgres("schema 1 and its artifact sweep are the redb file's") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(dir.path(), Some(OPERATOR_TOKEN), &[]);
    let t = server.tenant("acme").await;
    upload(&t, "validator", "example_field_validator").await;
    assert!(server.stop().success());
    {
        // The file as schema 1 left it: no holder index, artifacts stored as JSON base64, and
        // an artifact whose plugin was deleted before artifacts were collected.
        let store = Store::open(dir.path()).unwrap();
        let holders: Vec<String> = store
            .read()
            .unwrap()
            .system_scan_raw(SystemTable::ComponentTenants, None, 100)
            .unwrap()
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        assert_eq!(holders.len(), 1);
        let mut tx = store.write().unwrap();
        for key in &holders {
            tx.system_delete(SystemTable::ComponentTenants, key)
                .unwrap();
        }
        let artifacts = store
            .read()
            .unwrap()
            .system_scan_raw(SystemTable::PluginArtifacts, None, 100)
            .unwrap();
        assert_eq!(artifacts.len(), 1);
        for (key, bytes) in artifacts {
            let legacy = base64::engine::general_purpose::STANDARD.encode(bytes);
            tx.system_put(SystemTable::PluginArtifacts, &key, &legacy)
                .unwrap();
        }
        let orphan = format!("{}\u{1f}engine", "0".repeat(64));
        tx.system_put(SystemTable::PluginArtifacts, &orphan, &"code")
            .unwrap();
        tx.system_put(SystemTable::Meta, "schema_version", &1u32)
            .unwrap();
        tx.commit().unwrap();
    }
    let server = Server::start_with(dir.path(), Some(OPERATOR_TOKEN), &[]);
    let (_, health) = server.anonymous().get("/v1/health").await;
    assert_eq!(
        health["schemaVersion"],
        portico_store_redb::SCHEMA_VERSION,
        "{health}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, stats) = server.operator().get("/v1/plugin-runtime").await;
        if stats["storedArtifacts"] == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not swept: {stats}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The held artifact stays, and the plugin still runs from its base64 row without compiling.
    let t = server.tenant_again(&t);
    assert_validator_works(&t).await;
    let (_, stats) = server.operator().get("/v1/plugin-runtime").await;
    assert_eq!(stats["compilations"], 0, "{stats}");
}
