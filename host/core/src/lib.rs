//! Portico's core: the clock port, the field model, the plugin port and its types, and (as the
//! rules move in) the entities, rules and errors with the ports they need.
//!
//! It may depend on plain libraries (serde, chrono) only: never on a plugin engine (wasmtime),
//! a storage engine (redb, an SQL driver) or an HTTP framework (axum). The adapters depend on
//! it and implement its ports: `portico-wasm-runtime` implements `plugins::PluginRuntime`.

pub mod clock;
pub mod fields;
pub mod plugins;
