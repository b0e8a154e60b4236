use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::smtp::{arrived, serve_args, SmtpServer};
use crate::support::{assert_error, serve_refuses, Server, TenantApi, OPERATOR_TOKEN};

/// A server mailing through `smtp`, with `extra` options.
pub(super) fn server(smtp: &SmtpServer, extra: &[&str]) -> Server {
    let mut args = serve_args(smtp);
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_args(&args)
}

/// Creates a user of `t` with a welcome mail; answers its id.
pub(super) async fn welcomed_user(t: &TenantApi, email: &str) -> String {
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
pub(super) async fn outbox(t: &TenantApi) -> Vec<Value> {
    let (status, page) = t.get("/notifications?limit=100").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// Waits until every message of `t`'s outbox left `pending` (or `timeout` passes).
pub(super) async fn settled(t: &TenantApi, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
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

/// The received mail addressed to `email`.
pub(super) fn mail_to<'a>(received: &'a [Value], email: &str) -> &'a Value {
    received
        .iter()
        .find(|m| m["rcptTos"] == json!([email]))
        .unwrap_or_else(|| panic!("no mail to {email}: {received:?}"))
}

#[tokio::test]
async fn a_tenant_with_its_own_sender_mails_from_it_and_another_keeps_the_operators() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &[]);
    let acme = server.tenant("acme").await;
    let other = server.tenant("other").await;
    let (status, settings) = acme
        .patch(
            "/settings",
            json!({
                "mailSenderName": "Acme Support",
                "mailSenderAddress": "No-Reply@Acme.Example",
                "mailReplyTo": "help@acme.example"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["mailSenderName"], "Acme Support");
    assert_eq!(settings["mailSenderAddress"], "no-reply@acme.example");
    assert_eq!(settings["mailReplyTo"], "help@acme.example");
    welcomed_user(&acme, "pat@example.com").await;
    welcomed_user(&other, "sam@example.com").await;
    let received = arrived(&smtp, 2).await;

    let mail = mail_to(&received, "pat@example.com");
    let headers = &mail["headers"];
    assert_eq!(
        headers["From"], "Acme Support <no-reply@acme.example>",
        "{mail}"
    );
    assert_eq!(headers["Reply-To"], "help@acme.example", "{mail}");
    assert_eq!(mail["mailFrom"], "no-reply@acme.example", "{mail}");
    let text = mail["parts"][0]["content"].as_str().unwrap();
    assert!(text.trim_end().ends_with("Acme Support"), "signed: {text}");

    let mail = mail_to(&received, "sam@example.com");
    let headers = &mail["headers"];
    assert_eq!(headers["From"], "Portico <portal@portico.test>", "{mail}");
    assert!(headers.get("Reply-To").is_none(), "{mail}");

    // Cleared with null: the operator's sender again, and no Reply-To.
    let (status, settings) = acme
        .patch(
            "/settings",
            json!({"mailSenderAddress": null, "mailReplyTo": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["mailSenderName"], "Acme Support");
    assert!(settings["mailSenderAddress"].is_null(), "{settings}");
    welcomed_user(&acme, "lee@example.com").await;
    let received = arrived(&smtp, 3).await;
    let mail = mail_to(&received, "lee@example.com");
    let headers = &mail["headers"];
    assert_eq!(
        headers["From"], "Acme Support <portal@portico.test>",
        "{mail}"
    );
    assert!(headers.get("Reply-To").is_none(), "{mail}");
}

#[tokio::test]
async fn bad_sender_settings_are_refused_and_change_nothing() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let good = json!({
        "mailSenderName": "Acme",
        "mailSenderAddress": "no-reply@acme.example",
        "mailReplyTo": "help@acme.example"
    });
    let (status, before) = t.patch("/settings", good).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let long_name = "a".repeat(101);
    for bad in [
        json!({"mailSenderName": "Acme\r\nBcc: victim@example.com"}),
        json!({"mailSenderName": "Acme\nSupport"}),
        json!({"mailSenderName": "Acme\u{202E}troppuS"}),
        json!({"mailSenderName": long_name}),
        json!({"mailSenderName": "  "}),
        json!({"mailSenderAddress": "not an address"}),
        json!({"mailSenderAddress": "a@b.example\r\nBcc: victim@example.com"}),
        json!({"mailReplyTo": "help@"}),
        // A good value beside a bad one is not kept either.
        json!({"passwordMinLength": 12, "mailSenderName": "New", "mailReplyTo": "bad"}),
    ] {
        assert_error(
            t.patch("/settings", bad.clone()).await,
            StatusCode::BAD_REQUEST,
            "invalid_mail_sender",
        );
    }
    let (status, after) = t.get("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after, before);
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

#[tokio::test]
async fn an_activation_code_is_mailed_in_the_language_the_person_signed_up_in() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &[]);
    let app = crate::oneentry::app(&server, "acme").await;
    let (status, body) = app
        .tenant
        .patch(
            "/auth-providers/email",
            json!({"selfSignup": true, "isCheckCode": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sign_up = crate::support::Api::new(&app.base, None)
        .request(
            reqwest::Method::POST,
            "/api/content/users-auth-providers/marker/email/users/sign-up?langCode=tr_TR",
        )
        .header("x-app-token", &app.app_token)
        .json(&json!({
            "langCode": "tr_TR",
            "authData": [{"marker": "email", "value": "ayse@example.com"},
                         {"marker": "password", "value": "portal-password"}],
        }));
    let (status, created) = crate::support::Api::send(sign_up).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let mails = arrived(&smtp, 1).await;
    let mail = mails
        .iter()
        .find(|m| m["rcptTos"] == json!(["ayse@example.com"]))
        .expect("the activation mail");
    assert_eq!(mail["headers"]["Content-Language"], "tr-TR", "{mail}");
}
