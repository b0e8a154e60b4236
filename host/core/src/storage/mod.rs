//! The storage port: what the rules need from a store, per aggregate, in the core's own types.
//! The rules never name a table, a key encoding or an engine; an adapter (the embedded redb
//! file, or PostgreSQL shared by several hosts) implements these traits on its read and write
//! transactions.
//!
//! - A read transaction is a consistent snapshot; a write transaction sees its own changes and
//!   commits them all or none, so a rule touching several aggregates is one atomic change.
//! - Uniqueness (emails, names, external ids) is the adapter's to enforce at commit as well:
//!   the rules check first for a clear error, and an adapter shared by several hosts answers a
//!   lost race with `StorageError::Conflict`, which reaches the caller as a 409.
//! - Each index has one writer: the adapter keeps it with the record it indexes.

mod app_tokens;
mod auth_providers;
mod config_cache;
mod endpoint_configs;
mod engine;
mod forms;
mod groups;
mod hook_deliveries;
mod identity_providers;
mod mail_templates;
mod outbox;
mod passwords;
mod plugin_artifacts;
mod plugins;
mod portal;
mod profiles;
mod record_numbers;
mod sessions;
mod sign_in_attempts;
mod signup_links;
mod tenants;
mod user_codes;
mod users;

pub use app_tokens::{AppTokenReads, AppTokenWrites};
pub use auth_providers::{AuthProviderReads, AuthProviderWrites};
pub use config_cache::{ConfigCache, CONFIG_CACHE_ENTRIES};
pub use endpoint_configs::{EndpointConfigReads, EndpointConfigWrites};
pub use engine::{
    Backup, CachedValue, DeferredWrite, DeliveryBacklog, Durability, LoadConfiguration,
    OwedCommits, QueueBacklog, ReadTx, ServerKeys, Storage, StorageStats, WriteScope,
    WriteTransaction, WriteTx, KEYED_DIGEST_PREFIX,
};
pub use forms::{FormReads, FormWrites};
pub use groups::{GroupReads, GroupWrites};
pub use hook_deliveries::{HookDeliveryReads, HookDeliveryWrites};
pub use identity_providers::{IdentityProviderReads, IdentityProviderWrites};
pub use mail_templates::{MailTemplateReads, MailTemplateWrites};
pub use outbox::{OutboxReads, OutboxWrites};
pub use passwords::{PasswordReads, PasswordWrites};
pub use plugin_artifacts::{PluginArtifactReads, PluginArtifactWrites};
pub use plugins::{PluginReads, PluginWrites};
pub use portal::{PortalReads, PortalWrites};
pub use profiles::{ProfileReads, ProfileWrites};
pub use record_numbers::{
    NumberSequence, RecordNumberReads, RecordNumberWrites, MAX_RECORD_NUMBER,
    RECORD_NUMBERS_EXHAUSTED,
};
pub use sessions::{SessionReads, SessionWrites};
pub use sign_in_attempts::{SignInAttemptReads, SignInAttemptWrites};
pub use signup_links::{SignupLinkReads, SignupLinkWrites};
pub use tenants::{TenantReads, TenantWrites};
pub use user_codes::{CodeEvent, UserCode, UserCodeReads, UserCodeWrites};
pub use users::{EmailKey, EmailTaken, UserReads, UserWrites};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The store cannot be reached or failed (disk, database, connection).
    #[error("storage error: {0}")]
    Unavailable(String),
    /// A stored record no longer decodes.
    #[error("stored record {what}/{key} does not decode: {message}")]
    Corrupt {
        /// The kind of record.
        what: &'static str,
        /// Its key.
        key: String,
        /// The decoder's message.
        message: String,
    },
    /// A uniqueness rule would break (another writer got there first).
    #[error("{message}")]
    Conflict {
        /// The stable error code (`email_taken`).
        code: &'static str,
        /// What is taken.
        message: String,
    },
    /// The engine does not offer this (a built-in backup of a store backed up with its own
    /// tools); `message` says what to use instead.
    #[error("{message}")]
    Unsupported {
        /// The stable error code (`backup_unsupported`).
        code: &'static str,
        /// What to use instead.
        message: String,
    },
}

/// The result of a storage operation.
pub type StorageResult<T> = Result<T, StorageError>;

/// Every aggregate's reads and writes, for `use portico_core::storage::prelude::*`: a
/// transaction's methods are callable once their traits are in scope.
pub mod prelude {
    pub use super::{AppTokenReads, AppTokenWrites};
    pub use super::{AuthProviderReads, AuthProviderWrites};
    pub use super::{
        EndpointConfigReads, EndpointConfigWrites, FormReads, FormWrites, GroupReads, GroupWrites,
        HookDeliveryReads, HookDeliveryWrites, IdentityProviderReads, IdentityProviderWrites,
        OutboxReads, OutboxWrites, PasswordReads, PasswordWrites, PluginArtifactReads,
        PluginArtifactWrites, PluginReads, PluginWrites, PortalReads, PortalWrites, ProfileReads,
        ProfileWrites, SessionReads, SessionWrites, SignInAttemptReads, SignInAttemptWrites,
        SignupLinkReads, SignupLinkWrites, StorageReads, StorageWrites, TenantReads, TenantWrites,
        UserReads, UserWrites, WriteTransaction,
    };
    pub use super::{MailTemplateReads, MailTemplateWrites};
    pub use super::{RecordNumberReads, RecordNumberWrites};
    pub use super::{UserCodeReads, UserCodeWrites};
}

/// Declares a trait that gathers `bounds`, implemented for every type that has them all.
macro_rules! gather {
    ($(#[$doc:meta])* $name:ident: $($bound:ident),+ $(,)?) => {
        $(#[$doc])*
        pub trait $name: $($bound +)+ {}
        impl<T: $($bound +)+ ?Sized> $name for T {}
    };
}

gather!(
    /// Everything a read transaction offers: every aggregate's reads.
    StorageReads:
        AppTokenReads,
        EndpointConfigReads, FormReads, GroupReads, HookDeliveryReads,
        IdentityProviderReads, OutboxReads, PasswordReads, PluginArtifactReads, PluginReads,
        PortalReads, ProfileReads, SessionReads, SignInAttemptReads, SignupLinkReads,
        TenantReads, UserReads,
        RecordNumberReads,
        AuthProviderReads,
        UserCodeReads,
        MailTemplateReads,
);

gather!(
    /// Everything a write transaction offers: every aggregate's reads and writes, committed
    /// all together or not at all.
    StorageWrites:
        StorageReads, AppTokenWrites,
        EndpointConfigWrites, FormWrites, GroupWrites, HookDeliveryWrites,
        IdentityProviderWrites, OutboxWrites, PasswordWrites, PluginArtifactWrites,
        PluginWrites, PortalWrites, ProfileWrites, SessionWrites, SignInAttemptWrites,
        SignupLinkWrites, TenantWrites, UserWrites,
        RecordNumberWrites,
        AuthProviderWrites,
        UserCodeWrites,
        MailTemplateWrites,
);
