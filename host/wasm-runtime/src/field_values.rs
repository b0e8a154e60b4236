//! The core's field model to the WIT `types` values, one to one: the only place that converts
//! a validator's input and answer between the two.

use portico_core::fields as core;

use super::bindings::types::{
    Choice, DateValue, EntityId, Field, FieldType, FieldValue, FileValue, TextValue,
    TextWithHeaderValue, Violation,
};

/// The fields of a validator call as WIT values, moved (a call's fields are built for it).
pub fn wit_fields(fields: Vec<core::Field>) -> Vec<Field> {
    fields.into_iter().map(wit_field).collect()
}

/// One field as the WIT value.
pub fn wit_field(f: core::Field) -> Field {
    Field {
        marker: f.marker,
        field_type: wit_field_type(f.field_type),
        value: wit_value(f.value),
        settings: f.settings,
        form_identifier: f.form_identifier,
        lang_code: f.lang_code,
    }
}

/// A validator's violation in the core's type.
pub fn core_violation(v: Violation) -> core::Violation {
    core::Violation {
        marker: v.marker,
        code: v.code,
        message: v.message,
    }
}

/// Defines `wit_field_type` from the shared list of types, so that a type missing on either
/// side does not compile.
macro_rules! field_type_mapping {
    ($($variant:ident),*) => {
        fn wit_field_type(t: core::FieldType) -> FieldType {
            match t {
                $(core::FieldType::$variant => FieldType::$variant),*
            }
        }
    };
}

portico_core::fields::for_each_field_type!(field_type_mapping);

fn wit_value(v: core::FieldValue) -> FieldValue {
    use core::FieldValue as V;
    match v {
        V::String(s) => FieldValue::String(s),
        V::Integer(n) => FieldValue::Integer(n),
        V::Float(x) => FieldValue::Float(x),
        V::Date(d) => FieldValue::Date(wit_date(d)),
        V::DateTime(d) => FieldValue::DateTime(wit_date(d)),
        V::Time(d) => FieldValue::Time(wit_date(d)),
        V::Text(t) => FieldValue::Text(TextValue {
            html_value: t.html_value,
            plain_value: t.plain_value,
            md_value: t.md_value,
            params: t.params,
        }),
        V::TextWithHeader(t) => FieldValue::TextWithHeader(TextWithHeaderValue {
            header: t.header,
            html_value: t.html_value,
            plain_value: t.plain_value,
            md_value: t.md_value,
            params: t.params,
        }),
        V::Image(f) => FieldValue::Image(wit_files(f)),
        V::GroupOfImages(f) => FieldValue::GroupOfImages(wit_files(f)),
        V::File(f) => FieldValue::File(wit_files(f)),
        V::RadioButton(c) => FieldValue::RadioButton(wit_choice(c)),
        V::List(cs) => FieldValue::List(cs.into_iter().map(wit_choice).collect()),
        V::Entity(ids) => FieldValue::Entity(ids.into_iter().map(wit_entity_id).collect()),
        V::TimeInterval(pairs) => FieldValue::TimeInterval(pairs),
    }
}

fn wit_date(d: core::DateValue) -> DateValue {
    DateValue {
        full_date: d.full_date,
        formatted_value: d.formatted_value,
        format_string: d.format_string,
    }
}

fn wit_files(files: Vec<core::FileValue>) -> Vec<FileValue> {
    files
        .into_iter()
        .map(|f| FileValue {
            filename: f.filename,
            download_link: f.download_link,
            size: f.size,
            preview_link: f.preview_link,
            params: f.params,
        })
        .collect()
}

fn wit_choice(c: core::Choice) -> Choice {
    Choice {
        title: c.title,
        value: c.value,
        extended: c.extended,
    }
}

fn wit_entity_id(id: core::EntityId) -> EntityId {
    match id {
        core::EntityId::Numeric(n) => EntityId::Numeric(n),
        core::EntityId::Text(s) => EntityId::Text(s),
    }
}
