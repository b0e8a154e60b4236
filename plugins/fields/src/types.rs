//! The 15 field types (the one list: the form API's names, in the WIT enum's order) and the
//! violation a field check reports.

use serde::{Deserialize, Serialize};

/// Calls the macro `$callback` with the names of the 15 field types, in the order of the WIT
/// `field-type` enum: `$callback! { String, Integer, Float, ..., TimeInterval }`.
///
/// This is the one list. [`FieldType::ALL`] and
/// [`FieldValue::field_type`](crate::FieldValue::field_type) are generated from it, and so is
/// code that maps the model onto types named alike (the plugin SDK's conversions to its
/// WIT-generated types), so that none of them repeats it. The generated matches are exhaustive:
/// a type added to the enums but not here, or to one side of a mapping only, does not compile.
#[macro_export]
macro_rules! for_each_field_type {
    ($callback:ident) => {
        $callback! {
            String, Integer, Float, Date, DateTime, Time, Text, TextWithHeader, Image,
            GroupOfImages, File, RadioButton, List, Entity, TimeInterval
        }
    };
}

/// The type of a form field, named as in the form API's JSON (`"type": "dateTime"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // The variants are the form API's type names.
pub enum FieldType {
    String,
    Integer,
    Float,
    Date,
    DateTime,
    Time,
    Text,
    TextWithHeader,
    Image,
    GroupOfImages,
    File,
    RadioButton,
    List,
    Entity,
    TimeInterval,
}

impl FieldType {
    /// Every type, in the order of the WIT `field-type` enum.
    pub const ALL: [FieldType; 15] = {
        macro_rules! all {
            ($($variant:ident),*) => {
                [$(FieldType::$variant),*]
            };
        }
        crate::for_each_field_type!(all)
    };

    /// The JSON name, e.g. `groupOfImages`.
    pub fn name(self) -> &'static str {
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

    /// Parses a JSON name, naming every accepted one when it is none of them.
    pub fn parse(name: &str) -> Result<FieldType, String> {
        FieldType::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown field type '{name}' (expected one of {})",
                    FieldType::names()
                )
            })
    }

    /// All JSON names, comma-separated, for error messages.
    pub fn names() -> String {
        FieldType::ALL.map(FieldType::name).join(", ")
    }
}

/// One problem with one submitted field: the field's marker (the pointer the 422 answer
/// carries), a stable code and a message. Plugin validators report the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The field's marker.
    pub marker: String,
    /// A stable code (`required`, `too_short`...).
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl Violation {
    /// A violation of field `marker`.
    pub fn new(marker: &str, code: &str, message: impl Into<String>) -> Violation {
        Violation {
            marker: marker.to_string(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}
