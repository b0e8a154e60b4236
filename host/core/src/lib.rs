//! Portico's core: the rules' errors, the clock port, the field model, the plugin port, the
//! storage port and the entities it stores; the rules themselves move in aggregate by
//! aggregate.
//!
//! It may depend on plain libraries (serde, chrono, thiserror) only: never on a plugin engine
//! (wasmtime), a storage engine (redb, an SQL driver) or an HTTP framework (axum). The adapters
//! depend on it and implement its ports: `portico-wasm-runtime` implements
//! `plugins::PluginRuntime`; the redb store implements the `storage` traits.

pub mod clock;
pub mod domain;
pub mod emails;
pub mod error;
pub use portico_fields as fields;
pub mod forms;
pub mod groups;
pub mod hook_deliveries;
pub mod identity_providers;
pub mod outbox;
pub mod passwords;
pub mod plugin_records;
pub mod plugins;
pub mod portal;
pub mod profiles;
pub mod sessions;
pub mod sign_in_attempts;
pub mod signup_links;
pub mod storage;
pub mod tenants;
pub mod users;
