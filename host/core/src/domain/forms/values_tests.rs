//! The typed parse of each field type: valid values become the type's variant (as the
//! validator input parser makes them), refused ones report every problem with its message.

use crate::fields::json::field_value;
use crate::fields::{
    Choice, DateValue, EntityId, FieldValue, FileValue, TextValue, TextWithHeaderValue,
};
use serde_json::{json, Value};

use super::parse_value;
use crate::domain::forms::Form;

/// A form with one field of each of the 15 types (and a required one), with settings to break.
fn form() -> Form {
    let options = json!([{"title": "red", "value": "1"}, {"title": "green", "value": "2"}]);
    let now = "2026-01-01T00:00:00Z";
    serde_json::from_value(json!({
        "identifier": "all", "title": {}, "loginMarker": null, "passwordMarker": null,
        "createdAt": now, "updatedAt": now,
        "fields": [
            {"marker": "s", "type": "string", "settings": {"minLength": 2, "maxLength": 10, "pattern": "^[a-z]+$"}},
            {"marker": "i", "type": "integer", "settings": {"min": 0, "max": 150}},
            {"marker": "f", "type": "float", "settings": {"min": 0, "max": 5}},
            {"marker": "d", "type": "date", "settings": {"notBefore": "1900-01-01", "notAfter": "2100-01-01"}},
            {"marker": "dt", "type": "dateTime", "settings": {"notBefore": "2000-01-01T00:00:00Z"}},
            {"marker": "t", "type": "time", "settings": {"notBefore": "08:00", "notAfter": "18:00"}},
            {"marker": "tx", "type": "text", "settings": {"maxLength": 20}},
            {"marker": "th", "type": "textWithHeader", "settings": {"minLength": 1}},
            {"marker": "img", "type": "image", "settings": {"allowedExtensions": ["png", "jpg"]}},
            {"marker": "imgs", "type": "groupOfImages", "settings": {"maxItems": 2, "maxSize": 1000, "allowedExtensions": [".PNG"]}},
            {"marker": "file", "type": "file", "settings": {"allowedExtensions": ["pdf"]}},
            {"marker": "radio", "type": "radioButton", "settings": {"options": options}},
            {"marker": "list", "type": "list", "settings": {"options": options, "maxItems": 2}},
            {"marker": "ent", "type": "entity", "settings": {"target": "products", "maxItems": 3}},
            {"marker": "iv", "type": "timeInterval", "settings": {"notBefore": "2020-01-01", "notAfter": "2030-01-01"}},
            {"marker": "req", "type": "integer", "required": true}
        ]
    }))
    .unwrap()
}

fn date(full: &str) -> Value {
    json!({"fullDate": full, "formattedValue": "", "formatString": ""})
}

fn file(name: &str, size: Value) -> Value {
    json!({"filename": name, "downloadLink": "http://x/f", "size": size})
}

/// `(marker, value, violations)`: a value the native checks refuse, with every `(code, message)`
/// reported, in order.
type Refusal = (&'static str, Value, &'static [(&'static str, &'static str)]);

/// Values the native checks refuse, several with more than one problem.
fn refusals() -> Vec<Refusal> {
    [
        scalar_refusals(),
        date_refusals(),
        text_refusals(),
        file_refusals(),
        choice_refusals(),
        interval_and_required_refusals(),
    ]
    .concat()
}

/// Refused string, integer and float values, one case per line.
#[rustfmt::skip]
fn scalar_refusals() -> Vec<Refusal> {
    vec![
        ("s", json!(12), &[("invalid_value", "a string value must be a JSON string")]),
        ("s", json!("a"), &[("too_short", "the value has 1 characters; at least 2 required")]),
        ("s", json!("abcdefghijk"), &[("too_long", "the value has 11 characters; at most 10 allowed")]),
        ("s", json!("ABC"), &[("pattern_mismatch", "the value does not match the pattern ^[a-z]+$")]),
        ("s", json!("A"), &[("too_short", "the value has 1 characters; at least 2 required"), ("pattern_mismatch", "the value does not match the pattern ^[a-z]+$")]),
        ("s", json!("ABCDEFGHIJKL"), &[("too_long", "the value has 12 characters; at most 10 allowed"), ("pattern_mismatch", "the value does not match the pattern ^[a-z]+$")]),
        ("i", json!("12"), &[("invalid_integer", "an integer value must be a JSON number")]),
        ("i", json!(1.5), &[("invalid_integer", "1.5 is not a whole number that fits 64 bits")]),
        ("i", json!(9_223_372_036_854_775_808u64), &[("invalid_integer", "9223372036854775808 is not a whole number that fits 64 bits")]),
        ("i", json!(151), &[("out_of_range", "151 is outside [0, 150]")]),
        ("i", json!(-1), &[("out_of_range", "-1 is outside [0, 150]")]),
        ("i", json!(true), &[("invalid_integer", "an integer value must be a JSON number")]),
        ("f", json!("NaN"), &[("invalid_float", "a float value must be a finite JSON number")]),
        ("f", json!(5.01), &[("out_of_range", "5.01 is outside [0, 5]")]),
        ("f", json!(-0.5), &[("out_of_range", "-0.5 is outside [0, 5]")]),
        ("f", json!([1]), &[("invalid_float", "a float value must be a finite JSON number")]),
    ]
}

/// Refused date, dateTime and time values, one case per line.
#[rustfmt::skip]
fn date_refusals() -> Vec<Refusal> {
    vec![
        ("d", date("08-05-2024 00:02"), &[("invalid_date", "fullDate '08-05-2024 00:02' is not an ISO 8601 date-time")]),
        ("d", json!("2024-05-07"), &[("invalid_value", "a date value must be an object with fullDate, formattedValue, formatString")]),
        ("d", json!({"formattedValue": "x"}), &[("invalid_value", "a date value: unknown keys [], missing keys [fullDate]")]),
        ("d", date("1899-12-31"), &[("date_out_of_range", "fullDate '1899-12-31' is outside [1900-01-01, 2100-01-01]")]),
        ("d", json!({"fullDate": 5, "formattedValue": 1}), &[("invalid_value", "value.fullDate must be a string"), ("invalid_value", "value.formattedValue must be a string")]),
        ("d", json!({"fullDate": "2024-05-07", "zone": 1}), &[("invalid_value", "a date value: unknown keys [zone], missing keys []")]),
        ("d", json!({"fullDate": "2024-05-07", "formatString": null}), &[("invalid_value", "value.formatString must be a string")]),
        ("dt", date("2024-13-01T00:00:00Z"), &[("invalid_date", "fullDate '2024-13-01T00:00:00Z' is not an ISO 8601 date-time")]),
        ("dt", json!({"fullDate": "2024-05-07T21:02:00Z", "timezone": "UTC"}), &[("invalid_value", "a date value: unknown keys [timezone], missing keys []")]),
        ("dt", date("1999-12-31T23:59:59Z"), &[("date_out_of_range", "fullDate '1999-12-31T23:59:59Z' is outside [2000-01-01T00:00:00Z, -]")]),
        ("t", date("half past ten"), &[("invalid_date", "fullDate 'half past ten' is not an ISO 8601 date-time")]),
        ("t", date("2024-05-07T21:02:00Z"), &[("date_out_of_range", "fullDate '2024-05-07T21:02:00Z' is outside [08:00, 18:00]")]),
        ("t", date("07:59"), &[("date_out_of_range", "fullDate '07:59' is outside [08:00, 18:00]")]),
    ]
}

/// Refused text and textWithHeader values, one case per line.
#[rustfmt::skip]
fn text_refusals() -> Vec<Refusal> {
    vec![
        ("tx", json!("<p>plain string</p>"), &[("invalid_value", "a text value must be an object with htmlValue, plainValue, mdValue, params")]),
        ("tx", json!({"plainValue": 5}), &[("invalid_value", "value.plainValue must be a string")]),
        ("tx", json!({"plainValue": "more than twenty characters"}), &[("too_long", "plainValue has 27 characters; at most 20 allowed")]),
        ("tx", json!({"htmlValue": 1, "mdValue": 2, "plainValue": "more than twenty characters", "params": 3}), &[("invalid_value", "value.htmlValue must be a string"), ("invalid_value", "value.mdValue must be a string"), ("invalid_value", "value.params must be an object"), ("too_long", "plainValue has 27 characters; at most 20 allowed")]),
        ("tx", json!({"plainValue": "x", "header": "no header here"}), &[("invalid_value", "a text value: unknown keys [header], missing keys []")]),
        ("th", json!({"plainValue": "no header"}), &[("invalid_value", "a text value: unknown keys [], missing keys [header]")]),
        ("th", json!({"header": "H", "plainValue": "", "htmlValue": "<p>x</p>"}), &[("too_short", "plainValue has 0 characters; at least 1 required")]),
        ("th", json!({"header": 5, "plainValue": "x", "params": []}), &[("invalid_value", "value.header must be a string"), ("invalid_value", "value.params must be an object")]),
    ]
}

/// Refused image, groupOfImages and file values, one case per line.
#[rustfmt::skip]
fn file_refusals() -> Vec<Refusal> {
    vec![
        ("img", json!({"filename": "a.png", "downloadLink": "x", "size": 1}), &[("invalid_value", "a image value must be a list")]),
        ("img", json!([file("a.gif", json!(1))]), &[("extension_not_allowed", "value[0] 'a.gif' has extension 'gif'; allowed: png, jpg")]),
        ("img", json!([file("a.png", json!(1)), file("b.png", json!(1))]), &[("too_many_items", "2 items given; at most 1 allowed")]),
        ("img", json!([{"filename": "", "downloadLink": "x", "size": -1, "params": 1}]), &[("invalid_value", "value[0].filename must not be empty"), ("invalid_value", "value[0].params must be an object"), ("negative_size", "value[0].size is negative"), ("extension_not_allowed", "value[0] '' has extension ''; allowed: png, jpg")]),
        ("img", json!([file("a.gif", json!(1)), file("dir.v2/b", json!(1))]), &[("too_many_items", "2 items given; at most 1 allowed"), ("extension_not_allowed", "value[0] 'a.gif' has extension 'gif'; allowed: png, jpg"), ("extension_not_allowed", "value[1] 'b' has extension ''; allowed: png, jpg")]),
        ("imgs", json!([file("a.png", json!(-1))]), &[("negative_size", "value[0].size is negative")]),
        ("imgs", json!([file("a.png", json!(1001))]), &[("file_too_large", "value[0] is 1001 bytes; at most 1000 allowed")]),
        ("imgs", json!([file("a.png", json!(1)), file("b.png", json!(1)), file("c.png", json!(1))]), &[("too_many_items", "3 items given; at most 2 allowed")]),
        ("imgs", json!([file("a.png", json!("big"))]), &[("invalid_value", "value[0].size must be a whole number of bytes")]),
        ("imgs", json!([1, file("b.gif", json!(2000))]), &[("invalid_value", "value[0] must be an object with filename, downloadLink, size, previewLink, params"), ("file_too_large", "value[1] is 2000 bytes; at most 1000 allowed"), ("extension_not_allowed", "value[1] 'b.gif' has extension 'gif'; allowed: png")]),
        ("imgs", json!([{"filename": 1, "downloadLink": "x", "size": 1}]), &[("invalid_value", "value[0].filename must be a string")]),
        ("imgs", json!([file("a.png", json!(1.5))]), &[("invalid_value", "value[0].size must be a whole number of bytes")]),
        ("file", json!([{"filename": "cv.pdf", "size": 1}]), &[("invalid_value", "value[0]: unknown keys [], missing keys [downloadLink]")]),
        ("file", json!([file("cv.pdf", json!("big"))]), &[("invalid_value", "value[0].size must be a whole number of bytes")]),
        ("file", json!([file("cv.exe", json!(1))]), &[("extension_not_allowed", "value[0] 'cv.exe' has extension 'exe'; allowed: pdf")]),
        ("file", json!([{"filename": "cv.pdf", "downloadLink": "x", "size": 1, "previewLink": 5}]), &[("invalid_value", "value[0].previewLink must be a string")]),
        ("file", json!([{"filename": "cv", "downloadLink": "x", "size": 1, "extra": 5}]), &[("invalid_value", "value[0]: unknown keys [extra], missing keys []")]),
    ]
}

/// Refused radioButton, list and entity values, one case per line.
#[rustfmt::skip]
fn choice_refusals() -> Vec<Refusal> {
    vec![
        ("radio", json!({"title": "pink", "value": "9"}), &[("not_an_option", "value '9' is not one of the options [1, 2]")]),
        ("radio", json!("1"), &[("invalid_value", "value must be an object with title, value, extended")]),
        ("radio", json!({"title": 1, "value": "1"}), &[("invalid_value", "value.title must be a string")]),
        ("radio", json!({"value": 1}), &[("invalid_value", "value.value must be a string")]),
        ("radio", json!({"title": "red"}), &[("invalid_value", "value: unknown keys [], missing keys [value]")]),
        ("list", json!([{"title": "red", "value": "1"}, {"title": "pink", "value": "9"}]), &[("not_an_option", "value[1] '9' is not one of the options [1, 2]")]),
        ("list", json!({"title": "red", "value": "1"}), &[("invalid_value", "a list value must be a list")]),
        ("list", json!([{"title": "red", "value": "1"}, {"title": "x", "value": "7"}, {"title": "green", "value": "2"}]), &[("too_many_items", "3 items given; at most 2 allowed"), ("not_an_option", "value[1] '7' is not one of the options [1, 2]")]),
        ("list", json!([5, {"value": 1}]), &[("invalid_value", "value[0] must be an object with title, value, extended"), ("invalid_value", "value[1].value must be a string")]),
        ("ent", json!([1.5]), &[("invalid_value", "value[0] must be a whole number or a non-empty string id")]),
        ("ent", json!([{"id": 1}]), &[("invalid_value", "value[0] must be a whole number or a non-empty string id")]),
        ("ent", json!([1, 2, 3, 4]), &[("too_many_items", "4 items given; at most 3 allowed")]),
        ("ent", json!(["", 2, "x", true, 1, null]), &[("too_many_items", "6 items given; at most 3 allowed"), ("invalid_value", "value[0] must be a whole number or a non-empty string id"), ("invalid_value", "value[3] must be a whole number or a non-empty string id"), ("invalid_value", "value[5] must be a whole number or a non-empty string id")]),
        ("ent", json!(7), &[("invalid_value", "a entity value must be a list")]),
    ]
}

/// Refused timeInterval values, and empty values of a required field, one case per line.
#[rustfmt::skip]
fn interval_and_required_refusals() -> Vec<Refusal> {
    vec![
        ("iv", json!([["2025-02-13T16:00:00.000Z", "2025-02-11T16:00:00.000Z"]]), &[("interval_order", "value[0] starts at 2025-02-13T16:00:00.000Z, not before its end 2025-02-11T16:00:00.000Z")]),
        ("iv", json!([["2025-02-11T16:00:00.000Z", "2025-02-11T16:00:00.000Z"]]), &[("interval_order", "value[0] starts at 2025-02-11T16:00:00.000Z, not before its end 2025-02-11T16:00:00.000Z")]),
        ("iv", json!([["tomorrow", "2025-02-11T16:00:00.000Z"]]), &[("invalid_date", "value[0] [tomorrow, 2025-02-11T16:00:00.000Z] is not two ISO 8601 date-times")]),
        ("iv", json!([["2025-02-11T16:00:00.000Z"]]), &[("invalid_value", "value[0] must be a pair [start, end]")]),
        ("iv", json!("2025"), &[("invalid_value", "a timeInterval value must be a list")]),
        ("iv", json!([[1, 2], "x"]), &[("invalid_value", "value[0] must hold two ISO 8601 strings"), ("invalid_value", "value[1] must be a pair [start, end]")]),
        ("iv", json!([["2031-01-01T00:00:00Z", "2032-01-01T00:00:00Z"], ["2019-01-01", "2018-01-01"]]), &[("date_out_of_range", "value[0] start '2031-01-01T00:00:00Z' is outside [2020-01-01, 2030-01-01]"), ("date_out_of_range", "value[0] end '2032-01-01T00:00:00Z' is outside [2020-01-01, 2030-01-01]"), ("interval_order", "value[1] starts at 2019-01-01, not before its end 2018-01-01"), ("date_out_of_range", "value[1] start '2019-01-01' is outside [2020-01-01, 2030-01-01]"), ("date_out_of_range", "value[1] end '2018-01-01' is outside [2020-01-01, 2030-01-01]")]),
        ("req", json!(null), &[("required", "this field is required")]),
        ("req", json!("  "), &[("required", "this field is required")]),
        ("req", json!([]), &[("required", "this field is required")]),
    ]
}

#[test]
fn refused_values_report_every_problem() {
    let form = form();
    for (marker, value, expected) in refusals() {
        let field = form.field(marker).unwrap();
        let got: Vec<(String, String)> = parse_value(field, &value)
            .expect_err(&format!("{marker} = {value}"))
            .into_iter()
            .inspect(|v| assert_eq!(v.marker, marker))
            .map(|v| (v.code, v.message))
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(c, m)| (c.to_string(), m.to_string()))
            .collect();
        assert_eq!(got, expected, "{marker} = {value}");
    }
}

fn date_value(full: &str, formatted: &str) -> DateValue {
    DateValue {
        full_date: full.into(),
        formatted_value: formatted.into(),
        format_string: "DD-MM-YYYY".into(),
    }
}

fn file_value(name: &str, size: u64) -> FileValue {
    FileValue {
        filename: name.into(),
        download_link: "http://x/f".into(),
        size,
        preview_link: None,
        params: None,
    }
}

/// `(marker, valid value, its typed value)`.
type Accepted = (&'static str, Value, FieldValue);

/// Valid values of every type.
fn accepted() -> Vec<Accepted> {
    [
        accepted_scalars_and_dates(),
        accepted_texts_and_files(),
        accepted_choices_and_intervals(),
    ]
    .concat()
}

/// Valid string, integer, float, date, dateTime and time values.
fn accepted_scalars_and_dates() -> Vec<Accepted> {
    let date = |full: &str| json!({"fullDate": full, "formattedValue": "07-05", "formatString": "DD-MM-YYYY"});
    vec![
        ("s", json!("abc"), FieldValue::String("abc".into())),
        ("i", json!(42), FieldValue::Integer(42)),
        ("f", json!(4.5), FieldValue::Float(4.5)),
        ("f", json!(3), FieldValue::Float(3.0)),
        (
            "d",
            date("2024-05-07T21:02:00.000Z"),
            FieldValue::Date(date_value("2024-05-07T21:02:00.000Z", "07-05")),
        ),
        (
            "dt",
            date("2024-05-07T21:02:00+03:00"),
            FieldValue::DateTime(date_value("2024-05-07T21:02:00+03:00", "07-05")),
        ),
        (
            "t",
            date("10:30"),
            FieldValue::Time(date_value("10:30", "07-05")),
        ),
    ]
}

/// Valid text, textWithHeader, image, groupOfImages and file values.
fn accepted_texts_and_files() -> Vec<Accepted> {
    vec![
        (
            "tx",
            json!({"htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "Hi", "params": {"a": 1}}),
            FieldValue::Text(TextValue {
                html_value: "<p>Hi</p>".into(),
                plain_value: "Hi".into(),
                md_value: "Hi".into(),
                params: Some(r#"{"a":1}"#.into()),
            }),
        ),
        (
            "th",
            json!({"header": "H", "plainValue": "Hi"}),
            FieldValue::TextWithHeader(TextWithHeaderValue {
                header: "H".into(),
                plain_value: "Hi".into(),
                ..Default::default()
            }),
        ),
        (
            "img",
            json!([{"filename": "files/a.PNG", "downloadLink": "http://x/f", "size": 10, "previewLink": "p"}]),
            FieldValue::Image(vec![FileValue {
                preview_link: Some("p".into()),
                ..file_value("files/a.PNG", 10)
            }]),
        ),
        (
            "imgs",
            json!([file("a.png", json!(1000)), {"filename": "b.png", "downloadLink": "http://x/f", "size": 0, "previewLink": ""}]),
            FieldValue::GroupOfImages(vec![file_value("a.png", 1000), file_value("b.png", 0)]),
        ),
        (
            "file",
            json!([{"filename": "docs/cv.pdf", "downloadLink": "http://x/f", "size": 5, "params": {"k": "v"}}]),
            FieldValue::File(vec![FileValue {
                params: Some(r#"{"k":"v"}"#.into()),
                ..file_value("docs/cv.pdf", 5)
            }]),
        ),
    ]
}

/// Valid radioButton, list, entity and timeInterval values.
fn accepted_choices_and_intervals() -> Vec<Accepted> {
    let choice = |title: &str, value: &str, extended: Option<&str>| Choice {
        title: title.into(),
        value: value.into(),
        extended: extended.map(str::to_string),
    };
    let interval = ("2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z");
    vec![
        (
            "radio",
            json!({"title": "red", "value": "1", "extended": [1]}),
            FieldValue::RadioButton(choice("red", "1", Some("[1]"))),
        ),
        (
            "list",
            json!([{"value": "2"}, {"title": "red", "value": "1"}]),
            FieldValue::List(vec![choice("", "2", None), choice("red", "1", None)]),
        ),
        (
            "ent",
            json!([1, "sku-2"]),
            FieldValue::Entity(vec![EntityId::Numeric(1), EntityId::Text("sku-2".into())]),
        ),
        (
            "iv",
            json!([[interval.0, interval.1]]),
            FieldValue::TimeInterval(vec![(interval.0.into(), interval.1.into())]),
        ),
    ]
}

#[test]
fn each_type_parses_to_its_variant() {
    let form = form();
    let mut types = std::collections::BTreeSet::new();
    for (marker, value, expected) in accepted() {
        let field = form.field(marker).unwrap();
        let typed = parse_value(field, &value).unwrap_or_else(|v| panic!("{marker}: {v:?}"));
        assert_eq!(typed.as_ref(), Some(&expected), "{marker} = {value}");
        // The validator input parser (plugin dry runs, the CLI) reads the same JSON the same way.
        assert_eq!(field_value(field.field_type, &value, "value"), Ok(expected));
        types.insert(field.field_type.name());
    }
    assert_eq!(types.len(), 15, "every type has a valid value");
}

#[test]
fn empty_values_are_typed_where_their_shape_is_the_types() {
    let form = form();
    let cases = [
        ("s", json!(" "), Some(FieldValue::String(" ".into()))),
        ("i", json!(""), None),
        ("d", json!([]), None),
        ("f", Value::Null, None),
        ("list", json!([]), Some(FieldValue::List(Vec::new()))),
        ("img", json!([]), Some(FieldValue::Image(Vec::new()))),
        ("iv", json!([]), Some(FieldValue::TimeInterval(Vec::new()))),
        (
            "tx",
            json!({"htmlValue": " ", "other": 1}),
            Some(FieldValue::Text(TextValue {
                html_value: " ".into(),
                ..Default::default()
            })),
        ),
    ];
    for (marker, value, expected) in cases {
        let field = form.field(marker).unwrap();
        assert_eq!(
            parse_value(field, &value),
            Ok(expected),
            "{marker} = {value}"
        );
    }
}
