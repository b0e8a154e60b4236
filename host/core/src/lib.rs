//! Portico's core: the rules (`domain`, one service per aggregate), the entities they store, their
//! errors, and the ports they need: storage (`storage`), the plugin runtime (`plugins`) and the
//! clock (`clock`). The field model is `portico-fields`, re-exported as `fields`.
//!
//! It may depend on plain libraries (serde, chrono, thiserror, the hashing and random crates),
//! on `portico-fields` and on `portico-admission` (each tenant's share of the process) only:
//! never on a plugin engine (wasmtime), a storage engine (redb, an SQL driver) or an HTTP
//! framework (axum). The adapters depend on it and implement its ports: `portico-wasm-runtime`
//! implements `plugins::PluginRuntime`, `portico-store-redb` implements `storage::Storage`;
//! `portico-http` serves the rules over HTTP.

pub mod app_tokens;
pub mod auth_providers;
pub mod clock;
pub mod domain;
pub mod emails;
pub mod error;
pub use portico_fields as fields;
pub mod forms;
pub mod groups;
pub mod hook_deliveries;
pub mod identity_providers;
pub mod mail_templates;
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
