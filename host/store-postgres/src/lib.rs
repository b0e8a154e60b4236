//! Portico's shared storage engine: PostgreSQL, for several stateless hosts over one database
//! (`portico serve --database postgres://...`). The embedded redb file stays the default; this
//! crate is the second implementation of the core's storage port (`portico_core::storage`).
//!
//! What is here: the bounded connection pool (`pool`), every connection made durable-on-commit
//! (`synchronous_commit = on`); the versioned migrations that bring an empty database to the
//! relational schema (`migrations`, `../migrations/*.sql`, one host at a time, a newer schema
//! refused); transactions driven from the rules' threads (`PgTx`), each write transaction
//! locking its scope so that the rules' checks hold across hosts; conflicts mapped to the
//! rules' codes; every aggregate of the port in SQL on `PgTx` (one file each); and `Storage`
//! itself (`engine`): configuration cached per host under a generation every host reads.
//!
//! It depends on the core, tokio-postgres and its pool only: never on the plugin runtime, the
//! HTTP layer, redb or the `portico` binary.

mod app_tokens;
mod auth_providers;
mod deferral;
mod endpoint_configs;
mod engine;
mod error;
mod forms;
mod groups;
mod hook_deliveries;
mod identity_providers;
mod mail_templates;
pub mod migrations;
mod outbox;
mod passwords;
mod plugin_artifacts;
mod plugin_rows;
mod plugins;
pub mod pool;
mod portal;
mod profiles;
mod record_numbers;
mod scope;
mod sessions;
mod sign_in_attempts;
mod signup_links;
mod tenants;
mod transaction;
mod user_codes;
mod users;

pub use error::{PgError, PgResult, CONCURRENT_CHANGE};
pub use migrations::{Migration, MIGRATIONS, SCHEMA_VERSION};
pub use pool::{PgConfig, DEFAULT_POOL_SIZE, MAX_POOL_SIZE, POOL_WAIT};
pub use portico_keys::{KeyFile, KEY_FILE};
pub use transaction::PgTx;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use deadpool_postgres::Pool;
use portico_core::storage::{ConfigCache, ServerKeys, StorageResult};

use pool::ConnectionRuntime;
use scope::ScopeLock;
use transaction::TxContext;

/// A PostgreSQL database brought to this build's schema, with its connection pool.
pub struct PgStore {
    pool: Pool,
    /// Where the pool's connections run (dropped after the pool).
    runtime: ConnectionRuntime,
    schema_version: u32,
    /// What its transactions share: the runtime the pool's connections run on (the rules'
    /// threads block on it), the server's keys, the store's identity.
    context: TxContext,
    cache: ConfigCache,
}

/// Gives each store of the process its own identity (a thread's deferred writes are per store).
static STORES: AtomicUsize = AtomicUsize::new(0);

/// The context in which a host's key is checked against the database's (`server_key`).
const KEY_FINGERPRINT_CONTEXT: &str = "portico server key fingerprint";

impl PgStore {
    /// Connects to the database `config` names and brings it to `SCHEMA_VERSION` (refusing one
    /// a newer Portico wrote). Several hosts may start at once: they migrate one after another.
    /// Every host of a database must use the same server key (`keys`): the first host records
    /// its key's fingerprint, and a host with another key is refused.
    pub async fn connect(config: &PgConfig, keys: KeyFile) -> PgResult<PgStore> {
        let pool = pool::build(config)?;
        let runtime = ConnectionRuntime::start()?;
        let (pool, keys, schema_version) = runtime.run(prepare(pool, keys)).await?;
        Ok(PgStore {
            pool,
            context: TxContext {
                runtime: runtime.handle().clone(),
                keys: Arc::new(keys),
                store: STORES.fetch_add(1, Ordering::Relaxed),
                commits: Default::default(),
            },
            cache: ConfigCache::default(),
            runtime,
            schema_version,
        })
    }

    /// The schema version of the database (this build's, once connected).
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// A connection from the pool (waiting at most `POOL_WAIT` for one).
    pub async fn client(&self) -> PgResult<deadpool_postgres::Object> {
        let pool = self.pool.clone();
        self.runtime
            .run(async move { pool::client(&pool).await })
            .await
    }

    /// Whether the database answers now (a connection from the pool runs a statement).
    pub async fn ping(&self) -> PgResult<()> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await?;
        Ok(())
    }

    /// The schema version the database records now (another host may have migrated it since
    /// this one connected): one statement on a connection from the pool, on the pool's own
    /// runtime, so an async caller may bound it with a timeout (the readiness probe).
    pub async fn stored_schema_version(&self) -> PgResult<u32> {
        let pool = self.pool.clone();
        self.runtime
            .run(async move {
                let client = pool::client(&pool).await?;
                let statement = client.prepare_cached(engine::READ_SCHEMA_VERSION).await?;
                let row = client.query_one(&statement, &[]).await?;
                Ok(u32::try_from(row.get::<_, i32>(0)).unwrap_or(0))
            })
            .await
    }

    /// A read transaction: one snapshot. Blocks: call it from a plain thread (the rules'
    /// operation threads), never from an async task.
    pub fn read(&self) -> StorageResult<PgTx> {
        Ok(PgTx::read(self.blocking_client()?, &self.context))
    }

    /// A write transaction that locks nothing: the adapters' own tests, and chores that run
    /// alone. The rules write through `Storage::write`, which locks the transaction's scope.
    pub fn write(&self) -> StorageResult<PgTx> {
        Ok(PgTx::write(self.blocking_client()?, &self.context, None))
    }

    /// A write transaction that first locks `scope` (see `transaction`).
    fn write_in(&self, scope: ScopeLock) -> StorageResult<PgTx> {
        Ok(PgTx::write(
            self.blocking_client()?,
            &self.context,
            Some(scope),
        ))
    }

    pub(crate) fn blocking_client(&self) -> StorageResult<deadpool_postgres::Object> {
        Ok(transaction::wait(
            &self.context.runtime,
            pool::client(&self.pool),
        )?)
    }
}

/// Brings the database to this build's schema and checks the server key, on the connections'
/// runtime (where the connection it opens stays, back in the pool).
async fn prepare(pool: Pool, keys: KeyFile) -> PgResult<(Pool, KeyFile, u32)> {
    let mut client = pool::client(&pool).await?;
    let schema_version = migrations::migrate(&mut client).await?;
    check_key(&client, &keys).await?;
    drop(client);
    Ok((pool, keys, schema_version))
}

/// Records the fingerprint of `keys` on first use of the database; refuses another key after.
async fn check_key(client: &deadpool_postgres::Object, keys: &KeyFile) -> PgResult<()> {
    let fingerprint = keys.code_digest(KEY_FINGERPRINT_CONTEXT, "");
    client
        .execute(
            "INSERT INTO server_key (singleton, fingerprint) VALUES (true, $1) \
             ON CONFLICT (singleton) DO NOTHING",
            &[&fingerprint],
        )
        .await?;
    let row = client
        .query_one("SELECT fingerprint FROM server_key", &[])
        .await?;
    match row.get::<_, String>(0) == fingerprint {
        true => Ok(()),
        false => Err(PgError::KeyMismatch),
    }
}
