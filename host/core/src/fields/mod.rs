//! The field model: the 15 field types, their typed values, a field as validators receive it,
//! the violation a check reports, and the form API's JSON shapes parsed into them once.

pub mod json;
mod types;
mod value;

pub use types::{FieldType, Violation};
pub use value::{
    Choice, DateValue, EntityId, Field, FieldValue, FileValue, TextValue, TextWithHeaderValue,
};
