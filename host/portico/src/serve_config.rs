//! From the settings (`settings`, layered by `config`) to what the server runs with
//! (`ServeConfig`): the defaults that depend on the machine and on other settings, and the
//! settings that cannot work together, refused naming them.

use std::time::Duration;

use portico::admission::AdmissionConfig;
use portico::mail_worker::MailConfig;
use portico::server::ServeConfig;
use portico_mail::{Sender, SmtpCredentials, SmtpSettings, TlsMode};

use crate::config::ConfigError;
use crate::settings::Settings;

/// Database connections beyond one per operation thread and hook delivery worker in the default
/// pool size: headroom for work outside those threads (the start's own reads), so a busy host
/// never queues on its own pool.
const SPARE_DATABASE_CONNECTIONS: usize = 2;

impl Settings {
    /// The server's configuration; settings that cannot work together are refused naming
    /// them. (Each value was checked on its own when the settings were loaded.)
    pub fn serve_config(&self) -> Result<ServeConfig, ConfigError> {
        let listen = self.listen.parse().map_err(|_| {
            ConfigError(format!(
                "`listen`: not an address and port: `{}`",
                self.listen
            ))
        })?;
        Ok(ServeConfig {
            mail: self.mail_config()?,
            admission: self.admission(),
            connections: self.connections(),
            commit_policy: portico::store::CommitPolicy {
                max_batch: self.commit.batch_max as usize,
                max_wait: Duration::from_micros(self.commit.batch_wait_us),
                #[cfg(feature = "test-knobs")]
                commit_delay: Duration::ZERO,
            },
            operator_token: self.operator_token.clone().filter(|t| !t.is_empty()),
            database: self
                .database
                .url
                .clone()
                .map(|url| portico_store_postgres::PgConfig {
                    url,
                    pool_size: self.database_pool_size(),
                }),
            data_dir: self.data.clone(),
            listen,
            public_url: self.public_url.clone(),
            pause_hook_delivery: self.plugins.pause_hook_delivery,
            resident_plugin_versions: self.plugins.resident_plugin_versions as usize,
            invocations_kept_per_plugin: self.plugins.invocations_kept_per_plugin,
            hook_delivery_workers: self.plugins.hook_delivery_workers as usize,
            shutdown_delay: Duration::from_secs(self.http.shutdown_delay_secs),
            metrics: self.telemetry.metrics,
            otlp_endpoint: self.otlp_endpoint()?,
        })
    }

    /// The OTLP collector's base URL, when set: an http or https URL.
    fn otlp_endpoint(&self) -> Result<Option<String>, ConfigError> {
        let Some(endpoint) = &self.telemetry.otlp_endpoint else {
            return Ok(None);
        };
        match reqwest::Url::parse(endpoint) {
            Ok(url) if ["http", "https"].contains(&url.scheme()) && url.has_host() => {
                Ok(Some(endpoint.clone()))
            }
            _ => Err(ConfigError(format!(
                "`telemetry.otlp_endpoint`: not an http or https URL: `{endpoint}`"
            ))),
        }
    }

    /// `operation_threads`, else the default for the core count and the store: more threads
    /// on PostgreSQL, where a thread spends most of an operation waiting on round trips.
    fn operation_threads(&self) -> usize {
        use portico::admission::{
            default_operation_threads, operation_threads_per_core,
            NETWORK_STORE_OPERATION_THREADS_PER_CORE,
        };
        match (self.admission.operation_threads, &self.database.url) {
            (Some(threads), _) => threads as usize,
            (None, Some(_)) => operation_threads_per_core(NETWORK_STORE_OPERATION_THREADS_PER_CORE),
            (None, None) => default_operation_threads(),
        }
    }

    /// `database.pool_size`, else a connection for every thread that may hold one at once
    /// (operation threads, hook delivery workers) and a few spare, within the pool's ceiling.
    fn database_pool_size(&self) -> usize {
        match self.database.pool_size {
            Some(size) => size as usize,
            None => {
                let users = self.operation_threads() + self.plugins.hook_delivery_workers as usize;
                (users + SPARE_DATABASE_CONNECTIONS).min(portico_store_postgres::MAX_POOL_SIZE)
            }
        }
    }

    /// Each tenant's shares: the defaults for the core count, as far as not set.
    fn admission(&self) -> AdmissionConfig {
        let defaults = AdmissionConfig::for_threads(self.operation_threads());
        let set = &self.admission;
        AdmissionConfig {
            tenant_operation_threads: set
                .tenant_operation_threads
                .map_or(defaults.tenant_operation_threads, |n| n as usize),
            operation_queue_wait: Duration::from_millis(set.operation_queue_wait_ms),
            plugin_calls: set
                .plugin_calls
                .map_or(defaults.plugin_calls, |n| n as usize),
            tenant_plugin_calls: set
                .tenant_plugin_calls
                .map_or(defaults.tenant_plugin_calls, |n| n as usize),
            plugin_queue_wait: Duration::from_millis(set.plugin_queue_wait_ms),
            // This binary's allocator keeps what a compile freed unless asked.
            after_compile: portico::allocator::release_freed_memory,
            ..defaults
        }
    }

    /// The HTTP server's bounds.
    fn connections(&self) -> portico::http::connections::ConnectionLimits {
        portico::http::connections::ConnectionLimits {
            max_open: self.http.max_connections as usize,
            max_per_address: self.http.max_connections_per_address as usize,
            header_read_timeout: Duration::from_secs(self.http.header_read_timeout_secs),
            body_read_timeout: Duration::from_secs(self.http.body_read_timeout_secs),
            shutdown_drain: Duration::from_secs(self.http.shutdown_drain_secs),
        }
    }

    /// Mailing the outbox, `None` without an SMTP host; settings that cannot work are refused
    /// with a message naming them.
    fn mail_config(&self) -> Result<Option<MailConfig>, ConfigError> {
        let mail = &self.mail;
        let refuse = |message: &str| Err(ConfigError(message.to_string()));
        let Some(host) = mail.smtp_host.clone() else {
            if mail.from.is_some() || mail.smtp_username.is_some() {
                return refuse(
                    "--mail-from and --smtp-username (`mail.from`, `mail.smtp_username`) need \
                     --smtp-host (`mail.smtp_host`: the SMTP server to mail through)",
                );
            }
            return Ok(None);
        };
        let Some(address) = mail.from.clone() else {
            return refuse(
                "--smtp-host (`mail.smtp_host`) needs --mail-from (`mail.from`: the sender's address)",
            );
        };
        let credentials = match (&mail.smtp_username, &mail.smtp_password) {
            (Some(username), Some(password)) => Some(SmtpCredentials {
                username: username.clone(),
                password: password.clone(),
            }),
            (Some(_), None) => {
                return refuse(
                    "--smtp-username (`mail.smtp_username`) needs the password in \
                     PORTICO_SMTP_PASSWORD (or `mail.smtp_password` in the configuration file)",
                )
            }
            (None, _) => None,
        };
        let tls: TlsMode = mail
            .smtp_tls
            .parse()
            .map_err(|e| ConfigError(format!("--smtp-tls (`mail.smtp_tls`): {e}")))?;
        let mut smtp = SmtpSettings::new(host, tls);
        if let Some(port) = mail.smtp_port {
            smtp.port = port as u16;
        }
        smtp.credentials = credentials;
        smtp.timeout = Duration::from_secs(mail.smtp_timeout_secs);
        Ok(Some(MailConfig {
            smtp,
            sender: Sender {
                name: mail.from_name.clone(),
                address,
            },
            workers: mail.workers as usize,
            per_tenant_per_minute: mail.per_tenant_per_minute as usize,
        }))
    }
}
