//! The native form-data stage of `updateUser` without plugins or storage: the request body's
//! `formData` parsed from bytes and every field checked against the form (the load benchmark's
//! 15-field form and values, `benches/peer/fields.json`).
//!
//! Run: `cargo bench -p portico-core --bench forms`.

// `criterion_group!` defines an undocumented function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use portico_core::domain::forms::{check_form_data, Form};
use serde_json::{json, Value};

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../benches/peer/fields.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The load benchmark's form: each field with its validator settings, options where needed.
fn form(spec: &Value) -> Form {
    let fields: Vec<Value> = spec["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut d =
                json!({"marker": f["marker"], "type": f["type"], "validators": f["validators"]});
            if matches!(f["type"].as_str(), Some("radioButton" | "list")) {
                d["settings"] = json!({"options": spec["options"]});
            }
            d
        })
        .collect();
    let now = "2026-01-01T00:00:00Z";
    serde_json::from_value(json!({
        "identifier": "profile", "title": {"en_US": "Profile"}, "fields": fields,
        "loginMarker": null, "passwordMarker": null, "createdAt": now, "updatedAt": now
    }))
    .unwrap()
}

fn native_stage(c: &mut Criterion) {
    let spec = spec();
    let form = form(&spec);
    let body: Vec<Value> = spec["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!({"marker": f["marker"], "type": f["type"], "value": f["valid"]}))
        .collect();
    let bytes = serde_json::to_vec(&body).unwrap();
    let checked = check_form_data(&form, serde_json::from_slice(&bytes).unwrap(), "en_US");
    assert!(checked.violations.is_empty(), "{:?}", checked.violations);
    c.bench_function("form_data_parse_and_check_15_fields", |b| {
        b.iter(|| {
            let form_data: Value = serde_json::from_slice(std::hint::black_box(&bytes)).unwrap();
            std::hint::black_box(check_form_data(&form, form_data, "en_US"))
        })
    });
}

criterion_group!(benches, native_stage);
criterion_main!(benches);
