//! `portico serve`: opens the store (the embedded redb file, or a PostgreSQL database shared by
//! several hosts), sets up the operator token, serves the API (ready once the stored plugin
//! artifacts are loaded: `http::probes`) until a shutdown signal, stays up not ready for the
//! shutdown delay, lets in-flight requests finish (for a bounded time: `connections`), then
//! closes the database.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::admission::{Admission, AdmissionConfig};
use crate::domain::Domain;
use crate::hook_worker::HookWorker;
use crate::http::probes::{Readiness, StorageCheck};
use crate::http::{router, AppState};
use crate::mail_worker::{MailConfig, MailWorker};
use crate::store::{CommitPolicy, Store};
use portico_core::storage::Storage;
use portico_store_postgres::{KeyFile, PgConfig, PgStore};

/// Threads of tokio's blocking pool, for the few tasks that are not request operations
/// (start-up, shutdown, the local plugin runner). Request operations run on the threads of
/// `admission::OperationPool`, `--operation-threads` of them, divided between tenants.
pub const BLOCKING_THREADS: usize = 4;

/// The async runtime: one worker per core for I/O and request parsing, and
/// `BLOCKING_THREADS` for blocking tasks outside requests.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
}

/// What `portico serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Directory holding the redb file and the server key file.
    pub data_dir: PathBuf,
    /// A PostgreSQL database shared with other hosts, instead of the redb file.
    pub database: Option<PgConfig>,
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Base URL for links sent to users; defaults to `http://<listen address>`.
    pub public_url: Option<String>,
    /// Operator token from the environment; when absent, a stored one is kept or a new one made.
    pub operator_token: Option<String>,
    /// Keep queued after-hook events queued (maintenance; they are delivered on a later start).
    pub pause_hook_delivery: bool,
    /// How concurrent writes are grouped into durable transactions.
    pub commit_policy: CommitPolicy,
    /// Most plugin versions kept loaded in memory at once (least recently used go first).
    pub resident_plugin_versions: usize,
    /// Most records kept in each plugin's invocation log (the oldest go first).
    pub invocations_kept_per_plugin: u64,
    /// How operation threads, plugin calls and compiles are divided between tenants.
    pub admission: AdmissionConfig,
    /// Threads delivering after-hook events (each tenant uses one at a time).
    pub hook_delivery_workers: usize,
    /// Mailing the outbox through an SMTP server; `None`: messages wait to be polled.
    pub mail: Option<MailConfig>,
    /// Open-connection caps, read timeouts and the shutdown drain limit.
    pub connections: crate::http::connections::ConnectionLimits,
    /// How long the server keeps serving after the shutdown signal, `/readyz` answering 503,
    /// before it stops accepting connections (so load balancers stop sending first).
    pub shutdown_delay: Duration,
    /// Record metrics and serve them at `/metrics`.
    pub metrics: bool,
    /// Where spans are exported over OTLP/HTTP (`telemetry`); `None`: nowhere.
    pub otlp_endpoint: Option<String>,
}

/// Runs the server until `shutdown` completes. It answers `/livez` (and `/readyz`, 503 until
/// then) while it loads the stored plugin artifacts, and prints `portico listening on` once
/// ready.
pub async fn serve(
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // First, so every handle the crates keep (per route, per plugin) is the recorder's.
    let render_metrics = config
        .metrics
        .then(crate::metrics_recorder::install)
        .flatten();
    let opened = open_store(&config).await?;
    let store = opened.storage();
    let readiness = Arc::new(opened.readiness());

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    crate::admission::start_compile_workers();
    let runtime = Arc::new(portico_wasm_runtime::Runtime::new()?);
    let domain = Arc::new(
        Domain::new(store.clone(), public_url)
            .with_admission(Admission::new(config.admission))
            .with_plugin_runtime(runtime)
            .with_resident_plugin_versions(config.resident_plugin_versions)
            .with_invocations_kept_per_plugin(config.invocations_kept_per_plugin),
    );

    let token = config.operator_token.clone();
    let domain_for_token = domain.clone();
    let generated = tokio::task::spawn_blocking(move || {
        domain_for_token
            .tenants
            .init_operator_token(token.as_deref())
    })
    .await?
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(token) = generated {
        // Printed once: only its hash is stored.
        println!("operator token (shown once, stored only as a hash): {token}");
    }

    // Serving from here: the probes answer while the plugin artifacts load.
    let mut state = AppState::new(domain.clone()).with_readiness(readiness.clone());
    if let Some(render) = render_metrics {
        state = state.with_metrics(render);
    }
    let app = router(state);
    let shutdown = drain_after(shutdown, readiness.clone(), config.shutdown_delay);
    let serving = tokio::spawn(crate::http::connections::serve(
        listener,
        app,
        config.connections,
        shutdown,
    ));
    // A bounded number of stored plugin artifacts are deserialized now (no compilation), before
    // the server counts as ready; the rest on their first call.
    let domain_for_plugins = domain.clone();
    let loaded =
        tokio::task::spawn_blocking(move || domain_for_plugins.plugins.load_plugin_artifacts())
            .await
            .map_err(anyhow::Error::from)
            .and_then(|loaded| {
                loaded.map_err(|e| anyhow::anyhow!("loading plugin artifacts: {e}"))
            });
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            serving.abort();
            return Err(error);
        }
    };
    tracing::info!(loaded, "plugin artifacts loaded");
    readiness.plugins_loaded();

    let sweep = match &opened {
        Opened::Embedded(store) => Some(sweep_orphaned_artifacts(store.clone())?),
        Opened::Shared(_) => None,
    };
    drop(opened);
    let worker = (!config.pause_hook_delivery)
        .then(|| HookWorker::start(domain.clone(), config.hook_delivery_workers));
    let mail = match config.mail.clone() {
        Some(mail) => Some(MailWorker::start(domain.clone(), mail, &host_id())?),
        None => None,
    };
    drop(domain);
    match &config.database {
        Some(_) => tracing::info!(%addr, "portico listening (PostgreSQL store)"),
        None => tracing::info!(%addr, data_dir = %config.data_dir.display(), "portico listening"),
    }
    println!("portico listening on http://{addr}");
    serving.await?;
    drop(readiness);

    if let Some(worker) = worker {
        tokio::task::spawn_blocking(move || worker.stop()).await?;
    }
    if let Some(mail) = mail {
        tokio::task::spawn_blocking(move || mail.stop()).await?;
    }
    // A sweep still reading a large file delays the close, never interrupts a write.
    if let Some(sweep) = sweep {
        tokio::task::spawn_blocking(move || sweep.join())
            .await?
            .ok();
    }
    tracing::info!("shutting down: requests finished, closing the database");
    if Arc::strong_count(&store) > 1 {
        tracing::warn!(
            "database still referenced at shutdown; it closes when the last reference drops"
        );
    }
    drop(store);
    tracing::info!("database closed");
    Ok(())
}

/// Completes `delay` after `shutdown`, the server not ready from the signal on: load balancers
/// polling `/readyz` stop sending it requests while it still serves them, before it stops
/// accepting connections.
async fn drain_after(
    shutdown: impl Future<Output = ()>,
    readiness: Arc<Readiness>,
    delay: Duration,
) {
    shutdown.await;
    readiness.start_draining();
    if !delay.is_zero() {
        tracing::info!(
            delay_seconds = delay.as_secs(),
            "not ready: serving on until the shutdown delay has passed"
        );
        tokio::time::sleep(delay).await;
    }
}

/// Names this process in its leases: unique among the hosts sharing a store (the process id
/// and the start time to the nanosecond).
fn host_id() -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("{}-{started:x}", std::process::id())
}

/// The store `portico serve` opened.
enum Opened {
    /// The redb file in the data directory.
    Embedded(Arc<Store>),
    /// A PostgreSQL database (`--database`).
    Shared(Arc<PgStore>),
}

impl Opened {
    fn storage(&self) -> Arc<dyn Storage> {
        match self {
            Opened::Embedded(store) => store.clone(),
            Opened::Shared(store) => store.clone(),
        }
    }

    /// What `/readyz` checks: the schema this build runs, read without holding an async
    /// worker (the embedded file answers from memory; PostgreSQL runs one statement on the
    /// pool's own runtime, which the probe bounds with a timeout), the artifacts not yet loaded.
    fn readiness(&self) -> Readiness {
        match self {
            Opened::Embedded(store) => {
                let store = store.clone();
                let check: StorageCheck = Arc::new(move || {
                    let answer = store.schema_version().map_err(|e| e.to_string());
                    Box::pin(std::future::ready(answer))
                });
                Readiness::new(crate::store::SCHEMA_VERSION, check)
            }
            Opened::Shared(store) => {
                let expected = store.schema_version();
                let store = store.clone();
                let check: StorageCheck = Arc::new(move || {
                    let store = store.clone();
                    Box::pin(async move {
                        store
                            .stored_schema_version()
                            .await
                            .map(Some)
                            .map_err(|e| e.to_string())
                    })
                });
                Readiness::new(expected, check)
            }
        }
    }
}

/// Opens PostgreSQL when `config.database` names one (migrating it; the server key file stays
/// in the data directory and must be the same on every host), else the redb file.
async fn open_store(config: &ServeConfig) -> anyhow::Result<Opened> {
    let data_dir = config.data_dir.clone();
    let Some(database) = &config.database else {
        let policy = config.commit_policy;
        let store = tokio::task::spawn_blocking(move || Store::open_with(&data_dir, policy))
            .await?
            .with_context(|| format!("opening the database in {}", config.data_dir.display()))?;
        return Ok(Opened::Embedded(Arc::new(store)));
    };
    // Settings that cannot work are refused before anything is written to the data directory.
    database.check().context("the --database settings")?;
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    let keys = KeyFile::load_or_create(&data_dir)?;
    let store = PgStore::connect(database, keys)
        .await
        .context("opening the PostgreSQL database")?;
    Ok(Opened::Shared(Arc::new(store)))
}

/// Deletes, on a thread of its own while the server serves, the compiled artifacts that an
/// upgrade from schema 1 left without a holder (`Store::sweep_orphaned_artifacts`; nothing to do
/// on other starts). A failure is logged; the sweep stays marked and runs at the next start.
fn sweep_orphaned_artifacts(store: Arc<Store>) -> anyhow::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("portico-sweep".into())
        .spawn(move || match store.sweep_orphaned_artifacts() {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(
                deleted,
                "deleted compiled artifacts that no tenant holds (left by an older Portico)"
            ),
            Err(error) => {
                tracing::warn!(%error, "orphaned artifacts not swept; retried at the next start")
            }
        })
        .context("starting the artifact sweep")
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("SIGINT received"),
        _ = terminate => tracing::info!("SIGTERM received"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn the_runtimes_blocking_pool_is_bounded() {
        let runtime = super::runtime().unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        runtime.block_on(async {
            let mut operations = tokio::task::JoinSet::new();
            for _ in 0..12 {
                let (running, most) = (running.clone(), most.clone());
                operations.spawn_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                });
            }
            operations.join_all().await;
        });
        assert_eq!(most.load(Ordering::SeqCst), super::BLOCKING_THREADS);
    }
}
