//! Answers that alias one string many times, from the WAT guests of `plugins/hostile/`: within
//! the output limit they arrive whole (typed, and as JSON for JSON calls); past it lifting stops
//! with `bad_output` naming the limit.

use std::sync::Arc;

use serde_json::{json, Value};

use portico_core::fields::json as field_json;
use portico_core::plugins::Answer;

use super::convert::answer_json;
use super::{Call, CallInput, Interface, Limits, NoLookups, Outcome, Report, Runtime};

/// `plugins/hostile/FILE` with `count` answers each aliasing the same `len` bytes.
fn aliased(file: &str, count: u32, len: u32) -> Vec<u8> {
    let path = format!(
        "{}/../../plugins/hostile/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("read a WAT guest");
    let text = text
        .replace("{COUNT}", &count.to_string())
        .replace("{LEN}", &len.to_string());
    wat::parse_str(&text).unwrap_or_else(|e| panic!("compile {path}: {e}"))
}

fn invoke(runtime: &Runtime, bytes: &[u8], interface: Interface, input: &Value) -> Report {
    invoke_on(runtime, bytes, interface, CallInput::Json(input.clone()))
}

fn invoke_on(runtime: &Runtime, bytes: &[u8], interface: Interface, input: CallInput) -> Report {
    let limits = Limits::default();
    let prepared = runtime
        .prepare(bytes, limits.component_bytes)
        .unwrap_or_else(|r| panic!("{r}"));
    let call = Call {
        interface,
        input,
        settings: "{}".into(),
        limits,
        lookups: Arc::new(NoLookups),
    };
    runtime
        .invoke(&prepared.sha256, call)
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
        assert!(past.answer.is_none(), "{file}");
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

/// A JSON call answers typed, and as the JSON made of that typed answer.
#[test]
fn a_json_call_answers_typed_and_as_its_json() {
    let runtime = Runtime::new().unwrap();
    let event = json!({"profile": {"id": "p1"}});
    let cases = [
        (
            "aliased-violations.wat",
            Interface::FieldValidator,
            json!({"fields": [{"marker": "nickname", "type": "string", "value": "ann", "settings": {}}]}),
        ),
        (
            "aliased-claims.wat",
            Interface::SignupPolicy,
            json!({"request": {"profileId": "p", "profileEmail": "p@example.com", "ttlSeconds": 60}}),
        ),
        (
            "aliased-effects.wat",
            Interface::LifecycleHooks,
            json!({"hook": "after-grant-access", "event": event}),
        ),
        (
            "aliased-effects.wat",
            Interface::LifecycleHooks,
            json!({"hook": "before-block", "event": event}),
        ),
    ];
    for (file, interface, input) in cases {
        let report = invoke(&runtime, &aliased(file, 2, 3), interface, &input);
        let answer = report.answer.as_ref().expect("the plugin answered");
        assert_eq!(report.result, Some(answer_json(answer)), "{file}");
        let expected = match answer {
            Answer::Violations(vs) => vs.len() == 2,
            Answer::SignupAllowed(d) => d.claims.len() == 2,
            Answer::Effects(effects) => effects.len() == 2,
            Answer::HookVetoed(veto) => veto.message.len() == 3,
            _ => false,
        };
        assert!(expected, "{file}: {answer:?}");
    }
}

/// A typed call (validator fields) answers typed only: no JSON is made.
#[test]
fn a_typed_call_answers_typed_only() {
    let runtime = Runtime::new().unwrap();
    let input = json!({"fields": [{"marker": "nickname", "type": "string", "value": "ann", "settings": {}}]});
    let fields = CallInput::Fields(field_json::fields(&input).unwrap());
    let bytes = aliased("aliased-violations.wat", 2, 3);
    let report = invoke_on(&runtime, &bytes, Interface::FieldValidator, fields);
    assert_eq!(report.outcome, Outcome::Denied, "{:?}", report.error);
    assert!(report.result.is_none());
    assert!(matches!(report.answer, Some(Answer::Violations(vs)) if vs.len() == 2));
}

/// An answer that does not lift (here a list running past the guest's memory, then a message
/// that is not UTF-8) is a malformed answer, `bad_output`, not a trap: the guest returned.
/// `plugins/hostile/chosen-answer.wat` answers the memory its first field's marker spells in
/// hex (found by the fuzz target of the answer lift).
#[test]
fn a_malformed_answer_is_bad_output() {
    let runtime = Runtime::new().unwrap();
    let path = format!(
        "{}/../../plugins/hostile/chosen-answer.wat",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = wat::parse_file(&path).unwrap();
    // (pointer, length) of the list, then one violation whose three strings are bytes 32..33.
    let mut list_out_of_bounds = vec![0u8; 8];
    list_out_of_bounds[..4].copy_from_slice(&0xffff_0000u32.to_le_bytes());
    list_out_of_bounds[4..].copy_from_slice(&2u32.to_le_bytes());
    let mut not_utf8 = vec![0u8; 34];
    let mut put =
        |at: usize, value: u32| not_utf8[at..at + 4].copy_from_slice(&value.to_le_bytes());
    put(0, 8);
    put(4, 1);
    for field in [8, 16, 24] {
        put(field, 32);
        put(field + 4, 1);
    }
    not_utf8[32] = 0xff;
    for (memory, error) in [(list_out_of_bounds, "out of bounds"), (not_utf8, "utf-8")] {
        let hex: String = memory.iter().map(|b| format!("{b:02x}")).collect();
        let input =
            json!({"fields": [{"marker": hex, "type": "string", "value": "x", "settings": {}}]});
        let report = invoke(&runtime, &bytes, Interface::FieldValidator, &input);
        assert_eq!(report.outcome, Outcome::BadOutput, "{:?}", report.error);
        let message = report.error.unwrap().to_lowercase();
        assert!(message.starts_with("malformed answer: "), "{message}");
        assert!(message.contains(error), "{message}");
    }
}
