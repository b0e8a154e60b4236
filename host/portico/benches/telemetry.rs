//! What metrics and tracing add to one request, measured directly: a small JSON `PUT` through
//! the API's own request middleware (`request_log::observe`, `request_id::record_route`) to a
//! handler that, like every operation, takes the request's context to the thread doing its work. Four variants, in
//! this order (the log subscriber, once installed for the process, stays):
//!
//! - `bare`: no recorder, no subscriber (the request id, the middleware and the handler only);
//! - `metrics`: the Prometheus recorder;
//! - `logs`: the server's subscriber (`info`, text, batched to stderr), no recorder;
//! - `both`: as shipped.
//!
//! The load benchmark's A/B (`portico-load telemetry`) measures the same cost inside a loaded
//! server, where it is a few percent of a request and rounds vary by more than that; this
//! measures the work itself, cache-warm, with criterion's precision.
//!
//! Run: `cargo bench -p portico --bench telemetry 2>/dev/null` (the access lines go to stderr).

// `criterion_group!` defines an undocumented function.
#![allow(missing_docs)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::routing::put;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use portico::http::{request_id, request_log};
use tower::ServiceExt;

/// A route shaped like the load benchmark's update, one per variant: the request metrics keep
/// their handles per route, from the recorder installed when a route is first answered.
const ROUTE: &str = "/v1/tenants/{tenant}/users/{id}/{variant}";
const BODY: &str = r#"{"formData":[{"marker":"name","type":"string","value":"Ada"}]}"#;

/// The handler: takes the request's context as `blocking` does to an operation thread.
async fn update() -> StatusCode {
    request_id::working_for(request_id::current_request(), || StatusCode::OK)
}

fn app(variant: &str) -> Router {
    Router::new()
        .route(&ROUTE.replace("{variant}", variant), put(update))
        .route_layer(axum::middleware::from_fn(request_id::record_route))
        .layer(axum::middleware::from_fn(request_log::observe))
}

fn request(variant: &str) -> Request<Body> {
    Request::builder()
        .method(Method::PUT)
        .uri(format!("/v1/tenants/bench/users/42/{variant}"))
        .header("content-type", "application/json")
        .body(Body::from(BODY))
        .unwrap()
}

fn serve_one(runtime: &tokio::runtime::Runtime, app: &Router, variant: &str) {
    let response = runtime
        .block_on(app.clone().oneshot(request(variant)))
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let mut group = c.benchmark_group("request_telemetry");
    let mut variant = |name: &str, recorded: bool| {
        let app = app(name);
        group.bench_function(name, |b| {
            let mut serve = || b.iter(|| serve_one(&runtime, &app, name));
            match recorded {
                true => metrics::with_local_recorder(&recorder, serve),
                false => serve(),
            }
        });
    };
    variant("bare", false);
    variant("metrics", true);
    let _telemetry = portico::telemetry::init_server("text", None).unwrap();
    variant("logs", false);
    variant("both", true);
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
