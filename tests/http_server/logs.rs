//! The request log never records a secret of a URL or a header.

use crate::support::Api;

use super::Portico;

#[tokio::test]
async fn the_debug_request_log_redacts_secret_query_values_and_headers() {
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("portico.log");
    let mut server = Portico::start(&[], "debug", Some(&log));
    let op = Api::new(&server.base_url, Some(crate::support::OPERATOR_TOKEN));
    op.get("/v1/tenants?limit=7").await;
    let anonymous = Api::new(&server.base_url, Some("Bearer-secret-in-a-header"));
    anonymous
        .get("/v1/tenants/acme/password-reset?code=prc_SECRETRESETCODE")
        .await;
    anonymous
        .get("/v1/tenants/acme/portal/signup?token=psu_SECRETSIGNUPTOKEN&langCode=en_US")
        .await;
    server.terminate();
    server.exit_within(std::time::Duration::from_secs(30));
    let text = std::fs::read_to_string(&log).unwrap();
    // The requests are in the log, without their secrets.
    assert!(text.contains("/v1/tenants?limit=7"), "{text}");
    // Each line of a request carries it, as a span would be written.
    assert!(
        text.lines().any(|l| l.contains("request{request_id=")
            && l.contains("route=\"/v1/tenants\"")
            && l.contains("portico::access: request served status=200")),
        "{text}"
    );
    assert!(text.contains("password-reset?code=REDACTED"), "{text}");
    assert!(
        text.contains("signup?token=REDACTED&langCode=en_US"),
        "{text}"
    );
    for secret in [
        "prc_SECRETRESETCODE",
        "psu_SECRETSIGNUPTOKEN",
        "Bearer-secret-in-a-header",
        crate::support::OPERATOR_TOKEN,
    ] {
        assert!(!text.contains(secret), "{secret} logged:\n{text}");
    }
}

/// The lines of `text` (JSON logs) written for the request of id `id`.
fn lines_of_request(text: &str, id: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["span"]["request_id"] == id)
        .collect()
}

#[tokio::test]
async fn every_line_of_a_request_carries_its_id_even_on_an_operation_thread() {
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("portico.log");
    let mut server = Portico::start(
        &["--log-format", "json"],
        "info,portico::operation=debug",
        Some(&log),
    );
    let op = Api::new(&server.base_url, Some(crate::support::OPERATOR_TOKEN));
    // The caller's id is taken and returned; a missing one is made.
    let answer = op
        .request(reqwest::Method::GET, "/v1/tenants?limit=3")
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-request-id"], "trace-me-42");
    let made = op
        .request(reqwest::Method::GET, "/v1/health")
        .send()
        .await
        .unwrap();
    let made = made.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made.len(), 32, "{made}");
    // An odd one is replaced, never logged as it came.
    let odd = op
        .request(reqwest::Method::GET, "/v1/health")
        .header("x-request-id", "x".repeat(500))
        .send()
        .await
        .unwrap();
    assert_eq!(odd.headers()["x-request-id"].len(), 32);
    // Error bodies name the request.
    let missing = Api::new(&server.base_url, Some(crate::support::OPERATOR_TOKEN))
        .request(reqwest::Method::GET, "/v1/tenants/nobody")
        .header("x-request-id", "err-7")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["requestId"], "err-7", "{body}");
    server.terminate();
    server.exit_within(std::time::Duration::from_secs(30));
    let text = std::fs::read_to_string(&log).unwrap();

    // Every log line is one JSON object.
    for line in text.lines().filter(|l| l.starts_with('{')) {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|l| l.is_object()),
            "not a JSON object: {line}"
        );
    }
    let lines = lines_of_request(&text, "trace-me-42");
    // A line written on an operation thread, for the request.
    let on_thread = lines
        .iter()
        .find(|l| l["target"] == "portico::operation")
        .unwrap_or_else(|| panic!("no operation line:\n{text}"));
    assert!(
        on_thread["threadName"]
            .as_str()
            .unwrap()
            .starts_with("portico-op-"),
        "{on_thread}"
    );
    // The access line: route template, status, latency.
    let access = lines
        .iter()
        .find(|l| l["target"] == "portico::access")
        .unwrap_or_else(|| panic!("no access line:\n{text}"));
    assert_eq!(access["fields"]["status"], 200, "{access}");
    // In milliseconds to the microsecond: at most three decimals.
    let latency = access["fields"]["latency_ms"].to_string();
    assert!(
        latency.parse::<f64>().is_ok() && latency.split('.').nth(1).is_none_or(|d| d.len() <= 3),
        "{access}"
    );
    assert_eq!(access["span"]["route"], "/v1/tenants", "{access}");
    assert_eq!(access["span"]["method"], "GET", "{access}");
    let tenant_line = lines_of_request(&text, "err-7");
    assert!(
        tenant_line.iter().any(|l| l["span"]["tenant"] == "nobody"),
        "{text}"
    );
    assert!(!text.contains(&"x".repeat(500)), "an odd id is not logged");
}
