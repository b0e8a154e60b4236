//! `formData` as the SDK sends it, made into what the rules read: one list per language (the SDK
//! wraps whatever the app passed in `{langCode: [...]}`, a language map included), and numbers
//! sent as strings read as numbers where the field's type is numeric (issue 19, item 8; the
//! `/v1` API stays strict).

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use portico_core::domain::forms::Form;
use portico_core::domain::{DomainError, DomainResult};
use portico_core::fields::FieldType;

/// `body` as the rules read it, its `formData` (if any) read for `form`.
pub fn rules_body<T: DeserializeOwned>(
    mut body: Map<String, Value>,
    lang: &str,
    form: Option<&Form>,
) -> DomainResult<T> {
    if let Some(form_data) = body.remove("formData") {
        body.insert("formData".into(), by_language(form_data, lang, form));
    }
    serde_json::from_value(Value::Object(body))
        .map_err(|e| DomainError::bad_request("invalid_body", e.to_string()))
}

/// `{lang: [item]}` from any of the shapes: an item, a list, a language map, or a language map
/// of those (the SDK's wrapping of the others).
fn by_language(form_data: Value, lang: &str, form: Option<&Form>) -> Value {
    let mut lists: Map<String, Value> = Map::new();
    collect(form_data, lang, &mut lists);
    if let Some(form) = form {
        for items in lists.values_mut() {
            for item in items.as_array_mut().into_iter().flatten() {
                read_numbers(item, form);
            }
        }
    }
    Value::Object(lists)
}

fn collect(value: Value, lang: &str, lists: &mut Map<String, Value>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| collect(v, lang, lists)),
        Value::Object(map) if is_language_map(&map) => {
            for (inner_lang, inner) in map {
                collect(inner, &inner_lang, lists);
            }
        }
        item => {
            let list = lists.entry(lang.to_string()).or_insert_with(|| json!([]));
            if let Value::Array(list) = list {
                list.push(item);
            }
        }
    }
}

/// `{"en_US": [...], "tr_TR": {...}}`: no marker, and lists or items under each key.
fn is_language_map(map: &Map<String, Value>) -> bool {
    !map.is_empty()
        && !map.contains_key("marker")
        && map.values().all(|v| v.is_array() || v.is_object())
}

/// `"43"` becomes 43 for an integer field and `"1.9"` 1.9 for a float field; anything that does
/// not read as one stays as sent, for the field's check to report.
fn read_numbers(item: &mut Value, form: &Form) {
    let Some(marker) = item.get("marker").and_then(Value::as_str) else {
        return;
    };
    let Some(field) = form.field(marker) else {
        return;
    };
    let Some(text) = item.get("value").and_then(Value::as_str) else {
        return;
    };
    let number = match field.field_type {
        FieldType::Integer => text.trim().parse::<i64>().ok().map(Value::from),
        FieldType::Float => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from),
        _ => None,
    };
    if let Some(number) = number {
        item["value"] = number;
    }
}
