//! The bounded connection pool. Every connection commits durably (`synchronous_commit = on`,
//! whatever the server's default), and a caller waits at most `POOL_WAIT` for one: past it, or
//! when the database cannot be reached, the request is answered 503 instead of hanging.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime, TimeoutType,
};
use tokio_postgres::NoTls;

use crate::{PgError, PgResult};

/// Connections a store keeps when its caller names no pool size. (`portico serve` sizes its
/// pool from its operation threads and hook-delivery workers instead: each uses one at a time.)
pub const DEFAULT_POOL_SIZE: usize = 8;

/// Most connections one host may open: PostgreSQL's default `max_connections` is 100, shared
/// by every host of a cluster.
pub const MAX_POOL_SIZE: usize = 64;

/// Longest a caller waits for a pooled connection (or for a new one to be opened) before the
/// database counts as unavailable.
pub const POOL_WAIT: Duration = Duration::from_secs(5);

/// Where the database is and how many connections to keep.
#[derive(Debug, Clone)]
pub struct PgConfig {
    /// A `postgres://user@host:port/database` URL.
    pub url: String,
    /// Connections at most (1 to `MAX_POOL_SIZE`).
    pub pool_size: usize,
}

impl PgConfig {
    /// The database at `url` with the default pool size.
    pub fn new(url: impl Into<String>) -> PgConfig {
        PgConfig {
            url: url.into(),
            pool_size: DEFAULT_POOL_SIZE,
        }
    }
}

impl PgConfig {
    /// Checks the settings without connecting: a URL that is not one, a pool size out of range.
    pub fn check(&self) -> PgResult<()> {
        self.driver_config().map(drop)
    }

    fn driver_config(&self) -> PgResult<tokio_postgres::Config> {
        if !(1..=MAX_POOL_SIZE).contains(&self.pool_size) {
            return Err(PgError::Config(format!(
                "the pool size must be 1 to {MAX_POOL_SIZE} (MAX_POOL_SIZE), not {}",
                self.pool_size
            )));
        }
        tokio_postgres::Config::from_str(&self.url)
            .map_err(|e| PgError::Config(format!("database URL: {e}")))
    }
}

/// Builds the pool (connections open on first use).
pub(crate) fn build(config: &PgConfig) -> PgResult<Pool> {
    let mut pg = config.driver_config()?;
    // An acknowledged write survives a crash of the database server, whatever its default.
    pg.options("-c synchronous_commit=on");
    pg.application_name("portico");
    pg.connect_timeout(POOL_WAIT);
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(config.pool_size)
        .wait_timeout(Some(POOL_WAIT))
        .create_timeout(Some(POOL_WAIT))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| PgError::Config(e.to_string()))
}

/// A connection from `pool`.
pub(crate) async fn client(pool: &Pool) -> PgResult<Object> {
    pool.get().await.map_err(|e| match e {
        PoolError::Timeout(TimeoutType::Wait) => PgError::Unavailable(format!(
            "no database connection was free within POOL_WAIT ({} s)",
            POOL_WAIT.as_secs()
        )),
        other => PgError::Unavailable(other.to_string()),
    })
}

/// The runtime the store's connections run on: one thread of its own, apart from the server's
/// async workers. A caller blocked on a query (an operation thread, or an async worker running
/// a token check in `block_in_place`) then never waits for a server worker to drive the socket:
/// with every worker and blocking thread of the server busy waiting on queries, the queries
/// still complete. Shut down without waiting when the store is dropped (from async code, too).
pub(crate) struct ConnectionRuntime(Option<tokio::runtime::Runtime>);

impl ConnectionRuntime {
    pub(crate) fn start() -> PgResult<ConnectionRuntime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("portico-postgres")
            .enable_all()
            .build()
            .map(|runtime| ConnectionRuntime(Some(runtime)))
            .map_err(|e| PgError::Config(format!("starting the connections' runtime: {e}")))
    }

    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        self.0.as_ref().expect("running until dropped").handle()
    }

    /// Runs `future` on this runtime (where the connections it opens stay) and answers its
    /// output.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        future: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        match self.handle().spawn(future).await {
            Ok(output) => output,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}

impl Drop for ConnectionRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
