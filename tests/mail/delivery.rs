use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::smtp::{arrived, serve_args, SmtpServer};
use crate::support::{serve_refuses, Server, TenantApi, OPERATOR_TOKEN};

/// A server mailing through `smtp`, with `extra` options.
fn server(smtp: &SmtpServer, extra: &[&str]) -> Server {
    let mut args = serve_args(smtp);
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_args(&args)
}

/// Creates a user of `t` with a welcome mail; answers its id.
async fn welcomed_user(t: &TenantApi, email: &str) -> String {
    let (status, user) = t
        .post(
            "/users",
            json!({"firstName": "Pat", "lastName": "Doe", "email": email, "sendWelcomeEmail": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user["id"].as_str().unwrap().to_string()
}

/// The tenant's outbox messages, oldest first.
async fn outbox(t: &TenantApi) -> Vec<Value> {
    let (status, page) = t.get("/notifications?limit=100").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// Waits until every message of `t`'s outbox left `pending` (or `timeout` passes).
async fn settled(t: &TenantApi, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let messages = outbox(t).await;
        if wanted(&messages) {
            return messages;
        }
        assert!(std::time::Instant::now() < deadline, "{messages:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn queued_messages_arrive_with_their_recipient_sender_subject_and_id() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &[]);
    let t = server.tenant("acme").await;
    let user = welcomed_user(&t, "pat@example.com").await;
    let (status, _) = t
        .post(
            &format!("/users/{user}/reset-password"),
            json!({"notifyUser": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let received = arrived(&smtp, 2).await;
    let messages = settled(&t, |m| m.iter().all(|m| m["status"] == "sent")).await;
    assert_eq!(messages.len(), 2);
    for (message, mail) in messages.iter().zip(&received) {
        let headers = &mail["headers"];
        assert_eq!(mail["rcptTos"], json!(["pat@example.com"]), "{mail}");
        assert_eq!(headers["To"], "pat@example.com", "{mail}");
        assert!(
            headers["From"]
                .as_str()
                .unwrap()
                .contains("portal@portico.test"),
            "{mail}"
        );
        assert!(!headers["Subject"].as_str().unwrap().is_empty(), "{mail}");
        let id = message["id"].as_str().unwrap();
        assert_eq!(
            headers["Message-ID"],
            format!("<{id}@portico.test>"),
            "{mail}"
        );
        assert_eq!(mail["contentType"], "multipart/alternative", "{mail}");
        assert!(message["sentAt"].is_string(), "{message}");
        assert_eq!(message["attempts"], 1, "{message}");
    }
    // The reset mail carries the working link the API answered.
    let text = received[1]["parts"][0]["content"].as_str().unwrap();
    assert!(text.contains(&format!("{}/", server.base_url)), "{text}");
}

#[tokio::test]
async fn refusals_are_retried_or_fail_the_message_with_the_servers_answer() {
    let smtp = SmtpServer::refusing(&[
        ("busy@example.com", "451 4.3.0 Try again later"),
        ("gone@example.com", "550 5.1.1 No such mailbox"),
    ]);
    let server = server(&smtp, &[]);
    let t = server.tenant("acme").await;
    welcomed_user(&t, "busy@example.com").await;
    welcomed_user(&t, "gone@example.com").await;
    let messages = settled(&t, |m| m.iter().all(|m| m["attempts"] == 1)).await;
    let of = |email: &str| {
        messages
            .iter()
            .find(|m| m["recipient"] == email)
            .unwrap()
            .clone()
    };
    let busy = of("busy@example.com");
    assert_eq!(busy["status"], "pending", "{busy}");
    assert!(
        busy["lastError"].as_str().unwrap().contains("451"),
        "{busy}"
    );
    assert!(
        busy["nextAttemptAt"].is_string(),
        "a retry is due later: {busy}"
    );
    let gone = of("gone@example.com");
    assert_eq!(gone["status"], "failed", "{gone}");
    assert!(
        gone["lastError"]
            .as_str()
            .unwrap()
            .contains("550 5.1.1 No such mailbox"),
        "{gone}"
    );
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn a_restart_sends_nothing_twice() {
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let args = serve_args(&smtp);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut first = Server::start_with(dir.path(), Some(OPERATOR_TOKEN), &args);
    let t = first.tenant("acme").await;
    for i in 0..5 {
        welcomed_user(&t, &format!("user{i}@example.com")).await;
    }
    arrived(&smtp, 5).await;
    first.stop();
    let second = Server::start_with(dir.path(), Some(OPERATOR_TOKEN), &args);
    let t = second.tenant_again(&t);
    welcomed_user(&t, "late@example.com").await;
    arrived(&smtp, 6).await;
    // Time for a second copy of anything to arrive, had one been sent.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = smtp.received();
    assert_eq!(received.len(), 6, "{received:?}");
    let mut ids: Vec<&str> = received
        .iter()
        .map(|m| m["headers"]["Message-ID"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
}

#[tokio::test]
async fn one_tenant_mails_at_most_its_rate_and_the_others_still_get_theirs() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &["--mail-per-tenant-per-minute", "2"]);
    let busy = server.tenant("busy").await;
    let quiet = server.tenant("quiet").await;
    for i in 0..5 {
        welcomed_user(&busy, &format!("b{i}@example.com")).await;
    }
    welcomed_user(&quiet, "q@example.com").await;
    arrived(&smtp, 3).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = smtp.received();
    assert_eq!(received.len(), 3, "2 of busy's and quiet's: {received:?}");
    assert!(received
        .iter()
        .any(|m| m["rcptTos"] == json!(["q@example.com"])));
    let held = outbox(&busy).await;
    let waiting: Vec<&Value> = held.iter().filter(|m| m["status"] == "pending").collect();
    assert_eq!(waiting.len(), 3, "{held:?}");
    assert!(
        waiting.iter().all(|m| m["attempts"] == 0),
        "held back, not attempted: {held:?}"
    );
}

#[test]
fn mail_settings_that_cannot_work_are_refused_at_start() {
    let no_sender = serve_refuses(&["--smtp-host", "127.0.0.1"]);
    assert!(no_sender.contains("--mail-from"), "{no_sender}");
    let no_host = serve_refuses(&["--mail-from", "portal@portico.test"]);
    assert!(no_host.contains("--smtp-host"), "{no_host}");
    let bad_tls = serve_refuses(&[
        "--smtp-host",
        "127.0.0.1",
        "--mail-from",
        "a@b.c",
        "--smtp-tls",
        "ssl3",
    ]);
    assert!(bad_tls.contains("--smtp-tls"), "{bad_tls}");
    let no_password = serve_refuses(&[
        "--smtp-host",
        "127.0.0.1",
        "--mail-from",
        "a@b.c",
        "--smtp-username",
        "me",
    ]);
    assert!(
        no_password.contains("PORTICO_SMTP_PASSWORD"),
        "{no_password}"
    );
}
