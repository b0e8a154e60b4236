//! Mail handed to a real SMTP server on 127.0.0.1 (aiosmtpd), and what its answers mean.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use portico_mail::{
    build_mail, render, Addressing, Branding, FailureKind, Kind, Lang, Mail, Mailer, Rendered,
    Sender, SmtpSettings, TenantSender, TlsMode,
};
use portico_test_smtp::SmtpServer;
use serde_json::Value;

const ID: &str = "0190c8a0-0000-7000-8000-00000000abcd";

fn mailer(port: u16) -> Mailer {
    let mut settings = SmtpSettings::new("127.0.0.1", TlsMode::None);
    settings.port = port;
    settings.timeout = Duration::from_secs(10);
    Mailer::new(&settings).unwrap()
}

fn operator() -> Sender {
    Sender {
        name: Some("Portico".into()),
        address: "no-reply@portico.example.com".into(),
    }
}

fn rendered(kind: Kind, lang: Lang) -> Rendered {
    let branding = Branding {
        tenant_name: "Acme".into(),
        sender_name: None,
    };
    render(kind.name(), lang.code(), &kind.sample_data(), &branding).unwrap()
}

fn mail_to(to: &str, tenant: &TenantSender, rendered: &Rendered) -> Mail {
    let addressing = Addressing {
        message_id: ID,
        to,
        sender: &operator(),
        tenant,
    };
    build_mail(&addressing, rendered).unwrap()
}

fn header<'a>(received: &'a Value, name: &str) -> Option<&'a str> {
    received["headers"][name].as_str()
}

/// The decoded content of the received part of `content_type`, with LF line ends.
fn part(received: &Value, content_type: &str) -> String {
    let parts = received["parts"].as_array().unwrap();
    let found = parts.iter().find(|p| p["contentType"] == content_type);
    let content = found.unwrap_or_else(|| panic!("no {content_type} part"))["content"]
        .as_str()
        .unwrap();
    content.replace("\r\n", "\n")
}

#[test]
fn a_mail_arrives_with_its_sender_recipient_reply_to_subject_parts_and_message_id() {
    let server = SmtpServer::start();
    let tenant = TenantSender {
        name: Some("Acme Destek Ekibi".into()),
        address: Some("destek@acme.example".into()),
        reply_to: Some("yardim@acme.example".into()),
    };
    let rendered = rendered(Kind::PortalInvitation, Lang::TrTr);
    let mail = mail_to("ada@example.org", &tenant, &rendered);
    mailer(server.port).send(&mail).unwrap();

    let received = server.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got["mailFrom"], "destek@acme.example");
    assert_eq!(got["rcptTos"], serde_json::json!(["ada@example.org"]));
    assert_eq!(got["contentType"], "multipart/alternative");
    let from = header(got, "From");
    assert_eq!(from, Some("Acme Destek Ekibi <destek@acme.example>"));
    assert_eq!(header(got, "To"), Some("ada@example.org"));
    assert_eq!(header(got, "Reply-To"), Some("yardim@acme.example"));
    assert_eq!(header(got, "Subject"), Some("Davet: Acme"));
    let message_id = format!("<{ID}@acme.example>");
    assert_eq!(header(got, "Message-ID"), Some(message_id.as_str()));
    assert_eq!(header(got, "Content-Language"), Some("tr-TR"));
    assert_eq!(header(got, "Auto-Submitted"), Some("auto-generated"));
    assert!(header(got, "Date").is_some());
    assert_eq!(part(got, "text/plain"), rendered.text);
    assert_eq!(part(got, "text/html"), rendered.html);
    let link = "https://portico.example.com/portal/acme/signup?token=sample";
    assert!(part(got, "text/html").contains(&format!("<a href=\"{link}\"")));
    assert!(part(got, "text/plain").contains("portalına davet ediyor"));
}

#[test]
fn without_a_tenant_sender_the_operators_is_used_and_no_reply_to() {
    let server = SmtpServer::start();
    let rendered = rendered(Kind::PasswordChanged, Lang::EnUs);
    let mail = mail_to("ada@example.org", &TenantSender::default(), &rendered);
    mailer(server.port).send(&mail).unwrap();
    let got = &server.received()[0];
    assert_eq!(got["mailFrom"], "no-reply@portico.example.com");
    let from = header(got, "From");
    assert_eq!(from, Some("Portico <no-reply@portico.example.com>"));
    assert_eq!(header(got, "Reply-To"), None);
    let message_id = format!("<{ID}@portico.example.com>");
    assert_eq!(header(got, "Message-ID"), Some(message_id.as_str()));
    assert_eq!(header(got, "Subject"), Some("Your password was changed"));
}

#[test]
fn every_kind_arrives_in_both_languages() {
    let server = SmtpServer::start();
    let mailer = mailer(server.port);
    let mut sent = Vec::new();
    for kind in Kind::ALL {
        for lang in Lang::ALL {
            let rendered = rendered(kind, lang);
            let mail = mail_to("ada@example.org", &TenantSender::default(), &rendered);
            mailer.send(&mail).unwrap();
            sent.push(rendered);
        }
    }
    let received = server.received();
    assert_eq!(received.len(), sent.len());
    for (got, rendered) in received.iter().zip(&sent) {
        assert_eq!(header(got, "Subject"), Some(rendered.subject.as_str()));
        assert_eq!(part(got, "text/plain"), rendered.text);
        assert_eq!(part(got, "text/html"), rendered.html);
    }
}

#[test]
fn a_4xx_answer_is_a_temporary_failure_with_the_answer() {
    let answer = "451 4.3.0 Mailbox busy, try again later";
    let server = SmtpServer::refusing(&[("busy@example.org", answer)]);
    let rendered = rendered(Kind::ActivationCode, Lang::EnUs);
    let mail = mail_to("busy@example.org", &TenantSender::default(), &rendered);
    let err = mailer(server.port).send(&mail).unwrap_err();
    assert_eq!(err.kind, FailureKind::Temporary, "{err}");
    assert!(!err.is_permanent());
    assert_eq!(err.code, Some(451));
    assert!(
        err.answer.contains("451") && err.answer.contains("Mailbox busy"),
        "{err}"
    );
    assert!(server.received().is_empty());
}

#[test]
fn a_5xx_answer_is_a_permanent_failure_with_the_answer() {
    let answer = "550 5.1.1 No such user here";
    let server = SmtpServer::refusing(&[("gone@example.org", answer)]);
    let rendered = rendered(Kind::PasswordReset, Lang::TrTr);
    let mail = mail_to("gone@example.org", &TenantSender::default(), &rendered);
    let err = mailer(server.port).send(&mail).unwrap_err();
    assert_eq!(err.kind, FailureKind::Permanent, "{err}");
    assert_eq!(err.code, Some(550));
    assert!(err.answer.contains("No such user here"), "{err}");
    assert!(
        err.to_string().starts_with("permanent failure: 550"),
        "{err}"
    );
    assert!(server.received().is_empty());
}

#[test]
fn an_unreachable_server_is_a_temporary_failure() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let rendered = rendered(Kind::Welcome, Lang::EnUs);
    let mail = mail_to("ada@example.org", &TenantSender::default(), &rendered);
    let err = mailer(port).send(&mail).unwrap_err();
    assert_eq!(err.kind, FailureKind::Temporary, "{err}");
    assert_eq!(err.code, None);
    assert!(!err.answer.is_empty());
    let check = mailer(port).check_connection().unwrap_err();
    assert_eq!(check.kind, FailureKind::Temporary);
}

#[test]
fn a_server_that_never_answers_times_out_as_a_temporary_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut settings = SmtpSettings::new("127.0.0.1", TlsMode::None);
    settings.port = listener.local_addr().unwrap().port();
    settings.timeout = Duration::from_millis(500);
    let rendered = rendered(Kind::Welcome, Lang::EnUs);
    let mail = mail_to("ada@example.org", &TenantSender::default(), &rendered);
    let started = Instant::now();
    let err = Mailer::new(&settings).unwrap().send(&mail).unwrap_err();
    assert_eq!(err.kind, FailureKind::Temporary, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(listener);
}

#[test]
fn the_connection_check_greets_a_working_server() {
    let server = SmtpServer::start();
    mailer(server.port).check_connection().unwrap();
    assert!(server.received().is_empty());
}

#[test]
fn starttls_mode_sends_nothing_to_a_server_without_starttls() {
    let server = SmtpServer::start();
    let mut settings = SmtpSettings::new("127.0.0.1", TlsMode::StartTls);
    settings.port = server.port;
    settings.timeout = Duration::from_secs(10);
    let rendered = rendered(Kind::PasswordReset, Lang::EnUs);
    let mail = mail_to("ada@example.org", &TenantSender::default(), &rendered);
    let err = Mailer::new(&settings).unwrap().send(&mail).unwrap_err();
    assert_eq!(err.kind, FailureKind::Temporary, "{err}");
    assert!(server.received().is_empty());
}
