//! Every setting of `portico serve`, as the configuration file `portico.toml` holds it (tables
//! group them), and its default. Each key's flag, environment variable, range and secrecy are
//! in `config_keys`; `config` layers them; `docs/operations.md` lists them.

use std::path::PathBuf;

use portico::admission::{OPERATION_QUEUE_WAIT, PLUGIN_QUEUE_WAIT};
use portico::domain::plugins::{
    DEFAULT_INVOCATIONS_KEPT_PER_PLUGIN, DEFAULT_RESIDENT_PLUGIN_VERSIONS,
};
use portico::hook_worker::DEFAULT_HOOK_DELIVERY_WORKERS;
use portico::http::connections::{
    BODY_READ_TIMEOUT, HEADER_READ_TIMEOUT, MAX_CONNECTIONS_PER_ADDRESS, MAX_OPEN_CONNECTIONS,
    SHUTDOWN_DRAIN_TIMEOUT,
};
use portico::mail_worker::{DEFAULT_MAILS_PER_TENANT_PER_MINUTE, DEFAULT_MAIL_WORKERS};
use portico::store::{DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT};
use serde::{Deserialize, Serialize};

/// The SMTP timeout when none is set, in seconds.
const DEFAULT_SMTP_TIMEOUT_SECS: u64 = 30;

/// The settings of `portico serve`: the file's shape (unknown keys refused).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Directory of the database and the server key file.
    pub data: PathBuf,
    /// Address to listen on (`host:port`).
    pub listen: String,
    /// Base URL of the links sent to users (default: `http://<listen address>`).
    pub public_url: Option<String>,
    /// The operator token (a secret); default: a stored one, or one made and printed once.
    pub operator_token: Option<String>,
    /// A PostgreSQL database shared by several hosts.
    pub database: Database,
    /// Group commit of the embedded file.
    pub commit: Commit,
    /// Each tenant's share of the host.
    pub admission: Admission,
    /// Plugins and after-hook delivery.
    pub plugins: Plugins,
    /// The HTTP server's bounds and shutdown.
    pub http: Http,
    /// Mailing the outbox over SMTP.
    pub mail: Mail,
    /// Metrics and trace export.
    pub telemetry: Telemetry,
}

/// `[telemetry]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Telemetry {
    /// Record metrics and serve them at `/metrics`.
    pub metrics: bool,
    /// An OTLP/HTTP collector's base URL to export spans to (none: no export).
    pub otlp_endpoint: Option<String>,
}

/// `[database]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// `postgres://user:password@host:port/database` (its password a secret).
    pub url: Option<String>,
    /// Connections kept at most (default: one per operation thread and hook worker, 2 spare).
    pub pool_size: Option<u64>,
}

/// `[commit]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commit {
    /// Most writes grouped into one durable transaction.
    pub batch_max: u64,
    /// Longest a batch waits for queued writers, in microseconds.
    pub batch_wait_us: u64,
}

/// `[admission]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Admission {
    /// Threads running request operations (default: 2 per core, 8 per core with a database).
    pub operation_threads: Option<u64>,
    /// Operation threads one tenant may hold (default: three quarters of them).
    pub tenant_operation_threads: Option<u64>,
    /// Longest wait for an operation thread, in milliseconds.
    pub operation_queue_wait_ms: u64,
    /// Plugin calls at once (default: 2 per core).
    pub plugin_calls: Option<u64>,
    /// Plugin calls of one tenant at once (default: half the cores).
    pub tenant_plugin_calls: Option<u64>,
    /// Longest wait for a plugin call's turn, in milliseconds.
    pub plugin_queue_wait_ms: u64,
}

/// `[plugins]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plugins {
    /// Most plugin versions kept loaded.
    pub resident_plugin_versions: u64,
    /// Most records in each plugin's invocation log.
    pub invocations_kept_per_plugin: u64,
    /// Threads delivering after-hook events.
    pub hook_delivery_workers: u64,
    /// Keep after-hook events queued (maintenance).
    pub pause_hook_delivery: bool,
}

/// `[http]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// Most connections open at once.
    pub max_connections: u64,
    /// Most connections open at once from one address.
    pub max_connections_per_address: u64,
    /// Seconds a request head may take (also the idle keep-alive time).
    pub header_read_timeout_secs: u64,
    /// Seconds a request body may take.
    pub body_read_timeout_secs: u64,
    /// Seconds a shutdown lets open requests finish.
    pub shutdown_drain_secs: u64,
    /// Seconds the server keeps serving, not ready, after the shutdown signal.
    pub shutdown_delay_secs: u64,
}

/// `[mail]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    /// The SMTP server; without it nothing is mailed.
    pub smtp_host: Option<String>,
    /// Its port (default: by TLS mode).
    pub smtp_port: Option<u64>,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    /// The SMTP user name.
    pub smtp_username: Option<String>,
    /// The SMTP password (a secret).
    pub smtp_password: Option<String>,
    /// Seconds one SMTP conversation may take.
    pub smtp_timeout_secs: u64,
    /// The default sender's address.
    pub from: Option<String>,
    /// The default sender's name.
    pub from_name: Option<String>,
    /// Threads mailing the outbox.
    pub workers: u64,
    /// Messages one tenant may send per minute from this host.
    pub per_tenant_per_minute: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            data: PathBuf::from("./portico-data"),
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            operator_token: None,
            database: Database::default(),
            commit: Commit {
                batch_max: DEFAULT_MAX_BATCH as u64,
                batch_wait_us: DEFAULT_MAX_WAIT.as_micros() as u64,
            },
            admission: Admission {
                operation_threads: None,
                tenant_operation_threads: None,
                operation_queue_wait_ms: OPERATION_QUEUE_WAIT.as_millis() as u64,
                plugin_calls: None,
                tenant_plugin_calls: None,
                plugin_queue_wait_ms: PLUGIN_QUEUE_WAIT.as_millis() as u64,
            },
            plugins: Plugins {
                resident_plugin_versions: DEFAULT_RESIDENT_PLUGIN_VERSIONS as u64,
                invocations_kept_per_plugin: DEFAULT_INVOCATIONS_KEPT_PER_PLUGIN,
                hook_delivery_workers: DEFAULT_HOOK_DELIVERY_WORKERS as u64,
                pause_hook_delivery: false,
            },
            http: Http {
                max_connections: MAX_OPEN_CONNECTIONS as u64,
                max_connections_per_address: MAX_CONNECTIONS_PER_ADDRESS as u64,
                header_read_timeout_secs: HEADER_READ_TIMEOUT.as_secs(),
                body_read_timeout_secs: BODY_READ_TIMEOUT.as_secs(),
                shutdown_drain_secs: SHUTDOWN_DRAIN_TIMEOUT.as_secs(),
                shutdown_delay_secs: 0,
            },
            mail: Mail {
                smtp_host: None,
                smtp_port: None,
                smtp_tls: "starttls".into(),
                smtp_username: None,
                smtp_password: None,
                smtp_timeout_secs: DEFAULT_SMTP_TIMEOUT_SECS,
                from: None,
                from_name: None,
                workers: DEFAULT_MAIL_WORKERS as u64,
                per_tenant_per_minute: DEFAULT_MAILS_PER_TENANT_PER_MINUTE as u64,
            },
            telemetry: Telemetry {
                metrics: true,
                otlp_endpoint: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use figment::Provider;

    use super::Settings;
    use crate::config_keys::KEYS;

    /// Every key of the registry is a leaf of the settings, and every leaf has its key.
    #[test]
    fn the_registry_names_every_setting_once() {
        let defaults =
            figment::Figment::from(figment::providers::Serialized::defaults(Settings::default()));
        let mut leaves = Vec::new();
        for (name, value) in defaults
            .data()
            .unwrap()
            .remove(&figment::Profile::Default)
            .unwrap()
        {
            match value.into_dict() {
                Some(table) => leaves.extend(table.into_keys().map(|key| format!("{name}.{key}"))),
                None => leaves.push(name),
            }
        }
        let mut registry: Vec<String> = KEYS.iter().map(|k| k.path.to_string()).collect();
        leaves.sort();
        registry.sort();
        assert_eq!(leaves, registry);
        let mut envs: Vec<_> = KEYS.iter().map(|k| k.env).collect();
        envs.sort();
        envs.dedup();
        assert_eq!(
            envs.len(),
            KEYS.len(),
            "an environment variable named twice"
        );
    }
}
