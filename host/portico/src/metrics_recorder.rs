//! The process's Prometheus recorder: installed once at start, with histogram buckets fitted to
//! each measure, and every metric described (name, unit, meaning) so the exposition carries its
//! `# HELP`. The API's `/metrics` renders it.

use std::sync::Arc;

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

use crate::http::metrics::RenderMetrics;

/// Buckets of every `*_seconds` histogram: 100 us to 10 s, the span of a cached read to a slow
/// plugin call or a commit behind a busy disk.
const SECONDS_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 10.0,
];
/// Buckets of the group commit's batch size (writes per fsync), up to the largest batch allowed.
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
/// Buckets of a plugin call's fuel (instructions, roughly), up to past the default budget.
const FUEL_BUCKETS: [f64; 8] = [1e3, 1e4, 1e5, 1e6, 5e6, 1e7, 5e7, 1e8];

/// How often the recorded histogram samples are folded into their buckets. The recorder keeps
/// each sample until then (8 bytes each): without it they would pile up between scrapes, or for
/// ever on a host nobody scrapes (measured: +37 MB in a minute of load).
const UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the recorder; answers what renders it, or `None` when a recorder is already
/// installed in this process (metrics then go to that one).
pub fn install() -> Option<RenderMetrics> {
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("portico_commit_batch_size".into()),
                &BATCH_BUCKETS,
            )
        })
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Full("portico_plugin_fuel".into()), &FUEL_BUCKETS)
        })
        .ok()?;
    let handle = builder.install_recorder().ok()?;
    describe();
    let upkept = handle.clone();
    std::thread::Builder::new()
        .name("portico-metrics".into())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP_INTERVAL);
            upkept.run_upkeep();
        })
        .ok()?;
    Some(Arc::new(move || handle.render()))
}

/// Every metric Portico records, with its unit and meaning.
fn describe() {
    describe_counter!(
        "portico_http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        "portico_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by method and route template"
    );
    describe_histogram!(
        "portico_operation_queue_wait_seconds",
        Unit::Seconds,
        "Time a request's operation waited for an operation thread"
    );
    describe_gauge!(
        "portico_operation_threads_busy",
        "Operation threads running an operation now"
    );
    describe_gauge!(
        "portico_operation_queue_length",
        "Operations waiting for an operation thread now"
    );
    describe_gauge!(
        "portico_slots_in_use",
        "Slots of a shared gate held now (plugin_calls: instance slots; compiles)"
    );
    describe_gauge!(
        "portico_slots_waiting",
        "Callers waiting for a slot of a shared gate now"
    );
    describe_gauge!("portico_slots_capacity", "Slots of a shared gate in all");
    describe_gauge!(
        "portico_delivery_queue_length",
        "Entries of a delivery queue (outbox: mail; hook_deliveries: after-hook events) waiting for an attempt, retries included"
    );
    describe_gauge!(
        "portico_delivery_queue_oldest_age_seconds",
        Unit::Seconds,
        "How long past its due time the earliest entry of a delivery queue is (0 when none is late)"
    );
    describe_histogram!(
        "portico_commit_batch_size",
        Unit::Count,
        "Writes made durable by one group commit (embedded store)"
    );
    describe_histogram!(
        "portico_commit_duration_seconds",
        Unit::Seconds,
        "Time of one group commit, fsync included (embedded store)"
    );
    describe_counter!(
        "portico_plugin_calls_total",
        "Plugin calls, by tenant, plugin and outcome"
    );
    describe_histogram!(
        "portico_plugin_fuel",
        Unit::Count,
        "Fuel one plugin call used, by tenant and plugin"
    );
    describe_histogram!(
        "portico_plugin_call_duration_seconds",
        Unit::Seconds,
        "Time of one plugin call, by tenant and plugin"
    );
    describe_counter!(
        "portico_sessions_created_total",
        "Portal sessions started, by how (sign_in, app_link)"
    );
    describe_counter!("portico_sign_in_failures_total", "Failed portal sign-ins");
    describe_counter!(
        "portico_lockouts_total",
        "Portal sign-ins locked after too many failures"
    );
}
