//! Helpers on the shared field types: violation constructors, field type names
//! as the form API spells them, settings parsing, and reading a field from the
//! form API's JSON (handy in native unit tests of a validator). The type list,
//! the names and the JSON shapes are the host's own (`portico-fields`), mapped
//! onto the WIT types in `convert`.

use crate::convert;
use crate::settings::{self, SettingsError};
use crate::types::{EntityId, Field, FieldType, FieldValue, Violation};
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
    pub const ALL: [FieldType; 15] = {
        let shared = portico_fields::FieldType::ALL;
        let mut all = [FieldType::String; 15];
        let mut i = 0;
        while i < all.len() {
            all[i] = convert::wit_type(shared[i]);
            i += 1;
        }
        all
    };

    /// The name the form API uses in `"type"`, e.g. `dateTime`.
    pub fn json_name(self) -> &'static str {
        convert::shared_type(self).name()
    }

    /// The field type named `name` in the form API's JSON.
    pub fn from_json_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.json_name() == name)
    }
}

impl FieldValue {
    /// The field type this value belongs to.
    pub fn field_type(&self) -> FieldType {
        convert::value_type(self)
    }

    /// Reads a value of type `ty` from the form API's JSON shape (seed 004), as
    /// the host does; an error names the offending part (`value.fullDate must be
    /// a string`).
    pub fn from_json(ty: FieldType, v: &Value) -> Result<Self, String> {
        portico_fields::json::field_value(convert::shared_type(ty), v, "value")
            .map(convert::wit_value)
    }
}

impl Field {
    /// Reads a field from `{"marker": .., "type": .., "value": .., "settings": {..}}`,
    /// as the host does; an error names the offending part (`field.value must be a
    /// whole number`).
    pub fn from_json(v: &Value) -> Result<Self, String> {
        portico_fields::json::field(v, "field").map(convert::wit_field)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Choice, DateValue, FileValue};
    use serde_json::json;

    #[test]
    fn the_type_list_is_the_shared_one_in_wit_order() {
        for (i, t) in FieldType::ALL.into_iter().enumerate() {
            assert_eq!(t as usize, i, "{}", t.json_name());
            assert_eq!(t.json_name(), portico_fields::FieldType::ALL[i].name());
            assert_eq!(FieldType::from_json_name(t.json_name()), Some(t));
        }
        assert_eq!(FieldType::from_json_name("colour"), None);
    }

    #[test]
    fn every_field_of_the_sample_input_reads() {
        let sample: Value = serde_json::from_str(include_str!(
            "../../examples/field-validator/sample-input.json"
        ))
        .unwrap();
        let fields = sample["fields"].as_array().unwrap();
        assert_eq!(fields.len(), FieldType::ALL.len());
        for json in fields {
            let field = Field::from_json(json).unwrap();
            assert_eq!(field.field_type.json_name(), json["type"]);
            assert_eq!(field.value.field_type(), field.field_type);
            let value = FieldValue::from_json(field.field_type, &json["value"]).unwrap();
            assert_eq!(value, field.value);
        }
    }

    #[test]
    fn a_float_value_reads_exactly() {
        // serde_json's default (fast) float parser reads this one unit in the last place off.
        let x = 8.231814434872914e133_f64;
        let json: Value = serde_json::from_str(&format!("{x:e}")).unwrap();
        let value = FieldValue::from_json(FieldType::Float, &json).unwrap();
        assert_eq!(value, FieldValue::Float(x));
    }

    #[test]
    fn values_keep_every_part() {
        let field = Field::from_json(&json!({"marker": "f", "type": "file", "settings": {"maxItems": 1},
            "formIdentifier": "signup", "langCode": "en_US",
            "value": [{"filename": "a.png", "downloadLink": "http://x/a", "size": 3, "previewLink": "",
                       "params": {"isImageCompressed": true}}]}))
        .unwrap();
        assert_eq!(field.marker, "f");
        assert_eq!(field.field_type, FieldType::File);
        assert_eq!(field.settings, r#"{"maxItems":1}"#);
        assert_eq!(field.form_identifier.as_deref(), Some("signup"));
        assert_eq!(field.lang_code.as_deref(), Some("en_US"));
        let file = FileValue {
            filename: "a.png".into(),
            download_link: "http://x/a".into(),
            size: 3,
            preview_link: None,
            params: Some(r#"{"isImageCompressed":true}"#.into()),
        };
        assert_eq!(field.value, FieldValue::File(vec![file]));

        let choice = json!({"title": "two", "value": 2, "extended": {"k": "v"}});
        assert_eq!(
            FieldValue::from_json(FieldType::RadioButton, &choice).unwrap(),
            FieldValue::RadioButton(Choice {
                title: "two".into(),
                value: "2".into(),
                extended: Some(r#"{"k":"v"}"#.into()),
            })
        );
        let date = json!({"fullDate": "2024-05-07T21:02:00.000Z"});
        assert_eq!(
            FieldValue::from_json(FieldType::Time, &date).unwrap(),
            FieldValue::Time(DateValue {
                full_date: "2024-05-07T21:02:00.000Z".into(),
                formatted_value: String::new(),
                format_string: String::new(),
            })
        );
        assert_eq!(
            FieldValue::from_json(FieldType::Entity, &json!([1, "x-9"])).unwrap(),
            FieldValue::Entity(vec![EntityId::Numeric(1), EntityId::Text("x-9".into())])
        );
        let no_settings = json!({"marker": "a", "type": "string", "value": "", "settings": null});
        assert_eq!(Field::from_json(&no_settings).unwrap().settings, "{}");
    }

    #[test]
    fn errors_name_the_offending_part() {
        let wrong = json!({"marker": "a", "type": "integer", "value": "x"});
        assert_eq!(
            Field::from_json(&wrong).unwrap_err(),
            "field.value must be a whole number"
        );
        let unknown = json!({"marker": "a", "type": "colour", "value": 1});
        assert!(Field::from_json(&unknown)
            .unwrap_err()
            .starts_with("field.type: unknown field type 'colour'"));
        assert_eq!(
            Field::from_json(&json!({"type": "string", "value": ""})).unwrap_err(),
            "field.marker must be a string"
        );
        let sizeless = json!([{"filename": "a.png"}]);
        assert_eq!(
            FieldValue::from_json(FieldType::Image, &sizeless).unwrap_err(),
            "value[0].size must be a whole number of bytes"
        );
    }
}
