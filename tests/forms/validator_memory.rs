//! The example validator (a bump allocator inside each call) on the largest submission the
//! host accepts: every field of a form of `MAX_FORM_FIELDS` with a pattern of its own, in five
//! languages (`MAX_SUBMITTED_FIELDS` entries), 1,000 patterns compiled in one call. With the
//! fuel and deadline raised to let it finish, it still fits the default 32 MiB of memory: the
//! arena's budget hands the rest of the call to the allocator that reuses freed memory.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::user_data_path;
use crate::plugins::upload;
use crate::support::{raise_operator_maximum, Server};

/// Fields in the form: the host's `MAX_FORM_FIELDS`.
const FIELDS: usize = 200;
/// Alternatives in each field's pattern.
const WORDS: usize = 120;
/// Languages of the submission: `FIELDS` x `LANGS` is the host's `MAX_SUBMITTED_FIELDS`.
const LANGS: [&str; 5] = ["en_US", "tr_TR", "de_DE", "fr_FR", "es_ES"];

/// A pattern of about 1 KB (`WORDS` alternatives), one of them the submitted value.
fn pattern(field: usize) -> String {
    let words: Vec<String> = (0..WORDS).map(|w| format!("w{field}x{w}")).collect();
    format!("^(?:abc|{})$", words.join("|"))
}

#[tokio::test]
async fn the_largest_submission_with_a_pattern_per_field_fits_one_call() {
    let server = Server::start();
    raise_operator_maximum(&server).await;
    let t = server.tenant("acme").await;
    upload(&t, "validator", "example_field_validator").await;
    // Compiling 1,000 patterns takes more than the default instruction budget and deadline.
    let raised = json!({"fuel": 10_000_000_000u64, "deadlineMs": 5_000});
    let (status, body) = t.put("/plugin-limits", raised).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, b) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": "validator", "interface": "field-validator", "target": "*", "settings": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let fields: Vec<Value> = (0..FIELDS)
        .map(|i| json!({"marker": format!("f{i}"), "type": "string", "validators": {"pattern": pattern(i)}}))
        .collect();
    let (status, form) = t
        .post("/forms", json!({"identifier": "big", "fields": fields}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let path = user_data_path(&t, "a@example.com", "big").await;

    let per_lang = |value: &str| -> Value {
        (0..FIELDS)
            .map(|i| json!({"marker": format!("f{i}"), "type": "string", "value": value}))
            .collect()
    };
    let all = |value: &str| -> Value {
        LANGS
            .iter()
            .map(|l| (l.to_string(), per_lang(value)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let (status, body) = t.put(&path, json!({"formData": all("abc")})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // And every value refused by its pattern: 1,000 violations from the same one call.
    let (status, body) = t.put(&path, json!({"formData": all("nope")})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let found = body["error"]["details"]["violations"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(found, FIELDS * LANGS.len(), "{body}");
}
