//! The profile form's fields as inputs, and a posted form back into `formData`. Each of the 15
//! field types gets the input that fits it: text, a numeric text box, the browser's date,
//! date-time and time pickers, text areas (with a heading for `textWithHeader`), radio buttons
//! and checkboxes from the field's options, files kept or added by link, ids separated by
//! commas, and rows of periods. Dates and times are taken as UTC, as the form API stores them.

use std::collections::BTreeMap;

use chrono::DateTime;
use portico_core::domain::forms::Form;
use portico_core::fields::{FieldType, Violation};
use portico_core::forms::{FormField, Localised};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::i18n::Lang;
use super::security::Posted;

/// One option of a radio or checkbox group.
#[derive(Serialize)]
struct OptionView {
    value: String,
    title: String,
    checked: bool,
}

/// One file already in a files field.
#[derive(Serialize)]
struct FileView {
    filename: String,
    link: Option<String>,
}

/// One period row of a timeInterval field.
#[derive(Serialize)]
struct IntervalView {
    start: String,
    end: String,
}

/// A field as the profile template draws it.
#[derive(Serialize)]
pub struct FieldView {
    marker: String,
    id: String,
    label: String,
    kind: &'static str,
    required: bool,
    value: String,
    header: String,
    inputmode: &'static str,
    maxlength: Option<usize>,
    options: Vec<OptionView>,
    files: Vec<FileView>,
    intervals: Vec<IntervalView>,
    errors: Vec<String>,
}

/// The form's fields a person edits on the profile page: all but the login and password ones
/// (the email is shown, the password has its own page).
pub fn editable(form: &Form) -> impl Iterator<Item = &FormField> {
    form.fields.iter().filter(|f| {
        Some(&f.marker) != form.login_marker.as_ref()
            && Some(&f.marker) != form.password_marker.as_ref()
    })
}

/// A localised text in `lang`, else English, else any, else `fallback`.
fn localised(texts: &Localised, lang: Lang, fallback: &str) -> String {
    texts
        .get(lang.code())
        .or_else(|| texts.get("en_US"))
        .or_else(|| texts.values().next())
        .cloned()
        .unwrap_or_else(|| fallback.to_string())
}

fn text_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A stored instant as a `datetime-local` value (`YYYY-MM-DDTHH:MM`, UTC).
fn local_date_time(s: &str) -> String {
    match DateTime::parse_from_rfc3339(s) {
        Ok(dt) => dt.naive_utc().format("%Y-%m-%dT%H:%M").to_string(),
        Err(_) => s.chars().take(16).collect(),
    }
}

/// The input kind of a field type.
fn kind_of(t: FieldType) -> &'static str {
    match t {
        FieldType::String => "text",
        FieldType::Integer | FieldType::Float => "number",
        FieldType::Date => "date",
        FieldType::DateTime => "datetime",
        FieldType::Time => "time",
        FieldType::Text => "textarea",
        FieldType::TextWithHeader => "header_text",
        FieldType::Image | FieldType::GroupOfImages | FieldType::File => "files",
        FieldType::RadioButton => "radio",
        FieldType::List => "checkboxes",
        FieldType::Entity => "entity",
        FieldType::TimeInterval => "intervals",
    }
}

/// The text an input shows for a stored value `v` of type `t`.
fn shown_value(t: FieldType, v: &Value) -> String {
    match (t, v) {
        (_, Value::Null) => String::new(),
        (_, Value::String(s)) => s.clone(),
        (FieldType::Integer | FieldType::Float, n) => n.to_string(),
        (FieldType::Date, v) => text_of(v, "fullDate").chars().take(10).collect(),
        (FieldType::DateTime, v) => local_date_time(&text_of(v, "fullDate")),
        (FieldType::Time, v) => {
            let full = text_of(v, "fullDate");
            match DateTime::parse_from_rfc3339(&full) {
                Ok(dt) => dt.naive_utc().format("%H:%M").to_string(),
                Err(_) => full.chars().take(5).collect(),
            }
        }
        (FieldType::Text | FieldType::TextWithHeader, v) => text_of(v, "plainValue"),
        (FieldType::RadioButton, v) => v.get("value").map(plain).unwrap_or_default(),
        (FieldType::Entity, Value::Array(ids)) => {
            ids.iter().map(plain).collect::<Vec<_>>().join(", ")
        }
        _ => String::new(),
    }
}

/// A JSON scalar as text (`"a"` as `a`, `3` as `3`).
fn plain(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

fn options(field: &FormField, v: &Value) -> Vec<OptionView> {
    let chosen: Vec<String> = match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|c| c.get("value"))
            .map(plain)
            .collect(),
        Value::Object(_) => v.get("value").map(plain).into_iter().collect(),
        _ => Vec::new(),
    };
    let all = field.settings.options.as_deref().unwrap_or_default();
    all.iter()
        .map(|o| OptionView {
            checked: chosen.contains(&o.value),
            value: o.value.clone(),
            title: o.title.clone(),
        })
        .collect()
}

fn files(v: &Value) -> Vec<FileView> {
    let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .map(|f| FileView {
            filename: text_of(f, "filename"),
            link: Some(text_of(f, "downloadLink"))
                .filter(|l| l.starts_with("https://") || l.starts_with("http://")),
        })
        .collect()
}

fn intervals(v: &Value) -> Vec<IntervalView> {
    let pairs = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let mut rows: Vec<IntervalView> = pairs
        .iter()
        .map(|p| IntervalView {
            start: local_date_time(p.get(0).and_then(Value::as_str).unwrap_or_default()),
            end: local_date_time(p.get(1).and_then(Value::as_str).unwrap_or_default()),
        })
        .collect();
    rows.push(IntervalView {
        start: String::new(),
        end: String::new(),
    });
    rows
}

/// The views of the form's editable fields with `values` (by marker; absent: empty) and the
/// `errors` found for each.
pub fn views(
    form: &Form,
    lang: Lang,
    values: &Map<String, Value>,
    errors: &BTreeMap<String, Vec<String>>,
) -> Vec<FieldView> {
    editable(form)
        .map(|field| {
            let t = field.field_type;
            let v = values.get(&field.marker).unwrap_or(&Value::Null);
            FieldView {
                marker: field.marker.clone(),
                id: format!("f-{}", field.marker),
                label: localised(&field.label, lang, &field.marker),
                kind: kind_of(t),
                required: field.required,
                value: shown_value(t, v),
                header: if t == FieldType::TextWithHeader {
                    text_of(v, "header")
                } else {
                    String::new()
                },
                inputmode: if t == FieldType::Integer {
                    "numeric"
                } else {
                    "decimal"
                },
                maxlength: field.settings.max_length,
                options: options(field, v),
                files: files(v),
                intervals: if t == FieldType::TimeInterval {
                    intervals(v)
                } else {
                    Vec::new()
                },
                errors: errors.get(&field.marker).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// What a posted profile form asks to write: `formData` entries, what each field shows if the
/// page is drawn again, and the problems found before the rules run (a number that is none).
pub struct PostedForm {
    /// `[{marker, type, value}]` for `updateUser` (`null` clears a field).
    pub form_data: Vec<Value>,
    /// The values as posted, by marker, for drawing the page again.
    pub shown: Map<String, Value>,
    /// Problems by marker.
    pub errors: BTreeMap<String, Vec<String>>,
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

fn date_value(full: String, formatted: &str, format: &str) -> Value {
    json!({ "fullDate": full, "formattedValue": formatted, "formatString": format })
}

/// The JSON value of a choice `value` of `field`, with its option's title.
fn choice(field: &FormField, value: &str) -> Value {
    let all = field.settings.options.as_deref().unwrap_or_default();
    let title = all
        .iter()
        .find(|o| o.value == value)
        .map(|o| o.title.clone())
        .unwrap_or_default();
    json!({ "title": title, "value": value })
}

/// The files a files field keeps (by index into `stored`) plus one added by link.
fn posted_files(field: &FormField, posted: &Posted, stored: &Value) -> Value {
    let m = &field.marker;
    let stored = stored.as_array().cloned().unwrap_or_default();
    let keep: Vec<usize> = posted
        .all(&format!("f.{m}.keep"))
        .filter_map(|i| i.parse().ok())
        .collect();
    let mut kept: Vec<Value> = stored
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, f)| f)
        .collect();
    if let Some(link) = non_empty(posted.text(&format!("f.{m}.link"))) {
        let named = non_empty(posted.text(&format!("f.{m}.name")));
        let from_link = link.rsplit('/').next().unwrap_or(link);
        let file =
            json!({ "filename": named.unwrap_or(from_link), "downloadLink": link, "size": 0 });
        if field.field_type == FieldType::Image {
            kept.clear();
        }
        kept.push(file);
    }
    if kept.is_empty() {
        Value::Null
    } else {
        Value::Array(kept)
    }
}

/// The value of `field` in `posted` (`stored`: its stored value, for the files it keeps), or
/// the problem with it.
fn posted_value(field: &FormField, posted: &Posted, stored: &Value) -> Result<Value, &'static str> {
    let m = &field.marker;
    let raw = posted.text(&format!("f.{m}"));
    let Some(text) = non_empty(raw) else {
        return Ok(match field.field_type {
            FieldType::TextWithHeader => match non_empty(posted.text(&format!("f.{m}.header"))) {
                Some(h) => json!({ "header": h, "plainValue": "" }),
                None => Value::Null,
            },
            FieldType::List => list(field, posted),
            FieldType::Image | FieldType::GroupOfImages | FieldType::File => {
                posted_files(field, posted, stored)
            }
            FieldType::TimeInterval => periods(posted, m),
            _ => Value::Null,
        });
    };
    Ok(match field.field_type {
        FieldType::String => json!(raw),
        FieldType::Integer => json!(text.parse::<i64>().map_err(|_| "field.not_whole")?),
        FieldType::Float => {
            let n: f64 = text
                .replace(',', ".")
                .parse()
                .map_err(|_| "field.not_number")?;
            json!(n)
        }
        FieldType::Date => date_value(format!("{text}T00:00:00.000Z"), text, "YYYY-MM-DD"),
        FieldType::DateTime => date_value(format!("{text}:00.000Z"), text, "YYYY-MM-DDTHH:mm"),
        FieldType::Time => date_value(format!("{text}:00"), text, "HH:mm"),
        FieldType::Text => json!({ "plainValue": raw }),
        FieldType::TextWithHeader => {
            json!({ "header": posted.text(&format!("f.{m}.header")).trim(), "plainValue": raw })
        }
        FieldType::RadioButton => choice(field, text),
        FieldType::List => list(field, posted),
        FieldType::Entity => Value::Array(
            text.split(',')
                .filter_map(non_empty)
                .map(|id| {
                    id.parse::<i64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| json!(id))
                })
                .collect(),
        ),
        FieldType::Image | FieldType::GroupOfImages | FieldType::File => {
            posted_files(field, posted, stored)
        }
        FieldType::TimeInterval => periods(posted, m),
    })
}

fn list(field: &FormField, posted: &Posted) -> Value {
    let chosen: Vec<Value> = posted
        .all(&format!("f.{}", field.marker))
        .map(|v| choice(field, v))
        .collect();
    if chosen.is_empty() {
        Value::Null
    } else {
        Value::Array(chosen)
    }
}

fn periods(posted: &Posted, marker: &str) -> Value {
    let starts = posted.all_owned(&format!("f.{marker}.start"));
    let ends = posted.all_owned(&format!("f.{marker}.end"));
    let pairs: Vec<Value> = starts
        .iter()
        .zip(ends.iter())
        .filter(|(s, e)| !(s.trim().is_empty() && e.trim().is_empty()))
        .map(|(s, e)| json!([s.trim(), e.trim()]))
        .collect();
    if pairs.is_empty() {
        Value::Null
    } else {
        Value::Array(pairs)
    }
}

/// Reads the editable fields of `form` from `posted` (`stored`: the values stored now).
pub fn read_posted(
    form: &Form,
    lang: Lang,
    posted: &Posted,
    stored: &Map<String, Value>,
) -> PostedForm {
    let mut out = PostedForm {
        form_data: Vec::new(),
        shown: Map::new(),
        errors: BTreeMap::new(),
    };
    for field in editable(form) {
        let m = &field.marker;
        let stored = stored.get(m).unwrap_or(&Value::Null);
        match posted_value(field, posted, stored) {
            Ok(value) => {
                out.shown.insert(m.clone(), value.clone());
                out.form_data
                    .push(json!({ "marker": m, "type": field.field_type.name(), "value": value }));
            }
            Err(key) => {
                out.shown
                    .insert(m.clone(), json!(posted.text(&format!("f.{m}"))));
                out.errors
                    .entry(m.clone())
                    .or_default()
                    .push(lang.text(key));
            }
        }
    }
    out
}

/// Sorts the rules' violations by the field each points at (`marker`, `marker.x`,
/// `marker[0]`); the rest are for the whole form.
pub fn place_violations(
    form: &Form,
    violations: Vec<Violation>,
    errors: &mut BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut others = Vec::new();
    for v in violations {
        let owner = editable(form).find(|f| {
            let m = f.marker.as_str();
            v.marker == m
                || v.marker
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        });
        match owner {
            Some(f) => errors.entry(f.marker.clone()).or_default().push(v.message),
            None => others.push(v.message),
        }
    }
    others
}
