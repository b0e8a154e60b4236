//! Target: form field JSON into the typed model of the 15 field types (`portico_fields::json`),
//! as the forms API and every validator call parse it.
//!
//! Property: no panic, and every value that parses renders back (`field_value_json`) to JSON
//! that parses again to the same typed value (the documented round trip).

use portico_fields::json::{field, field_value, field_value_json, fields};
use portico_fields::FieldType;
use serde_json::Value;

/// The keys and strings of the form API's field shapes, so that generated input reaches them.
const VOCABULARY: &[&str] = &[
    "fields",
    "marker",
    "type",
    "value",
    "settings",
    "formIdentifier",
    "langCode",
    "fullDate",
    "formattedValue",
    "formatString",
    "htmlValue",
    "plainValue",
    "mdValue",
    "params",
    "header",
    "filename",
    "downloadLink",
    "size",
    "previewLink",
    "title",
    "extended",
    "string",
    "integer",
    "float",
    "date",
    "dateTime",
    "time",
    "text",
    "textWithHeader",
    "image",
    "groupOfImages",
    "file",
    "radioButton",
    "list",
    "entity",
    "timeInterval",
    "",
    "0",
    "en_US",
];

/// Checks one input: a whole `{"fields": [...]}` body, one field, and one value of each type.
pub fn check(bytes: &[u8]) {
    let Some(input) = crate::json_input::value(bytes, VOCABULARY) else {
        return;
    };
    if let Ok(parsed) = fields(&input) {
        for f in &parsed {
            assert_eq!(f.value.field_type(), f.field_type);
            assert_round_trip(f.field_type, &f.value);
        }
    }
    if let Ok(f) = field(&input, "field") {
        assert_round_trip(f.field_type, &f.value);
    }
    for t in FieldType::ALL {
        if let Ok(v) = field_value(t, &input, "value") {
            assert_eq!(v.field_type(), t);
            assert_round_trip(t, &v);
        }
    }
}

/// A parsed value, rendered and parsed again, is the same value; so is its JSON.
fn assert_round_trip(t: FieldType, v: &portico_fields::FieldValue) {
    let json = field_value_json(v);
    // Through the text too: the rendered JSON is what a response body carries.
    let text = json.to_string();
    let reparsed: Value = serde_json::from_str(&text).expect("rendered JSON parses");
    let again = field_value(t, &reparsed, "value").expect("a rendered value parses again");
    assert_eq!(&again, v, "{text}");
    assert_eq!(field_value_json(&again), json);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn field_json() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check(bytes));
    }
}
