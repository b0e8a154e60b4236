//! Lifecycle hooks of both WIT versions, built from `plugins/`: 0.1.0 hooks
//! (`plugins/compat/lifecycle-hooks-0-1`) load and run their hooks as before, and answer the
//! hooks added in 0.2.0 (`before-update-user`, `after-update-user`) as the SDK's defaults do
//! without running; the 0.2.0 example hooks decide on user updates.

use std::sync::Arc;

use serde_json::{json, Value};

use portico_core::plugins::{Answer, Effect, Veto, HOOKS, HOOKS_SINCE_0_2_0};

use super::version_tests::guest;
use super::{Call, CallInput, Interface, Limits, NoLookups, Outcome, Report, Runtime};

const OLD: &str = "compat_lifecycle_hooks_0_1";
const NEW: &str = "example_lifecycle_hooks";

/// Prepares the guest `name` and calls its hook `hook` on an event about a profile with
/// `data`, `details` and the binding's `settings`.
fn call(runtime: &Runtime, name: &str, hook: &str, data: Value, details: Value) -> Report {
    let limits = Limits::default();
    let prepared = runtime
        .prepare(&guest(name), limits.component_bytes)
        .unwrap_or_else(|r| panic!("{name}: {r}"));
    assert_eq!(prepared.exports, [Interface::LifecycleHooks]);
    let input = json!({"hook": hook, "event": {
        "profile": {"id": "p1", "email": "vip@example.com", "status": "active", "userId": "u1",
                    "groups": [], "data": data},
        "user": {"id": "u1", "email": "vip@example.com", "status": "active", "groups": [],
                 "data": {}},
        "actor": {"kind": "portal-user", "id": "u1"},
        "details": details,
    }});
    let call = Call {
        interface: Interface::LifecycleHooks,
        input: CallInput::Json(input),
        settings: json!({"grantGroup": "customers", "updateGroup": "updated"}).to_string(),
        limits,
        lookups: Arc::new(NoLookups),
    };
    runtime
        .invoke(&prepared.sha256, call)
        .expect("the call runs")
}

fn email_change() -> Value {
    json!({"changes": {"email": "other@example.com"}})
}

#[test]
fn the_update_user_hooks_are_the_ones_added_in_0_2_0() {
    assert_eq!(
        HOOKS_SINCE_0_2_0,
        ["before-update-user", "after-update-user"]
    );
    assert!(HOOKS_SINCE_0_2_0.iter().all(|h| HOOKS.contains(h)));
}

#[test]
fn hooks_of_0_1_0_still_run() {
    let runtime = Runtime::new().unwrap();
    let vetoed = call(
        &runtime,
        OLD,
        "before-block",
        json!({"locked": true}),
        json!({}),
    );
    assert_eq!(vetoed.outcome, Outcome::Denied, "{vetoed:?}");
    assert_eq!(
        vetoed.answer,
        Some(Answer::HookVetoed(Veto {
            message: "0.1.0 hooks: profile p1 is locked".into()
        }))
    );
    let granted = call(&runtime, OLD, "after-grant-access", json!({}), json!({}));
    assert_eq!(
        granted.answer,
        Some(Answer::Effects(vec![Effect::AddToGroup(
            "customers".into()
        )]))
    );
    assert!(granted.fuel_used > 0);
}

#[test]
fn hooks_of_0_1_0_take_no_part_in_user_updates() {
    let runtime = Runtime::new().unwrap();
    let data = json!({"locked": true, "vip": true});
    let before = call(
        &runtime,
        OLD,
        "before-update-user",
        data.clone(),
        email_change(),
    );
    assert_eq!(before.outcome, Outcome::Ok, "{before:?}");
    assert_eq!(before.answer, Some(Answer::HookAllowed));
    assert_eq!(before.result, Some(json!({"allowed": true})));
    assert_eq!(before.fuel_used, 0, "nothing ran");
    assert!(before.logs.contains("do not take part"), "{}", before.logs);
    assert!(
        before.logs.contains("before-update-user"),
        "{}",
        before.logs
    );

    let after = call(&runtime, OLD, "after-update-user", data, email_change());
    assert_eq!(after.outcome, Outcome::Ok, "{after:?}");
    assert_eq!(after.answer, Some(Answer::Effects(Vec::new())));
    assert_eq!(after.fuel_used, 0, "nothing ran");
}

#[test]
fn hooks_of_0_2_0_decide_user_updates() {
    let runtime = Runtime::new().unwrap();
    let vip = json!({"vip": true});
    let vetoed = call(
        &runtime,
        NEW,
        "before-update-user",
        vip.clone(),
        email_change(),
    );
    assert_eq!(vetoed.outcome, Outcome::Denied, "{vetoed:?}");
    assert_eq!(
        vetoed.result,
        Some(json!({"allowed": false, "veto": {
            "message": "profile p1 is marked vip: its email cannot be changed"}}))
    );
    let names = json!({"changes": {"firstName": "Vera"}});
    let allowed = call(&runtime, NEW, "before-update-user", vip, names);
    assert_eq!(allowed.answer, Some(Answer::HookAllowed), "{allowed:?}");
    assert!(allowed.fuel_used > 0);

    let after = call(
        &runtime,
        NEW,
        "after-update-user",
        json!({}),
        email_change(),
    );
    assert_eq!(
        after.answer,
        Some(Answer::Effects(vec![Effect::AddToGroup("updated".into())])),
        "{after:?}"
    );
}
