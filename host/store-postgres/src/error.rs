//! What can go wrong talking to PostgreSQL, and how it reaches the rules.

use portico_core::storage::StorageError;

/// A failure of the PostgreSQL engine.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The configuration is not usable (a bad URL, a pool size out of range).
    #[error("database configuration: {0}")]
    Config(String),
    /// The database cannot be reached, or no connection came within `POOL_WAIT`.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A statement failed.
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
    /// The database was migrated by a newer Portico.
    #[error("the database was written by a newer Portico (schema {found}, this build reads up to {supported})")]
    NewerSchema {
        /// The version the database records.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
}

/// The result of an engine operation.
pub type PgResult<T> = Result<T, PgError>;

impl From<PgError> for StorageError {
    fn from(e: PgError) -> Self {
        StorageError::Unavailable(e.to_string())
    }
}
