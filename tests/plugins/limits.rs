//! Every limit as a pair with a real hostile guest: inside the limit it works; past it the call
//! ends with an error naming the limit, and then the host still serves, the tenant's next good
//! call succeeds, and another tenant is unaffected.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{assert_validator_works, one_field, upload, upload_bytes, validate};
use crate::support::{guests, raise_operator_maximum, Server, TenantApi};

/// The built-in ceiling of fuel, which the operator allows in these tests: lets memory, output
/// and deadline limits be reached first.
const MAX_FUEL: u64 = crate::support::CEILING_FUEL;

async fn setup(guest: &str) -> (Server, TenantApi, TenantApi) {
    let server = Server::start();
    raise_operator_maximum(&server).await;
    let t = server.tenant("acme").await;
    let other = server.tenant("other").await;
    upload(&t, "hostile", guest).await;
    assert_validator_works(&other).await;
    (server, t, other)
}

async fn set_limits(t: &TenantApi, limits: Value) {
    let (status, body) = t.put("/plugin-limits", limits).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// After a hostile call: the host serves, the tenant's next good call works, the other tenant too.
async fn assert_unaffected(server: &Server, t: &TenantApi, other: &TenantApi) {
    assert_eq!(server.anonymous().get("/v1/health").await.0, StatusCode::OK);
    assert_validator_works(t).await;
    assert_validator_works(other).await;
}

async fn run(t: &TenantApi, settings: Value) -> Value {
    validate(t, "hostile", 1, one_field(json!({})), settings).await
}

#[tokio::test]
async fn fuel_limit_pair() {
    let (server, t, other) = setup("hostile_infinite_loop").await;
    let inside = run(&t, json!({"iterations": 1000})).await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    let past = run(&t, json!({})).await;
    assert_eq!(past["outcome"], "out_of_fuel", "{past}");
    assert_eq!(
        past["error"],
        "fuel limit of 10000000 instructions exhausted"
    );
    assert_eq!(past["fuelUsed"], 10_000_000);
    assert_unaffected(&server, &t, &other).await;
}

#[tokio::test]
async fn deadline_limit_pair() {
    let (server, t, other) = setup("hostile_infinite_loop").await;
    set_limits(&t, json!({"fuel": MAX_FUEL, "deadlineMs": 20})).await;
    let inside = run(&t, json!({"iterations": 1000})).await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    let past = run(&t, json!({})).await;
    assert_eq!(past["outcome"], "deadline", "{past}");
    assert_eq!(past["error"], "deadline of 20 ms exceeded");
    assert_unaffected(&server, &t, &other).await;
}

#[tokio::test]
async fn memory_limit_pair() {
    let (server, t, other) = setup("hostile_memory_bomb").await;
    set_limits(&t, json!({"fuel": MAX_FUEL})).await;
    let inside = run(&t, json!({"megabytes": 8})).await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    let past = run(&t, json!({})).await;
    assert_eq!(past["outcome"], "memory", "{past}");
    assert!(
        past["error"]
            .as_str()
            .unwrap()
            .starts_with("memory limit of 32 MiB exceeded"),
        "{past}"
    );
    // A tenant override moves the limit: 8 MiB no longer fits in 4 MiB.
    set_limits(&t, json!({"fuel": MAX_FUEL, "memoryBytes": 4 << 20})).await;
    let past = run(&t, json!({"megabytes": 8})).await;
    assert_eq!(past["outcome"], "memory", "{past}");
    assert!(
        past["error"]
            .as_str()
            .unwrap()
            .starts_with("memory limit of 4 MiB exceeded"),
        "{past}"
    );
    assert_unaffected(&server, &t, &other).await;
}

#[tokio::test]
async fn output_limit_pair() {
    let (server, t, other) = setup("hostile_huge_output").await;
    set_limits(&t, json!({"fuel": MAX_FUEL})).await;
    let inside = run(&t, json!({"bytes": 10_000})).await;
    assert_eq!(inside["outcome"], "denied", "{inside}");
    assert!(!inside["result"]["violations"]
        .as_array()
        .unwrap()
        .is_empty());
    let past = run(&t, json!({})).await;
    assert_eq!(past["outcome"], "bad_output", "{past}");
    assert!(
        past["error"]
            .as_str()
            .unwrap()
            .starts_with("output limit of 1 MiB exceeded"),
        "{past}"
    );
    assert_eq!(past["result"], Value::Null);
    assert_unaffected(&server, &t, &other).await;
}

#[tokio::test]
async fn log_limit_pair() {
    let (server, t, other) = setup("hostile_log_flood").await;
    let inside = run(&t, json!({"bytes": 1000})).await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    let logs = inside["logs"].as_str().unwrap();
    assert!(
        logs.contains("INFO yyy") && !logs.contains("log limit"),
        "{logs}"
    );
    let past = run(&t, json!({})).await;
    assert_eq!(
        past["outcome"], "ok",
        "a chatty plugin still answers: {past}"
    );
    let logs = past["logs"].as_str().unwrap();
    assert!(logs.contains("[log limit of 4 KiB reached"), "{logs}");
    assert!(logs.len() < 4096 + 200, "kept {} bytes", logs.len());
    assert_unaffected(&server, &t, &other).await;
}

#[tokio::test]
async fn stack_overflow_traps_cleanly() {
    let (server, t, other) = setup("hostile_stack_overflow").await;
    let inside = run(&t, json!({"depth": 100})).await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    let past = run(&t, json!({})).await;
    assert_eq!(past["outcome"], "trap", "{past}");
    assert!(
        past["error"].as_str().unwrap().contains("stack overflow"),
        "{past}"
    );
    assert_unaffected(&server, &t, &other).await;
}

#[tokio::test]
async fn panic_is_a_trap_with_its_message_in_the_logs() {
    let (server, t, other) = setup("hostile_panic").await;
    let past = run(&t, json!({})).await;
    assert_eq!(past["outcome"], "trap", "{past}");
    assert!(
        past["logs"]
            .as_str()
            .unwrap()
            .contains("panicked on purpose"),
        "{past}"
    );
    assert_unaffected(&server, &t, &other).await;
}

#[tokio::test]
async fn a_slow_plugin_does_not_stall_other_requests() {
    let (server, t, _other) = setup("hostile_infinite_loop").await;
    // Each call spins until its (large) fuel budget or 5 s deadline ends it.
    set_limits(&t, json!({"fuel": MAX_FUEL, "deadlineMs": 5000})).await;
    let slow: Vec<_> = (0..3)
        .map(|_| {
            let api = t.api.clone();
            tokio::spawn(async move {
                api.post(
                    "/plugins/hostile/versions/1/dry-run",
                    json!({"interface": "field-validator", "input": one_field(json!({})), "settings": {}}),
                )
                .await
            })
        })
        .collect();
    server
        .wait_for_admission("running the slow calls", |a| {
            a["pluginCallsHeld"].as_u64() >= Some(1)
        })
        .await;
    // More slow calls than the server has async worker threads are running; health answers.
    assert_eq!(server.anonymous().get("/v1/health").await.0, StatusCode::OK);
    assert!(
        slow.iter().any(|h| !h.is_finished()),
        "the slow calls ended before health answered"
    );
    for h in slow {
        let (status, body) = h.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["outcome"], "out_of_fuel", "{body}");
    }
}

/// Dry-runs version 1 of `plugin` as a signup policy.
async fn decide(t: &TenantApi, plugin: &str) -> Value {
    let (status, body) = t
        .post(
            &format!("/plugins/{plugin}/versions/1/dry-run"),
            json!({"interface": "signup-policy", "settings": {},
                "input": {"request": {"profileId": "p", "profileEmail": "p@example.com", "ttlSeconds": 60}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "dry run: {body}");
    body
}

/// The memory limit covers every memory of a call together, nested components' included: three
/// nested instances of 8 MiB each fit in the default 32 MiB; three of 16 MiB each (each one
/// under the limit on its own) end the call with `memory`.
#[tokio::test]
async fn memory_limit_counts_all_memories_of_nested_components_together() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let other = server.tenant("other").await;
    let (status, body) =
        upload_bytes(&t, "inside", guests::many_memories(3, Some(128), false)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = upload_bytes(&t, "past", guests::many_memories(3, Some(256), false)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let inside = decide(&t, "inside").await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    let past = decide(&t, "past").await;
    assert_eq!(past["outcome"], "memory", "{past}");
    assert!(
        past["error"]
            .as_str()
            .unwrap()
            .starts_with("memory limit of 32 MiB exceeded"),
        "{past}"
    );
    // A raised limit lets the same plugin run.
    set_limits(&t, json!({"memoryBytes": 64 << 20})).await;
    assert_eq!(decide(&t, "past").await["outcome"], "ok");
    assert_unaffected(&server, &t, &other).await;
}

/// The per-component caps, each as a pair: at the cap the upload is accepted and runs; one past
/// it, it is refused before it runs, naming the cap. Nested components count in.
#[tokio::test]
async fn per_component_caps_pair() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let accepted = [
        // 64 core instances (63 nested and the policy's own).
        ("instances", guests::many_memories(63, None, false)),
        // 4 memories (3 nested and the policy's own).
        ("memories", guests::many_memories(3, Some(1), false)),
        // 8 tables.
        ("tables", guests::many_memories(8, None, true)),
    ];
    for (name, bytes) in accepted {
        let (status, body) = upload_bytes(&t, name, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        assert_eq!(decide(&t, name).await["outcome"], "ok", "{name}");
    }
    let refused = [
        (
            guests::many_memories(64, None, false),
            "creates more than 64 core module instances",
        ),
        (
            guests::many_memories(4, Some(1), false),
            "defines more than 4 linear memories",
        ),
        (
            guests::many_memories(9, None, true),
            "defines more than 8 tables",
        ),
    ];
    for (bytes, message) in refused {
        let (status, body) = upload_bytes(&t, "refused", bytes).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "component_too_complex", "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(message),
            "{message}: {body}"
        );
    }
    let (_, list) = t.get("/plugins?limit=100").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3, "{list}");
}
