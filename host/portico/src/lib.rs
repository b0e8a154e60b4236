//! Portico: a self-hosted, multi-tenant host for external-user portals, extended by sandboxed
//! WebAssembly plugins. This crate is the `portico` binary and its wiring: the command line,
//! the server's start and stop (`server`), the background hook-delivery workers
//! (`hook_worker`), the workers mailing the outbox (`mail_worker`) and the process's allocator (`allocator`). Everything else lives in the crates
//! it wires together, re-exported here under the names the tests and tools use:
//!
//! - `domain`: the rules, in `portico-core` (which also holds the entities and the ports);
//! - `http`: the HTTP API, `portico-http`;
//! - `store`: the embedded storage engine, `portico-store-redb`;
//! - `admission`: each tenant's share of the process, `portico-admission`;
//! - the plugin runtime, `portico-wasm-runtime`.
//!
//! Dependencies run one way: the binary depends on every crate; `http` on the core and
//! admission; the store and the runtime on the core; the core on admission and the field model.

pub mod allocator;
pub mod hook_worker;
pub mod log_format;
pub mod log_writer;
pub mod mail_worker;
pub mod metrics_recorder;
pub mod server;
pub mod telemetry;

pub use portico_admission as admission;
pub use portico_core::domain;
pub use portico_http as http;
pub use portico_store_redb as store;
