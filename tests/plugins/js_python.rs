//! JavaScript and Python guests (`plugins/examples-js`, `plugins/examples-python`), built from
//! the npm registry and PyPI by `plugins/build-js-python`: their SDKs' and examples' unit tests
//! pass, they upload under the default limits, and the limits hold them as they hold Rust
//! guests (inside: the call works; past it: the error names the limit). Their form writes are in
//! `forms::validators`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{upload, validate};
use crate::support::{guests, Server, TenantApi};

#[test]
fn the_sdks_and_examples_pass_their_own_tests_and_build() {
    if let Err(e) = guests::js_python_build() {
        panic!("{e}");
    }
}

/// The sample form (15 fields, one of each type) of the Rust example.
fn sample_fields() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/examples/field-validator/sample-input.json");
    let sample: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    json!({"fields": sample["fields"]})
}

async fn set_fuel(t: &TenantApi, fuel: u64) {
    let (status, body) = t.put("/plugin-limits", json!({"fuel": fuel})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The fuel limit as a pair for each language's validator: the 15 fields within the default
/// budget answer the same 8 violations as the Rust example; with a budget below what the call
/// needs, the call ends `out_of_fuel` naming the limit, and the tenant's next call works.
#[tokio::test]
async fn fuel_limit_pair_for_javascript_and_python() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    for guest in ["field_validator_js", "field_validator_py"] {
        upload(&t, guest, guest).await;
        set_fuel(&t, 10_000_000).await;
        let inside = validate(&t, guest, 1, sample_fields(), json!({})).await;
        assert_eq!(inside["outcome"], "denied", "{guest}: {inside}");
        let violations = inside["result"]["violations"].as_array().unwrap();
        assert_eq!(violations.len(), 8, "{guest}: {inside}");
        let used = inside["fuelUsed"].as_u64().unwrap();
        assert!(used < 5_000_000, "{guest}: {used} fuel for 15 fields");

        set_fuel(&t, used / 2).await;
        let past = validate(&t, guest, 1, sample_fields(), json!({})).await;
        assert_eq!(past["outcome"], "out_of_fuel", "{guest}: {past}");
        assert_eq!(
            past["error"],
            format!("fuel limit of {} instructions exhausted", used / 2),
            "{guest}"
        );
        set_fuel(&t, 10_000_000).await;
        let again = validate(&t, guest, 1, sample_fields(), json!({})).await;
        assert_eq!(again["outcome"], "denied", "{guest}: {again}");
    }
}
