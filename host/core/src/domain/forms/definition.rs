//! What a form is: its identifier, localised title, typed fields with per-type settings, and the
//! markers of its login and password fields. `validate_form` checks a submitted definition.

use std::collections::HashSet;

use serde::Deserialize;

use super::dates::{parse_instant, parse_time_of_day};
use crate::domain::error::{DomainError, DomainResult};
use crate::fields::FieldType;

/// Longest form identifier.
pub const MAX_IDENTIFIER_LEN: usize = 100;
/// Longest field marker.
pub const MAX_MARKER_LEN: usize = 100;
/// Most fields in one form: bounds the work of one check and the size of the record.
pub const MAX_FORM_FIELDS: usize = 200;
/// Most forms one tenant defines: bounds the work of listing them all in number order (the
/// OneEntry layer's `getAllForms`) and each tenant's share of the store.
pub const MAX_FORMS_PER_TENANT: usize = 500;
/// Most options of one radioButton or list field.
pub const MAX_OPTIONS: usize = 1000;
/// Longest `pattern` setting; regexes are compiled on every check, so keep them small.
pub const MAX_PATTERN_LEN: usize = 1000;
/// Memory a compiled `pattern` may take (regex's own size limit), so no pattern is a bomb.
pub const MAX_PATTERN_COMPILED_BYTES: usize = 1 << 20;
/// Most languages of one localised text (a title or a label).
pub const MAX_LANGUAGES: usize = 100;
/// Longest localised text (title, label, option title) in characters.
pub const MAX_TEXT_LEN: usize = 500;
/// Longest language code, e.g. `en_US` (BCP 47 tags fit easily).
pub const MAX_LANG_CODE_LEN: usize = 35;
/// Largest `validators` object of one field, as JSON: plugin settings, not documents.
pub const MAX_VALIDATOR_SETTINGS_BYTES: usize = 16 * 1024;

pub use crate::forms::{ChoiceOption, FieldSettings, Form, FormField, Localised};

/// Body of "create form" and "replace form" (where `identifier` may be left out).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormBody {
    /// The form's identifier: required to create, and on replace the path's if given.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{1,100}$"))]
    pub identifier: Option<String>,
    /// The title per language (none when absent).
    #[serde(default)]
    pub title: Localised,
    /// The fields, in order: at most `MAX_FORM_FIELDS`, markers unique.
    pub fields: Vec<FormField>,
    /// The marker of the string field that holds the sign-in email, if any.
    pub login_marker: Option<String>,
    /// The marker of the string field that holds the password, if any (not the login one).
    pub password_marker: Option<String>,
}

fn is_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
}

/// Checks a form identifier (letters, digits, `_`, `-`), as in the seed's `reg` or `form_12345`.
pub fn validate_identifier(identifier: &str) -> DomainResult<()> {
    if !is_name(identifier, MAX_IDENTIFIER_LEN) {
        return Err(DomainError::bad_request(
            "invalid_form_identifier",
            format!("a form identifier is 1 to {MAX_IDENTIFIER_LEN} letters, digits, '_' or '-'"),
        ));
    }
    Ok(())
}

/// Checks a language code such as `en_US` or `tr`.
pub fn validate_lang_code(code: &str) -> DomainResult<()> {
    let ok = code.len() <= MAX_LANG_CODE_LEN
        && code
            .split(['_', '-'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
        && code.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    if !ok {
        return Err(DomainError::bad_request(
            "invalid_lang_code",
            format!("'{code}' is not a language code like 'en_US' (letters and digits in parts joined by '_' or '-')"),
        ));
    }
    Ok(())
}

fn validate_localised(what: &str, texts: &Localised) -> DomainResult<()> {
    if texts.len() > MAX_LANGUAGES {
        return Err(DomainError::bad_request(
            "invalid_form",
            format!("{what} has more than {MAX_LANGUAGES} languages"),
        ));
    }
    for (lang, text) in texts {
        validate_lang_code(lang)?;
        if text.chars().count() > MAX_TEXT_LEN {
            return Err(DomainError::bad_request(
                "invalid_form",
                format!("{what} in '{lang}' is longer than {MAX_TEXT_LEN} characters"),
            ));
        }
    }
    Ok(())
}

fn bad_settings(marker: &str, message: impl std::fmt::Display) -> DomainError {
    DomainError::bad_request(
        "invalid_field_settings",
        format!("field '{marker}': {message}"),
    )
}

/// Checks that every set key fits the field's type and that the values agree with each other.
/// The checks run in a fixed order and the first problem found is the answer.
fn validate_settings(field: &FormField) -> DomainResult<()> {
    let (m, t, s) = (&field.marker, field.field_type, &field.settings);
    check_keys_fit_type(m, t, s)?;
    check_text_settings(m, s)?;
    check_number_range(m, s)?;
    check_options(m, t, s)?;
    check_target_and_extensions(m, s)?;
    check_date_bounds(m, t, s)?;
    if s.max_items == Some(0) {
        return Err(bad_settings(m, "maxItems must be at least 1"));
    }
    check_validators_size(field)
}

/// Refuses a setting that does not apply to type `t`, naming the types it applies to.
fn check_keys_fit_type(m: &str, t: FieldType, s: &FieldSettings) -> DomainResult<()> {
    for (key, types) in s.set_keys() {
        if !types.contains(&t) {
            let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
            return Err(bad_settings(
                m,
                format!(
                    "setting '{key}' does not apply to type '{}' (it applies to {})",
                    t.name(),
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// `minLength` at most `maxLength`; `pattern` within `MAX_PATTERN_LEN` and compiling within
/// `MAX_PATTERN_COMPILED_BYTES`.
fn check_text_settings(m: &str, s: &FieldSettings) -> DomainResult<()> {
    if let (Some(min), Some(max)) = (s.min_length, s.max_length) {
        if min > max {
            return Err(bad_settings(
                m,
                format!("minLength {min} is greater than maxLength {max}"),
            ));
        }
    }
    if let Some(pattern) = &s.pattern {
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(bad_settings(
                m,
                format!("pattern is longer than {MAX_PATTERN_LEN} bytes"),
            ));
        }
        compile_pattern(pattern)
            .map_err(|e| bad_settings(m, format!("pattern does not compile: {e}")))?;
    }
    Ok(())
}

/// `min` and `max` finite, `min` at most `max`.
fn check_number_range(m: &str, s: &FieldSettings) -> DomainResult<()> {
    for n in [s.min, s.max].into_iter().flatten() {
        if !n.is_finite() {
            return Err(bad_settings(m, "min and max must be finite numbers"));
        }
    }
    if let (Some(min), Some(max)) = (s.min, s.max) {
        if min > max {
            return Err(bad_settings(
                m,
                format!("min {min} is greater than max {max}"),
            ));
        }
    }
    Ok(())
}

/// A radioButton or list field has 1 to `MAX_OPTIONS` options with non-empty, unique values and
/// titles of at most `MAX_TEXT_LEN` characters.
fn check_options(m: &str, t: FieldType, s: &FieldSettings) -> DomainResult<()> {
    if !matches!(t, FieldType::RadioButton | FieldType::List) {
        return Ok(());
    }
    let options = s.options.as_deref().unwrap_or_default();
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(bad_settings(
            m,
            format!(
                "a {} field needs 1 to {MAX_OPTIONS} options [{{title, value}}]",
                t.name()
            ),
        ));
    }
    let mut seen = HashSet::new();
    for o in options {
        if o.value.is_empty()
            || o.title.chars().count() > MAX_TEXT_LEN
            || !seen.insert(o.value.as_str())
        {
            return Err(bad_settings(
                m,
                format!("option values must be non-empty and unique ('{}')", o.value),
            ));
        }
    }
    Ok(())
}

/// `target` is a name like a marker; `allowedExtensions` is a non-empty list of short names.
fn check_target_and_extensions(m: &str, s: &FieldSettings) -> DomainResult<()> {
    if let Some(target) = &s.target {
        if !is_name(target, MAX_MARKER_LEN) {
            return Err(bad_settings(
                m,
                "target must be 1 to 100 letters, digits, '_' or '-'",
            ));
        }
    }
    if let Some(exts) = &s.allowed_extensions {
        if exts.is_empty() || exts.iter().any(|e| !is_name(e.trim_start_matches('.'), 20)) {
            return Err(bad_settings(
                m,
                "allowedExtensions must be a non-empty list of extensions like 'png'",
            ));
        }
    }
    Ok(())
}

/// `notBefore` and `notAfter` parse (times of day for a time field, ISO 8601 dates or
/// date-times otherwise) and are in order.
fn check_date_bounds(m: &str, t: FieldType, s: &FieldSettings) -> DomainResult<()> {
    if let (Some(from), Some(to)) = (
        date_bound(m, t, &s.not_before)?,
        date_bound(m, t, &s.not_after)?,
    ) {
        if from > to {
            return Err(bad_settings(m, "notBefore is after notAfter"));
        }
    }
    Ok(())
}

/// A `notBefore` or `notAfter` bound parsed for comparison: a time of day for a time field (on
/// the earliest date), an instant otherwise.
fn date_bound(
    m: &str,
    t: FieldType,
    bound: &Option<String>,
) -> DomainResult<Option<chrono::NaiveDateTime>> {
    let Some(b) = bound else { return Ok(None) };
    let parsed = if t == FieldType::Time {
        parse_time_of_day(b).map(|time| chrono::NaiveDate::MIN.and_time(time))
    } else {
        parse_instant(b)
    };
    match parsed {
        Some(p) => Ok(Some(p)),
        None if t == FieldType::Time => Err(bad_settings(
            m,
            format!("'{b}' is not a time of day HH:MM[:SS]"),
        )),
        None => Err(bad_settings(
            m,
            format!("'{b}' is not an ISO 8601 date or date-time"),
        )),
    }
}

/// The field's `validators` object is at most `MAX_VALIDATOR_SETTINGS_BYTES` of JSON.
fn check_validators_size(field: &FormField) -> DomainResult<()> {
    let validators_len = serde_json::to_vec(&field.validators)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if validators_len > MAX_VALIDATOR_SETTINGS_BYTES {
        return Err(bad_settings(
            &field.marker,
            format!("validators is larger than {MAX_VALIDATOR_SETTINGS_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Compiles a `pattern` setting within `MAX_PATTERN_COMPILED_BYTES`.
pub(crate) fn compile_pattern(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_PATTERN_COMPILED_BYTES)
        .build()
}

fn validate_marker_ref(
    form_fields: &[FormField],
    which: &str,
    marker: &Option<String>,
) -> DomainResult<()> {
    let Some(marker) = marker else { return Ok(()) };
    match form_fields.iter().find(|f| &f.marker == marker) {
        None => Err(DomainError::bad_request(
            "unknown_marker",
            format!("{which} '{marker}' names no field of the form"),
        )),
        Some(f) if f.field_type != FieldType::String => Err(DomainError::bad_request(
            "invalid_form",
            format!(
                "{which} '{marker}' must name a field of type 'string', not '{}'",
                f.field_type.name()
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// Checks a whole definition: fields, markers unique, settings fit their types, the login and
/// password markers name two different string fields.
pub fn validate_form(body: &FormBody) -> DomainResult<()> {
    validate_localised("title", &body.title)?;
    if body.fields.len() > MAX_FORM_FIELDS {
        return Err(DomainError::bad_request(
            "invalid_form",
            format!("a form has at most {MAX_FORM_FIELDS} fields"),
        ));
    }
    let mut markers = HashSet::new();
    for field in &body.fields {
        if !is_name(&field.marker, MAX_MARKER_LEN) {
            return Err(DomainError::bad_request(
                "invalid_marker",
                format!(
                    "marker '{}' must be 1 to {MAX_MARKER_LEN} letters, digits, '_' or '-'",
                    field.marker
                ),
            ));
        }
        if !markers.insert(field.marker.as_str()) {
            return Err(DomainError::bad_request(
                "duplicate_marker",
                format!(
                    "marker '{}' appears more than once in the form",
                    field.marker
                ),
            ));
        }
        validate_localised(&format!("label of '{}'", field.marker), &field.label)?;
        validate_settings(field)?;
    }
    validate_marker_ref(&body.fields, "loginMarker", &body.login_marker)?;
    validate_marker_ref(&body.fields, "passwordMarker", &body.password_marker)?;
    if body.login_marker.is_some() && body.login_marker == body.password_marker {
        return Err(DomainError::bad_request(
            "invalid_form",
            "loginMarker and passwordMarker must name different fields",
        ));
    }
    Ok(())
}
