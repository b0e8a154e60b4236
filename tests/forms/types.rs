//! Native checks of each of the 15 types: malformed values and values that break the field's
//! settings are refused with the field's marker and a code.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{all_types_form, create_form, entries, good_values, user_data_path, violations};
use crate::support::Server;

/// `(marker, bad value, expected code)` for every type of `all_types_form`.
fn bad_values() -> Vec<(&'static str, Value, &'static str)> {
    let date = |full: &str| json!({"fullDate": full, "formattedValue": "", "formatString": ""});
    let file = |name: &str, size: Value| json!({"filename": name, "downloadLink": "http://x/f", "size": size});
    vec![
        // string
        ("s", json!(12), "invalid_value"),
        ("s", json!("a"), "too_short"),
        ("s", json!("abcdefghijk"), "too_long"),
        ("s", json!("ABC"), "pattern_mismatch"),
        // integer
        ("i", json!("12"), "invalid_integer"),
        ("i", json!(1.5), "invalid_integer"),
        ("i", json!(9_223_372_036_854_775_808u64), "invalid_integer"),
        ("i", json!(151), "out_of_range"),
        // float
        ("f", json!("NaN"), "invalid_float"),
        ("f", json!(5.01), "out_of_range"),
        // date, dateTime, time
        ("d", date("08-05-2024 00:02"), "invalid_date"),
        ("d", json!("2024-05-07"), "invalid_value"),
        ("d", json!({"formattedValue": "x"}), "invalid_value"),
        ("d", date("1899-12-31"), "date_out_of_range"),
        ("dt", date("2024-13-01T00:00:00Z"), "invalid_date"),
        (
            "dt",
            json!({"fullDate": "2024-05-07T21:02:00Z", "timezone": "UTC"}),
            "invalid_value",
        ),
        ("t", date("half past ten"), "invalid_date"),
        ("t", date("2024-05-07T21:02:00Z"), "date_out_of_range"),
        // text, textWithHeader
        ("tx", json!("<p>plain string</p>"), "invalid_value"),
        ("tx", json!({"plainValue": 5}), "invalid_value"),
        (
            "tx",
            json!({"plainValue": "more than twenty characters"}),
            "too_long",
        ),
        ("th", json!({"plainValue": "no header"}), "invalid_value"),
        // image, groupOfImages, file
        (
            "img",
            json!({"filename": "a.png", "downloadLink": "x", "size": 1}),
            "invalid_value",
        ),
        (
            "img",
            json!([file("a.gif", json!(1))]),
            "extension_not_allowed",
        ),
        (
            "img",
            json!([file("a.png", json!(1)), file("b.png", json!(1))]),
            "too_many_items",
        ),
        ("imgs", json!([file("a.png", json!(-1))]), "negative_size"),
        (
            "imgs",
            json!([file("a.png", json!(1001))]),
            "file_too_large",
        ),
        (
            "imgs",
            json!([
                file("a.png", json!(1)),
                file("b.png", json!(1)),
                file("c.png", json!(1))
            ]),
            "too_many_items",
        ),
        (
            "file",
            json!([{"filename": "cv.pdf", "size": 1}]),
            "invalid_value",
        ),
        (
            "file",
            json!([file("cv.pdf", json!("big"))]),
            "invalid_value",
        ),
        (
            "file",
            json!([file("cv.exe", json!(1))]),
            "extension_not_allowed",
        ),
        // radioButton, list
        (
            "radio",
            json!({"title": "pink", "value": "9"}),
            "not_an_option",
        ),
        ("radio", json!("1"), "invalid_value"),
        (
            "list",
            json!([{"title": "red", "value": "1"}, {"title": "pink", "value": "9"}]),
            "not_an_option",
        ),
        (
            "list",
            json!({"title": "red", "value": "1"}),
            "invalid_value",
        ),
        (
            "list",
            json!([{"title": "red", "value": "1"}, {"title": "red", "value": "1"}, {"title": "green", "value": "2"}]),
            "too_many_items",
        ),
        // entity
        ("ent", json!([1.5]), "invalid_value"),
        ("ent", json!([{"id": 1}]), "invalid_value"),
        ("ent", json!([1, 2, 3, 4]), "too_many_items"),
        // timeInterval
        (
            "iv",
            json!([["2025-02-13T16:00:00.000Z", "2025-02-11T16:00:00.000Z"]]),
            "interval_order",
        ),
        (
            "iv",
            json!([["2025-02-11T16:00:00.000Z", "2025-02-11T16:00:00.000Z"]]),
            "interval_order",
        ),
        (
            "iv",
            json!([["tomorrow", "2025-02-11T16:00:00.000Z"]]),
            "invalid_date",
        ),
        ("iv", json!([["2025-02-11T16:00:00.000Z"]]), "invalid_value"),
    ]
}

fn type_of(marker: &str) -> &'static str {
    good_values()
        .into_iter()
        .find(|(m, _, _)| *m == marker)
        .unwrap()
        .1
}

#[tokio::test]
async fn every_type_accepts_a_good_value() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    create_form(&t, all_types_form("all")).await;
    let path = user_data_path(&t, "a@x.com", "all").await;
    let good = good_values();
    let (status, body) = t.put(&path, json!({"formData": entries(&good)})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = t.get(&path).await;
    assert_eq!(
        read["formData"],
        entries(&good),
        "all 15 stored, in form order"
    );
    assert_eq!(read["langCode"], "en_US");
}

#[tokio::test]
async fn malformed_values_of_every_type_are_refused_with_marker_and_code() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    create_form(&t, all_types_form("all")).await;
    let path = user_data_path(&t, "a@x.com", "all").await;
    let cases = bad_values();
    for (marker, value, code) in &cases {
        let body = json!({"formData": {"marker": marker, "type": type_of(marker), "value": value}});
        let got = violations(t.put(&path, body).await);
        assert_eq!(
            got,
            [(marker.to_string(), code.to_string())],
            "{marker} = {value}"
        );
    }
    let covered: std::collections::HashSet<&str> =
        cases.iter().map(|(m, _, _)| type_of(m)).collect();
    assert_eq!(covered.len(), 15, "every type has a refused value");
    assert_eq!(
        t.get(&path).await.1["formData"],
        json!([]),
        "nothing was written"
    );
}

#[tokio::test]
async fn envelope_problems_are_violations_too() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let mut form = all_types_form("all");
    form["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"marker": "pw", "type": "string"}));
    form["passwordMarker"] = json!("pw");
    create_form(&t, form).await;
    let path = user_data_path(&t, "a@x.com", "all").await;
    let got = violations(
        t.put(
            &path,
            json!({"formData": [
                {"marker": "nope", "type": "string", "value": "x"},
                {"marker": "i", "type": "string", "value": "x"},
                {"marker": "s", "type": "string", "value": "abc"},
                {"marker": "s", "type": "string", "value": "abd"},
                {"marker": "pw", "type": "string", "value": "secret"},
                {"marker": "f", "value": 1, "extra": true},
                {"type": "string", "value": "no marker"},
                "not an object"
            ]}),
        )
        .await,
    );
    let expected = [
        ("nope", "unknown_field"),
        ("i", "type_mismatch"),
        ("s", "duplicate_field"),
        ("pw", "password_in_form_data"),
        ("f", "invalid_form_data"),
        ("formData/en_US/6", "invalid_form_data"),
        ("formData/en_US/7", "invalid_form_data"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, c)| (m.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        violations(t.put(&path, json!({"formData": 42})).await),
        [("formData".to_string(), "invalid_form_data".to_string())]
    );
    let got = violations(t.put(&path, json!({"formData": {"en US": []}})).await);
    assert_eq!(
        got,
        [(
            "formData/en US".to_string(),
            "invalid_lang_code".to_string()
        )]
    );
    // The type may be left out: the form knows it.
    let (status, body) = t
        .put(&path, json!({"formData": {"marker": "i", "value": 7}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
