//! The rules' errors live in the core; the store's failures convert into them (`store`).

pub use crate::error::{DomainError, DomainResult};
