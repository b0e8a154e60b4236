//! `formData` as the seed sends it, in any of its three shapes:
//! - one field: `{"marker": "last_name", "type": "string", "value": "Doe"}`;
//! - a list of fields: `[{...}, {...}]`;
//! - fields per language: `{"en_US": [{...}], "tr_TR": {...}}`;
//!
//! the first two in the request's `langCode`. `check_form_data` parses and checks every field
//! natively, keeping both the fields that passed (with their typed values, parsed here once) and
//! every violation, so that plugin validators can run on the former and add to the latter before
//! anything is written.

use std::collections::BTreeMap;

use serde_json::Value;

use super::definition::{validate_lang_code, Form};
use super::values::parse_value;
use crate::fields::{FieldType, FieldValue, Violation};

/// Language of `formData` when the request names none.
pub const DEFAULT_LANG_CODE: &str = "en_US";
/// Most fields in one submission (all languages together): bounds the work of one check.
pub const MAX_SUBMITTED_FIELDS: usize = 1000;

/// One submitted field that passed the native checks.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedField {
    /// The field's marker.
    pub marker: String,
    /// The field's type.
    pub field_type: FieldType,
    /// The typed value validators receive; none when there is nothing to validate (`null`, or an
    /// empty value in another type's shape, see `values::parse_value`).
    pub value: Option<FieldValue>,
    /// The value as submitted, which is what is stored; `null` clears the stored value.
    pub json: Value,
}

/// The submitted fields that passed the native checks, per language code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedFields {
    /// Each language code's fields, in the order they were submitted.
    pub langs: BTreeMap<String, Vec<ParsedField>>,
}

impl ParsedFields {
    /// Every field of every language, with its language.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParsedField)> {
        self.langs
            .iter()
            .flat_map(|(lang, fields)| fields.iter().map(move |f| (lang.as_str(), f)))
    }
}

/// The outcome of the native stage: what passed and what did not.
#[derive(Debug, Default)]
pub struct Checked {
    /// The fields that passed.
    pub fields: ParsedFields,
    /// Every violation found, of the envelope and of each field.
    pub violations: Vec<Violation>,
}

/// Pointer used as the marker of a violation about the envelope itself (no marker to blame).
const FORM_DATA: &str = "formData";

/// Splits `formData` into `(lang, entries)`, moving the entries out; envelope problems become
/// violations.
fn by_language(
    form_data: Value,
    lang_code: &str,
    violations: &mut Vec<Violation>,
) -> Vec<(String, Vec<Value>)> {
    match form_data {
        Value::Array(entries) => vec![(lang_code.to_string(), entries)],
        Value::Object(obj) if obj.contains_key("marker") => {
            vec![(lang_code.to_string(), vec![Value::Object(obj)])]
        }
        Value::Object(obj) => {
            let mut out = Vec::new();
            for (lang, entries) in obj {
                if let Err(e) = validate_lang_code(&lang) {
                    violations.push(Violation::new(
                        &format!("{FORM_DATA}/{lang}"),
                        "invalid_lang_code",
                        e.to_string(),
                    ));
                    continue;
                }
                match entries {
                    Value::Array(list) => out.push((lang, list)),
                    entry @ Value::Object(_) => out.push((lang, vec![entry])),
                    _ => violations.push(Violation::new(
                        &format!("{FORM_DATA}/{lang}"),
                        "invalid_form_data",
                        "the fields of a language must be a field object or a list of them",
                    )),
                }
            }
            out
        }
        _ => {
            violations.push(Violation::new(
                FORM_DATA,
                "invalid_form_data",
                "formData must be a field {marker, type, value}, a list of fields, or fields per language code",
            ));
            Vec::new()
        }
    }
}

/// Parses and checks one entry `{marker, type?, value}` against the form, moving its value
/// out. `seen` marks the form's fields (by position) already given in this language.
fn check_entry(
    form: &Form,
    lang: &str,
    index: usize,
    entry: Value,
    seen: &mut [bool],
) -> Result<ParsedField, Vec<Violation>> {
    let one = |marker: &str, code: &str, message: String| {
        Err(vec![Violation::new(marker, code, message)])
    };
    let Value::Object(mut obj) = entry else {
        return one(
            &format!("{FORM_DATA}/{lang}/{index}"),
            "invalid_form_data",
            "a field must be an object {marker, type, value}".into(),
        );
    };
    let Some(marker) = obj.get("marker").and_then(Value::as_str) else {
        return one(
            &format!("{FORM_DATA}/{lang}/{index}"),
            "invalid_form_data",
            "a field needs a string 'marker'".into(),
        );
    };
    if let Some(key) = obj
        .keys()
        .find(|k| !["marker", "type", "value"].contains(&k.as_str()))
    {
        return one(
            marker,
            "invalid_form_data",
            format!("unknown key '{key}' (a field has marker, type and value)"),
        );
    }
    let Some(position) = form.fields.iter().position(|f| f.marker == marker) else {
        return one(
            marker,
            "unknown_field",
            format!("form '{}' has no field '{marker}'", form.identifier),
        );
    };
    let field = &form.fields[position];
    if std::mem::replace(&mut seen[position], true) {
        return one(
            marker,
            "duplicate_field",
            format!("'{marker}' is given more than once for '{lang}'"),
        );
    }
    if form.password_marker.as_deref() == Some(marker) {
        return one(
            marker,
            "password_in_form_data",
            "set the password through authData, not formData".into(),
        );
    }
    // The type may be left out (the form knows it); when given it must agree.
    if let Some(t) = obj.get("type") {
        let declared = field.field_type.name();
        if t.as_str() != Some(declared) {
            return one(
                marker,
                "type_mismatch",
                format!("'{marker}' is of type '{declared}', not {t}"),
            );
        }
    }
    // Taken, not removed: the object is dropped next anyway.
    let json = obj.get_mut("value").map(Value::take).unwrap_or(Value::Null);
    let value = parse_value(field, &json)?;
    Ok(ParsedField {
        marker: field.marker.clone(),
        field_type: field.field_type,
        value,
        json,
    })
}

/// The native stage: every field of `form_data` parsed and checked against `form`. Never stops
/// at the first problem. `lang_code` must already be valid.
pub fn check_form_data(form: &Form, form_data: Value, lang_code: &str) -> Checked {
    let mut checked = Checked::default();
    let langs = by_language(form_data, lang_code, &mut checked.violations);
    let total: usize = langs.iter().map(|(_, entries)| entries.len()).sum();
    if total > MAX_SUBMITTED_FIELDS {
        checked.violations.push(Violation::new(
            FORM_DATA,
            "too_many_fields",
            format!("{total} fields submitted; at most {MAX_SUBMITTED_FIELDS} per request"),
        ));
        return checked;
    }
    for (lang, entries) in langs {
        let mut seen = vec![false; form.fields.len()];
        let mut fields = Vec::with_capacity(entries.len());
        for (i, entry) in entries.into_iter().enumerate() {
            match check_entry(form, &lang, i, entry, &mut seen) {
                Ok(field) => fields.push(field),
                Err(v) => checked.violations.extend(v),
            }
        }
        // Moved in whole (not copied into a new list) when the language is new, as it is.
        let kept = checked.fields.langs.entry(lang).or_default();
        if kept.is_empty() {
            *kept = fields;
        } else {
            kept.extend(fields);
        }
    }
    checked
}

/// The native stage as one result: the parsed fields, or every violation.
pub fn parse_and_check(
    form: &Form,
    form_data: Value,
    lang_code: &str,
) -> Result<ParsedFields, Vec<Violation>> {
    let checked = check_form_data(form, form_data, lang_code);
    if checked.violations.is_empty() {
        Ok(checked.fields)
    } else {
        Err(checked.violations)
    }
}
