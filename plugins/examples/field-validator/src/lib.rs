//! Field validator: checks every field of a request against the rules in its
//! `settings` JSON and returns every violation. Covers all 15 field types;
//! see README.md for the rules and the violation codes.

mod dates;
mod rules;

use portico_plugin_sdk::prelude::*;
use rules::{Check, Rules};

struct RuleValidator;

impl FieldValidator for RuleValidator {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        validate_all(&fields, &|| portico_plugin_sdk::host::now_ms() as i64)
    }
}

portico_plugin_sdk::export_field_validator!(RuleValidator);

// Each call runs in a fresh instance and allocates in proportion to its fields: a bump
// allocator does less work per allocation than the default one.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: portico_plugin_sdk::arena::CallArena = portico_plugin_sdk::arena::CallArena;

/// Validates a batch of fields; `now` gives the time for `"now"` date bounds.
pub fn validate_all(fields: &[Field], now: &dyn Fn() -> i64) -> Vec<Violation> {
    fields
        .iter()
        .flat_map(|field| validate_one(field, now))
        .collect()
}

fn validate_one(field: &Field, now: &dyn Fn() -> i64) -> Vec<Violation> {
    if field.field_type != field.value.field_type() {
        let message = format!(
            "declared as {} but the value is a {}",
            field.field_type.json_name(),
            field.value.field_type().json_name()
        );
        return vec![field.violation("type_mismatch", message)];
    }
    let rules: Rules = match field.settings_as() {
        Ok(rules) => rules,
        Err(e) => return vec![field.violation("invalid_settings", e.to_string())],
    };
    let mut check = Check {
        field,
        rules: &rules,
        now,
        found: Vec::new(),
    };
    // An empty value only answers to `required`: other rules judge values.
    if check.presence() {
        check_value(&mut check, &field.value);
    }
    check.found
}

fn check_value(check: &mut Check, value: &FieldValue) {
    match value {
        FieldValue::String(s) => check.text("the value", s),
        FieldValue::Integer(n) => check.integer(*n),
        FieldValue::Float(x) => check.float(*x),
        FieldValue::Date(d) | FieldValue::DateTime(d) | FieldValue::Time(d) => {
            check.date(&|| "the date".into(), &d.full_date);
        }
        FieldValue::Text(t) => check.text("the text", &t.plain_value),
        FieldValue::TextWithHeader(t) => {
            check.header(&t.header);
            check.text("the text", &t.plain_value);
        }
        FieldValue::Image(files) => {
            check.items(files.len(), Some(1));
            check.files(files);
        }
        FieldValue::GroupOfImages(files) | FieldValue::File(files) => {
            check.items(files.len(), None);
            check.files(files);
        }
        FieldValue::RadioButton(choice) => check.options([choice.value.clone()]),
        FieldValue::List(choices) => {
            check.items(choices.len(), None);
            check.options(choices.iter().map(|c| c.value.clone()));
        }
        FieldValue::Entity(ids) => {
            check.items(ids.len(), None);
            check.options(ids.iter().map(EntityId::to_text));
        }
        FieldValue::TimeInterval(pairs) => {
            check.items(pairs.len(), None);
            check.intervals(pairs);
        }
    }
}

#[cfg(test)]
mod tests;
