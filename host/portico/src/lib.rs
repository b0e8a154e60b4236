//! Portico: a self-hosted, multi-tenant host for external-user portals, extended by sandboxed
//! WebAssembly plugins. Layers depend one way: `http` -> `domain` -> `store`.

pub mod allocator;
pub use portico_core::domain;
pub mod hook_worker;
pub mod http;
pub mod server;
pub use portico_store_redb as store;

/// Each tenant's share of operation threads, plugin calls and compiles (its own crate).
pub use portico_admission as admission;
