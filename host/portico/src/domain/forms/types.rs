//! The 15 field types and the violation a field check reports.

use serde::{Deserialize, Serialize};

/// The type of a form field, named as in the form API's JSON (`"type": "dateTime"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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

    /// Parses a JSON name; `None` for anything else.
    pub fn from_name(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// All JSON names, comma-separated, for error messages.
    pub fn names() -> String {
        FieldType::ALL.map(FieldType::name).join(", ")
    }

    /// Types whose value is a JSON list of items (so `maxItems` applies).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            FieldType::Image
                | FieldType::GroupOfImages
                | FieldType::File
                | FieldType::List
                | FieldType::Entity
                | FieldType::TimeInterval
        )
    }

    /// Types whose value is `{fullDate, formattedValue, formatString}`.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            FieldType::Date | FieldType::DateTime | FieldType::Time
        )
    }

    /// Types whose value is a list of uploaded files.
    pub fn is_file(self) -> bool {
        matches!(
            self,
            FieldType::Image | FieldType::GroupOfImages | FieldType::File
        )
    }
}

/// One problem with one submitted field: the field's marker (the pointer the 422 answer
/// carries), a stable code and a message. Plugin validators report the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub marker: String,
    pub code: String,
    pub message: String,
}

impl Violation {
    pub fn new(marker: &str, code: &str, message: impl Into<String>) -> Violation {
        Violation {
            marker: marker.to_string(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}
