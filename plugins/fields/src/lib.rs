//! The one field model of Portico, shared by the host and the plugin SDK: the 15 field types
//! (the one list), their typed values, a field as validators receive it, the violation a check
//! reports, and the form API's JSON shapes parsed into them once.
//!
//! The host's core re-exports it as `portico_core::fields`. The plugin SDK (`plugins/sdk`) reads
//! field types and values with it and converts the result into its WIT-generated types, so a
//! validator's native tests see exactly what the host would pass it.
//!
//! Guests compile this crate to `wasm32-wasip2`, so it stays dependency-light: serde and
//! serde_json only (both already in every guest), nothing that needs an operating system.

pub mod json;
mod types;
mod value;

pub use types::{FieldType, Violation};
pub use value::{
    Choice, DateValue, EntityId, Field, FieldValue, FileValue, TextValue, TextWithHeaderValue,
};
