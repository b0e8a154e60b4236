//! Native unit tests: fields in the form API's JSON shape, as the host and
//! `portico plugin run` receive them.

use super::validate_all;
use portico_plugin_sdk::prelude::*;

const NOW: i64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z

fn codes(field: Json) -> Vec<String> {
    let field = Field::from_json(&field).expect("field JSON");
    validate_all(&[field], &|| NOW)
        .into_iter()
        .map(|v| v.code)
        .collect()
}

fn file(name: &str, size: u64) -> Json {
    json!({"filename": format!("files/{name}"), "downloadLink": "http://x/f", "size": size, "previewLink": ""})
}

#[test]
fn strings_lengths_and_patterns() {
    let rules = json!({"minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"});
    assert!(
        codes(json!({"marker": "a", "type": "string", "value": "abc", "settings": rules}))
            .is_empty()
    );
    assert_eq!(
        codes(json!({"marker": "a", "type": "string", "value": "a", "settings": rules})),
        ["too_short"]
    );
    assert_eq!(
        codes(json!({"marker": "a", "type": "string", "value": "ABCDEF", "settings": rules})),
        ["too_long", "pattern_mismatch"]
    );
    assert_eq!(
        codes(
            json!({"marker": "a", "type": "string", "value": " ", "settings": {"required": true}})
        ),
        ["required"]
    );
}

#[test]
fn numbers_ranges() {
    let rules = json!({"min": 1, "max": 10});
    assert!(
        codes(json!({"marker": "n", "type": "integer", "value": 10, "settings": rules})).is_empty()
    );
    assert_eq!(
        codes(json!({"marker": "n", "type": "integer", "value": 11, "settings": rules})),
        ["out_of_range"]
    );
    assert_eq!(
        codes(json!({"marker": "x", "type": "float", "value": 0.5, "settings": rules})),
        ["out_of_range"]
    );
    assert!(
        codes(json!({"marker": "x", "type": "float", "value": 1.5, "settings": {"max": 1.5}}))
            .is_empty()
    );
}

#[test]
fn dates_bounds_and_now() {
    let date = |full: &str| json!({"fullDate": full, "formattedValue": "", "formatString": ""});
    let rules = json!({"notBefore": "2024-01-01", "notAfter": "now"});
    for ty in ["date", "dateTime", "time"] {
        let ok = json!({"marker": "d", "type": ty, "value": date("2024-05-07T21:02:00.000Z"), "settings": rules});
        assert!(codes(ok).is_empty(), "{ty}");
    }
    let early =
        json!({"marker": "d", "type": "date", "value": date("2023-12-31"), "settings": rules});
    assert_eq!(codes(early), ["date_out_of_range"]);
    let future =
        json!({"marker": "d", "type": "date", "value": date("2030-01-01"), "settings": rules});
    assert_eq!(codes(future), ["date_out_of_range"]);
    let bad = json!({"marker": "d", "type": "date", "value": date("07.05.2024")});
    assert_eq!(codes(bad), ["invalid_date"]);
    let hours = json!({"notBefore": "09:00", "notAfter": "17:00"});
    let late = json!({"marker": "t", "type": "time", "value": date("2024-05-07T21:02:00Z"), "settings": hours});
    assert_eq!(codes(late), ["date_out_of_range"]);
}

#[test]
fn texts_use_the_plain_value_and_header() {
    let text = json!({"htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "*Hi*", "params": {"editorMode": "html"}});
    assert_eq!(
        codes(json!({"marker": "t", "type": "text", "value": text, "settings": {"minLength": 3}})),
        ["too_short"]
    );
    let with_header = json!({"header": "A long header", "plainValue": "Hi"});
    let rules = json!({"headerMaxLength": 5, "maxLength": 5});
    assert_eq!(
        codes(
            json!({"marker": "t", "type": "textWithHeader", "value": with_header, "settings": rules})
        ),
        ["too_long"]
    );
}

#[test]
fn files_and_images() {
    let rules = json!({"allowedExtensions": ["png", ".JPG"], "maxSize": 1000});
    let ok = json!({"marker": "f", "type": "file", "value": [file("a.png", 10), file("b.jpg", 1000)], "settings": rules});
    assert!(codes(ok).is_empty());
    let bad = json!({"marker": "f", "type": "file", "value": [file("a.exe", 10), file("b.png", 1001)], "settings": rules});
    assert_eq!(codes(bad), ["extension_not_allowed", "file_too_large"]);
    let two =
        json!({"marker": "i", "type": "image", "value": [file("a.png", 1), file("b.png", 1)]});
    assert_eq!(codes(two), ["too_many_items"]);
    let group = json!({"marker": "g", "type": "groupOfImages", "value": [file("a.png", 1), file("b.png", 1)], "settings": {"maxItems": 2}});
    assert!(codes(group).is_empty());
}

#[test]
fn choices_and_entities() {
    let red =
        json!({"title": "red", "value": "1", "extended": {"value": "красный", "type": "string"}});
    let blue = json!({"title": "blue", "value": "3"});
    let rules = json!({"options": ["1", 2], "maxItems": 1});
    assert!(
        codes(json!({"marker": "r", "type": "radioButton", "value": red, "settings": rules}))
            .is_empty()
    );
    assert_eq!(
        codes(json!({"marker": "r", "type": "radioButton", "value": blue, "settings": rules})),
        ["not_an_option"]
    );
    assert_eq!(
        codes(json!({"marker": "l", "type": "list", "value": [red, blue], "settings": rules})),
        ["too_many_items", "not_an_option"]
    );
    let ids = json!({"options": [1, 2, "x-9"]});
    assert!(
        codes(json!({"marker": "e", "type": "entity", "value": [1, 2], "settings": ids}))
            .is_empty()
    );
    assert_eq!(
        codes(json!({"marker": "e", "type": "entity", "value": [3, "x-9"], "settings": ids})),
        ["not_an_option"]
    );
}

#[test]
fn time_intervals_order() {
    let ok = json!([["2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z"]]);
    assert!(codes(json!({"marker": "i", "type": "timeInterval", "value": ok})).is_empty());
    let reversed = json!([["2025-02-13T16:00:00.000Z", "2025-02-11T16:00:00.000Z"]]);
    assert_eq!(
        codes(json!({"marker": "i", "type": "timeInterval", "value": reversed})),
        ["interval_order"]
    );
}

#[test]
fn bad_settings_and_type_mismatch_are_violations() {
    assert_eq!(
        codes(json!({"marker": "a", "type": "string", "value": "x", "settings": {"maxLen": 1}})),
        ["invalid_settings"]
    );
    assert_eq!(
        codes(json!({"marker": "a", "type": "string", "value": "x", "settings": {"pattern": "("}})),
        ["invalid_settings"]
    );
    let mut field =
        Field::from_json(&json!({"marker": "a", "type": "string", "value": "x"})).unwrap();
    field.field_type = FieldType::Integer;
    let found = validate_all(&[field], &|| NOW);
    assert_eq!(found[0].code, "type_mismatch");
    assert_eq!(found[0].marker, "a");
}

#[test]
fn one_batch_returns_every_violation() {
    let fields: Vec<Field> = ["a", "b", "c"]
        .iter()
        .map(|m| Field::from_json(&json!({"marker": m, "type": "string", "value": "", "settings": {"required": true}})).unwrap())
        .collect();
    let markers: Vec<String> = validate_all(&fields, &|| NOW)
        .into_iter()
        .map(|v| v.marker)
        .collect();
    assert_eq!(markers, ["a", "b", "c"]);
}

#[test]
fn the_sample_input_finds_the_documented_violations() {
    let input: Json = serde_json::from_str(include_str!("../sample-input.json")).unwrap();
    let fields: Vec<Field> = input["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Field::from_json(f).unwrap())
        .collect();
    assert_eq!(fields.len(), 15);
    let found: Vec<(String, String)> = validate_all(&fields, &|| NOW)
        .into_iter()
        .map(|v| (v.marker, v.code))
        .collect();
    let expected = [
        ("nickname", "too_short"),
        ("age", "out_of_range"),
        ("meeting", "date_out_of_range"),
        ("bio", "too_long"),
        ("gallery", "extension_not_allowed"),
        ("picture", "file_too_large"),
        ("colors", "not_an_option"),
        ("interval", "interval_order"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, c)| (m.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, expected);
}
