//! Each key of the configuration file (`settings`): its flag, its environment variable, what
//! it holds (its range), and whether it is a secret. The layers (`config`) name a value's origin
//! from here, check its range, read its variable and hide its value when it is a secret.

use portico::admission::MAX_OPERATION_THREADS;
use portico::domain::plugins::MAX_INVOCATIONS_KEPT_PER_PLUGIN;
use portico::hook_worker::MAX_HOOK_DELIVERY_WORKERS;
use portico::mail_worker::MAX_MAIL_WORKERS;
use portico::store::{MAX_BATCH_CEILING, MAX_WAIT_CEILING};

/// Longest queue wait an operator may set: 10 minutes.
const MAX_QUEUE_WAIT_MS: u64 = 600_000;
/// Largest value the connection caps take.
const MAX_CONNECTIONS_CEILING: u64 = 1 << 20;
/// Largest value the HTTP timeouts and the shutdown's drain and delay take, in seconds (an hour).
const MAX_TIMEOUT_SECONDS: u64 = 3600;
/// Most plugin versions an operator may keep loaded.
const MAX_RESIDENT_PLUGIN_VERSIONS: u64 = 1_000_000;
/// Most mails per tenant and minute an operator may allow.
const MAX_MAILS_PER_TENANT_PER_MINUTE: u64 = 100_000;
/// Longest SMTP timeout an operator may set, in seconds.
const MAX_SMTP_TIMEOUT_SECS: u64 = 600;

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (an environment variable's value is taken as it is).
    Text,
    /// A whole number from `min` to `max`.
    Number {
        /// The smallest value taken.
        min: u64,
        /// The largest value taken.
        max: u64,
    },
    /// `true` or `false`.
    Switch,
}

/// Whether, and how, a key's value is hidden when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// Shown as it is.
    No,
    /// Never shown.
    Whole,
    /// A connection URL: shown with its password hidden.
    Password,
}

/// One setting: its key in the file, its flag, its environment variable.
#[derive(Debug)]
pub struct Key {
    /// The key, its table first (`mail.smtp_host`).
    pub path: &'static str,
    /// The `portico serve` flag; `None` for a secret (a flag would show in the process list).
    pub flag: Option<&'static str>,
    /// The environment variable.
    pub env: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether it is shown.
    pub secret: Secret,
}

const fn number(min: u64, max: u64) -> Kind {
    Kind::Number { min, max }
}

const fn key(path: &'static str, flag: &'static str, env: &'static str, kind: Kind) -> Key {
    Key {
        path,
        flag: Some(flag),
        env,
        kind,
        secret: Secret::No,
    }
}

/// Every key, in the order of the file: the top-level keys, then each table.
pub const KEYS: &[Key] = &[
    key("data", "--data", "PORTICO_DATA", Kind::Text),
    key("listen", "--listen", "PORTICO_LISTEN", Kind::Text),
    key(
        "public_url",
        "--public-url",
        "PORTICO_PUBLIC_URL",
        Kind::Text,
    ),
    Key {
        path: "operator_token",
        flag: None,
        env: "PORTICO_OPERATOR_TOKEN",
        kind: Kind::Text,
        secret: Secret::Whole,
    },
    Key {
        secret: Secret::Password,
        ..key(
            "database.url",
            "--database",
            "PORTICO_DATABASE_URL",
            Kind::Text,
        )
    },
    key(
        "database.pool_size",
        "--database-pool-size",
        "PORTICO_DATABASE_POOL_SIZE",
        number(1, portico_store_postgres::MAX_POOL_SIZE as u64),
    ),
    key(
        "commit.batch_max",
        "--commit-batch-max",
        "PORTICO_COMMIT_BATCH_MAX",
        number(1, MAX_BATCH_CEILING as u64),
    ),
    key(
        "commit.batch_wait_us",
        "--commit-batch-wait-us",
        "PORTICO_COMMIT_BATCH_WAIT_US",
        number(0, MAX_WAIT_CEILING.as_micros() as u64),
    ),
    key(
        "admission.operation_threads",
        "--operation-threads",
        "PORTICO_OPERATION_THREADS",
        number(1, MAX_OPERATION_THREADS as u64),
    ),
    key(
        "admission.tenant_operation_threads",
        "--tenant-operation-threads",
        "PORTICO_TENANT_OPERATION_THREADS",
        number(1, MAX_OPERATION_THREADS as u64),
    ),
    key(
        "admission.operation_queue_wait_ms",
        "--operation-queue-wait-ms",
        "PORTICO_OPERATION_QUEUE_WAIT_MS",
        number(1, MAX_QUEUE_WAIT_MS),
    ),
    key(
        "admission.plugin_calls",
        "--plugin-calls",
        "PORTICO_PLUGIN_CALLS",
        number(1, portico_wasm_runtime::POOL_INSTANCES as u64),
    ),
    key(
        "admission.tenant_plugin_calls",
        "--tenant-plugin-calls",
        "PORTICO_TENANT_PLUGIN_CALLS",
        number(1, portico_wasm_runtime::POOL_INSTANCES as u64),
    ),
    key(
        "admission.plugin_queue_wait_ms",
        "--plugin-queue-wait-ms",
        "PORTICO_PLUGIN_QUEUE_WAIT_MS",
        number(1, MAX_QUEUE_WAIT_MS),
    ),
    key(
        "plugins.resident_plugin_versions",
        "--resident-plugin-versions",
        "PORTICO_RESIDENT_PLUGIN_VERSIONS",
        number(1, MAX_RESIDENT_PLUGIN_VERSIONS),
    ),
    key(
        "plugins.invocations_kept_per_plugin",
        "--invocations-kept-per-plugin",
        "PORTICO_INVOCATIONS_KEPT_PER_PLUGIN",
        number(1, MAX_INVOCATIONS_KEPT_PER_PLUGIN),
    ),
    key(
        "plugins.hook_delivery_workers",
        "--hook-delivery-workers",
        "PORTICO_HOOK_DELIVERY_WORKERS",
        number(1, MAX_HOOK_DELIVERY_WORKERS as u64),
    ),
    key(
        "plugins.pause_hook_delivery",
        "--pause-hook-delivery",
        "PORTICO_PAUSE_HOOK_DELIVERY",
        Kind::Switch,
    ),
    key(
        "http.max_connections",
        "--max-connections",
        "PORTICO_MAX_CONNECTIONS",
        number(1, MAX_CONNECTIONS_CEILING),
    ),
    key(
        "http.max_connections_per_address",
        "--max-connections-per-address",
        "PORTICO_MAX_CONNECTIONS_PER_ADDRESS",
        number(1, MAX_CONNECTIONS_CEILING),
    ),
    key(
        "http.header_read_timeout_secs",
        "--header-read-timeout-secs",
        "PORTICO_HEADER_READ_TIMEOUT_SECS",
        number(1, MAX_TIMEOUT_SECONDS),
    ),
    key(
        "http.body_read_timeout_secs",
        "--body-read-timeout-secs",
        "PORTICO_BODY_READ_TIMEOUT_SECS",
        number(1, MAX_TIMEOUT_SECONDS),
    ),
    key(
        "http.shutdown_drain_secs",
        "--shutdown-drain-secs",
        "PORTICO_SHUTDOWN_DRAIN_SECS",
        number(0, MAX_TIMEOUT_SECONDS),
    ),
    key(
        "http.shutdown_delay_secs",
        "--shutdown-delay-secs",
        "PORTICO_SHUTDOWN_DELAY_SECS",
        number(0, MAX_TIMEOUT_SECONDS),
    ),
    key(
        "telemetry.metrics",
        "--no-metrics",
        "PORTICO_METRICS",
        Kind::Switch,
    ),
    key(
        "telemetry.otlp_endpoint",
        "--otlp-endpoint",
        "PORTICO_OTLP_ENDPOINT",
        Kind::Text,
    ),
    key(
        "mail.smtp_host",
        "--smtp-host",
        "PORTICO_SMTP_HOST",
        Kind::Text,
    ),
    key(
        "mail.smtp_port",
        "--smtp-port",
        "PORTICO_SMTP_PORT",
        number(1, u16::MAX as u64),
    ),
    key(
        "mail.smtp_tls",
        "--smtp-tls",
        "PORTICO_SMTP_TLS",
        Kind::Text,
    ),
    key(
        "mail.smtp_username",
        "--smtp-username",
        "PORTICO_SMTP_USERNAME",
        Kind::Text,
    ),
    Key {
        path: "mail.smtp_password",
        flag: None,
        env: "PORTICO_SMTP_PASSWORD",
        kind: Kind::Text,
        secret: Secret::Whole,
    },
    key(
        "mail.smtp_timeout_secs",
        "--smtp-timeout-secs",
        "PORTICO_SMTP_TIMEOUT_SECS",
        number(1, MAX_SMTP_TIMEOUT_SECS),
    ),
    key("mail.from", "--mail-from", "PORTICO_MAIL_FROM", Kind::Text),
    key(
        "mail.from_name",
        "--mail-from-name",
        "PORTICO_MAIL_FROM_NAME",
        Kind::Text,
    ),
    key(
        "mail.workers",
        "--mail-workers",
        "PORTICO_MAIL_WORKERS",
        number(1, MAX_MAIL_WORKERS as u64),
    ),
    key(
        "mail.per_tenant_per_minute",
        "--mail-per-tenant-per-minute",
        "PORTICO_MAIL_PER_TENANT_PER_MINUTE",
        number(1, MAX_MAILS_PER_TENANT_PER_MINUTE),
    ),
];

/// The key at `path` (`mail.smtp_host`).
pub fn key_at(path: &str) -> Option<&'static Key> {
    KEYS.iter().find(|key| key.path == path)
}
