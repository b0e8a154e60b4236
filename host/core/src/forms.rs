//! Forms as stored: a form's definition (identifier, localised title, typed fields with per-type
//! settings, the login and password markers) and each owner's data per form and language.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fields::FieldType;

/// A text per language code, e.g. `{"en_US": "Sign up", "tr_TR": "Kayıt"}`.
pub type Localised = BTreeMap<String, String>;

/// One option of a radioButton or list field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// What the person sees.
    pub title: String,
    /// What is stored.
    pub value: String,
}

/// A field's settings. Every key applies to some types only (see `applies_to`); a key set on a
/// field of another type is refused rather than ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldSettings {
    /// Shortest value in characters (string; the plain value of text and textWithHeader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    /// Longest value in characters (same types as `minLength`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// A regular expression a string value must match (unanchored unless it says `^...$`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Smallest number (integer, float).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest number (integer, float).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The choices of a radioButton or list field; a submitted value must be one of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<ChoiceOption>>,
    /// What an entity field's ids refer to, e.g. `products`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// File name extensions accepted by file, image and groupOfImages (case-insensitive, no dot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_extensions: Option<Vec<String>>,
    /// Largest file size in bytes (file, image, groupOfImages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// Earliest accepted value: an ISO 8601 date or date-time (date, dateTime, timeInterval) or a
    /// time of day `HH:MM[:SS]` (time, compared with the value's UTC time of day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// Latest accepted value; same forms as `notBefore`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// Most items of a list-valued field (image is always at most one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
}

impl FieldSettings {
    /// The keys that are set, each with the types it applies to.
    pub fn set_keys(&self) -> Vec<(&'static str, &'static [FieldType])> {
        use FieldType::*;
        const LENGTH: &[FieldType] = &[String, Text, TextWithHeader];
        const NUMBER: &[FieldType] = &[Integer, Float];
        const CHOICE: &[FieldType] = &[RadioButton, List];
        const FILE: &[FieldType] = &[Image, GroupOfImages, File];
        const DATE: &[FieldType] = &[Date, DateTime, Time, TimeInterval];
        const ITEMS: &[FieldType] = &[Image, GroupOfImages, File, List, Entity, TimeInterval];
        let mut keys = Vec::new();
        let mut add = |set: bool, key, types| {
            if set {
                keys.push((key, types));
            }
        };
        add(self.min_length.is_some(), "minLength", LENGTH);
        add(self.max_length.is_some(), "maxLength", LENGTH);
        add(self.pattern.is_some(), "pattern", &[String]);
        add(self.min.is_some(), "min", NUMBER);
        add(self.max.is_some(), "max", NUMBER);
        add(self.options.is_some(), "options", CHOICE);
        add(self.target.is_some(), "target", &[Entity]);
        add(self.allowed_extensions.is_some(), "allowedExtensions", FILE);
        add(self.max_size.is_some(), "maxSize", FILE);
        add(self.not_before.is_some(), "notBefore", DATE);
        add(self.not_after.is_some(), "notAfter", DATE);
        add(self.max_items.is_some(), "maxItems", ITEMS);
        keys
    }
}

/// One field of a form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormField {
    /// The field's stable name in the form, e.g. `last_name`.
    pub marker: String,
    /// The field's type.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub field_type: FieldType,
    /// A value must be given (and not empty).
    #[serde(default)]
    pub required: bool,
    /// The field's label per language.
    #[serde(default)]
    pub label: Localised,
    /// The native checks' settings.
    #[serde(default)]
    pub settings: FieldSettings,
    /// Settings handed to the tenant's validator plugins for this field (free JSON object).
    #[serde(default)]
    pub validators: serde_json::Map<String, serde_json::Value>,
    /// `validators` as JSON text, made at its first use: decoded forms are cached, so each
    /// validated request reuses it instead of serialising the object again.
    #[serde(skip)]
    validators_json: std::sync::OnceLock<String>,
}

impl FormField {
    /// `validators` as JSON text.
    pub fn validators_json(&self) -> &str {
        self.validators_json
            .get_or_init(|| serde_json::Value::Object(self.validators.clone()).to_string())
    }
}

/// A form as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Form {
    /// The form's identifier in the tenant (`registration`).
    pub identifier: String,
    /// The form's number in the tenant (`NumberSequence::Forms`): given at creation, never
    /// changed or reused.
    #[serde(default)]
    pub number: u64,
    /// Its title per language.
    pub title: Localised,
    /// Its fields, in order.
    pub fields: Vec<FormField>,
    /// The marker of the field that holds the sign-in login (an email), if any.
    pub login_marker: Option<String>,
    /// The marker of the field that holds the password, if any.
    pub password_marker: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Form {
    /// The field with this marker.
    pub fn field(&self, marker: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.marker == marker)
    }
}

/// Whose form data: an internal or portal user, or an external-user profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormDataOwner {
    /// A user, by id.
    User(String),
    /// A profile, by id.
    Profile(String),
}

/// One field's value as stored and shown: `{marker, type, value}`, the value as submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredField {
    /// The field's marker.
    pub marker: String,
    /// The field's type when the value was written.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub field_type: FieldType,
    /// The value's JSON as it was submitted.
    pub value: Value,
}

/// One owner's data for one form and language, as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoredFormData {
    /// The stored fields.
    pub fields: Vec<StoredField>,
    /// When they were last written.
    pub updated_at: Option<DateTime<Utc>>,
}
