//! The typed value of each field type and a field as a validator receives it. The shapes are
//! the WIT `types` records (the runtime converts them one to one); the form API's JSON shapes
//! are parsed into them once, in `json`.

use super::types::FieldType;

/// A date, dateTime or time value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DateValue {
    /// The instant or time of day (ISO 8601).
    pub full_date: String,
    /// The value as the user saw it.
    pub formatted_value: String,
    /// The format of `formatted_value`.
    pub format_string: String,
}

/// A text value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextValue {
    /// The text as HTML.
    pub html_value: String,
    /// The text without markup.
    pub plain_value: String,
    /// The text as Markdown.
    pub md_value: String,
    /// Free-form parameters as JSON text.
    pub params: Option<String>,
}

/// A text value with a header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextWithHeaderValue {
    /// The header.
    pub header: String,
    /// The text as HTML.
    pub html_value: String,
    /// The text without markup.
    pub plain_value: String,
    /// The text as Markdown.
    pub md_value: String,
    /// Free-form parameters as JSON text.
    pub params: Option<String>,
}

/// One uploaded file or image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileValue {
    /// The file's name.
    pub filename: String,
    /// Where it is downloaded from.
    pub download_link: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where a preview is, if any.
    pub preview_link: Option<String>,
    /// Free-form parameters as JSON text.
    pub params: Option<String>,
}

/// One chosen option of a radio button or list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Choice {
    /// The option's title.
    pub title: String,
    /// The option's value (a number is carried as its decimal text).
    pub value: String,
    /// Free-form extension as JSON text.
    pub extended: Option<String>,
}

/// The id of a referenced entity.
#[derive(Debug, Clone, PartialEq)]
pub enum EntityId {
    /// A numeric id.
    Numeric(i64),
    /// A textual id.
    Text(String),
}

/// A field's value, one variant per field type.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // Each variant is the value of the field type of the same name.
pub enum FieldValue {
    String(String),
    Integer(i64),
    Float(f64),
    Date(DateValue),
    DateTime(DateValue),
    Time(DateValue),
    Text(TextValue),
    TextWithHeader(TextWithHeaderValue),
    Image(Vec<FileValue>),
    GroupOfImages(Vec<FileValue>),
    File(Vec<FileValue>),
    RadioButton(Choice),
    List(Vec<Choice>),
    Entity(Vec<EntityId>),
    /// `[start, end]` pairs.
    TimeInterval(Vec<(String, String)>),
}

impl FieldValue {
    /// The field type this value belongs to.
    pub fn field_type(&self) -> FieldType {
        macro_rules! type_of {
            ($($variant:ident),*) => {
                match self {
                    $(FieldValue::$variant(_) => FieldType::$variant),*
                }
            };
        }
        crate::for_each_field_type!(type_of)
    }
}

/// One field as a validator receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's marker.
    pub marker: String,
    /// The field's type (the variant of `value`).
    pub field_type: FieldType,
    /// The submitted value.
    pub value: FieldValue,
    /// The validator's settings for this field as a JSON object's text.
    pub settings: String,
    /// The form the field belongs to, when known.
    pub form_identifier: Option<String>,
    /// The language of the submission, when known.
    pub lang_code: Option<String>,
}
