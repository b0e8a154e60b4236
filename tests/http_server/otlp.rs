//! `--otlp-endpoint`: the request's span (its id, tenant and route) reaches an OTLP/HTTP
//! collector, in protobuf as collectors take it, whatever the log level; the last spans are
//! flushed at shutdown.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use prost::Message;

use super::Portico;
use crate::support::Api;

/// An OTLP/HTTP receiver on 127.0.0.1: keeps every export request it is sent.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            post(move |body: Bytes| {
                let kept = kept.clone();
                async move {
                    let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
                    kept.lock().unwrap().push(request);
                    (
                        [("content-type", "application/x-protobuf")],
                        Vec::<u8>::new(),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, received }
    }
}

/// The text value of attribute `key`.
fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes.iter().find(|a| a.key == key).and_then(|a| {
        match a.value.as_ref()?.value.as_ref()? {
            any_value::Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        }
    })
}

// Two workers: the receiver answers while the test waits for the server to exit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requests_span_is_exported_to_the_collector_and_flushed_at_shutdown() {
    let receiver = Receiver::start().await;
    // The log says only warnings: the export has its own level.
    let mut server = Portico::start(&["--otlp-endpoint", &receiver.url], "warn", None);
    let op = Api::new(&server.base_url, Some(crate::support::OPERATOR_TOKEN));
    let created = op
        .request(reqwest::Method::POST, "/v1/tenants")
        .header("x-request-id", "otlp-export-0001")
        .json(&serde_json::json!({"namespace": "acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    op.get("/v1/tenants/acme/users").await;
    server.terminate();
    server.exit_within(Duration::from_secs(30)).expect("exits");

    let received = receiver.received.lock().unwrap();
    let resources: Vec<_> = received.iter().flat_map(|r| &r.resource_spans).collect();
    assert!(!resources.is_empty(), "nothing exported");
    for resource in &resources {
        let attributes = &resource.resource.as_ref().expect("resource").attributes;
        assert_eq!(attribute(attributes, "service.name"), Some("portico"));
    }
    let spans: Vec<_> = resources
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
        .collect();
    let span = spans
        .iter()
        .find(|s| attribute(&s.attributes, "request_id") == Some("otlp-export-0001"))
        .unwrap_or_else(|| panic!("no span of the request among {spans:?}"));
    assert_eq!(span.name, "request");
    assert_eq!(attribute(&span.attributes, "method"), Some("POST"));
    assert_eq!(attribute(&span.attributes, "route"), Some("/v1/tenants"));
    assert!(span.end_time_unix_nano > span.start_time_unix_nano);
    let listed = spans
        .iter()
        .find(|s| attribute(&s.attributes, "route") == Some("/v1/tenants/{tenant}/users"))
        .expect("the list's span");
    assert_eq!(attribute(&listed.attributes, "tenant"), Some("acme"));
}

#[test]
fn an_endpoint_that_is_no_http_url_is_refused_at_start_naming_the_setting() {
    for bad in ["collector:4318", "ftp://collector", "http://"] {
        let said = crate::support::serve_refuses(&["--otlp-endpoint", bad]);
        assert!(said.contains("telemetry.otlp_endpoint"), "{bad}: {said}");
    }
}
