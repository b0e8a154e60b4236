//! Portico's shared storage engine: PostgreSQL, for several stateless hosts over one database
//! (`portico serve --database postgres://...`). The embedded redb file stays the default; this
//! crate is the second implementation of the core's storage port (`portico_core::storage`).
//!
//! Built so far: the bounded connection pool (`pool`), every connection made durable-on-commit
//! (`synchronous_commit = on`), and the versioned migrations that bring an empty database to
//! the relational schema (`migrations`, `../migrations/*.sql`, one host at a time, a newer
//! schema refused). The port's aggregates are implemented on top of them.
//!
//! It depends on the core, tokio-postgres and its pool only: never on the plugin runtime, the
//! HTTP layer, redb or the `portico` binary.

mod error;
pub mod migrations;
pub mod pool;

pub use error::{PgError, PgResult};
pub use migrations::{Migration, MIGRATIONS, SCHEMA_VERSION};
pub use pool::{PgConfig, DEFAULT_POOL_SIZE, MAX_POOL_SIZE, POOL_WAIT};

use deadpool_postgres::Pool;

/// A PostgreSQL database brought to this build's schema, with its connection pool.
pub struct PgStore {
    pool: Pool,
    schema_version: u32,
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
}
