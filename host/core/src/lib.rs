//! Portico's core: the rules' errors, the clock port, the field model, the plugin port, the
//! storage port and the entities it stores; the rules themselves move in aggregate by
//! aggregate.
//!
//! It may depend on plain libraries (serde, chrono, thiserror) only: never on a plugin engine
//! (wasmtime), a storage engine (redb, an SQL driver) or an HTTP framework (axum). The adapters
//! depend on it and implement its ports: `portico-wasm-runtime` implements
//! `plugins::PluginRuntime`; the redb store implements the `storage` traits.

pub mod clock;
pub mod error;
pub mod fields;
pub mod plugin_records;
pub mod plugins;
pub mod storage;
pub mod users;
