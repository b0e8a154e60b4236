//! `/metrics`: the operator's Prometheus metrics, valid by `promtool check metrics`, holding
//! requests by route template, operations, commits, plugin calls and sign-in failures.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use crate::plugins::{one_field, upload, validate};
use crate::support::{Api, Server, OPERATOR_TOKEN};

/// The metrics page as the operator scrapes it.
async fn scrape(server: &Server) -> String {
    let answer = Api::new(&server.base_url, Some(OPERATOR_TOKEN))
        .request(reqwest::Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let content_type = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    answer.text().await.unwrap()
}

/// `promtool check metrics` on `text`: its complaints, if any.
fn promtool_check(text: &str) -> Result<(), String> {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package; the test command installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(said)
    }
}

#[tokio::test]
async fn the_operator_scrapes_metrics_that_promtool_accepts() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    // Work of each kind: requests, an operation, a commit, a plugin call, a failed sign-in.
    upload(&t, "validator", "example_field_validator").await;
    validate(
        &t,
        "validator",
        1,
        one_field(json!({})),
        json!({"maxLength": 2}),
    )
    .await;
    t.patch("/portal/settings", json!({"published": true}))
        .await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    anon.post(
        "/portal/sessions",
        json!({"email": "nobody@example.com", "password": "wrong-password"}),
    )
    .await;
    t.get("/users/no-such-user").await;

    // Only the operator sees them: the labels name tenants and their plugins.
    let refused = Api::new(&server.base_url, Some(&t.key))
        .request(reqwest::Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let text = scrape(&server).await;
    for expected in [
        "portico_http_requests_total{method=\"GET\",route=\"/v1/tenants/{tenant}/users/{user_id}\",status=\"404\"}",
        "portico_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/tenants\"",
        "portico_operation_queue_wait_seconds_bucket",
        "portico_operation_threads_busy",
        "portico_slots_capacity{gate=\"plugin_calls\"}",
        "portico_commit_batch_size_bucket",
        "portico_commit_duration_seconds_bucket",
        "portico_plugin_calls_total{tenant=\"acme\",plugin=\"validator\",outcome=\"ok\"} 1",
        "portico_plugin_fuel_bucket{tenant=\"acme\",plugin=\"validator\"",
        "portico_sign_in_failures_total 1",
        "# HELP portico_http_requests_total",
    ] {
        // Group commit is the embedded store's; PostgreSQL commits each write itself.
        let embedded_only = expected.starts_with("portico_commit_");
        if embedded_only && std::env::var_os("PORTICO_TEST_POSTGRES").is_some() {
            continue;
        }
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
    promtool_check(&text)
        .unwrap_or_else(|said| panic!("promtool refused the metrics:\n{said}\n{text}"));
}

/// The value of the sample `series` (name and labels as exposed) in `text`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `{series}` in:\n{text}"))
}

#[tokio::test]
async fn the_delivery_queues_backlogs_are_gauged() {
    // No mail server: the welcome mails wait in the outbox.
    let server = Server::start();
    let t = server.tenant("acme").await;
    let text = scrape(&server).await;
    assert_eq!(
        sample(&text, "portico_delivery_queue_length{queue=\"outbox\"}"),
        0.0
    );
    assert_eq!(
        sample(
            &text,
            "portico_delivery_queue_oldest_age_seconds{queue=\"outbox\"}"
        ),
        0.0
    );

    for email in ["a@example.com", "b@example.com"] {
        let (status, body) = t
            .post(
                "/users",
                json!({"firstName": "Pat", "lastName": "Doe", "email": email, "sendWelcomeEmail": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // After-hook events whose plugin runs out of fuel: each waits for its retry.
    upload(&t, "spinner", "hostile_infinite_loop").await;
    let (status, body) = t
        .post(
            "/plugin-bindings",
            json!({"plugin": "spinner", "interface": "lifecycle-hooks", "target": "portal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for i in 0..3 {
        let p = crate::portal::id(&crate::portal::profile(&t, &format!("p{i}@example.com")).await);
        let (status, body) = t
            .post("/portal/grant-access", json!({"profileId": p}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let text = scrape(&server).await;
    assert_eq!(
        sample(&text, "portico_delivery_queue_length{queue=\"outbox\"}"),
        2.0
    );
    let late = sample(
        &text,
        "portico_delivery_queue_oldest_age_seconds{queue=\"outbox\"}",
    );
    assert!(late >= 1.0, "the first welcome mail is {late} s late");
    assert_eq!(
        sample(
            &text,
            "portico_delivery_queue_length{queue=\"hook_deliveries\"}"
        ),
        3.0
    );
    assert!(text.contains("# HELP portico_delivery_queue_oldest_age_seconds"));
    promtool_check(&text)
        .unwrap_or_else(|said| panic!("promtool refused the metrics:\n{said}\n{text}"));
}

#[tokio::test]
async fn a_host_started_without_metrics_records_none_and_says_so() {
    let server = Server::start_args(&["--no-metrics"]);
    let answer = Api::new(&server.base_url, Some(OPERATOR_TOKEN))
        .request(reqwest::Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["code"], "metrics_disabled", "{body}");
}
