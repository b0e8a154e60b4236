//! Components of both WIT versions, built from `plugins/` as the black-box tests build them: a
//! 0.1.0 signup policy (`plugins/compat/signup-policy-0-1`) and the 0.2.0 example policy both
//! load and decide signup links; only the 0.2.0 one is called for self sign-ups. The upload
//! check refuses any other version as before. (The hooks of both versions:
//! `hook_version_tests`.)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};

use portico_core::plugins::{Answer, Refusal};

use super::{Call, CallInput, Interface, Limits, NoLookups, Outcome, Report, Runtime};

const TARGET: &str = "wasm32-wasip2";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the guest plugins once per test process (adding the target when it is missing).
fn guests() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let installed = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .expect("run rustup");
        if !String::from_utf8_lossy(&installed.stdout)
            .lines()
            .any(|l| l.trim() == TARGET)
        {
            let added = Command::new("rustup")
                .args(["target", "add", TARGET])
                .status();
            assert!(added.expect("run rustup").success(), "rustup target add");
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "--target", TARGET, "--manifest-path"])
            .arg(repo_root().join("plugins/Cargo.toml"))
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .status()
            .expect("run cargo build for the guest plugins");
        assert!(status.success(), "building the guest plugins failed");
        repo_root()
            .join("plugins/target")
            .join(TARGET)
            .join("release")
    })
}

/// The bytes of the guest `name` (built on first use).
pub(crate) fn guest(name: &str) -> Vec<u8> {
    std::fs::read(guests().join(format!("{name}.wasm"))).expect("read a guest plugin")
}

const OLD: &str = "compat_signup_policy_0_1";
const NEW: &str = "example_signup_policy";

/// Prepares the guest `name` and calls its signup policy on `input` with `settings`.
fn call(runtime: &Runtime, name: &str, input: Value, settings: Value) -> Report {
    let limits = Limits::default();
    let prepared = runtime
        .prepare(&guest(name), limits.component_bytes)
        .unwrap_or_else(|r| panic!("{name}: {r}"));
    assert_eq!(prepared.exports, [Interface::SignupPolicy]);
    let call = Call {
        interface: Interface::SignupPolicy,
        input: CallInput::Json(input),
        settings: settings.to_string(),
        limits,
        lookups: Arc::new(NoLookups),
    };
    runtime
        .invoke(&prepared.sha256, call)
        .expect("the call runs")
}

fn link_request(email: &str) -> Value {
    json!({"request": {"profileId": "p1", "profileEmail": email, "ttlSeconds": 86400}})
}

fn self_signup(email: &str) -> Value {
    json!({"function": "decide-self-signup", "request": {
        "email": email, "authProvider": "email", "formIdentifier": "signup", "langCode": "en_US",
        "fields": [{"marker": "company", "type": "string", "value": "Acme"}]}})
}

fn claims(report: &Report) -> Vec<(String, String)> {
    match &report.answer {
        Some(Answer::SignupAllowed(decision)) => decision.claims.clone(),
        other => panic!("{other:?}: {report:?}"),
    }
}

#[test]
fn components_of_both_versions_decide_signup_links() {
    let runtime = Runtime::new().unwrap();
    let old = call(&runtime, OLD, link_request("ann@example.com"), json!({}));
    assert_eq!(claims(&old), [("policyVersion".into(), "0.1.0".into())]);
    let denied = call(
        &runtime,
        OLD,
        link_request("ann@evil.com"),
        json!({"deniedDomain": "evil.com"}),
    );
    assert_eq!(denied.outcome, Outcome::Denied);
    let settings = json!({"allowedDomains": ["example.com"]});
    let new = call(
        &runtime,
        NEW,
        link_request("ann@example.com"),
        settings.clone(),
    );
    assert_eq!(claims(&new), [("emailDomain".into(), "example.com".into())]);
    let denied = call(&runtime, NEW, link_request("ann@evil.com"), settings);
    assert_eq!(denied.outcome, Outcome::Denied);
}

#[test]
fn a_0_1_0_policy_is_not_called_for_a_self_signup_and_allows_it() {
    let runtime = Runtime::new().unwrap();
    let report = call(
        &runtime,
        OLD,
        self_signup("ann@evil.com"),
        json!({"deniedDomain": "evil.com"}),
    );
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(report.answer, Some(Answer::SelfSignupAllowed));
    assert_eq!(report.result, Some(json!({"allowed": true})));
    assert_eq!(report.fuel_used, 0, "nothing ran");
    assert!(
        report.logs.contains("does not take part"),
        "{}",
        report.logs
    );
}

#[test]
fn a_0_2_0_policy_decides_a_self_signup() {
    let runtime = Runtime::new().unwrap();
    let settings = json!({"allowedDomains": ["example.com"], "selfSignup": {
        "requiredFields": ["company"], "denialCode": "closed", "denialMessage": "not for {domain}"}});
    let allowed = call(
        &runtime,
        NEW,
        self_signup("ann@example.com"),
        settings.clone(),
    );
    assert_eq!(allowed.outcome, Outcome::Ok, "{allowed:?}");
    assert_eq!(allowed.answer, Some(Answer::SelfSignupAllowed));
    assert!(allowed.fuel_used > 0);
    let denied = call(&runtime, NEW, self_signup("ann@evil.com"), settings);
    assert_eq!(denied.outcome, Outcome::Denied);
    let Some(Answer::SignupDenied(denial)) = &denied.answer else {
        panic!("{denied:?}")
    };
    assert_eq!(
        (denial.code.as_str(), denial.message.as_str()),
        ("closed", "not for evil.com")
    );
    assert_eq!(
        denied.result,
        Some(
            json!({"allowed": false, "denial": {"code": "closed", "message": "not for evil.com"}})
        )
    );
}

#[test]
fn an_unknown_signup_function_is_bad_input() {
    let runtime = Runtime::new().unwrap();
    let prepared = runtime.prepare(&guest(NEW), u64::MAX).unwrap();
    let call = Call {
        interface: Interface::SignupPolicy,
        input: CallInput::Json(json!({"function": "decide-later", "request": {}})),
        settings: "{}".into(),
        limits: Limits::default(),
        lookups: Arc::new(NoLookups),
    };
    let error = runtime.invoke(&prepared.sha256, call).unwrap_err();
    assert!(error.to_string().contains("decide-later"), "{error}");
}

#[test]
fn an_interface_of_another_version_is_refused() {
    let path = repo_root().join("plugins/hostile/aliased-violations.wat");
    let text = std::fs::read_to_string(path).unwrap();
    let text = text
        .replace("{COUNT}", "1")
        .replace("{LEN}", "1")
        .replace("@0.1.0", "@0.3.0");
    let bytes = wat::parse_str(&text).unwrap();
    let refusal = Runtime::new()
        .unwrap()
        .prepare(&bytes, u64::MAX)
        .unwrap_err();
    assert_eq!(refusal, Refusal::NoExports);
    assert!(
        refusal
            .message()
            .contains("field-validator@0.1.0 or @0.2.0"),
        "{refusal}"
    );
}
