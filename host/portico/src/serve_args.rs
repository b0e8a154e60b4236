//! The flags of `portico serve`. A flag given overrides the configuration file and the
//! environment (`config`); a flag not given leaves the value to them, so none has a default
//! here (the defaults are `Settings::default`, shown as `[default: ...]` in the help).

use std::path::PathBuf;

use clap::Args;
use figment::value::Value;

use crate::config::{self, ConfigError};
use crate::mail_args::MailArgs;

/// The options of `portico serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The configuration file (TOML; keys in docs/operations.md): its settings are overridden
    /// by the environment's `PORTICO_*` variables, and those by the flags given here. No file
    /// is read unless named.
    #[arg(long, value_name = "FILE", env = "PORTICO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory of the database (created when missing) [default: ./portico-data].
    #[arg(long)]
    data: Option<PathBuf>,
    /// A PostgreSQL database (`postgres://user:password@host:port/database`) shared by several
    /// Portico hosts, instead of the redb file in `--data` (which then holds only the server key
    /// file, `portico.key`: every host of one database needs the same one). Also
    /// `PORTICO_DATABASE_URL`, which keeps the password out of the process list.
    #[arg(long)]
    database: Option<String>,
    /// Connections this host keeps to `--database` at most (each operation thread and hook
    /// delivery worker uses one at a time; default: one for each, and 2 spare).
    #[arg(long)]
    database_pool_size: Option<u64>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<String>,
    /// Base URL for links sent to users (default: http://<listen address>).
    #[arg(long)]
    public_url: Option<String>,
    /// Keep after-hook events queued instead of delivering them (maintenance); a later start
    /// without it delivers them.
    #[arg(long)]
    pause_hook_delivery: bool,
    /// Record no metrics and answer `/metrics` with 404 `metrics_disabled`.
    #[arg(long)]
    no_metrics: bool,
    /// Export spans over OTLP/HTTP to this collector (`http://collector:4318`; sent to
    /// `/v1/traces`) [default: none].
    #[arg(long)]
    otlp_endpoint: Option<String>,
    /// Most writes grouped into one durable transaction (1: every write commits alone, its
    /// turn begun once the previous write is durable) [default: 256].
    #[arg(long)]
    commit_batch_max: Option<u64>,
    /// Longest a batch waits for queued writers, in microseconds (a lone write never waits)
    /// [default: 0].
    #[arg(long)]
    commit_batch_wait_us: Option<u64>,
    /// Testing only: hold every commit this many milliseconds before its fsync, so that a
    /// test can crash the server while writes are still uncommitted. Only in test builds
    /// (the `test-knobs` feature).
    #[cfg(feature = "test-knobs")]
    #[arg(long, hide = true, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=portico::store::MAX_WAIT_CEILING.as_millis() as u64))]
    test_commit_delay_ms: u64,
    /// Most plugin versions kept loaded in memory at once; the least recently used others
    /// load again from their stored artifact on their next call [default: 128].
    #[arg(long)]
    resident_plugin_versions: Option<u64>,
    /// Most records kept in each plugin's invocation log; the oldest are deleted as new calls
    /// are recorded (the plugin's counters keep the totals) [default: 1000].
    #[arg(long)]
    invocations_kept_per_plugin: Option<u64>,
    /// Threads that run request operations (database work, plugin calls, password hashes);
    /// more requests than this wait their turn (default: 2 per core, 8 with `--database`).
    #[arg(long)]
    operation_threads: Option<u64>,
    /// Operation threads one tenant may hold at once (default: three quarters of them), so
    /// other tenants' requests always find one.
    #[arg(long)]
    tenant_operation_threads: Option<u64>,
    /// Longest a request waits for an operation thread before the answer is 503
    /// `server_busy`, in milliseconds [default: 10000].
    #[arg(long)]
    operation_queue_wait_ms: Option<u64>,
    /// Plugin calls running at once, all tenants together (default: 2 per core).
    #[arg(long)]
    plugin_calls: Option<u64>,
    /// Plugin calls one tenant may run at once (default: half the cores, at least 1).
    #[arg(long)]
    tenant_plugin_calls: Option<u64>,
    /// Longest a plugin call waits for its tenant's turn before the answer is 503
    /// `plugin_capacity`, in milliseconds [default: 10000].
    #[arg(long)]
    plugin_queue_wait_ms: Option<u64>,
    /// Threads delivering after-hook events; each tenant uses at most one at a time
    /// [default: 2].
    #[arg(long)]
    hook_delivery_workers: Option<u64>,
    /// Most connections open at once; more wait to be accepted until one closes
    /// [default: 512].
    #[arg(long)]
    max_connections: Option<u64>,
    /// Most connections open at once from one client address; more are answered 503 and
    /// closed (raise it behind a reverse proxy) [default: 128].
    #[arg(long)]
    max_connections_per_address: Option<u64>,
    /// Seconds a connection may take to send a request head, from its opening or its
    /// previous answer (so also the idle keep-alive time); then it is closed [default: 10].
    #[arg(long)]
    header_read_timeout_secs: Option<u64>,
    /// Seconds a request body may take to arrive after its head; then 408 and closed
    /// [default: 60].
    #[arg(long)]
    body_read_timeout_secs: Option<u64>,
    /// Seconds a shutdown lets open requests finish before it closes their connections
    /// [default: 30].
    #[arg(long)]
    shutdown_drain_secs: Option<u64>,
    /// Seconds the server keeps serving after SIGTERM or SIGINT with `/readyz` answering 503,
    /// so that load balancers stop sending before it stops accepting connections
    /// [default: 0].
    #[arg(long)]
    shutdown_delay_secs: Option<u64>,
    #[command(flatten)]
    mail: MailArgs,
}

impl ServeArgs {
    /// The server's configuration: these flags over the environment over the file over the
    /// defaults, every value checked.
    pub fn into_config(self) -> Result<portico::server::ServeConfig, ConfigError> {
        let loaded = self.load()?;
        #[allow(unused_mut)]
        let mut config = loaded.settings.serve_config()?;
        #[cfg(feature = "test-knobs")]
        {
            config.commit_policy.commit_delay =
                std::time::Duration::from_millis(self.test_commit_delay_ms);
        }
        Ok(config)
    }

    /// Every layer, these flags on top.
    pub fn load(&self) -> Result<config::Loaded, ConfigError> {
        config::load(self.config.as_deref(), self.given())
    }

    /// The flags given, by their key in the configuration file.
    fn given(&self) -> Vec<(&'static str, Value)> {
        let text = |v: &Option<String>| v.clone().map(Value::from);
        let number = |v: &Option<u64>| v.map(Value::from);
        let mut given = Vec::new();
        for (key, value) in [
            (
                "data",
                self.data
                    .as_ref()
                    .map(|d| Value::from(d.display().to_string())),
            ),
            ("listen", text(&self.listen)),
            ("public_url", text(&self.public_url)),
            ("database.url", text(&self.database)),
            ("database.pool_size", number(&self.database_pool_size)),
            ("commit.batch_max", number(&self.commit_batch_max)),
            ("commit.batch_wait_us", number(&self.commit_batch_wait_us)),
            (
                "admission.operation_threads",
                number(&self.operation_threads),
            ),
            (
                "admission.tenant_operation_threads",
                number(&self.tenant_operation_threads),
            ),
            (
                "admission.operation_queue_wait_ms",
                number(&self.operation_queue_wait_ms),
            ),
            ("admission.plugin_calls", number(&self.plugin_calls)),
            (
                "admission.tenant_plugin_calls",
                number(&self.tenant_plugin_calls),
            ),
            (
                "admission.plugin_queue_wait_ms",
                number(&self.plugin_queue_wait_ms),
            ),
            (
                "plugins.resident_plugin_versions",
                number(&self.resident_plugin_versions),
            ),
            (
                "plugins.invocations_kept_per_plugin",
                number(&self.invocations_kept_per_plugin),
            ),
            (
                "plugins.hook_delivery_workers",
                number(&self.hook_delivery_workers),
            ),
            (
                "plugins.pause_hook_delivery",
                self.pause_hook_delivery.then(|| Value::from(true)),
            ),
            (
                "telemetry.metrics",
                self.no_metrics.then(|| Value::from(false)),
            ),
            ("telemetry.otlp_endpoint", text(&self.otlp_endpoint)),
            ("http.max_connections", number(&self.max_connections)),
            (
                "http.max_connections_per_address",
                number(&self.max_connections_per_address),
            ),
            (
                "http.header_read_timeout_secs",
                number(&self.header_read_timeout_secs),
            ),
            (
                "http.body_read_timeout_secs",
                number(&self.body_read_timeout_secs),
            ),
            (
                "http.shutdown_drain_secs",
                number(&self.shutdown_drain_secs),
            ),
            (
                "http.shutdown_delay_secs",
                number(&self.shutdown_delay_secs),
            ),
        ] {
            if let Some(value) = value {
                given.push((key, value));
            }
        }
        self.mail.given(&mut given);
        given
    }
}

#[cfg(test)]
mod tests {
    use clap::{Args, Command};

    use super::ServeArgs;
    use crate::config_keys::{Kind, KEYS};

    fn serve() -> Command {
        ServeArgs::augment_args(Command::new("serve"))
    }

    /// Each key's flag is a flag of `portico serve`, and each flag but `--config` (and the
    /// tests' knob) sets a key.
    #[test]
    fn every_key_has_its_flag_and_every_flag_its_key() {
        let command = serve();
        let flags: Vec<String> = command
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .filter(|flag| flag != "--config")
            .collect();
        let mut keyed: Vec<String> = KEYS
            .iter()
            .filter_map(|k| k.flag.map(str::to_string))
            .collect();
        let mut flags = flags;
        flags.sort();
        keyed.sort();
        assert_eq!(flags, keyed);
    }

    /// A default the help shows is the default in effect.
    #[test]
    fn the_defaults_in_the_help_are_the_settings_defaults() {
        let defaults = crate::config::load(None, Vec::new()).unwrap().figment;
        let command = serve();
        for key in KEYS
            .iter()
            .filter(|k| matches!(k.kind, Kind::Number { .. }))
        {
            let Some(flag) = key.flag else { continue };
            let arg = command
                .get_arguments()
                .find(|a| a.get_long() == Some(&flag[2..]))
                .unwrap();
            let help = arg.get_help().unwrap().to_string();
            let Some(shown) = help.split("[default: ").nth(1) else {
                continue;
            };
            let shown = shown.trim_end_matches(['.', ']']);
            let value = defaults.find_value(key.path).unwrap();
            assert_eq!(
                crate::config::whole(&value)
                    .map(|n| n.to_string())
                    .as_deref(),
                Some(shown),
                "{flag}"
            );
        }
    }
}
