//! The invocation log is bounded: `portico serve --invocations-kept-per-plugin N` keeps each
//! plugin's newest N records, pruned back to N once it holds N / 10 (at least 1) more (concurrent
//! calls included), while the plugin's counters keep counting every call.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{one_field, upload, validate};
use crate::support::{serve_refuses, Server, TenantApi, OPERATOR_TOKEN};

/// One dry run of `plugin`; answers its invocation id.
async fn call(t: &TenantApi, plugin: &str) -> String {
    let run = validate(t, plugin, 1, one_field(json!({"minLength": 2})), json!({})).await;
    assert_eq!(run["outcome"], "ok", "{run}");
    run["invocationId"].as_str().unwrap().to_string()
}

/// The ids in `plugin`'s log, oldest first.
async fn logged_ids(t: &TenantApi, plugin: &str) -> Vec<String> {
    let (status, log) = t
        .get(&format!("/plugins/{plugin}/invocations?limit=100"))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

async fn counters(t: &TenantApi, plugin: &str) -> Value {
    let (status, view) = t.get(&format!("/plugins/{plugin}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["counters"].clone()
}

/// The newest `n` of `ids` (record ids are time-ordered), oldest first.
fn newest(ids: &[String], n: usize) -> Vec<String> {
    let mut sorted = ids.to_vec();
    sorted.sort();
    sorted.split_off(sorted.len() - n)
}

#[tokio::test]
async fn each_plugin_keeps_its_newest_records_and_counts_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(
        dir.path(),
        Some(OPERATOR_TOKEN),
        &["--invocations-kept-per-plugin", "3"],
    );
    let t = server.tenant("acme").await;
    upload(&t, "busy", "example_field_validator").await;
    upload(&t, "quiet", "example_field_validator").await;

    // With N = 3 the log is pruned back to 3 when it passes 4.
    let mut busy = Vec::new();
    for _ in 0..4 {
        busy.push(call(&t, "busy").await);
    }
    assert_eq!(logged_ids(&t, "busy").await, busy);
    busy.push(call(&t, "busy").await);
    let quiet = call(&t, "quiet").await;
    assert_eq!(logged_ids(&t, "busy").await, busy[2..]);
    // Pruning is per plugin: the other plugin's record stays.
    assert_eq!(logged_ids(&t, "quiet").await, [quiet]);
    let c = counters(&t, "busy").await;
    assert_eq!(
        (c["total"].as_u64(), c["logged"].as_u64()),
        (Some(5), Some(3)),
        "{c}"
    );
    assert_eq!(c["byOutcome"]["ok"], 5, "{c}");

    // Concurrent calls land in shared batches: each prunes over its neighbours' changes.
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let t = server.tenant_again(&t);
        calls.spawn(async move { call(&t, "busy").await });
    }
    busy.extend(calls.join_all().await);
    let kept = logged_ids(&t, "busy").await;
    assert!((3..=4).contains(&kept.len()), "{kept:?}");
    assert_eq!(kept, newest(&busy, kept.len()));
    let c = counters(&t, "busy").await;
    assert_eq!(c["total"], 17, "{c}");
    assert_eq!(c["logged"].as_u64(), Some(kept.len() as u64), "{c}");
    let (_, all) = t.get("/plugin-invocations?limit=100").await;
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        kept.len() + 1,
        "{all}"
    );
    assert!(server.stop().success());

    // A lower maximum after a restart: the next call takes the log down to it at once (past
    // 1 + 1).
    let server = Server::start_with(
        dir.path(),
        Some(OPERATOR_TOKEN),
        &["--invocations-kept-per-plugin", "1"],
    );
    let t = server.tenant_again(&t);
    assert_eq!(
        logged_ids(&t, "busy").await,
        kept,
        "nothing pruned before a call"
    );
    let last = call(&t, "busy").await;
    assert_eq!(logged_ids(&t, "busy").await, [last]);
    let c = counters(&t, "busy").await;
    assert_eq!(
        (c["total"].as_u64(), c["logged"].as_u64()),
        (Some(18), Some(1)),
        "{c}"
    );
}

#[test]
fn the_maximum_must_be_at_least_one() {
    let stderr = serve_refuses(&["--invocations-kept-per-plugin", "0"]);
    assert!(stderr.contains("--invocations-kept-per-plugin"), "{stderr}");
}
