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
    /// This host's server key is not the one the database was first used with.
    #[error("this host's server key file differs from the one the database was first used with: every host of a database needs the same key file (copy it from the first host)")]
    KeyMismatch,
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

/// The conflict code of each constraint the rules' uniqueness maps to (schema 1: the
/// `Conflict code` comments of `migrations/0001_schema.sql`).
const CONFLICT_CODES: &[(&str, &str)] = &[
    ("tenants_namespace_unique", "namespace_taken"),
    ("users_email_unique", "email_taken"),
    ("users_email_skeleton_unique", "email_taken"),
    ("groups_name_unique", "group_name_taken"),
    (
        "identity_providers_name_unique",
        "identity_provider_name_taken",
    ),
    (
        "user_identity_links_external_id_unique",
        "external_id_taken",
    ),
    ("profiles_user_unique", "user_has_profile"),
    ("portal_pages_pk", "page_code_taken"),
    ("forms_pk", "form_identifier_taken"),
    ("plugins_name_unique", "plugin_name_taken"),
    ("plugin_versions_pk", "plugin_version_exists"),
    ("users_number_unique", "record_number_taken"),
    ("forms_number_unique", "record_number_taken"),
    ("auth_providers_pk", "auth_provider_identifier_taken"),
    ("auth_providers_number_unique", "record_number_taken"),
];

/// The conflict code of a row that points to one another host deleted meanwhile (the rules
/// checked it existed in their own snapshot): the operation lost a race, as with a taken email.
pub const CONCURRENT_CHANGE: &str = "concurrent_change";

/// A statement's failure as the port reports it: a broken uniqueness rule is a
/// `StorageError::Conflict` with the rules' code (another host got there first), a broken
/// reference between a tenant's rows a `Conflict` with `CONCURRENT_CHANGE`; anything else is the
/// database being unavailable or failing.
pub(crate) fn storage_error(e: tokio_postgres::Error) -> StorageError {
    use tokio_postgres::error::SqlState;
    let conflict = e.as_db_error().and_then(|db| {
        let code = if db.code() == &SqlState::FOREIGN_KEY_VIOLATION {
            CONCURRENT_CHANGE
        } else if db.code() == &SqlState::UNIQUE_VIOLATION {
            let constraint = db.constraint()?;
            CONFLICT_CODES.iter().find(|(c, _)| *c == constraint)?.1
        } else {
            return None;
        };
        Some((code, db.message().to_string()))
    });
    match conflict {
        Some((code, message)) => StorageError::Conflict { code, message },
        None => StorageError::Unavailable(e.to_string()),
    }
}

impl From<PgError> for StorageError {
    fn from(e: PgError) -> Self {
        StorageError::Unavailable(e.to_string())
    }
}
