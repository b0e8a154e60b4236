//! The form API's JSON shapes of field values (seed 004), parsed into the typed model once and
//! rendered back. Errors name the path of the offending value (`fields[0].value.size`).

use std::fmt::{self, Display};

use serde_json::{json, Map, Value};

use super::types::FieldType;
use super::value::{
    Choice, DateValue, EntityId, Field, FieldValue, FileValue, TextValue, TextWithHeaderValue,
};

/// Why a JSON input does not convert, with the path of the offending value.
pub type ConvertResult<T> = Result<T, String>;

/// A JSON path shown in error messages. Paths are built lazily (a segment borrows its parent)
/// so that a valid input never formats one: only an error writes it out.
pub trait JsonPath: Display {}
impl<T: Display + ?Sized> JsonPath for T {}

/// `parent[index]`.
struct Index<'a, P: ?Sized>(&'a P, usize);
/// `parent.key`.
struct Key<'a, P: ?Sized>(&'a P, &'static str);

impl<P: Display + ?Sized> Display for Index<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

impl<P: Display + ?Sized> Display for Key<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// The string at `obj.key` (`""` when absent and not `required`).
pub fn str_at<'a, P: JsonPath + ?Sized>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &P,
    required: bool,
) -> ConvertResult<&'a str> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) if !required => Ok(""),
        _ => Err(format!("{path}.{key} must be a string")),
    }
}

/// `v` as an object.
pub fn object<'a, P: JsonPath + ?Sized>(
    v: &'a Value,
    path: &P,
) -> ConvertResult<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| format!("{path} must be an object"))
}

/// `v` as an array.
pub fn array<'a, P: JsonPath + ?Sized>(v: &'a Value, path: &P) -> ConvertResult<&'a Vec<Value>> {
    v.as_array()
        .ok_or_else(|| format!("{path} must be an array"))
}

/// An optional JSON fragment (`params`, `extended`) as the typed model carries it: its JSON text,
/// none when absent or null.
pub fn json_text(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.to_string()),
    }
}

fn date_value<P: JsonPath + ?Sized>(v: &Value, path: &P) -> ConvertResult<DateValue> {
    let o = object(v, path)?;
    Ok(DateValue {
        full_date: str_at(o, "fullDate", path, true)?.to_string(),
        formatted_value: str_at(o, "formattedValue", path, false)?.to_string(),
        format_string: str_at(o, "formatString", path, false)?.to_string(),
    })
}

fn files<P: JsonPath + ?Sized>(v: &Value, path: &P) -> ConvertResult<Vec<FileValue>> {
    array(v, path)?
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let path = &Index(path, i);
            let o = object(f, path)?;
            let preview = str_at(o, "previewLink", path, false)?;
            Ok(FileValue {
                filename: str_at(o, "filename", path, true)?.to_string(),
                download_link: str_at(o, "downloadLink", path, false)?.to_string(),
                size: o
                    .get("size")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| format!("{path}.size must be a whole number of bytes"))?,
                preview_link: (!preview.is_empty()).then(|| preview.to_string()),
                params: json_text(o.get("params")),
            })
        })
        .collect()
}

fn choice<P: JsonPath + ?Sized>(v: &Value, path: &P) -> ConvertResult<Choice> {
    let o = object(v, path)?;
    let value = match o.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(format!("{path}.value must be a string or a number")),
    };
    Ok(Choice {
        title: str_at(o, "title", path, false)?.to_string(),
        value,
        extended: json_text(o.get("extended")),
    })
}

/// Converts a field value in the form API's JSON shape for `t`.
pub fn field_value<P: JsonPath + ?Sized>(
    t: FieldType,
    v: &Value,
    path: &P,
) -> ConvertResult<FieldValue> {
    Ok(match t {
        FieldType::String => FieldValue::String(
            v.as_str()
                .ok_or_else(|| format!("{path} must be a string"))?
                .to_string(),
        ),
        FieldType::Integer => FieldValue::Integer(
            v.as_i64()
                .ok_or_else(|| format!("{path} must be a whole number"))?,
        ),
        FieldType::Float => FieldValue::Float(
            v.as_f64()
                .ok_or_else(|| format!("{path} must be a number"))?,
        ),
        FieldType::Date => FieldValue::Date(date_value(v, path)?),
        FieldType::DateTime => FieldValue::DateTime(date_value(v, path)?),
        FieldType::Time => FieldValue::Time(date_value(v, path)?),
        FieldType::Text => {
            let o = object(v, path)?;
            FieldValue::Text(TextValue {
                html_value: str_at(o, "htmlValue", path, false)?.to_string(),
                plain_value: str_at(o, "plainValue", path, false)?.to_string(),
                md_value: str_at(o, "mdValue", path, false)?.to_string(),
                params: json_text(o.get("params")),
            })
        }
        FieldType::TextWithHeader => {
            let o = object(v, path)?;
            FieldValue::TextWithHeader(TextWithHeaderValue {
                header: str_at(o, "header", path, false)?.to_string(),
                html_value: str_at(o, "htmlValue", path, false)?.to_string(),
                plain_value: str_at(o, "plainValue", path, false)?.to_string(),
                md_value: str_at(o, "mdValue", path, false)?.to_string(),
                params: json_text(o.get("params")),
            })
        }
        FieldType::Image => FieldValue::Image(files(v, path)?),
        FieldType::GroupOfImages => FieldValue::GroupOfImages(files(v, path)?),
        FieldType::File => FieldValue::File(files(v, path)?),
        FieldType::RadioButton => FieldValue::RadioButton(choice(v, path)?),
        FieldType::List => FieldValue::List(
            array(v, path)?
                .iter()
                .enumerate()
                .map(|(i, c)| choice(c, &Index(path, i)))
                .collect::<ConvertResult<_>>()?,
        ),
        FieldType::Entity => FieldValue::Entity(
            array(v, path)?
                .iter()
                .enumerate()
                .map(|(i, id)| match id {
                    Value::Number(n) => n
                        .as_i64()
                        .map(EntityId::Numeric)
                        .ok_or_else(|| format!("{path}[{i}] must be a whole number")),
                    Value::String(s) => Ok(EntityId::Text(s.clone())),
                    _ => Err(format!("{path}[{i}] must be a number or a string")),
                })
                .collect::<ConvertResult<_>>()?,
        ),
        FieldType::TimeInterval => FieldValue::TimeInterval(
            array(v, path)?
                .iter()
                .enumerate()
                .map(|(i, pair)| match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(a), Value::String(b)]) => Ok((a.clone(), b.clone())),
                    _ => Err(format!(
                        "{path}[{i}] must be a [start, end] pair of strings"
                    )),
                })
                .collect::<ConvertResult<_>>()?,
        ),
    })
}

fn parse_json_text(text: &Option<String>) -> Value {
    text.as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

fn files_json(files: &[FileValue]) -> Value {
    Value::Array(
        files
            .iter()
            .map(|f| {
                let mut o = json!({"filename": f.filename, "downloadLink": f.download_link, "size": f.size,
                    "previewLink": f.preview_link.clone().unwrap_or_default()});
                if f.params.is_some() {
                    o["params"] = parse_json_text(&f.params);
                }
                o
            })
            .collect(),
    )
}

fn choice_json(c: &Choice) -> Value {
    let mut o = json!({"title": c.title, "value": c.value});
    if c.extended.is_some() {
        o["extended"] = parse_json_text(&c.extended);
    }
    o
}

fn date_json(d: &DateValue) -> Value {
    json!({"fullDate": d.full_date, "formattedValue": d.formatted_value, "formatString": d.format_string})
}

/// Converts a field value back to the form API's JSON shape.
pub fn field_value_json(v: &FieldValue) -> Value {
    match v {
        FieldValue::String(s) => json!(s),
        FieldValue::Integer(n) => json!(n),
        FieldValue::Float(x) => json!(x),
        FieldValue::Date(d) | FieldValue::DateTime(d) | FieldValue::Time(d) => date_json(d),
        FieldValue::Text(t) => {
            json!({"htmlValue": t.html_value, "plainValue": t.plain_value, "mdValue": t.md_value, "params": parse_json_text(&t.params)})
        }
        FieldValue::TextWithHeader(t) => {
            json!({"header": t.header, "htmlValue": t.html_value, "plainValue": t.plain_value,
            "mdValue": t.md_value, "params": parse_json_text(&t.params)})
        }
        FieldValue::Image(f) | FieldValue::GroupOfImages(f) | FieldValue::File(f) => files_json(f),
        FieldValue::RadioButton(c) => choice_json(c),
        FieldValue::List(cs) => Value::Array(cs.iter().map(choice_json).collect()),
        FieldValue::Entity(ids) => Value::Array(
            ids.iter()
                .map(|id| match id {
                    EntityId::Numeric(n) => json!(n),
                    EntityId::Text(s) => json!(s),
                })
                .collect(),
        ),
        FieldValue::TimeInterval(pairs) => {
            Value::Array(pairs.iter().map(|(a, b)| json!([a, b])).collect())
        }
    }
}

/// One field: `{"marker", "type", "value", "settings"?, "formIdentifier"?, "langCode"?}`.
pub fn field<P: JsonPath + ?Sized>(v: &Value, path: &P) -> ConvertResult<Field> {
    let o = object(v, path)?;
    let marker = str_at(o, "marker", path, true)?.to_string();
    let t = FieldType::parse(str_at(o, "type", path, true)?)
        .map_err(|e| format!("{path}.type: {e}"))?;
    let value = field_value(
        t,
        o.get("value").unwrap_or(&Value::Null),
        &Key(path, "value"),
    )?;
    let settings = match o.get("settings") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(s @ Value::Object(_)) => s.to_string(),
        Some(_) => return Err(format!("{path}.settings must be an object")),
    };
    let opt = |key: &str| o.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(Field {
        marker,
        field_type: t,
        value,
        settings,
        form_identifier: opt("formIdentifier"),
        lang_code: opt("langCode"),
    })
}

/// The fields of a validator call: `{"fields": [...]}`.
pub fn fields(input: &Value) -> ConvertResult<Vec<Field>> {
    let list = input
        .get("fields")
        .ok_or("the input needs \"fields\": [...]")?;
    array(list, "fields")?
        .iter()
        .enumerate()
        .map(|(i, f)| field(f, &Index("fields", i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_type_round_trips() {
        let sample: Value = serde_json::from_str(include_str!(
            "../../../plugins/examples/field-validator/sample-input.json"
        ))
        .unwrap();
        let parsed = fields(&sample).unwrap();
        assert_eq!(parsed.len(), 15);
        for (field, json) in parsed.iter().zip(sample["fields"].as_array().unwrap()) {
            assert_eq!(field.field_type.name(), json["type"]);
            assert_eq!(field.value.field_type(), field.field_type);
            let back = field_value_json(&field.value);
            let again = field_value(field.field_type, &back, "v").unwrap();
            assert_eq!(field_value_json(&again), back, "{}", field.marker);
        }
    }

    /// Found by fuzzing: without serde_json's exact float parsing, this float rendered back
    /// (shortest form) parsed to a neighbouring value, so a stored float drifted.
    #[test]
    fn a_float_round_trips_exactly() {
        let x = 8.231814434872914e133_f64;
        let text = field_value_json(&FieldValue::Float(x)).to_string();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            field_value(FieldType::Float, &back, "v").unwrap(),
            FieldValue::Float(x)
        );
    }

    #[test]
    fn errors_name_the_path() {
        let bad = json!({"fields": [{"marker": "a", "type": "integer", "value": "x"}]});
        assert_eq!(
            fields(&bad).unwrap_err(),
            "fields[0].value must be a whole number"
        );
        let bad = json!({"fields": [{"marker": "a", "type": "colour", "value": 1}]});
        assert!(fields(&bad)
            .unwrap_err()
            .contains("unknown field type 'colour'"));
    }
}
