//! The per-field rules (a field's `settings` JSON) and their checks, one
//! function per family of field types. Rules that do not apply to a field's
//! type are ignored; unknown keys are refused (`invalid_settings`), so a typo
//! never silently disables a rule.

use crate::dates::{self, Moment};
use portico_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::Number;

/// A field's validation rules, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Rules {
    pub required: bool,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub header_max_length: Option<usize>,
    pub pattern: Option<String>,
    pub min: Option<Number>,
    pub max: Option<Number>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    pub allowed_extensions: Option<Vec<String>>,
    pub max_size: Option<u64>,
    pub options: Option<Vec<Json>>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
}

/// Collects the violations of one field.
pub struct Check<'a> {
    pub field: &'a Field,
    pub rules: &'a Rules,
    /// The current time in ms since the epoch, asked only for `"now"` bounds.
    pub now: &'a dyn Fn() -> i64,
    pub found: Vec<Violation>,
}

impl Check<'_> {
    fn fail(&mut self, code: &str, message: String) {
        self.found.push(self.field.violation(code, message));
    }

    /// `required`: the value must not be empty.
    pub fn presence(&mut self) -> bool {
        let empty = match &self.field.value {
            FieldValue::String(s) => s.trim().is_empty(),
            FieldValue::Integer(_) | FieldValue::Float(_) => false,
            FieldValue::Date(d) | FieldValue::DateTime(d) | FieldValue::Time(d) => {
                d.full_date.is_empty()
            }
            FieldValue::Text(t) => {
                t.plain_value.trim().is_empty() && t.html_value.is_empty() && t.md_value.is_empty()
            }
            FieldValue::TextWithHeader(t) => {
                t.header.trim().is_empty() && t.plain_value.trim().is_empty()
            }
            FieldValue::Image(f) | FieldValue::GroupOfImages(f) | FieldValue::File(f) => {
                f.is_empty()
            }
            FieldValue::RadioButton(c) => c.value.is_empty(),
            FieldValue::List(c) => c.is_empty(),
            FieldValue::Entity(ids) => ids.is_empty(),
            FieldValue::TimeInterval(pairs) => pairs.is_empty(),
        };
        if empty && self.rules.required {
            self.fail("required", "a value is required".into());
        }
        !empty
    }

    /// minLength / maxLength / pattern on a text; `what` names it in messages.
    pub fn text(&mut self, what: &str, text: &str) {
        let chars = text.chars().count();
        if let Some(min) = self.rules.min_length.filter(|&min| chars < min) {
            self.fail(
                "too_short",
                format!("{what} must be at least {min} characters long"),
            );
        }
        if let Some(max) = self.rules.max_length.filter(|&max| chars > max) {
            self.fail(
                "too_long",
                format!("{what} must be at most {max} characters long"),
            );
        }
        if let Some(pattern) = &self.rules.pattern {
            match regex_lite::Regex::new(pattern) {
                Ok(re) if !re.is_match(text) => self.fail(
                    "pattern_mismatch",
                    format!("{what} does not match the pattern {pattern}"),
                ),
                Ok(_) => {}
                Err(e) => self.fail("invalid_settings", format!("bad pattern {pattern}: {e}")),
            }
        }
    }

    /// headerMaxLength on the header of a text-with-header.
    pub fn header(&mut self, header: &str) {
        if let Some(max) = self
            .rules
            .header_max_length
            .filter(|&m| header.chars().count() > m)
        {
            self.fail(
                "too_long",
                format!("the header must be at most {max} characters long"),
            );
        }
    }

    /// min / max on an integer (compared exactly when the bound is an integer).
    pub fn integer(&mut self, value: i64) {
        let below = |b: &Number| {
            b.as_i64().map_or_else(
                || (value as f64) < b.as_f64().unwrap_or(f64::NAN),
                |b| value < b,
            )
        };
        let above = |b: &Number| {
            b.as_i64().map_or_else(
                || (value as f64) > b.as_f64().unwrap_or(f64::NAN),
                |b| value > b,
            )
        };
        self.range(|| value.to_string(), below, above);
    }

    /// min / max on a float; NaN and infinities are refused.
    pub fn float(&mut self, value: f64) {
        if !value.is_finite() {
            return self.fail("not_a_number", "the value must be a finite number".into());
        }
        let bound = |b: &Number| b.as_f64().unwrap_or(f64::NAN);
        self.range(
            || value.to_string(),
            |b| value < bound(b),
            |b| value > bound(b),
        );
    }

    /// `shown` formats the value, only when a message needs it.
    fn range(
        &mut self,
        shown: impl Fn() -> String,
        below: impl Fn(&Number) -> bool,
        above: impl Fn(&Number) -> bool,
    ) {
        if let Some(min) = self.rules.min.as_ref().filter(|b| below(b)) {
            self.fail(
                "out_of_range",
                format!("{} is less than the minimum {min}", shown()),
            );
        }
        if let Some(max) = self.rules.max.as_ref().filter(|b| above(b)) {
            self.fail(
                "out_of_range",
                format!("{} is greater than the maximum {max}", shown()),
            );
        }
    }

    /// A bound from the settings: an ISO date, date-time, time of day, or `now`.
    fn bound(&mut self, name: &str, text: &Option<String>) -> Option<Moment> {
        let text = text.as_deref()?;
        if text == "now" {
            return Some(Moment::Instant((self.now)()));
        }
        let parsed = dates::parse(text);
        if parsed.is_none() {
            self.fail("invalid_settings", format!("{name} is not a date: {text}"));
        }
        parsed
    }

    /// notBefore / notAfter on one date; returns the parsed date. `what` names the date in
    /// messages (made only when one is needed).
    pub fn date(&mut self, what: &dyn Fn() -> String, text: &str) -> Option<Moment> {
        let Some(moment) = dates::parse(text) else {
            self.fail(
                "invalid_date",
                format!("{} is not an ISO 8601 date: {text}", what()),
            );
            return None;
        };
        let (not_before, not_after) = (self.rules.not_before.clone(), self.rules.not_after.clone());
        if self
            .bound("notBefore", &not_before)
            .is_some_and(|b| moment.cmp_to(b).is_lt())
        {
            self.fail(
                "date_out_of_range",
                format!("{} is before {}", what(), not_before.unwrap_or_default()),
            );
        }
        if self
            .bound("notAfter", &not_after)
            .is_some_and(|b| moment.cmp_to(b).is_gt())
        {
            self.fail(
                "date_out_of_range",
                format!("{} is after {}", what(), not_after.unwrap_or_default()),
            );
        }
        Some(moment)
    }

    /// Each [start, end] pair: valid dates within bounds, start before end.
    pub fn intervals(&mut self, pairs: &[(String, String)]) {
        for (i, (start, end)) in pairs.iter().enumerate() {
            let n = i + 1;
            let a = self.date(&|| format!("the start of interval {n}"), start);
            let b = self.date(&|| format!("the end of interval {n}"), end);
            if let (Some(a), Some(b)) = (a, b) {
                if !a.cmp_to(b).is_lt() {
                    self.fail(
                        "interval_order",
                        format!("interval {n} must start before it ends"),
                    );
                }
            }
        }
    }

    /// minItems / maxItems on a list value; `default_max` applies when maxItems is unset.
    pub fn items(&mut self, count: usize, default_max: Option<usize>) {
        if let Some(min) = self.rules.min_items.filter(|&m| count < m) {
            self.fail(
                "too_few_items",
                format!("at least {min} items are required, got {count}"),
            );
        }
        if let Some(max) = self.rules.max_items.or(default_max).filter(|&m| count > m) {
            self.fail(
                "too_many_items",
                format!("at most {max} items are allowed, got {count}"),
            );
        }
    }

    /// allowedExtensions / maxSize on each file or image.
    pub fn files(&mut self, files: &[FileValue]) {
        for (i, file) in files.iter().enumerate() {
            let name = file.filename.rsplit('/').next().unwrap_or_default();
            if let Some(allowed) = &self.rules.allowed_extensions {
                let ext = name
                    .rsplit_once('.')
                    .map(|(_, e)| e.to_ascii_lowercase())
                    .unwrap_or_default();
                let ok = !ext.is_empty()
                    && allowed
                        .iter()
                        .any(|a| a.trim_start_matches('.').eq_ignore_ascii_case(&ext));
                if !ok {
                    let list = allowed.join(", ");
                    self.fail(
                        "extension_not_allowed",
                        format!("file {} ({name}): allowed extensions are {list}", i + 1),
                    );
                }
            }
            if let Some(max) = self.rules.max_size.filter(|&m| file.size > m) {
                self.fail(
                    "file_too_large",
                    format!(
                        "file {} ({name}) has {} bytes, more than {max}",
                        i + 1,
                        file.size
                    ),
                );
            }
        }
    }

    /// options: every chosen value (or entity id) must be one of them.
    pub fn options(&mut self, values: impl IntoIterator<Item = String>) {
        let Some(options) = &self.rules.options else {
            return;
        };
        let allowed: Vec<String> = options.iter().map(json_text).collect();
        for value in values {
            if !allowed.contains(&value) {
                self.fail(
                    "not_an_option",
                    format!("{value} is not one of the options"),
                );
            }
        }
    }
}

/// A JSON option as text: strings without quotes, numbers as written.
fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}
