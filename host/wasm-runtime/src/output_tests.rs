//! Answers that alias one string many times, from the WAT guests of `plugins/hostile/`: within
//! the output limit they arrive whole; past it lifting stops with `bad_output` naming the limit.

use std::sync::Arc;

use serde_json::{json, Value};

use super::{Call, CallInput, Interface, Limits, NoLookups, Outcome, Report, Runtime};

/// `plugins/hostile/FILE` with `count` answers each aliasing the same `len` bytes.
fn aliased(file: &str, count: u32, len: u32) -> Vec<u8> {
    let path = format!("{}/../../plugins/hostile/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("read a WAT guest");
    let text = text
        .replace("{COUNT}", &count.to_string())
        .replace("{LEN}", &len.to_string());
    wat::parse_str(&text).unwrap_or_else(|e| panic!("compile {path}: {e}"))
}

fn invoke(runtime: &Runtime, bytes: &[u8], interface: Interface, input: &Value) -> Report {
    let limits = Limits::default();
    let prepared = runtime
        .prepare(bytes, limits.component_bytes)
        .unwrap_or_else(|r| panic!("{r}"));
    let call = Call {
        interface,
        input: CallInput::Json(input.clone()),
        settings: "{}".into(),
        limits,
        lookups: Arc::new(NoLookups),
    };
    runtime
        .invoke(&prepared.sha256, &call)
        .expect("the call runs")
}

/// 4,096 answers of 512 KiB each: 2 GiB from a few KB of guest memory.
const MANY: (u32, u32) = (4096, 512 << 10);

#[test]
fn aliased_answers_stop_at_the_output_limit() {
    let runtime = Runtime::new().unwrap();
    let event = json!({"profile": {"id": "p1"}});
    let cases = [
        (
            "aliased-violations.wat",
            Interface::FieldValidator,
            json!({"fields": [{"marker": "nickname", "type": "string", "value": "ann", "settings": {}}]}),
            Outcome::Denied,
            MANY,
        ),
        (
            "aliased-claims.wat",
            Interface::SignupPolicy,
            json!({"request": {"profileId": "p", "profileEmail": "p@example.com", "ttlSeconds": 60}}),
            Outcome::Ok,
            MANY,
        ),
        (
            "aliased-effects.wat",
            Interface::LifecycleHooks,
            json!({"hook": "after-grant-access", "event": event}),
            Outcome::Ok,
            MANY,
        ),
        (
            "aliased-effects.wat",
            Interface::LifecycleHooks,
            json!({"hook": "before-block", "event": event}),
            Outcome::Denied,
            // A veto has one message.
            (1, 2 << 20),
        ),
    ];
    for (file, interface, input, answered, (count, len)) in cases {
        let inside = invoke(&runtime, &aliased(file, 3, 1000), interface, &input);
        assert_eq!(inside.outcome, answered, "{file}: {:?}", inside.error);
        let past = invoke(&runtime, &aliased(file, count, len), interface, &input);
        assert_eq!(past.outcome, Outcome::BadOutput, "{file}: {:?}", past.error);
        assert_eq!(
            past.error.as_deref(),
            Some("output limit of 1 MiB exceeded: the plugin returned more than 1048576 bytes"),
            "{file}"
        );
        assert!(past.result.is_none(), "{file}");
    }
}

/// Many empty items are past the limit by their framing alone: the list is refused before it
/// is allocated (40,000 violations take 1.4 MB as JSON).
#[test]
fn many_empty_items_stop_at_the_output_limit() {
    let runtime = Runtime::new().unwrap();
    let input = json!({"fields": [{"marker": "nickname", "type": "string", "value": "ann", "settings": {}}]});
    let bytes = aliased("aliased-violations.wat", 40_000, 0);
    let past = invoke(&runtime, &bytes, Interface::FieldValidator, &input);
    assert_eq!(past.outcome, Outcome::BadOutput, "{:?}", past.error);
    assert_eq!(
        past.error.as_deref(),
        Some("output limit of 1 MiB exceeded: the plugin returned more than 1048576 bytes")
    );
}
