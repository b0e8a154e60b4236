//! Targets: form definitions (`validate_form`, the per-type settings, `pattern` regexes) and
//! `formData` as the portal's sign-up and `updateUser` send it (`check_form_data`, every field
//! parsed natively against a form that has each of the 15 field types, with settings).
//!
//! Properties: no panic, bounded work (a `pattern` compiles within its size limit); a refused
//! definition is a 4xx; every field that passes has its form field's type, and its typed value
//! that type.

use std::sync::OnceLock;

use portico_core::domain::forms::{check_form_data, validate_form, Form, FormBody};
use serde_json::json;

use crate::body;

/// The keys and strings of form definitions and form data.
const VOCABULARY: &[&str] = &[
    "identifier",
    "title",
    "fields",
    "loginMarker",
    "passwordMarker",
    "marker",
    "type",
    "required",
    "label",
    "settings",
    "validators",
    "minLength",
    "maxLength",
    "pattern",
    "min",
    "max",
    "options",
    "target",
    "allowedExtensions",
    "maxSize",
    "notBefore",
    "notAfter",
    "maxItems",
    "value",
    "fullDate",
    "formattedValue",
    "formatString",
    "htmlValue",
    "header",
    "filename",
    "size",
    "previewLink",
    "downloadLink",
    "params",
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
    "s",
    "i",
    "f",
    "d",
    "dt",
    "t",
    "tx",
    "th",
    "img",
    "gi",
    "fl",
    "rb",
    "ls",
    "en",
    "ti",
    "en_US",
    "tr_TR",
    "a",
    "b",
    "now",
    "09:00",
    "2024-05-07T21:02:00.000Z",
    "2024-05-07",
    "17:30",
    "x.png",
    "12",
    "-3.5",
    "1e400",
    "(a+)+$",
    "^[a-z]{2,}$",
    "",
];

/// A form with every field type, each with the settings its type takes.
fn every_type_form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    FORM.get_or_init(|| {
        serde_json::from_value(json!({
            "identifier": "all", "title": {"en_US": "All"},
            "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z",
            "fields": [
                {"marker": "s", "type": "string", "required": true,
                 "settings": {"minLength": 2, "maxLength": 20, "pattern": "^[a-z0-9_]+$"}},
                {"marker": "i", "type": "integer", "settings": {"min": 0, "max": 130}},
                {"marker": "f", "type": "float", "settings": {"min": -1.5, "max": 5}},
                {"marker": "d", "type": "date", "settings": {"notBefore": "1900-01-01", "notAfter": "2100-01-01"}},
                {"marker": "dt", "type": "dateTime", "settings": {"notBefore": "2020-01-01T00:00:00Z"}},
                {"marker": "t", "type": "time", "settings": {"notBefore": "09:00", "notAfter": "17:00"}},
                {"marker": "tx", "type": "text", "settings": {"maxLength": 50}},
                {"marker": "th", "type": "textWithHeader", "settings": {"minLength": 1}},
                {"marker": "img", "type": "image",
                 "settings": {"allowedExtensions": ["png"], "maxSize": 1000, "maxItems": 2}},
                {"marker": "gi", "type": "groupOfImages", "settings": {"maxItems": 3}},
                {"marker": "fl", "type": "file", "settings": {"allowedExtensions": [".pdf"]}},
                {"marker": "rb", "type": "radioButton",
                 "settings": {"options": [{"title": "A", "value": "a"}, {"title": "B", "value": "b"}]}},
                {"marker": "ls", "type": "list",
                 "settings": {"options": [{"title": "A", "value": "a"}], "maxItems": 2}},
                {"marker": "en", "type": "entity", "settings": {"maxItems": 2}},
                {"marker": "ti", "type": "timeInterval", "settings": {"notBefore": "2020-01-01"}}
            ],
            "loginMarker": "s"
        }))
        .expect("the form with every type parses")
    })
}

/// Checks one form definition body.
pub fn check_definition(bytes: &[u8]) {
    let text = body::text(bytes, VOCABULARY);
    if let Ok(form) = body::read::<FormBody>(&text) {
        if let Err(e) = validate_form(&form) {
            body::assert_client_error(&e.into());
        }
    }
}

/// Checks one `formData` value (and language) against the form with every type.
pub fn check_data(bytes: &[u8]) {
    let Some((&lang, rest)) = bytes.split_first() else {
        return;
    };
    let Some(form_data) = crate::json_input::value(rest, VOCABULARY) else {
        return;
    };
    let lang = ["en_US", "tr_TR", "de"][usize::from(lang) % 3];
    let form = every_type_form();
    let checked = check_form_data(form, form_data, lang);
    for (_, field) in checked.fields.iter() {
        let declared = form
            .field(&field.marker)
            .expect("a passed field is the form's");
        assert_eq!(field.field_type, declared.field_type);
        if let Some(value) = &field.value {
            assert_eq!(value.field_type(), field.field_type);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn the_form_with_every_type_is_valid() {
        let form = super::every_type_form();
        assert_eq!(form.fields.len(), 15);
        let body: super::FormBody = serde_json::from_value(serde_json::json!({
            "identifier": form.identifier,
            "fields": serde_json::to_value(&form.fields).unwrap(),
            "loginMarker": "s",
        }))
        .unwrap();
        super::validate_form(&body).unwrap();
    }

    #[test]
    fn form_definitions() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check_definition(bytes));
    }

    #[test]
    fn form_data() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check_data(bytes));
    }
}
