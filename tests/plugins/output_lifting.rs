//! The output limit bounds what the host copies of an answer, not only what it keeps: guests
//! whose answers alias one string thousands of times (a few KB of guest memory standing for
//! 2 GiB) end `bad_output` naming the limit, while the server's peak memory barely moves. Each
//! interface lifts its own answer types: the validator's violations, the signup policy's
//! decision (claims), the hooks' effects and veto messages.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::upload_bytes;
use crate::support::{guests, Server, TenantApi};

/// How much the server's peak resident memory may grow during one such call, in KiB: the
/// answer is copied only up to the 1 MiB limit (copied whole, it took +128 MiB).
const MAX_PEAK_GROWTH_KIB: u64 = 8 << 10;

/// Answers past the limit: 4,096 of them, each aliasing the same 512 KiB.
const MANY: u32 = 4096;
const LEN: u32 = 512 << 10;

const PAST_ERROR: &str =
    "output limit of 1 MiB exceeded: the plugin returned more than 1048576 bytes";

async fn upload_aliased(t: &TenantApi, name: &str, file: &str, count: u32, len: u32) {
    let (status, body) = upload_bytes(t, name, guests::aliased(file, count, len)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn dry_run(t: &TenantApi, plugin: &str, interface: &str, input: &Value) -> Value {
    let (status, body) = t
        .post(
            &format!("/plugins/{plugin}/versions/1/dry-run"),
            json!({"interface": interface, "input": input, "settings": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "dry run: {body}");
    body
}

/// Runs `plugin`, whose answer is far past the output limit: `bad_output` naming the limit,
/// no result, and the server's peak memory within `MAX_PEAK_GROWTH_KIB` of where it was.
async fn assert_stops_at_the_limit(
    server: &Server,
    t: &TenantApi,
    plugin: &str,
    interface: &str,
    input: &Value,
) {
    let before = server.reset_peak_rss_kib();
    let past = dry_run(t, plugin, interface, input).await;
    let growth = server.peak_rss_kib().saturating_sub(before);
    assert_eq!(past["outcome"], "bad_output", "{past}");
    assert_eq!(past["error"], PAST_ERROR);
    assert_eq!(past["result"], Value::Null);
    assert!(
        growth < MAX_PEAK_GROWTH_KIB,
        "the server's peak memory grew by {growth} KiB during the call"
    );
}

#[tokio::test]
async fn validator_violations_stop_at_the_output_limit() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let file = "aliased-violations.wat";
    upload_aliased(&t, "inside", file, 3, 1000).await;
    upload_aliased(&t, "past", file, MANY, LEN).await;
    let input = json!({"fields": [{"marker": "nickname", "type": "string", "value": "ann"}]});
    let inside = dry_run(&t, "inside", "field-validator", &input).await;
    assert_eq!(inside["outcome"], "denied", "{inside}");
    let violations = inside["result"]["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 3);
    assert_eq!(violations[0]["message"].as_str().unwrap().len(), 1000);
    assert_stops_at_the_limit(&server, &t, "past", "field-validator", &input).await;
    let again = dry_run(&t, "inside", "field-validator", &input).await;
    assert_eq!(again["outcome"], "denied", "{again}");
}

#[tokio::test]
async fn signup_claims_stop_at_the_output_limit() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let file = "aliased-claims.wat";
    upload_aliased(&t, "inside", file, 3, 1000).await;
    upload_aliased(&t, "past", file, MANY, LEN).await;
    let input =
        json!({"request": {"profileId": "p", "profileEmail": "p@example.com", "ttlSeconds": 60}});
    let inside = dry_run(&t, "inside", "signup-policy", &input).await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    assert_eq!(inside["result"]["allowed"], true, "{inside}");
    assert_stops_at_the_limit(&server, &t, "past", "signup-policy", &input).await;
    let again = dry_run(&t, "inside", "signup-policy", &input).await;
    assert_eq!(again["outcome"], "ok", "{again}");
}

#[tokio::test]
async fn hook_effects_and_vetoes_stop_at_the_output_limit() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let file = "aliased-effects.wat";
    upload_aliased(&t, "inside", file, 3, 1000).await;
    upload_aliased(&t, "past", file, MANY, LEN).await;
    // A veto has one message: past the limit on its own.
    upload_aliased(&t, "long-veto", file, 1, 2 << 20).await;
    let hook = |name: &str| json!({"hook": name, "event": {"profile": {"id": "p1"}}});
    let inside = dry_run(&t, "inside", "lifecycle-hooks", &hook("after-grant-access")).await;
    assert_eq!(inside["outcome"], "ok", "{inside}");
    let effects = inside["result"]["effects"].as_array().unwrap();
    assert_eq!(effects.len(), 3, "{inside}");
    assert_eq!(effects[0]["type"], "add-to-group");
    let veto = dry_run(&t, "inside", "lifecycle-hooks", &hook("before-block")).await;
    assert_eq!(veto["outcome"], "denied", "{veto}");
    assert_eq!(
        veto["result"]["veto"]["message"].as_str().unwrap().len(),
        1000
    );
    let input = hook("after-grant-access");
    assert_stops_at_the_limit(&server, &t, "past", "lifecycle-hooks", &input).await;
    let input = hook("before-block");
    assert_stops_at_the_limit(&server, &t, "long-veto", "lifecycle-hooks", &input).await;
    let again = dry_run(&t, "inside", "lifecycle-hooks", &hook("after-block")).await;
    assert_eq!(again["outcome"], "ok", "{again}");
}
