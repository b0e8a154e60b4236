//! The `portico` command.

use std::path::PathBuf;

mod client;
mod config;
mod config_cmd;
mod config_keys;
mod mail_args;
mod plugin_new;
mod plugin_test;
mod serve_args;
mod serve_config;
mod settings;

use clap::{Parser, Subcommand};
use portico::server::{serve, shutdown_signal};
use portico::telemetry;
use serve_args::ServeArgs;

/// See `portico::allocator` for why, and for its settings.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sets the allocator's options while the program loads, before Rust's runtime allocates.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static CONFIGURE_ALLOCATOR: extern "C" fn() = portico::allocator::configure;

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
    /// Run the HTTP API (settings: the flags, over `PORTICO_*` variables, over `--config FILE`).
    Serve(Box<ServeArgs>),
    /// Check a configuration file, or show the configuration `portico serve` would run with.
    Config {
        #[command(subcommand)]
        command: config_cmd::ConfigCommand,
    },
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

#[derive(Subcommand)]
enum PluginCommand {
    /// Create a plugin project (Rust, JavaScript or Python) for one interface, with the SDK
    /// copied in and fixtures that pass as it is. Exit code 0, or 2 when the name is invalid or
    /// the directory is not empty.
    New(plugin_new::NewArgs),
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
    /// Run fixture files (input, settings, limits, expected outcome and answer) against a built
    /// component with the server's engine and limits. Exit code 0 when every fixture passes, 1
    /// when one fails, 2 when a fixture or the component cannot be read.
    Test {
        /// The component (.wasm).
        file: PathBuf,
        /// Fixture files, or directories of `*.json` fixtures (default: `fixtures`).
        #[arg(default_value = "fixtures")]
        fixtures: Vec<PathBuf>,
        /// Print every fixture's report as JSON.
        #[arg(long)]
        verbose: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Telemetry is installed before the runtime starts (the trace exporter's blocking client
    // owns one) and flushed after it stops.
    match cli.command {
        Command::Serve(args) => {
            let config = args.into_config().unwrap_or_else(|e| e.exit());
            let _telemetry =
                telemetry::init_server(&cli.log_format, config.otlp_endpoint.as_deref())?;
            portico::server::runtime()?.block_on(serve(config, shutdown_signal()))
        }
        command => {
            stop_quietly_on_a_closed_pipe();
            let _telemetry = telemetry::init_command(&cli.log_format)?;
            portico::server::runtime()?.block_on(run(command))
        }
    }
}

/// A command whose output is cut short (`portico tenants list | head`) ends as other Unix tools
/// do, by SIGPIPE, instead of panicking on the failed write (Rust ignores SIGPIPE by default;
/// the server keeps ignoring it, its clients' closed sockets are ordinary errors).
fn stop_quietly_on_a_closed_pipe() {
    // SAFETY: restores the default disposition of one signal before any other thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(_) => unreachable!("`main` serves"),
        Command::Config { command } => {
            config_cmd::run(command);
            Ok(())
        }
        Command::Plugin {
            command: PluginCommand::New(args),
        } => {
            let dir = plugin_new::create(&args).unwrap_or_else(|e| {
                eprintln!("error: {e:#}");
                std::process::exit(2);
            });
            println!(
                "Created {} ({:?}, {}). Build and test it:\n{}",
                dir.display(),
                args.lang,
                args.interface.wit_name(),
                plugin_new::next_steps(&args, &dir)
            );
            Ok(())
        }
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
        Command::Plugin {
            command:
                PluginCommand::Test {
                    file,
                    fixtures,
                    verbose,
                },
        } => {
            let outcome = tokio::task::spawn_blocking(move || {
                let files = portico_wasm_runtime::fixtures::fixture_files(&fixtures)?;
                portico_wasm_runtime::fixtures::run_fixtures(&file, &files)
            })
            .await?;
            let outcomes = outcome.unwrap_or_else(|e| {
                eprintln!("error: {e:#}");
                std::process::exit(2);
            });
            std::process::exit(plugin_test::report(&outcomes, verbose));
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
