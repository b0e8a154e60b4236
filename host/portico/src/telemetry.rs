//! The process's logs, and its optional trace export.
//!
//! - Logs go to stderr, as text or JSON lines (`log_format`: every line written while a
//!   request is served carries the request's id, method, redacted URI, tenant and route),
//!   filtered by `PORTICO_LOG` (`tracing` filter directives; `info` when unset). Directives of
//!   targets and levels only are a `Targets` filter, cheap on every span entered; directives on
//!   spans or fields need an `EnvFilter`. The server's lines are written in batches
//!   (`log_writer`).
//! - With `telemetry.otlp_endpoint`, each request gets a span (`request_log::export_request_spans`:
//!   its id, method, redacted URI, tenant and route, entered again on the operation threads, so
//!   what runs there is under it), and every span of Portico's own crates at `info` or above is
//!   exported over OTLP/HTTP (protobuf) to `{endpoint}/v1/traces`, whatever `PORTICO_LOG` says.
//!   Spans are batched and sent by the SDK's own thread with a blocking client: no request waits
//!   for the collector, and a collector that is down costs dropped spans, never a slower answer.
//!   The batch is flushed when the `Telemetry` is dropped (at shutdown).

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::JsonFields;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::log_format::LineFormat;
use crate::log_writer::{batched_stderr, BatchedStderrGuard};

/// Longest one export to the collector may take before its batch is dropped.
const OTLP_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The service name the exported spans carry (`service.name`).
const SERVICE_NAME: &str = "portico";

/// The installed logging and trace export; flushes the log lines and the spans not yet written
/// when dropped.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
    _log_writer: Option<BatchedStderrGuard>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            if let Err(e) = provider.shutdown() {
                eprintln!("trace export: the last spans were not sent: {e}");
            }
        }
    }
}

/// Installs the server's subscriber: logs on stderr in `format` (`text` or `json`) through the
/// log thread, and the OTLP export when `otlp_endpoint` is given. Call it outside an async
/// runtime (the exporter's blocking client owns one).
pub fn init_server(format: &str, otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry> {
    let (writer, guard) = batched_stderr()?;
    let mut telemetry = init(format, writer, otlp_endpoint)?;
    telemetry._log_writer = Some(guard);
    Ok(telemetry)
}

/// Installs a command's subscriber: logs written straight to stderr in `format`.
pub fn init_command(format: &str) -> anyhow::Result<Telemetry> {
    init(format, std::io::stderr, None)
}

fn init<W>(format: &str, writer: W, otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let provider = otlp_endpoint.map(tracer_provider).transpose()?;
    if provider.is_some() {
        crate::http::request_log::export_request_spans();
    }
    let directives = std::env::var("PORTICO_LOG").unwrap_or_else(|_| "info".into());
    match (&provider, directives.parse::<Targets>()) {
        // The usual case: one filter for the whole subscriber, checked against each callsite
        // once. An `EnvFilter` (or any filter per layer) also does work on every span entered
        // and left, which a request does at each of its polls.
        (None, Ok(targets)) => tracing_subscriber::registry()
            .with(targets)
            .with(log_layer(format, writer))
            .init(),
        (_, targets) => {
            let export = provider.as_ref().map(|provider| {
                tracing_opentelemetry::layer()
                    .with_tracer(provider.tracer(SERVICE_NAME))
                    .with_filter(Targets::new().with_target("portico", Level::INFO))
            });
            let logs = match targets {
                Ok(targets) => log_layer(format, writer).with_filter(targets).boxed(),
                // Directives on spans or fields need an `EnvFilter`.
                Err(_) => log_layer(format, writer)
                    .with_filter(env_filter(&directives))
                    .boxed(),
            };
            tracing_subscriber::registry()
                .with(logs)
                .with(export)
                .init()
        }
    }
    Ok(Telemetry {
        provider,
        _log_writer: None,
    })
}

/// The filter of `directives` (`info` when they do not parse).
fn env_filter(directives: &str) -> EnvFilter {
    EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// The log lines on `writer`, as text or JSON (`format`).
fn log_layer<S, W>(format: &str, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let logs = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    match format {
        "json" => logs
            .event_format(LineFormat::json())
            .fmt_fields(JsonFields::new())
            .boxed(),
        _ => logs.event_format(LineFormat::text()).boxed(),
    }
}

/// A tracer provider batching spans to `{endpoint}/v1/traces`.
fn tracer_provider(endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(url)
        .with_timeout(OTLP_EXPORT_TIMEOUT)
        .build()
        .context("the OTLP trace exporter")?;
    let resource = Resource::builder().with_service_name(SERVICE_NAME).build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}
