//! The validator tests' data: for each of the 15 types, the example validator's settings (a
//! field's `validators`), a value that breaks them with the code it answers, a value they
//! accept, and the form carrying them.

use serde_json::{json, Value};

/// Plugin settings (the field's `validators`) and a value that passes the native checks but
/// breaks that setting, with the plugin's code, for each type.
pub fn plugin_rules() -> Vec<(&'static str, &'static str, Value, Value, &'static str)> {
    let date = |full: &str| json!({"fullDate": full, "formattedValue": "", "formatString": ""});
    let file = |name: &str, size: u64| json!({"filename": name, "downloadLink": format!("http://x/{name}"), "size": size});
    vec![
        (
            "s",
            "string",
            json!({"maxLength": 3}),
            json!("abcdef"),
            "too_long",
        ),
        (
            "i",
            "integer",
            json!({"max": 10}),
            json!(42),
            "out_of_range",
        ),
        (
            "f",
            "float",
            json!({"max": 1.5}),
            json!(4.5),
            "out_of_range",
        ),
        (
            "d",
            "date",
            json!({"notAfter": "2000-01-01"}),
            date("2024-05-07T21:02:00.000Z"),
            "date_out_of_range",
        ),
        (
            "dt",
            "dateTime",
            json!({"notBefore": "2030-01-01T00:00:00Z"}),
            date("2024-05-07T21:02:00Z"),
            "date_out_of_range",
        ),
        (
            "t",
            "time",
            json!({"notAfter": "09:00"}),
            date("2024-05-07T10:30:00.000Z"),
            "date_out_of_range",
        ),
        (
            "tx",
            "text",
            json!({"maxLength": 1}),
            json!({"htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "Hi"}),
            "too_long",
        ),
        (
            "th",
            "textWithHeader",
            json!({"headerMaxLength": 1}),
            json!({"header": "Long header", "htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "Hi"}),
            "too_long",
        ),
        (
            "img",
            "image",
            json!({"allowedExtensions": ["gif"]}),
            json!([file("a.png", 10)]),
            "extension_not_allowed",
        ),
        (
            "imgs",
            "groupOfImages",
            json!({"maxSize": 10}),
            json!([file("a.png", 1000)]),
            "file_too_large",
        ),
        (
            "file",
            "file",
            json!({"allowedExtensions": ["doc"]}),
            json!([file("cv.pdf", 5)]),
            "extension_not_allowed",
        ),
        (
            "radio",
            "radioButton",
            json!({"options": ["2"]}),
            json!({"title": "red", "value": "1"}),
            "not_an_option",
        ),
        (
            "list",
            "list",
            json!({"maxItems": 1}),
            json!([{"title": "red", "value": "1"}, {"title": "green", "value": "2"}]),
            "too_many_items",
        ),
        (
            "ent",
            "entity",
            json!({"options": [1]}),
            json!([1, "sku-2"]),
            "not_an_option",
        ),
        (
            "iv",
            "timeInterval",
            json!({"notAfter": "2025-01-01"}),
            json!([["2024-12-30T16:00:00.000Z", "2025-02-13T16:00:00.000Z"]]),
            "date_out_of_range",
        ),
    ]
}

/// A value of each type that the plugin settings of `plugin_rules` accept.
pub fn plugin_good_values() -> Vec<(&'static str, &'static str, Value)> {
    let date = |full: &str| json!({"fullDate": full, "formattedValue": "", "formatString": ""});
    let file = |name: &str, size: u64| json!({"filename": name, "downloadLink": format!("http://x/{name}"), "size": size});
    vec![
        ("s", "string", json!("abc")),
        ("i", "integer", json!(5)),
        ("f", "float", json!(1.0)),
        ("d", "date", date("1999-01-01T00:00:00.000Z")),
        ("dt", "dateTime", date("2031-01-01T00:00:00Z")),
        ("t", "time", date("2024-05-07T08:30:00.000Z")),
        (
            "tx",
            "text",
            json!({"htmlValue": "<p>H</p>", "plainValue": "H", "mdValue": "H"}),
        ),
        (
            "th",
            "textWithHeader",
            json!({"header": "H", "htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "Hi"}),
        ),
        ("img", "image", json!([file("a.gif", 10)])),
        ("imgs", "groupOfImages", json!([file("a.png", 5)])),
        ("file", "file", json!([file("cv.doc", 5)])),
        (
            "radio",
            "radioButton",
            json!({"title": "green", "value": "2"}),
        ),
        ("list", "list", json!([{"title": "red", "value": "1"}])),
        ("ent", "entity", json!([1])),
        (
            "iv",
            "timeInterval",
            json!([["2024-02-11T16:00:00.000Z", "2024-02-13T16:00:00.000Z"]]),
        ),
    ]
}

/// A form of the 15 types without native settings (only options where the type needs them),
/// each field carrying its plugin settings in `validators`.
pub fn plugin_form(identifier: &str) -> Value {
    let options = json!([{"title": "red", "value": "1"}, {"title": "green", "value": "2"}]);
    let fields: Vec<Value> = plugin_rules()
        .into_iter()
        .map(|(marker, ty, validators, _, _)| {
            let mut f = json!({"marker": marker, "type": ty, "validators": validators});
            if matches!(ty, "radioButton" | "list") {
                f["settings"] = json!({"options": options});
            }
            f
        })
        .collect();
    json!({"identifier": identifier, "fields": fields})
}
