//! The rules' errors live in the core; the store's failures convert into them (`store`).

pub use portico_core::error::{DomainError, DomainResult};
