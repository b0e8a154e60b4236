//! Native checks of one submitted value against its field, parsing it once into the core's typed
//! `FieldValue`: the JSON shape of each of the 15 types exactly as seed 004 gives it, then the
//! field's settings. Each part of a value (a string, a file, a chosen option, an interval) is
//! parsed into its typed form and that part's settings are checked on it; a part that does not
//! parse is reported and skipped while the others are still checked. Every problem is reported,
//! not only the first, so the caller can answer with all of them at once.

use std::fmt::{self, Display};

use crate::fields::json::json_text;
use crate::fields::{
    Choice, DateValue, EntityId, FieldType, FieldValue, FileValue, TextValue, TextWithHeaderValue,
    Violation,
};
use serde_json::{Map, Value};

use super::dates::{parse_instant, parse_time_of_day, time_of_day};
use super::definition::{compile_pattern, FieldSettings, FormField};

/// Keys of a date, dateTime or time value.
const DATE_KEYS: &[&str] = &["fullDate", "formattedValue", "formatString"];
/// Keys of a text value.
const TEXT_KEYS: &[&str] = &["htmlValue", "plainValue", "mdValue", "params"];
/// Keys of a textWithHeader value.
const TEXT_WITH_HEADER_KEYS: &[&str] = &["htmlValue", "plainValue", "mdValue", "params", "header"];
/// Keys of one file or image.
const FILE_KEYS: &[&str] = &["filename", "downloadLink", "size", "previewLink", "params"];
/// Keys of one chosen option.
const CHOICE_KEYS: &[&str] = &["title", "value", "extended"];

/// `value[i]` in messages, written out only when one is.
#[derive(Clone, Copy)]
struct Item(usize);

impl Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "value[{}]", self.0)
    }
}

/// Parses one field's value, collecting its violations.
struct Check<'a> {
    field: &'a FormField,
    settings: &'a FieldSettings,
    out: Vec<Violation>,
}

/// Shape: JSON objects, strings and lists as the parts of a value.
impl Check<'_> {
    fn fail(&mut self, code: &str, message: impl Into<String>) {
        self.out
            .push(Violation::new(&self.field.marker, code, message));
    }

    /// The value as an object with only `allowed` keys, each of `required` present.
    fn object<'v>(
        &mut self,
        what: &dyn Display,
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
        what: &dyn Display,
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

    /// The value as a list within `maxItems` (counted before its items are checked).
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
            FieldType::Image => Some(self.settings.max_items.unwrap_or(1).min(1)),
            _ => self.settings.max_items,
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

    /// Every item parsed by `parse`, which reports its own problems; none if any item fails.
    fn each<T>(
        &mut self,
        items: &[Value],
        mut parse: impl FnMut(&mut Self, Item, &Value) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut parsed = Vec::with_capacity(items.len());
        let mut all = true;
        for (i, item) in items.iter().enumerate() {
            match parse(self, Item(i), item) {
                Some(p) => parsed.push(p),
                None => all = false,
            }
        }
        all.then_some(parsed)
    }
}

/// Settings, each checked on the typed part it applies to.
impl Check<'_> {
    fn length(&mut self, what: &str, s: &str) {
        let (min, max) = (self.settings.min_length, self.settings.max_length);
        if min.is_none() && max.is_none() {
            return;
        }
        let len = s.chars().count();
        if let Some(min) = min.filter(|min| len < *min) {
            self.fail(
                "too_short",
                format!("{what} has {len} characters; at least {min} required"),
            );
        }
        if let Some(max) = max.filter(|max| len > *max) {
            self.fail(
                "too_long",
                format!("{what} has {len} characters; at most {max} allowed"),
            );
        }
    }

    fn pattern(&mut self, s: &str) {
        if let Some(pattern) = &self.settings.pattern {
            // The pattern compiled when the form was saved; a failure here means it did not.
            if !compile_pattern(pattern).is_ok_and(|re| re.is_match(s)) {
                let message = format!("the value does not match the pattern {pattern}");
                self.fail("pattern_mismatch", message);
            }
        }
    }

    fn range(&mut self, n: f64) {
        let (min, max) = (self.settings.min, self.settings.max);
        if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
            let bound = |b: Option<f64>| b.map_or("-".to_string(), |b| b.to_string());
            self.fail(
                "out_of_range",
                format!("{n} is outside [{}, {}]", bound(min), bound(max)),
            );
        }
    }

    /// An instant (or, for `time`, a time of day) within notBefore/notAfter.
    fn date_bounds(&mut self, what: &dyn Display, raw: &str) {
        let (lo, hi) = (&self.settings.not_before, &self.settings.not_after);
        if lo.is_none() && hi.is_none() {
            return;
        }
        let outside = if self.field.field_type == FieldType::Time {
            let t = time_of_day(raw);
            let bound = |b: &Option<String>| b.as_deref().and_then(parse_time_of_day);
            matches!((t, bound(lo)), (Some(t), Some(lo)) if t < lo)
                || matches!((t, bound(hi)), (Some(t), Some(hi)) if t > hi)
        } else {
            let t = parse_instant(raw);
            let bound = |b: &Option<String>| b.as_deref().and_then(parse_instant);
            matches!((t, bound(lo)), (Some(t), Some(lo)) if t < lo)
                || matches!((t, bound(hi)), (Some(t), Some(hi)) if t > hi)
        };
        if outside {
            let show = |b: &Option<String>| b.as_deref().unwrap_or("-").to_string();
            let message = format!("{what} '{raw}' is outside [{}, {}]", show(lo), show(hi));
            self.fail("date_out_of_range", message);
        }
    }

    /// `maxSize` and `allowedExtensions` (given lowercased, without dots) of one file.
    fn file_settings(&mut self, what: Item, file: &FileValue, allowed: Option<&[String]>) {
        if let Some(max) = self.settings.max_size.filter(|max| file.size > *max) {
            let size = file.size;
            self.fail(
                "file_too_large",
                format!("{what} is {size} bytes; at most {max} allowed"),
            );
        }
        let Some(allowed) = allowed else { return };
        let name = file.filename.as_str();
        let base = name.rsplit('/').next().unwrap_or(name);
        let ext = base
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default();
        if !allowed.contains(&ext) {
            let message = format!(
                "{what} '{base}' has extension '{ext}'; allowed: {}",
                allowed.join(", ")
            );
            self.fail("extension_not_allowed", message);
        }
    }

    /// A chosen option must be one of the field's `options`.
    fn option(&mut self, what: &dyn Display, choice: &Choice) {
        let options = self.settings.options.as_deref().unwrap_or_default();
        if !options.iter().any(|o| o.value == choice.value) {
            let values: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
            let message = format!(
                "{what} '{}' is not one of the options [{}]",
                choice.value,
                values.join(", ")
            );
            self.fail("not_an_option", message);
        }
    }
}

/// The value of each type, parsed and checked.
impl Check<'_> {
    fn string_value(&mut self, v: &Value) -> Option<String> {
        let Some(s) = v.as_str() else {
            self.fail("invalid_value", "a string value must be a JSON string");
            return None;
        };
        let s = s.to_string();
        self.length("the value", &s);
        self.pattern(&s);
        Some(s)
    }

    fn integer(&mut self, v: &Value) -> Option<i64> {
        let Some(n) = v.as_i64() else {
            let message = if v.is_number() {
                format!("{v} is not a whole number that fits 64 bits")
            } else {
                "an integer value must be a JSON number".to_string()
            };
            self.fail("invalid_integer", message);
            return None;
        };
        self.range(n as f64);
        Some(n)
    }

    fn float(&mut self, v: &Value) -> Option<f64> {
        // serde_json never yields NaN or infinities from a number, so a number is finite.
        let Some(n) = v.as_f64().filter(|n| v.is_number() && n.is_finite()) else {
            self.fail(
                "invalid_float",
                "a float value must be a finite JSON number",
            );
            return None;
        };
        self.range(n);
        Some(n)
    }

    fn date(&mut self, v: &Value) -> Option<DateValue> {
        let obj = self.object(&"a date value", v, DATE_KEYS, &["fullDate"])?;
        let (Some(full), Some(formatted), Some(format)) = (
            self.string(&"value", obj, "fullDate"),
            self.string(&"value", obj, "formattedValue"),
            self.string(&"value", obj, "formatString"),
        ) else {
            return None;
        };
        let parses = match self.field.field_type {
            FieldType::Time => time_of_day(full).is_some(),
            _ => parse_instant(full).is_some(),
        };
        if !parses {
            let message = format!("fullDate '{full}' is not an ISO 8601 date-time");
            self.fail("invalid_date", message);
            return None;
        }
        let date = DateValue {
            full_date: full.to_string(),
            formatted_value: formatted.to_string(),
            format_string: format.to_string(),
        };
        self.date_bounds(&"fullDate", &date.full_date);
        Some(date)
    }

    fn text(&mut self, v: &Value) -> Option<FieldValue> {
        let t = self.field.field_type;
        let (keys, required): (_, &[&str]) = match t {
            FieldType::TextWithHeader => (TEXT_WITH_HEADER_KEYS, &["header"]),
            _ => (TEXT_KEYS, &[]),
        };
        let obj = self.object(&"a text value", v, keys, required)?;
        let mut parts_ok = true;
        for key in ["htmlValue", "mdValue", "header"] {
            parts_ok &= self.string(&"value", obj, key).is_some();
        }
        if obj.get("params").is_some_and(|p| !p.is_object()) {
            self.fail("invalid_value", "value.params must be an object");
        }
        let plain = self.string(&"value", obj, "plainValue")?;
        self.length("plainValue", plain);
        parts_ok.then(|| text_value(t, obj))
    }

    fn files(&mut self, v: &Value) -> Option<Vec<FileValue>> {
        let items = self.list(v)?;
        let allowed: Option<Vec<String>> = self.settings.allowed_extensions.as_ref().map(|exts| {
            exts.iter()
                .map(|e| e.trim_start_matches('.').to_lowercase())
                .collect()
        });
        self.each(items, |c, what, item| {
            let file = c.file(what, item)?;
            c.file_settings(what, &file, allowed.as_deref());
            Some(file)
        })
    }

    /// One file. Its problems are reported and it is still answered (a bad size as 0, which
    /// no maxSize refuses) so that its settings are checked too, as every part's are.
    fn file(&mut self, what: Item, item: &Value) -> Option<FileValue> {
        let required = ["filename", "downloadLink", "size"];
        let obj = self.object(&what, item, FILE_KEYS, &required)?;
        let (Some(name), Some(link), Some(preview)) = (
            self.string(&what, obj, "filename"),
            self.string(&what, obj, "downloadLink"),
            self.string(&what, obj, "previewLink"),
        ) else {
            return None;
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
        let size = match (size.as_u64(), size.as_i64()) {
            (Some(size), _) => size,
            (None, Some(_)) => {
                self.fail("negative_size", format!("{what}.size is negative"));
                0
            }
            _ => {
                let message = format!("{what}.size must be a whole number of bytes");
                self.fail("invalid_value", message);
                0
            }
        };
        Some(FileValue {
            filename: name.to_string(),
            download_link: link.to_string(),
            size,
            preview_link: (!preview.is_empty()).then(|| preview.to_string()),
            params: json_text(obj.get("params")),
        })
    }

    fn choice(&mut self, what: &dyn Display, v: &Value) -> Option<Choice> {
        let obj = self.object(what, v, CHOICE_KEYS, &["value"])?;
        let (Some(title), Some(value)) = (
            self.string(what, obj, "title"),
            self.string(what, obj, "value"),
        ) else {
            return None;
        };
        let choice = Choice {
            title: title.to_string(),
            value: value.to_string(),
            extended: json_text(obj.get("extended")),
        };
        self.option(what, &choice);
        Some(choice)
    }

    fn entity(&mut self, v: &Value) -> Option<Vec<EntityId>> {
        let items = self.list(v)?;
        self.each(items, |c, what, id| {
            let id = match id {
                Value::String(s) if !s.is_empty() => Some(EntityId::Text(s.clone())),
                _ => id.as_i64().map(EntityId::Numeric),
            };
            if id.is_none() {
                let message = format!("{what} must be a whole number or a non-empty string id");
                c.fail("invalid_value", message);
            }
            id
        })
    }

    fn interval(&mut self, what: Item, pair: &Value) -> Option<(String, String)> {
        let Some([start, end]) = pair.as_array().map(Vec::as_slice) else {
            self.fail(
                "invalid_value",
                format!("{what} must be a pair [start, end]"),
            );
            return None;
        };
        let (Some(start), Some(end)) = (start.as_str(), end.as_str()) else {
            let message = format!("{what} must hold two ISO 8601 strings");
            self.fail("invalid_value", message);
            return None;
        };
        let (Some(s), Some(e)) = (parse_instant(start), parse_instant(end)) else {
            let message = format!("{what} [{start}, {end}] is not two ISO 8601 date-times");
            self.fail("invalid_date", message);
            return None;
        };
        if s >= e {
            let message = format!("{what} starts at {start}, not before its end {end}");
            self.fail("interval_order", message);
        }
        self.date_bounds(&format_args!("{what} start"), start);
        self.date_bounds(&format_args!("{what} end"), end);
        Some((start.to_string(), end.to_string()))
    }

    /// The typed value of a non-empty value, or none after reporting why not.
    fn value(&mut self, v: &Value) -> Option<FieldValue> {
        Some(match self.field.field_type {
            FieldType::String => FieldValue::String(self.string_value(v)?),
            FieldType::Integer => FieldValue::Integer(self.integer(v)?),
            FieldType::Float => FieldValue::Float(self.float(v)?),
            FieldType::Date => FieldValue::Date(self.date(v)?),
            FieldType::DateTime => FieldValue::DateTime(self.date(v)?),
            FieldType::Time => FieldValue::Time(self.date(v)?),
            FieldType::Text | FieldType::TextWithHeader => self.text(v)?,
            FieldType::Image => FieldValue::Image(self.files(v)?),
            FieldType::GroupOfImages => FieldValue::GroupOfImages(self.files(v)?),
            FieldType::File => FieldValue::File(self.files(v)?),
            FieldType::RadioButton => FieldValue::RadioButton(self.choice(&"value", v)?),
            FieldType::List => {
                let items = self.list(v)?;
                FieldValue::List(self.each(items, |c, what, item| c.choice(&what, item))?)
            }
            FieldType::Entity => FieldValue::Entity(self.entity(v)?),
            FieldType::TimeInterval => {
                let items = self.list(v)?;
                FieldValue::TimeInterval(self.each(items, Check::interval)?)
            }
        })
    }
}

/// A text or textWithHeader value from an object whose text parts are strings or absent.
fn text_value(t: FieldType, obj: &Map<String, Value>) -> FieldValue {
    let part = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let params = json_text(obj.get("params"));
    match t {
        FieldType::TextWithHeader => FieldValue::TextWithHeader(TextWithHeaderValue {
            header: part("header"),
            html_value: part("htmlValue"),
            plain_value: part("plainValue"),
            md_value: part("mdValue"),
            params,
        }),
        _ => FieldValue::Text(TextValue {
            html_value: part("htmlValue"),
            plain_value: part("plainValue"),
            md_value: part("mdValue"),
            params,
        }),
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

/// The typed value of an empty value, as validators receive it: a blank string, no items, a
/// text of blank parts. `null`, and an empty value in another type's shape (`""` for an
/// integer), have none.
fn empty_value(t: FieldType, v: &Value) -> Option<FieldValue> {
    Some(match (t, v) {
        (FieldType::String, Value::String(s)) => FieldValue::String(s.clone()),
        (FieldType::Text | FieldType::TextWithHeader, Value::Object(obj)) => text_value(t, obj),
        (FieldType::Image, Value::Array(_)) => FieldValue::Image(Vec::new()),
        (FieldType::GroupOfImages, Value::Array(_)) => FieldValue::GroupOfImages(Vec::new()),
        (FieldType::File, Value::Array(_)) => FieldValue::File(Vec::new()),
        (FieldType::List, Value::Array(_)) => FieldValue::List(Vec::new()),
        (FieldType::Entity, Value::Array(_)) => FieldValue::Entity(Vec::new()),
        (FieldType::TimeInterval, Value::Array(_)) => FieldValue::TimeInterval(Vec::new()),
        _ => return None,
    })
}

/// Parses `value` for `field` into its typed value, or answers every native violation. A `null`
/// or empty value is only checked against `required`: an optional field may be left empty
/// whatever its settings say, and its typed value is `empty_value`'s (none for `null`).
pub fn parse_value(field: &FormField, value: &Value) -> Result<Option<FieldValue>, Vec<Violation>> {
    let mut c = Check {
        field,
        settings: &field.settings,
        out: Vec::new(),
    };
    if is_empty(field.field_type, value) {
        if field.required {
            c.fail("required", "this field is required");
            return Err(c.out);
        }
        return Ok(empty_value(field.field_type, value));
    }
    match c.value(value) {
        Some(typed) if c.out.is_empty() => Ok(Some(typed)),
        typed => {
            debug_assert!(
                typed.is_some() || !c.out.is_empty(),
                "a refused value says why"
            );
            Err(c.out)
        }
    }
}

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
