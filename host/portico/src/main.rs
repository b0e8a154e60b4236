//! The `portico` command.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

mod client;
mod mail_args;

use clap::{Args, Parser, Subcommand};
use portico::admission::AdmissionConfig;
use portico::server::{serve, shutdown_signal, ServeConfig};
use portico::store::{MAX_BATCH_CEILING, MAX_WAIT_CEILING};
use tracing_subscriber::EnvFilter;

/// See `portico::allocator` for why, and for its settings.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sets the allocator's options while the program loads, before Rust's runtime allocates.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static CONFIGURE_ALLOCATOR: extern "C" fn() = portico::allocator::configure;

/// Longest queue wait an operator may set: 10 minutes.
const MAX_QUEUE_WAIT_MS: u64 = 600_000;

/// Largest value `--max-connections` and `--max-connections-per-address` take.
const MAX_CONNECTIONS_CEILING: u64 = 1 << 20;

/// Largest value the timeout flags of `portico serve` take, in seconds (an hour).
const MAX_TIMEOUT_SECONDS: u64 = 3600;

/// Database connections beyond one per operation thread and hook delivery worker in the default
/// `--database-pool-size`: headroom for work outside those threads (the start's own reads), so
/// a busy host never queues on its own pool.
const SPARE_DATABASE_CONNECTIONS: usize = 2;

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Self-hosted, multi-tenant host for external-user portals",
    after_help = client::EXIT_CODES
)]
struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve(Box<ServeArgs>),
    /// Plugin tools for plugin authors.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Create, list and delete tenants (operator token).
    Tenants(client::tenants::TenantsArgs),
    /// Create, list and revoke a tenant's API keys (operator token).
    ApiKeys(client::tenants::ApiKeysArgs),
    /// Create, list and revoke a tenant's app tokens (the tenant's API key).
    AppTokens(client::app_tokens::AppTokensArgs),
    /// Replace the operator token (operator token).
    OperatorToken(client::operator_token::OperatorTokenArgs),
    /// Show or change plugin limits: the operator's maximum, or a tenant's own.
    PluginLimits(client::plugin_limits::PluginLimitsArgs),
    /// Back up a running server's store into a file (operator token).
    Backup(client::backup::BackupArgs),
    /// Put a backup in place in a data directory, with no server running on it.
    Restore(client::backup::RestoreArgs),
}

/// The options of `portico serve`.
#[derive(Args)]
struct ServeArgs {
    /// Directory of the database (created when missing).
    #[arg(long, default_value = "./portico-data")]
    data: PathBuf,
    /// A PostgreSQL database (`postgres://user:password@host:port/database`) shared by several
    /// Portico hosts, instead of the redb file in `--data` (which then holds only the server key
    /// file, `portico.key`: every host of one database needs the same one).
    #[arg(long, env = "PORTICO_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Connections this host keeps to `--database` at most (each operation thread and hook
    /// delivery worker uses one at a time; default: one for each, and 2 spare).
    #[arg(long, env = "PORTICO_DATABASE_POOL_SIZE", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=portico_store_postgres::MAX_POOL_SIZE as u64))]
    database_pool_size: Option<usize>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Base URL for links sent to users (default: http://<listen address>).
    #[arg(long)]
    public_url: Option<String>,
    /// Keep after-hook events queued instead of delivering them (maintenance); a later start
    /// without this flag delivers them.
    #[arg(long)]
    pause_hook_delivery: bool,
    /// Most writes grouped into one durable transaction (1: every write commits alone,
    /// its turn begun once the previous write is durable).
    #[arg(long, default_value_t = portico::store::DEFAULT_MAX_BATCH, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_BATCH_CEILING as u64))]
    commit_batch_max: usize,
    /// Longest a batch waits for queued writers, in microseconds (a lone write never waits).
    #[arg(long, default_value_t = portico::store::DEFAULT_MAX_WAIT.as_micros() as u64, value_parser = clap::value_parser!(u64).range(0..=MAX_WAIT_CEILING.as_micros() as u64))]
    commit_batch_wait_us: u64,
    /// Testing only: hold every commit this many milliseconds before its fsync, so that a
    /// test can crash the server while writes are still uncommitted. Only in test builds
    /// (the `test-knobs` feature).
    #[cfg(feature = "test-knobs")]
    #[arg(long, hide = true, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=MAX_WAIT_CEILING.as_millis() as u64))]
    test_commit_delay_ms: u64,
    /// Most plugin versions kept loaded in memory at once; the least recently used others
    /// load again from their stored artifact on their next call.
    #[arg(long, default_value_t = portico::domain::plugins::DEFAULT_RESIDENT_PLUGIN_VERSIONS)]
    resident_plugin_versions: usize,
    /// Most records kept in each plugin's invocation log; the oldest are deleted as new
    /// calls are recorded (the plugin's counters keep the totals).
    #[arg(long, default_value_t = portico::domain::plugins::DEFAULT_INVOCATIONS_KEPT_PER_PLUGIN, value_parser = clap::value_parser!(u64).range(1..=portico::domain::plugins::MAX_INVOCATIONS_KEPT_PER_PLUGIN))]
    invocations_kept_per_plugin: u64,
    /// Threads that run request operations (database work, plugin calls, password hashes);
    /// more requests than this wait their turn (default: 2 per core, 8 with `--database`).
    #[arg(long, env = "PORTICO_OPERATION_THREADS", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=portico::admission::MAX_OPERATION_THREADS as u64))]
    operation_threads: Option<usize>,
    /// Operation threads one tenant may hold at once (default: three quarters of them), so
    /// other tenants' requests always find one.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=portico::admission::MAX_OPERATION_THREADS as u64))]
    tenant_operation_threads: Option<usize>,
    /// Longest a request waits for an operation thread before the answer is 503
    /// `server_busy`, in milliseconds.
    #[arg(long, default_value_t = portico::admission::OPERATION_QUEUE_WAIT.as_millis() as u64, value_parser = clap::value_parser!(u64).range(1..=MAX_QUEUE_WAIT_MS))]
    operation_queue_wait_ms: u64,
    /// Plugin calls running at once, all tenants together (default: 2 per core).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=portico_wasm_runtime::POOL_INSTANCES as u64))]
    plugin_calls: Option<usize>,
    /// Plugin calls one tenant may run at once (default: half the cores, at least 1).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=portico_wasm_runtime::POOL_INSTANCES as u64))]
    tenant_plugin_calls: Option<usize>,
    /// Longest a plugin call waits for its tenant's turn before the answer is 503
    /// `plugin_capacity`, in milliseconds.
    #[arg(long, default_value_t = portico::admission::PLUGIN_QUEUE_WAIT.as_millis() as u64, value_parser = clap::value_parser!(u64).range(1..=MAX_QUEUE_WAIT_MS))]
    plugin_queue_wait_ms: u64,
    /// Threads delivering after-hook events; each tenant uses at most one at a time.
    #[arg(long, default_value_t = portico::hook_worker::DEFAULT_HOOK_DELIVERY_WORKERS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=portico::hook_worker::MAX_HOOK_DELIVERY_WORKERS as u64))]
    hook_delivery_workers: usize,
    /// Most connections open at once; more wait to be accepted until one closes.
    #[arg(long, default_value_t = portico::http::connections::MAX_OPEN_CONNECTIONS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_CONNECTIONS_CEILING))]
    max_connections: usize,
    /// Most connections open at once from one client address; more are answered 503 and
    /// closed (raise it behind a reverse proxy).
    #[arg(long, default_value_t = portico::http::connections::MAX_CONNECTIONS_PER_ADDRESS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_CONNECTIONS_CEILING))]
    max_connections_per_address: usize,
    /// Seconds a connection may take to send a request head, from its opening or its
    /// previous answer (so also the idle keep-alive time); then it is closed.
    #[arg(long, default_value_t = portico::http::connections::HEADER_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECONDS))]
    header_read_timeout_secs: u64,
    /// Seconds a request body may take to arrive after its head; then 408 and closed.
    #[arg(long, default_value_t = portico::http::connections::BODY_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECONDS))]
    body_read_timeout_secs: u64,
    /// Seconds a shutdown lets open requests finish before it closes their connections.
    #[arg(long, default_value_t = portico::http::connections::SHUTDOWN_DRAIN_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(0..=MAX_TIMEOUT_SECONDS))]
    shutdown_drain_secs: u64,
    #[command(flatten)]
    mail: mail_args::MailArgs,
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Run a component locally with the server's engine and default limits, and print its
    /// result, captured logs, fuel used and duration as JSON.
    Run {
        /// The component (.wasm).
        file: PathBuf,
        /// The interface to call.
        #[arg(long, value_parser = ["field-validator", "signup-policy", "lifecycle-hooks"])]
        interface: String,
        /// The input JSON file (shapes in plugins/sdk/README.md).
        #[arg(long)]
        input: PathBuf,
        /// Binding settings as JSON text (default: the input's "settings").
        #[arg(long)]
        settings: Option<String>,
    },
}

fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_env("PORTICO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    portico::server::runtime()?.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    init_logging(&cli.log_format);
    match cli.command {
        Command::Serve(args) => serve((*args).into_config()?, shutdown_signal()).await,
        Command::Plugin {
            command:
                PluginCommand::Run {
                    file,
                    interface,
                    input,
                    settings,
                },
        } => {
            let report = tokio::task::spawn_blocking(move || {
                portico_wasm_runtime::runner::run_file(
                    &file,
                    &interface,
                    &input,
                    settings.as_deref(),
                )
            })
            .await??;
            println!("{}", serde_json::to_string_pretty(&report)?);
            // A plugin that failed (a trap, a limit) makes the command fail too.
            let answered = matches!(report["outcome"].as_str(), Some("ok" | "denied"));
            if !answered {
                std::process::exit(2);
            }
            Ok(())
        }
        Command::Tenants(args) => client::finish(args.json(), args.run().await),
        Command::ApiKeys(args) => client::finish(args.json(), args.run().await),
        Command::AppTokens(args) => client::finish(args.json(), args.run().await),
        Command::OperatorToken(args) => client::finish(args.json(), args.run().await),
        Command::PluginLimits(args) => client::finish(args.json(), args.run().await),
        Command::Backup(args) => client::finish(args.json(), args.run().await),
        Command::Restore(args) => client::finish(args.json(), args.run().await),
    }
}

impl ServeArgs {
    /// The server's configuration from these options (and `PORTICO_OPERATOR_TOKEN`); options
    /// that cannot work together are refused naming them.
    fn into_config(self) -> anyhow::Result<ServeConfig> {
        let pool_size = self.database_pool_size();
        Ok(ServeConfig {
            mail: self.mail.config()?,
            admission: self.admission(),
            connections: self.connections(),
            commit_policy: portico::store::CommitPolicy {
                max_batch: self.commit_batch_max,
                max_wait: Duration::from_micros(self.commit_batch_wait_us),
                #[cfg(feature = "test-knobs")]
                commit_delay: Duration::from_millis(self.test_commit_delay_ms),
            },
            operator_token: std::env::var("PORTICO_OPERATOR_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
            database: self
                .database
                .map(|url| portico_store_postgres::PgConfig { url, pool_size }),
            data_dir: self.data,
            listen: self.listen,
            public_url: self.public_url,
            pause_hook_delivery: self.pause_hook_delivery,
            resident_plugin_versions: self.resident_plugin_versions,
            invocations_kept_per_plugin: self.invocations_kept_per_plugin,
            hook_delivery_workers: self.hook_delivery_workers,
        })
    }

    /// `--operation-threads`, else the default for the core count and the store: more threads
    /// on PostgreSQL, where a thread spends most of an operation waiting on round trips.
    fn operation_threads(&self) -> usize {
        use portico::admission::{
            default_operation_threads, operation_threads_per_core,
            NETWORK_STORE_OPERATION_THREADS_PER_CORE,
        };
        self.operation_threads
            .unwrap_or_else(|| match self.database {
                Some(_) => operation_threads_per_core(NETWORK_STORE_OPERATION_THREADS_PER_CORE),
                None => default_operation_threads(),
            })
    }

    /// `--database-pool-size`, else a connection for every thread that may hold one at once
    /// (operation threads, hook delivery workers) and a few spare, within the pool's ceiling.
    fn database_pool_size(&self) -> usize {
        self.database_pool_size.unwrap_or_else(|| {
            let users = self.operation_threads() + self.hook_delivery_workers;
            (users + SPARE_DATABASE_CONNECTIONS).min(portico_store_postgres::MAX_POOL_SIZE)
        })
    }

    /// Each tenant's shares: the defaults for the core count, as far as not set.
    fn admission(&self) -> AdmissionConfig {
        let defaults = AdmissionConfig::for_threads(self.operation_threads());
        AdmissionConfig {
            tenant_operation_threads: self
                .tenant_operation_threads
                .unwrap_or(defaults.tenant_operation_threads),
            operation_queue_wait: Duration::from_millis(self.operation_queue_wait_ms),
            plugin_calls: self.plugin_calls.unwrap_or(defaults.plugin_calls),
            tenant_plugin_calls: self
                .tenant_plugin_calls
                .unwrap_or(defaults.tenant_plugin_calls),
            plugin_queue_wait: Duration::from_millis(self.plugin_queue_wait_ms),
            // This binary's allocator keeps what a compile freed unless asked.
            after_compile: portico::allocator::release_freed_memory,
            ..defaults
        }
    }

    /// The HTTP server's bounds.
    fn connections(&self) -> portico::http::connections::ConnectionLimits {
        portico::http::connections::ConnectionLimits {
            max_open: self.max_connections,
            max_per_address: self.max_connections_per_address,
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            body_read_timeout: Duration::from_secs(self.body_read_timeout_secs),
            shutdown_drain: Duration::from_secs(self.shutdown_drain_secs),
        }
    }
}
