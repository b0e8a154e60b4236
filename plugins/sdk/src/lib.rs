//! Write Portico plugins in Rust.
//!
//! A Portico plugin is a WebAssembly component that exports one or more of the
//! interfaces of the `portico:plugin@0.2.0` WIT package (in this crate's `wit/`, a copy of
//! the Portico repository's `wit/0.2.0/`): `field-validator`, `signup-policy`,
//! `lifecycle-hooks`. Portico still runs components built against 0.1.0; this
//! crate builds 0.2.0 ones. This crate holds the generated bindings, one export macro
//! per interface, and small helpers. See README.md for a tutorial.
//!
//! ```ignore
//! use portico_plugin_sdk::prelude::*;
//!
//! struct NoEmptyStrings;
//!
//! impl FieldValidator for NoEmptyStrings {
//!     fn validate(fields: Vec<Field>) -> Vec<Violation> {
//!         fields
//!             .iter()
//!             .filter(|f| matches!(&f.value, FieldValue::String(s) if s.is_empty()))
//!             .map(|f| Violation::new(&f.marker, "required", "must not be empty"))
//!             .collect()
//!     }
//! }
//!
//! portico_plugin_sdk::export_field_validator!(NoEmptyStrings);
//! ```

pub mod arena;
#[doc(hidden)]
pub mod bindings;
mod convert;
mod field;
mod hooks;
pub mod log;
pub mod settings;
mod signup;

pub use hooks::LifecycleHooks;
pub use signup::SignupPolicy;

/// The shared types of the WIT package (`portico:plugin/types`).
pub use bindings::validator::portico::plugin::types;

/// The raw host imports (`portico:plugin/host`); see also [`log`] and [`settings`].
pub use bindings::validator::portico::plugin::host;

/// The `field-validator` interface: [`FieldValidator`] is its trait.
pub use bindings::validator::exports::portico::plugin::field_validator;

/// The `signup-policy` interface; implement [`SignupPolicy`] rather than its `Guest`.
pub use bindings::signup::exports::portico::plugin::signup_policy;

/// The `lifecycle-hooks` interface; implement [`LifecycleHooks`] rather than its `Guest`.
pub use bindings::hooks::exports::portico::plugin::lifecycle_hooks;

/// Implement this for a validator, then `export_field_validator!(YourType);`.
pub use field_validator::Guest as FieldValidator;

/// Exports a type implementing [`FieldValidator`] as `portico:plugin/field-validator`.
pub use bindings::validator::export_field_validator;

/// Exports a type implementing [`SignupPolicy`] as `portico:plugin/signup-policy`.
pub use bindings::signup::export_signup_policy;

/// Exports a type implementing [`LifecycleHooks`] as `portico:plugin/lifecycle-hooks`.
pub use bindings::hooks::export_lifecycle_hooks;

/// Re-exported so plugins need no direct dependency to read JSON.
pub use serde_json;

/// Everything a plugin usually needs, in one `use`.
pub mod prelude {
    pub use crate::lifecycle_hooks::{Actor, ActorKind, Effect, HookEvent, Veto};
    pub use crate::settings::SettingsError;
    pub use crate::signup_policy::{Decision, Denial, SelfSignupRequest, SignupRequest};
    pub use crate::types::{
        Choice, DateValue, EntityId, Field, FieldType, FieldValue, FileValue, LogLevel,
        ProfileView, TextValue, TextWithHeaderValue, UserView, Violation,
    };
    pub use crate::{FieldValidator, LifecycleHooks, SignupPolicy};
    pub use serde_json::{json, Value as Json};
}
