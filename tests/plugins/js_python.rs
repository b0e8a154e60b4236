//! JavaScript and Python guests (`plugins/examples-js`, `plugins/examples-python`), built from
//! the npm registry and PyPI by `plugins/build-js-python`: their SDKs' and examples' unit tests
//! pass, they upload under the default limits, and every limit holds them as it holds Rust
//! guests (inside: the call works; past it: the error names the limit). Their form writes are in
//! `forms::validators`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{upload, upload_bytes, validate};
use crate::support::{guests, raise_operator_maximum, Server, TenantApi, CEILING_FUEL};

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

async fn set_limits(t: &TenantApi, limits: Value) {
    let (status, body) = t.put("/plugin-limits", limits).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The sample form repeated `times` over, each field with its own marker.
fn repeated_fields(times: usize) -> Value {
    let fields = sample_fields()["fields"].as_array().unwrap().clone();
    let many: Vec<Value> = (0..times)
        .flat_map(|i| {
            fields.iter().map(move |f| {
                let mut f = f.clone();
                f["marker"] = json!(format!("{}-{i}", f["marker"].as_str().unwrap()));
                f
            })
        })
        .collect();
    json!({"fields": many})
}

/// A signup-link request the example policies deny (and log).
async fn decide_denied(t: &TenantApi, plugin: &str) -> Value {
    let input = json!({"request": {"profileId": "p1", "profileEmail": "eve@elsewhere.net", "ttlSeconds": 600,
                                   "withSign": false, "refresh": false, "liveLinks": 0}});
    let (status, body) = t
        .post(
            &format!("/plugins/{plugin}/versions/1/dry-run"),
            json!({"interface": "signup-policy", "input": input, "settings": {"allowedDomains": ["example.com"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The other limits as pairs for each language, as `plugins::limits` has them for Rust guests:
/// the component size at upload, then memory, deadline, output and logs per call. Inside each
/// the call answers as it should; past it the outcome and the error name the limit, and the
/// next call under the defaults works again.
#[tokio::test]
async fn limit_pairs_for_javascript_and_python() {
    let server = Server::start();
    raise_operator_maximum(&server).await;
    let t = server.tenant("acme").await;
    for language in ["js", "py"] {
        let validator = format!("field_validator_{language}");
        let policy = format!("signup_policy_{language}");
        let bytes = guests::bytes(&validator);

        // Component size: refused over the tenant's limit, taken under the default.
        set_limits(&t, json!({"componentBytes": bytes.len() - 1})).await;
        let (status, body) = upload_bytes(&t, &validator, bytes).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{validator}: {body}");
        assert_eq!(body["error"]["code"], "component_too_large", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("component size limit"),
            "{body}"
        );
        set_limits(&t, json!({})).await;
        upload(&t, &validator, &validator).await;
        upload(&t, &policy, &policy).await;

        // Memory: the language's runtime does not fit in 1 MiB.
        set_limits(&t, json!({"memoryBytes": 1 << 20})).await;
        let past = validate(&t, &validator, 1, sample_fields(), json!({})).await;
        assert_eq!(past["outcome"], "memory", "{validator}: {past}");
        assert!(
            past["error"]
                .as_str()
                .unwrap()
                .starts_with("memory limit of 1 MiB exceeded"),
            "{past}"
        );

        // Deadline: 600 fields take far longer than 2 ms; within 1 s they are answered.
        set_limits(&t, json!({"fuel": CEILING_FUEL, "deadlineMs": 1_000})).await;
        let inside = validate(&t, &validator, 1, repeated_fields(40), json!({})).await;
        assert_eq!(
            inside["outcome"], "denied",
            "{validator}: {}",
            inside["error"]
        );
        assert_eq!(
            inside["result"]["violations"].as_array().unwrap().len(),
            8 * 40
        );
        set_limits(&t, json!({"fuel": CEILING_FUEL, "deadlineMs": 2})).await;
        let past = validate(&t, &validator, 1, repeated_fields(40), json!({})).await;
        assert_eq!(past["outcome"], "deadline", "{validator}: {past}");
        assert_eq!(past["error"], "deadline of 2 ms exceeded");

        // Output: 8 violations do not fit in 100 bytes.
        set_limits(&t, json!({"outputBytes": 100})).await;
        let past = validate(&t, &validator, 1, sample_fields(), json!({})).await;
        assert_eq!(past["outcome"], "bad_output", "{validator}: {past}");
        assert!(
            past["error"]
                .as_str()
                .unwrap()
                .starts_with("output limit of 100 bytes exceeded"),
            "{past}"
        );

        // Logs: the policy's line is kept under the default, cut at 10 bytes.
        set_limits(&t, json!({})).await;
        let inside = decide_denied(&t, &policy).await;
        assert_eq!(inside["outcome"], "denied", "{policy}: {inside}");
        assert!(
            inside["logs"]
                .as_str()
                .unwrap()
                .contains("denied p1: domain_not_allowed"),
            "{inside}"
        );
        set_limits(&t, json!({"logBytes": 10})).await;
        let past = decide_denied(&t, &policy).await;
        assert_eq!(
            past["outcome"], "denied",
            "a plugin past its log limit still answers: {past}"
        );
        assert!(
            past["logs"]
                .as_str()
                .unwrap()
                .contains("[log limit of 10 bytes reached"),
            "{past}"
        );

        set_limits(&t, json!({})).await;
        let again = validate(&t, &validator, 1, sample_fields(), json!({})).await;
        assert_eq!(again["outcome"], "denied", "{validator}: {again}");
    }
}

/// The Python SDK is a package: installed with pip into a fresh virtual environment (its pinned
/// componentize-py with it), its command builds the Python signup policy, which passes the Rust
/// example's fixtures.
#[test]
fn the_python_sdk_installs_with_pip_and_its_command_builds_a_plugin() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let run = |program: &std::path::Path, args: &[&std::ffi::OsStr]| {
        let output = std::process::Command::new(program)
            .args(args)
            .output()
            .unwrap();
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success(),
            "{} {args:?}: {shown}",
            program.display()
        );
        shown
    };
    run(
        "python3".as_ref(),
        &["-m".as_ref(), "venv".as_ref(), venv.as_os_str()],
    );
    let sdk = repo.join("plugins/sdk-python");
    run(
        &venv.join("bin/pip"),
        &[
            "install".as_ref(),
            "--quiet".as_ref(),
            "--disable-pip-version-check".as_ref(),
            sdk.as_os_str(),
        ],
    );
    let component = dir.path().join("policy.wasm");
    let app = repo.join("plugins/examples-python/signup-policy");
    run(
        &venv.join("bin/portico-plugin-build-py"),
        &[app.as_os_str(), "-o".as_ref(), component.as_os_str()],
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .current_dir(repo.join("plugins/examples/signup-policy"))
        .args(["plugin", "test"])
        .arg(&component)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("2 fixtures: 2 passed, 0 failed"), "{shown}");
}
