//! {{name}}: a field validator. Every string field is checked against its
//! settings: `required` (a non-empty value) and `maxLength` (characters,
//! default 64). A field's settings are the binding's settings overlaid by the
//! field's own `validators` in the form.

use portico_plugin_sdk::prelude::*;
use serde::Deserialize;

/// The rules a field's settings may hold.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rules {
    #[serde(default)]
    required: bool,
    #[serde(default = "default_max_length")]
    max_length: usize,
}

fn default_max_length() -> usize {
    64
}

struct Validator;

impl FieldValidator for Validator {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        fields.iter().filter_map(check).collect()
    }
}

/// The violation of one field, if any.
fn check(field: &Field) -> Option<Violation> {
    let FieldValue::String(text) = &field.value else {
        return None;
    };
    let rules: Rules = match portico_plugin_sdk::settings::parse(&field.settings, &field.marker) {
        Ok(rules) => rules,
        Err(e) => {
            return Some(Violation::new(
                &field.marker,
                "invalid_settings",
                e.to_string(),
            ))
        }
    };
    if rules.required && text.trim().is_empty() {
        return Some(Violation::new(
            &field.marker,
            "required",
            "must not be empty",
        ));
    }
    let length = text.chars().count();
    (length > rules.max_length).then(|| {
        let message = format!(
            "must be at most {} characters, not {length}",
            rules.max_length
        );
        Violation::new(&field.marker, "too_long", message)
    })
}

portico_plugin_sdk::export_field_validator!(Validator);
