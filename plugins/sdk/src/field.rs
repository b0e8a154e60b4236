//! Helpers on the shared field types: violation constructors, field type names
//! as the form API spells them, settings parsing, and reading a field from the
//! form API's JSON (handy in native unit tests of a validator).

use crate::settings::{self, SettingsError};
use crate::types::{
    Choice, DateValue, EntityId, Field, FieldType, FieldValue, FileValue, TextValue,
    TextWithHeaderValue, Violation,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

impl Violation {
    /// A violation of the field `marker`, with a stable `code` and a message.
    pub fn new(
        marker: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            marker: marker.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

impl FieldType {
    /// Every field type, in WIT order.
    pub const ALL: [FieldType; 15] = [
        FieldType::String,
        FieldType::Integer,
        FieldType::Float,
        FieldType::Date,
        FieldType::DateTime,
        FieldType::Time,
        FieldType::Text,
        FieldType::TextWithHeader,
        FieldType::Image,
        FieldType::GroupOfImages,
        FieldType::File,
        FieldType::RadioButton,
        FieldType::List,
        FieldType::Entity,
        FieldType::TimeInterval,
    ];

    /// The name the form API uses in `"type"`, e.g. `dateTime`.
    pub fn json_name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Float => "float",
            FieldType::Date => "date",
            FieldType::DateTime => "dateTime",
            FieldType::Time => "time",
            FieldType::Text => "text",
            FieldType::TextWithHeader => "textWithHeader",
            FieldType::Image => "image",
            FieldType::GroupOfImages => "groupOfImages",
            FieldType::File => "file",
            FieldType::RadioButton => "radioButton",
            FieldType::List => "list",
            FieldType::Entity => "entity",
            FieldType::TimeInterval => "timeInterval",
        }
    }

    /// The field type named `name` in the form API's JSON.
    pub fn from_json_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.json_name() == name)
    }
}

impl FieldValue {
    /// The field type this value belongs to.
    pub fn field_type(&self) -> FieldType {
        match self {
            FieldValue::String(_) => FieldType::String,
            FieldValue::Integer(_) => FieldType::Integer,
            FieldValue::Float(_) => FieldType::Float,
            FieldValue::Date(_) => FieldType::Date,
            FieldValue::DateTime(_) => FieldType::DateTime,
            FieldValue::Time(_) => FieldType::Time,
            FieldValue::Text(_) => FieldType::Text,
            FieldValue::TextWithHeader(_) => FieldType::TextWithHeader,
            FieldValue::Image(_) => FieldType::Image,
            FieldValue::GroupOfImages(_) => FieldType::GroupOfImages,
            FieldValue::File(_) => FieldType::File,
            FieldValue::RadioButton(_) => FieldType::RadioButton,
            FieldValue::List(_) => FieldType::List,
            FieldValue::Entity(_) => FieldType::Entity,
            FieldValue::TimeInterval(_) => FieldType::TimeInterval,
        }
    }

    /// Reads a value of type `ty` from the form API's JSON shape (seed 004).
    pub fn from_json(ty: FieldType, v: &Value) -> Result<Self, String> {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let raw = |v: &Value, k: &str| v.get(k).filter(|x| !x.is_null()).map(Value::to_string);
        let date = |v: &Value| DateValue {
            full_date: s(v, "fullDate"),
            formatted_value: s(v, "formattedValue"),
            format_string: s(v, "formatString"),
        };
        let text = |v: &Value| TextValue {
            html_value: s(v, "htmlValue"),
            plain_value: s(v, "plainValue"),
            md_value: s(v, "mdValue"),
            params: raw(v, "params"),
        };
        let files = |v: &Value| -> Result<Vec<FileValue>, String> {
            let items = v.as_array().ok_or("expected a list of files")?;
            Ok(items
                .iter()
                .map(|f| FileValue {
                    filename: s(f, "filename"),
                    download_link: s(f, "downloadLink"),
                    size: f.get("size").and_then(Value::as_u64).unwrap_or(0),
                    preview_link: Some(s(f, "previewLink")).filter(|p| !p.is_empty()),
                    params: raw(f, "params"),
                })
                .collect())
        };
        let choice = |v: &Value| Choice {
            title: s(v, "title"),
            value: match v.get("value") {
                Some(Value::String(x)) => x.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            },
            extended: raw(v, "extended"),
        };
        let list = |v: &Value| {
            v.as_array()
                .cloned()
                .ok_or_else(|| "expected a list".to_string())
        };
        Ok(match ty {
            FieldType::String => FieldValue::String(v.as_str().ok_or("expected a string")?.into()),
            FieldType::Integer => FieldValue::Integer(v.as_i64().ok_or("expected an integer")?),
            FieldType::Float => FieldValue::Float(v.as_f64().ok_or("expected a number")?),
            FieldType::Date => FieldValue::Date(date(v)),
            FieldType::DateTime => FieldValue::DateTime(date(v)),
            FieldType::Time => FieldValue::Time(date(v)),
            FieldType::Text => FieldValue::Text(text(v)),
            FieldType::TextWithHeader => {
                let t = text(v);
                FieldValue::TextWithHeader(TextWithHeaderValue {
                    header: s(v, "header"),
                    html_value: t.html_value,
                    plain_value: t.plain_value,
                    md_value: t.md_value,
                    params: t.params,
                })
            }
            FieldType::Image => FieldValue::Image(files(v)?),
            FieldType::GroupOfImages => FieldValue::GroupOfImages(files(v)?),
            FieldType::File => FieldValue::File(files(v)?),
            FieldType::RadioButton => FieldValue::RadioButton(choice(v)),
            FieldType::List => FieldValue::List(list(v)?.iter().map(choice).collect()),
            FieldType::Entity => FieldValue::Entity(
                list(v)?
                    .iter()
                    .map(|id| match id {
                        Value::String(x) => Ok(EntityId::Text(x.clone())),
                        n => n.as_i64().map(EntityId::Numeric).ok_or("expected ids"),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            FieldType::TimeInterval => FieldValue::TimeInterval(
                list(v)?
                    .iter()
                    .map(|pair| match pair.as_array().map(Vec::as_slice) {
                        Some([Value::String(a), Value::String(b)]) => Ok((a.clone(), b.clone())),
                        _ => Err("expected [start, end] pairs of strings"),
                    })
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

impl Field {
    /// Reads a field from `{"marker": .., "type": .., "value": .., "settings": {..}}`.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let marker = v
            .get("marker")
            .and_then(Value::as_str)
            .ok_or("missing marker")?;
        let type_name = v
            .get("type")
            .and_then(Value::as_str)
            .ok_or("missing type")?;
        let field_type =
            FieldType::from_json_name(type_name).ok_or(format!("unknown type {type_name}"))?;
        let value = FieldValue::from_json(field_type, v.get("value").unwrap_or(&Value::Null))
            .map_err(|e| format!("field {marker}: {e}"))?;
        let opt = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(Field {
            marker: marker.to_string(),
            field_type,
            value,
            settings: v
                .get("settings")
                .map_or_else(|| "{}".to_string(), Value::to_string),
            form_identifier: opt("formIdentifier"),
            lang_code: opt("langCode"),
        })
    }

    /// This field's validator settings parsed into `T`.
    pub fn settings_as<T: DeserializeOwned>(&self) -> Result<T, SettingsError> {
        settings::parse(
            &self.settings,
            &format!("settings of field \"{}\"", self.marker),
        )
    }

    /// A violation of this field.
    pub fn violation(&self, code: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation::new(&self.marker, code, message)
    }
}

impl EntityId {
    /// The id as text, whatever its JSON form.
    pub fn to_text(&self) -> String {
        match self {
            EntityId::Numeric(n) => n.to_string(),
            EntityId::Text(s) => s.clone(),
        }
    }
}
