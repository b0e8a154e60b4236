//! Forms and form data (seed 004). A form has typed fields (15 types, settings per type) and
//! names its login and password fields; users and profiles keep data per form and language.
//!
//! - `definition`: forms, fields, settings and their checks;
//! - `crud`: create, read, list, replace, delete;
//! - `submission`: the three shapes of `formData` and the native check of every field;
//! - `values`: each type's value parsed into the core's typed value, its shape and settings checked;
//! - `data`: per-owner storage and the write pipeline (native -> extra validators -> write).

mod crud;
mod data;
mod dates;
mod definition;
mod submission;
mod values;

pub use crate::fields::{FieldType, Violation};
pub use data::{
    delete_owner_form_data, prepare_form_update, prepare_new_owner_form_data,
    prepare_user_form_update, write_prepared_form_update, FieldValidators, FormDataOwner,
    FormDataView, FormDataWritten, NativeOnly, PreparedFormUpdate, StoredField,
};
pub use definition::{
    ChoiceOption, FieldSettings, Form, FormBody, FormField, Localised, MAX_FORMS_PER_TENANT,
    MAX_FORM_FIELDS, MAX_IDENTIFIER_LEN, MAX_LANGUAGES, MAX_LANG_CODE_LEN, MAX_MARKER_LEN,
    MAX_OPTIONS, MAX_PATTERN_COMPILED_BYTES, MAX_PATTERN_LEN, MAX_TEXT_LEN,
    MAX_VALIDATOR_SETTINGS_BYTES,
};
pub use submission::{
    check_form_data, parse_and_check, Checked, ParsedField, ParsedFields, DEFAULT_LANG_CODE,
    MAX_SUBMITTED_FIELDS,
};

pub use crud::load_form;
pub use data::ensure_owner_exists;
pub use definition::{validate_form, validate_lang_code};
