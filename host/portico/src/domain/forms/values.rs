//! Native checks of one submitted value against its field: the JSON shape of each of the 15
//! types exactly as seed 004 gives it, then the field's settings. Every problem is reported, not
//! only the first, so the caller can answer with all of them at once.

use serde_json::{Map, Value};

use super::dates::{parse_instant, parse_time_of_day, time_of_day};
use super::definition::{compile_pattern, FieldSettings, FormField};
use portico_core::fields::{FieldType, Violation};

/// Keys of a date, dateTime or time value.
const DATE_KEYS: &[&str] = &["fullDate", "formattedValue", "formatString"];
/// Keys of a text value (textWithHeader adds `header`).
const TEXT_KEYS: &[&str] = &["htmlValue", "plainValue", "mdValue", "params"];
/// Keys of one file or image.
const FILE_KEYS: &[&str] = &["filename", "downloadLink", "size", "previewLink", "params"];
/// Keys of one chosen option.
const CHOICE_KEYS: &[&str] = &["title", "value", "extended"];

/// Collects the violations of one field.
struct Check<'a> {
    field: &'a FormField,
    out: Vec<Violation>,
}

impl Check<'_> {
    fn fail(&mut self, code: &str, message: impl Into<String>) {
        self.out
            .push(Violation::new(&self.field.marker, code, message));
    }

    fn settings(&self) -> &FieldSettings {
        &self.field.settings
    }

    /// The value as an object with only `allowed` keys, each of `required` present.
    fn object<'v>(
        &mut self,
        what: &str,
        v: &'v Value,
        allowed: &[&str],
        required: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(obj) = v.as_object() else {
            self.fail(
                "invalid_value",
                format!("{what} must be an object with {}", allowed.join(", ")),
            );
            return None;
        };
        let unknown: Vec<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|k| !obj.contains_key(*k))
            .collect();
        if !unknown.is_empty() || !missing.is_empty() {
            self.fail(
                "invalid_value",
                format!(
                    "{what}: unknown keys [{}], missing keys [{}]",
                    unknown.join(", "),
                    missing.join(", ")
                ),
            );
            return None;
        }
        Some(obj)
    }

    /// `obj[key]` as a string (absent = empty); a non-string is a violation.
    fn string<'v>(
        &mut self,
        what: &str,
        obj: &'v Map<String, Value>,
        key: &str,
    ) -> Option<&'v str> {
        match obj.get(key) {
            None => Some(""),
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.fail("invalid_value", format!("{what}.{key} must be a string"));
                None
            }
        }
    }

    fn list<'v>(&mut self, v: &'v Value) -> Option<&'v [Value]> {
        let Some(items) = v.as_array() else {
            self.fail(
                "invalid_value",
                format!("a {} value must be a list", self.field.field_type.name()),
            );
            return None;
        };
        // An image field holds one image, as its name says; the JSON still wraps it in a list.
        let max = match self.field.field_type {
            FieldType::Image => Some(self.settings().max_items.unwrap_or(1).min(1)),
            _ => self.settings().max_items,
        };
        if let Some(max) = max {
            if items.len() > max {
                self.fail(
                    "too_many_items",
                    format!("{} items given; at most {max} allowed", items.len()),
                );
            }
        }
        Some(items)
    }

    fn length(&mut self, what: &str, s: &str) {
        let len = s.chars().count();
        if let Some(min) = self.settings().min_length {
            if len < min {
                self.fail(
                    "too_short",
                    format!("{what} has {len} characters; at least {min} required"),
                );
            }
        }
        if let Some(max) = self.settings().max_length {
            if len > max {
                self.fail(
                    "too_long",
                    format!("{what} has {len} characters; at most {max} allowed"),
                );
            }
        }
    }

    fn range(&mut self, n: f64) {
        let (min, max) = (self.settings().min, self.settings().max);
        if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
            let bound = |b: Option<f64>| b.map_or("-".to_string(), |b| b.to_string());
            self.fail(
                "out_of_range",
                format!("{n} is outside [{}, {}]", bound(min), bound(max)),
            );
        }
    }

    /// An instant (or, for `time`, a time of day) within notBefore/notAfter.
    fn date_bounds(&mut self, what: &str, raw: &str) {
        let s = self.settings();
        let (lo, hi) = (s.not_before.clone(), s.not_after.clone());
        let outside = if self.field.field_type == FieldType::Time {
            let t = time_of_day(raw);
            let bound = |b: &Option<String>| b.as_deref().and_then(parse_time_of_day);
            matches!((t, bound(&lo)), (Some(t), Some(lo)) if t < lo)
                || matches!((t, bound(&hi)), (Some(t), Some(hi)) if t > hi)
        } else {
            let t = parse_instant(raw);
            let bound = |b: &Option<String>| b.as_deref().and_then(parse_instant);
            matches!((t, bound(&lo)), (Some(t), Some(lo)) if t < lo)
                || matches!((t, bound(&hi)), (Some(t), Some(hi)) if t > hi)
        };
        if outside {
            let show = |b: Option<String>| b.unwrap_or_else(|| "-".into());
            self.fail(
                "date_out_of_range",
                format!("{what} '{raw}' is outside [{}, {}]", show(lo), show(hi)),
            );
        }
    }

    fn string_value(&mut self, v: &Value) {
        let Some(s) = v.as_str() else {
            return self.fail("invalid_value", "a string value must be a JSON string");
        };
        self.length("the value", s);
        if let Some(pattern) = &self.settings().pattern {
            // The pattern compiled when the form was saved; a failure here means it did not.
            if !compile_pattern(pattern).is_ok_and(|re| re.is_match(s)) {
                let message = format!("the value does not match the pattern {pattern}");
                self.fail("pattern_mismatch", message);
            }
        }
    }

    fn integer(&mut self, v: &Value) {
        match v.as_i64() {
            Some(n) => self.range(n as f64),
            None if v.is_number() => self.fail(
                "invalid_integer",
                format!("{v} is not a whole number that fits 64 bits"),
            ),
            None => self.fail("invalid_integer", "an integer value must be a JSON number"),
        }
    }

    fn float(&mut self, v: &Value) {
        // serde_json never yields NaN or infinities from a number, so a number is finite.
        match v.as_f64() {
            Some(n) if v.is_number() && n.is_finite() => self.range(n),
            _ => self.fail(
                "invalid_float",
                "a float value must be a finite JSON number",
            ),
        }
    }

    fn date(&mut self, v: &Value) {
        let Some(obj) = self.object("a date value", v, DATE_KEYS, &["fullDate"]) else {
            return;
        };
        let (Some(full), Some(_), Some(_)) = (
            self.string("value", obj, "fullDate"),
            self.string("value", obj, "formattedValue"),
            self.string("value", obj, "formatString"),
        ) else {
            return;
        };
        let parses = match self.field.field_type {
            FieldType::Time => time_of_day(full).is_some(),
            _ => parse_instant(full).is_some(),
        };
        if !parses {
            return self.fail(
                "invalid_date",
                format!("fullDate '{full}' is not an ISO 8601 date-time"),
            );
        }
        self.date_bounds("fullDate", full);
    }

    fn text(&mut self, v: &Value) {
        let with_header = self.field.field_type == FieldType::TextWithHeader;
        let mut keys = TEXT_KEYS.to_vec();
        if with_header {
            keys.push("header");
        }
        let required: &[&str] = if with_header { &["header"] } else { &[] };
        let Some(obj) = self.object("a text value", v, &keys, required) else {
            return;
        };
        for key in ["htmlValue", "mdValue", "header"] {
            self.string("value", obj, key);
        }
        if obj.get("params").is_some_and(|p| !p.is_object()) {
            self.fail("invalid_value", "value.params must be an object");
        }
        if let Some(plain) = self.string("value", obj, "plainValue") {
            self.length("plainValue", plain);
        }
    }

    fn files(&mut self, v: &Value) {
        let Some(items) = self.list(v) else { return };
        let s = self.settings().clone();
        let allowed: Option<Vec<String>> = s.allowed_extensions.map(|exts| {
            exts.iter()
                .map(|e| e.trim_start_matches('.').to_lowercase())
                .collect()
        });
        for (i, item) in items.iter().enumerate() {
            let what = format!("value[{i}]");
            let Some(obj) = self.object(
                &what,
                item,
                FILE_KEYS,
                &["filename", "downloadLink", "size"],
            ) else {
                continue;
            };
            let (Some(name), Some(_), Some(_)) = (
                self.string(&what, obj, "filename"),
                self.string(&what, obj, "downloadLink"),
                self.string(&what, obj, "previewLink"),
            ) else {
                continue;
            };
            if name.is_empty() {
                self.fail(
                    "invalid_value",
                    format!("{what}.filename must not be empty"),
                );
            }
            if obj.get("params").is_some_and(|p| !p.is_object()) {
                self.fail("invalid_value", format!("{what}.params must be an object"));
            }
            let size = &obj["size"];
            match (size.as_u64(), size.as_i64()) {
                (Some(size), _) => {
                    if let Some(max) = s.max_size {
                        if size > max {
                            self.fail(
                                "file_too_large",
                                format!("{what} is {size} bytes; at most {max} allowed"),
                            );
                        }
                    }
                }
                (None, Some(_)) => self.fail("negative_size", format!("{what}.size is negative")),
                _ => self.fail(
                    "invalid_value",
                    format!("{what}.size must be a whole number of bytes"),
                ),
            }
            if let Some(allowed) = &allowed {
                let base = name.rsplit('/').next().unwrap_or(name);
                let ext = base
                    .rsplit_once('.')
                    .map(|(_, e)| e.to_lowercase())
                    .unwrap_or_default();
                if !allowed.contains(&ext) {
                    self.fail(
                        "extension_not_allowed",
                        format!(
                            "{what} '{base}' has extension '{ext}'; allowed: {}",
                            allowed.join(", ")
                        ),
                    );
                }
            }
        }
    }

    fn choice(&mut self, what: &str, v: &Value) {
        let Some(obj) = self.object(what, v, CHOICE_KEYS, &["value"]) else {
            return;
        };
        let (Some(_), Some(value)) = (
            self.string(what, obj, "title"),
            self.string(what, obj, "value"),
        ) else {
            return;
        };
        let options = self.settings().options.as_deref().unwrap_or_default();
        if !options.iter().any(|o| o.value == value) {
            let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
            self.fail(
                "not_an_option",
                format!(
                    "{what} '{value}' is not one of the options [{}]",
                    values.join(", ")
                ),
            );
        }
    }

    fn entity(&mut self, v: &Value) {
        let Some(items) = self.list(v) else { return };
        for (i, id) in items.iter().enumerate() {
            let ok = id.as_i64().is_some() || id.as_str().is_some_and(|s| !s.is_empty());
            if !ok {
                self.fail(
                    "invalid_value",
                    format!("value[{i}] must be a whole number or a non-empty string id"),
                );
            }
        }
    }

    fn time_interval(&mut self, v: &Value) {
        let Some(items) = self.list(v) else { return };
        for (i, pair) in items.iter().enumerate() {
            let what = format!("value[{i}]");
            let Some([start, end]) = pair.as_array().map(Vec::as_slice) else {
                self.fail(
                    "invalid_value",
                    format!("{what} must be a pair [start, end]"),
                );
                continue;
            };
            let (Some(start), Some(end)) = (start.as_str(), end.as_str()) else {
                self.fail(
                    "invalid_value",
                    format!("{what} must hold two ISO 8601 strings"),
                );
                continue;
            };
            match (parse_instant(start), parse_instant(end)) {
                (Some(s), Some(e)) => {
                    if s >= e {
                        self.fail(
                            "interval_order",
                            format!("{what} starts at {start}, not before its end {end}"),
                        );
                    }
                    self.date_bounds(&format!("{what} start"), start);
                    self.date_bounds(&format!("{what} end"), end);
                }
                _ => self.fail(
                    "invalid_date",
                    format!("{what} [{start}, {end}] is not two ISO 8601 date-times"),
                ),
            }
        }
    }
}

/// Whether a value counts as "no value" for a required field.
pub fn is_empty(field_type: FieldType, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(obj) if matches!(field_type, FieldType::Text | FieldType::TextWithHeader) => {
            ["htmlValue", "plainValue", "mdValue", "header"]
                .iter()
                .all(|k| {
                    obj.get(*k)
                        .is_none_or(|v| v.as_str().is_some_and(|s| s.trim().is_empty()))
                })
        }
        _ => false,
    }
}

/// Every native violation of `value` for `field`. A `null` or empty value is only checked
/// against `required`: an optional field may be left empty whatever its settings say.
pub fn check_value(field: &FormField, value: &Value) -> Vec<Violation> {
    let mut c = Check {
        field,
        out: Vec::new(),
    };
    if is_empty(field.field_type, value) {
        if field.required {
            c.fail("required", "this field is required");
        }
        return c.out;
    }
    match field.field_type {
        FieldType::String => c.string_value(value),
        FieldType::Integer => c.integer(value),
        FieldType::Float => c.float(value),
        FieldType::Date | FieldType::DateTime | FieldType::Time => c.date(value),
        FieldType::Text | FieldType::TextWithHeader => c.text(value),
        FieldType::Image | FieldType::GroupOfImages | FieldType::File => c.files(value),
        FieldType::RadioButton => c.choice("value", value),
        FieldType::List => {
            if let Some(items) = c.list(value) {
                for (i, item) in items.iter().enumerate() {
                    c.choice(&format!("value[{i}]"), item);
                }
            }
        }
        FieldType::Entity => c.entity(value),
        FieldType::TimeInterval => c.time_interval(value),
    }
    c.out
}
