//! Portico's shared storage engine: PostgreSQL, for several stateless hosts over one database
//! (`portico serve --database postgres://...`). The embedded redb file stays the default; this
//! crate is the second implementation of the core's storage port (`portico_core::storage`).
//!
//! Built so far: the bounded connection pool (`pool`), every connection made durable-on-commit
//! (`synchronous_commit = on`), and the versioned migrations that bring an empty database to
//! the relational schema (`migrations`, `../migrations/*.sql`, one host at a time, a newer
//! schema refused), transactions driven from the rules' threads (`PgTx`), conflicts mapped to
//! the rules' codes, and every aggregate of the port in SQL on `PgTx` (one file each). Next:
//! `Storage` itself on them.
//!
//! It depends on the core, tokio-postgres and its pool only: never on the plugin runtime, the
//! HTTP layer, redb or the `portico` binary.

mod endpoint_configs;
mod error;
mod forms;
mod groups;
mod hook_deliveries;
mod identity_providers;
pub mod migrations;
mod outbox;
mod passwords;
mod plugin_artifacts;
mod plugin_rows;
mod plugins;
pub mod pool;
mod portal;
mod profiles;
mod sessions;
mod sign_in_attempts;
mod signup_links;
mod tenants;
mod transaction;
mod users;

pub use error::{PgError, PgResult, CONCURRENT_CHANGE};
pub use migrations::{Migration, MIGRATIONS, SCHEMA_VERSION};
pub use pool::{PgConfig, DEFAULT_POOL_SIZE, MAX_POOL_SIZE, POOL_WAIT};
pub use transaction::PgTx;

use deadpool_postgres::Pool;
use portico_core::storage::StorageResult;

/// A PostgreSQL database brought to this build's schema, with its connection pool.
pub struct PgStore {
    pool: Pool,
    schema_version: u32,
    /// The runtime the pool's connections run on; the rules' threads block on it.
    runtime: tokio::runtime::Handle,
}

impl PgStore {
    /// Connects to the database `config` names and brings it to `SCHEMA_VERSION` (refusing one
    /// a newer Portico wrote). Several hosts may start at once: they migrate one after another.
    pub async fn connect(config: &PgConfig) -> PgResult<PgStore> {
        let pool = pool::build(config)?;
        let mut client = pool::client(&pool).await?;
        let schema_version = migrations::migrate(&mut client).await?;
        drop(client);
        Ok(PgStore {
            pool,
            schema_version,
            runtime: tokio::runtime::Handle::current(),
        })
    }

    /// The schema version of the database (this build's, once connected).
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// A connection from the pool (waiting at most `POOL_WAIT` for one).
    pub async fn client(&self) -> PgResult<deadpool_postgres::Object> {
        pool::client(&self.pool).await
    }

    /// A read transaction: one snapshot. Blocks: call it from a plain thread (the rules'
    /// operation threads), never from an async task.
    pub fn read(&self) -> StorageResult<PgTx> {
        PgTx::read(self.blocking_client()?, self.runtime.clone())
    }

    /// A write transaction (see `read` for where to call it).
    pub fn write(&self) -> StorageResult<PgTx> {
        PgTx::write(self.blocking_client()?, self.runtime.clone())
    }

    fn blocking_client(&self) -> StorageResult<deadpool_postgres::Object> {
        Ok(self.runtime.block_on(pool::client(&self.pool))?)
    }
}
