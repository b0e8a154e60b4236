//! Issue 5: forms with typed fields, and form data of users and profiles (seed 004).

mod crud;
mod data;
mod seed;
mod types;
mod update_user;
mod validator_memory;
mod validator_rules;
mod validators;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::TenantApi;

/// A form with one field of each of the 15 types, each with settings a test can break.
pub fn all_types_form(identifier: &str) -> Value {
    let options = json!([{"title": "red", "value": "1"}, {"title": "green", "value": "2"}]);
    json!({
        "identifier": identifier,
        "title": {"en_US": "Everything", "tr_TR": "Her şey"},
        "fields": [
            {"marker": "s", "type": "string", "settings": {"minLength": 2, "maxLength": 10, "pattern": "^[a-z]+$"}},
            {"marker": "i", "type": "integer", "settings": {"min": 0, "max": 150}},
            {"marker": "f", "type": "float", "settings": {"min": 0, "max": 5}},
            {"marker": "d", "type": "date", "settings": {"notBefore": "1900-01-01", "notAfter": "2100-01-01"}},
            {"marker": "dt", "type": "dateTime"},
            {"marker": "t", "type": "time", "settings": {"notBefore": "08:00", "notAfter": "18:00"}},
            {"marker": "tx", "type": "text", "settings": {"maxLength": 20}},
            {"marker": "th", "type": "textWithHeader", "settings": {"minLength": 1}},
            {"marker": "img", "type": "image", "settings": {"allowedExtensions": ["png", "jpg"]}},
            {"marker": "imgs", "type": "groupOfImages", "settings": {"maxItems": 2, "maxSize": 1000}},
            {"marker": "file", "type": "file", "settings": {"allowedExtensions": ["pdf"]}},
            {"marker": "radio", "type": "radioButton", "settings": {"options": options}},
            {"marker": "list", "type": "list", "settings": {"options": options, "maxItems": 2}},
            {"marker": "ent", "type": "entity", "settings": {"target": "products", "maxItems": 3}},
            {"marker": "iv", "type": "timeInterval"}
        ]
    })
}

/// A valid value for each field of `all_types_form`, as `{marker: value}`.
pub fn good_values() -> Vec<(&'static str, &'static str, Value)> {
    let date = |full: &str| json!({"fullDate": full, "formattedValue": "", "formatString": ""});
    let file = |name: &str, size: u64| json!({"filename": name, "downloadLink": format!("http://x/{name}"), "size": size});
    vec![
        ("s", "string", json!("abc")),
        ("i", "integer", json!(42)),
        ("f", "float", json!(4.5)),
        ("d", "date", date("2024-05-07T21:02:00.000Z")),
        ("dt", "dateTime", date("2024-05-07T21:02:00+03:00")),
        ("t", "time", date("2024-05-07T10:30:00.000Z")),
        (
            "tx",
            "text",
            json!({"htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "Hi"}),
        ),
        (
            "th",
            "textWithHeader",
            json!({"header": "H", "htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "Hi"}),
        ),
        ("img", "image", json!([file("files/a.PNG", 10)])),
        (
            "imgs",
            "groupOfImages",
            json!([file("a.png", 1000), file("b.webp", 0)]),
        ),
        ("file", "file", json!([file("docs/cv.pdf", 5)])),
        (
            "radio",
            "radioButton",
            json!({"title": "red", "value": "1"}),
        ),
        (
            "list",
            "list",
            json!([{"title": "red", "value": "1"}, {"title": "green", "value": "2"}]),
        ),
        ("ent", "entity", json!([1, "sku-2"])),
        (
            "iv",
            "timeInterval",
            json!([["2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z"]]),
        ),
    ]
}

/// `[{marker, type, value}]` from `(marker, type, value)` triples.
pub fn entries(values: &[(&str, &str, Value)]) -> Value {
    values
        .iter()
        .map(|(m, t, v)| json!({"marker": m, "type": t, "value": v}))
        .collect()
}

/// Creates an internal user, asserting 201.
pub async fn create_user(t: &TenantApi, email: &str) -> Value {
    let body = json!({"firstName": "First", "lastName": "Last", "email": email, "sendWelcomeEmail": false});
    let (status, user) = t.post("/users", body).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user
}

/// Creates a form, asserting 201.
pub async fn create_form(t: &TenantApi, form: Value) -> Value {
    let (status, body) = t.post("/forms", form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Creates a user; answers the path of its form data for `form`, e.g. `/users/<id>/form-data/reg`.
pub async fn user_data_path(t: &TenantApi, email: &str, form: &str) -> String {
    let user = create_user(t, email).await;
    format!("/users/{}/form-data/{form}", user["id"].as_str().unwrap())
}

/// Asserts a 422 and answers its violations as `(marker, code)` pairs, in order.
#[track_caller]
pub fn violations(resp: (StatusCode, Value)) -> Vec<(String, String)> {
    let (status, body) = resp;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    body["error"]["details"]["violations"]
        .as_array()
        .unwrap_or_else(|| panic!("no violations: {body}"))
        .iter()
        .map(|v| {
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
            (
                v["marker"].as_str().unwrap().to_string(),
                v["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
