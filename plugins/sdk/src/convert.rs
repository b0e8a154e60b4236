//! The shared field model (`portico-fields`, the host's own) as the WIT-generated types: the one
//! place the two are mapped. The field types are named alike on both sides, so the mappings are
//! generated from the shared list (`for_each_field_type!`); a type missing on either side does
//! not compile.

use crate::types::{
    Choice, DateValue, EntityId, Field, FieldType, FieldValue, FileValue, TextValue,
    TextWithHeaderValue,
};
use portico_fields as shared;

macro_rules! mappings {
    ($($variant:ident),*) => {
        /// The WIT field type of a shared one.
        pub(crate) const fn wit_type(t: shared::FieldType) -> FieldType {
            match t {
                $(shared::FieldType::$variant => FieldType::$variant),*
            }
        }

        /// The shared field type of a WIT one.
        pub(crate) const fn shared_type(t: FieldType) -> shared::FieldType {
            match t {
                $(FieldType::$variant => shared::FieldType::$variant),*
            }
        }

        /// The field type a WIT value belongs to.
        pub(crate) fn value_type(v: &FieldValue) -> FieldType {
            match v {
                $(FieldValue::$variant(_) => FieldType::$variant),*
            }
        }

        /// A shared value as the WIT value of the same type.
        pub(crate) fn wit_value(v: shared::FieldValue) -> FieldValue {
            match v {
                $(shared::FieldValue::$variant(x) => FieldValue::$variant(x.into_wit())),*
            }
        }
    };
}

shared::for_each_field_type!(mappings);

/// A shared field as the WIT field.
pub(crate) fn wit_field(f: shared::Field) -> Field {
    Field {
        marker: f.marker,
        field_type: wit_type(f.field_type),
        value: wit_value(f.value),
        settings: f.settings,
        form_identifier: f.form_identifier,
        lang_code: f.lang_code,
    }
}

/// The payload of a shared value as the WIT payload (the records have the same fields).
trait IntoWit {
    type Wit;
    fn into_wit(self) -> Self::Wit;
}

macro_rules! same_on_both_sides {
    ($($t:ty),*) => {
        $(impl IntoWit for $t {
            type Wit = $t;
            fn into_wit(self) -> $t {
                self
            }
        })*
    };
}

same_on_both_sides!(String, i64, f64, (String, String));

impl<T: IntoWit> IntoWit for Vec<T> {
    type Wit = Vec<T::Wit>;
    fn into_wit(self) -> Self::Wit {
        self.into_iter().map(T::into_wit).collect()
    }
}

impl IntoWit for shared::DateValue {
    type Wit = DateValue;
    fn into_wit(self) -> DateValue {
        DateValue {
            full_date: self.full_date,
            formatted_value: self.formatted_value,
            format_string: self.format_string,
        }
    }
}

impl IntoWit for shared::TextValue {
    type Wit = TextValue;
    fn into_wit(self) -> TextValue {
        TextValue {
            html_value: self.html_value,
            plain_value: self.plain_value,
            md_value: self.md_value,
            params: self.params,
        }
    }
}

impl IntoWit for shared::TextWithHeaderValue {
    type Wit = TextWithHeaderValue;
    fn into_wit(self) -> TextWithHeaderValue {
        TextWithHeaderValue {
            header: self.header,
            html_value: self.html_value,
            plain_value: self.plain_value,
            md_value: self.md_value,
            params: self.params,
        }
    }
}

impl IntoWit for shared::FileValue {
    type Wit = FileValue;
    fn into_wit(self) -> FileValue {
        FileValue {
            filename: self.filename,
            download_link: self.download_link,
            size: self.size,
            preview_link: self.preview_link,
            params: self.params,
        }
    }
}

impl IntoWit for shared::Choice {
    type Wit = Choice;
    fn into_wit(self) -> Choice {
        Choice {
            title: self.title,
            value: self.value,
            extended: self.extended,
        }
    }
}

impl IntoWit for shared::EntityId {
    type Wit = EntityId;
    fn into_wit(self) -> EntityId {
        match self {
            shared::EntityId::Numeric(n) => EntityId::Numeric(n),
            shared::EntityId::Text(s) => EntityId::Text(s),
        }
    }
}
