//! A tenant's own mail templates (issue 20): saved per kind and language through the API,
//! checked when saved (a template that does not parse or render is refused with the reason and
//! the line), used for the next mail through a real SMTP server, deleted to bring the built-in
//! ones back; the tenant's `mailLanguage` for messages that name no language; bad input and
//! another tenant's key refused.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::delivery::{mail_to, outbox, server, settled, welcomed_user};
use crate::support::smtp::{arrived, SmtpServer};
use crate::support::{assert_error, Api, Server, TenantApi};

/// The largest template the API takes (`MAX_MAIL_TEMPLATE_BYTES`).
const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

/// A welcome template set that renders with and without a password link.
fn welcome(greeting: &str) -> Value {
    json!({
        "subject": format!("{greeting} {{{{ firstName }}}}, from {{{{ brand.name }}}}"),
        "text": format!(
            "{greeting} {{{{ firstName }}}}!\n\
             {{% if setPasswordLink is defined %}}Set your password: {{{{ setPasswordLink }}}}{{% endif %}}\n"
        ),
        "html": format!("<p>{greeting} <b>{{{{ firstName }}}}</b></p>"),
    })
}

/// The subject, the text part and the HTML part of a received mail.
fn parts(mail: &Value) -> (String, String, String) {
    let part = |i: usize| mail["parts"][i]["content"].as_str().unwrap().to_string();
    (
        mail["headers"]["Subject"].as_str().unwrap().to_string(),
        part(0),
        part(1),
    )
}

#[tokio::test]
async fn a_saved_template_is_used_for_the_next_mail_and_deleting_it_restores_the_built_in() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &[]);
    let t = server.tenant("acme").await;
    let (status, saved) = t
        .put("/mail-templates/welcome/en_US", welcome("Hello"))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["kind"], "welcome");
    assert_eq!(saved["lang"], "en_US");
    assert_eq!(saved["subject"], welcome("Hello")["subject"]);
    assert!(saved["updatedAt"].is_string(), "{saved}");
    let (status, read) = t.get("/mail-templates/welcome/en_US").await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read, saved);
    let (status, list) = t.get("/mail-templates").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list, json!({"items": [saved]}));

    welcomed_user(&t, "pat@example.com").await;
    let received = arrived(&smtp, 1).await;
    let (subject, text, html) = parts(mail_to(&received, "pat@example.com"));
    assert_eq!(subject, "Hello Pat, from acme");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    assert_eq!(lines[0], "Hello Pat!", "{text}");
    assert!(lines[1].starts_with("Set your password: http"), "{text}");
    assert!(html.contains("<p>Hello <b>Pat</b></p>"), "{html}");

    // Saved again: replaced.
    let (status, again) = t.put("/mail-templates/welcome/en_US", welcome("Hi")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let (_, list) = t.get("/mail-templates").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["subject"], welcome("Hi")["subject"]);

    let (status, body) = t.delete("/mail-templates/welcome/en_US").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_error(
        t.get("/mail-templates/welcome/en_US").await,
        StatusCode::NOT_FOUND,
        "mail_template_not_found",
    );
    assert_error(
        t.delete("/mail-templates/welcome/en_US").await,
        StatusCode::NOT_FOUND,
        "mail_template_not_found",
    );
    assert_eq!(t.get("/mail-templates").await.1, json!({"items": []}));
    welcomed_user(&t, "sam@example.com").await;
    let received = arrived(&smtp, 2).await;
    let (subject, text, _) = parts(mail_to(&received, "sam@example.com"));
    assert_eq!(subject, "Welcome to acme", "the built-in subject again");
    assert!(!text.contains("Hello Sam"), "{text}");
}

#[tokio::test]
async fn the_mail_language_setting_is_used_when_a_message_names_none() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &[]);
    let t = server.tenant("acme").await;
    let (_, settings) = t.get("/settings").await;
    assert_eq!(settings["mailLanguage"], "en_US", "{settings}");
    let (status, settings) = t.patch("/settings", json!({"mailLanguage": "tr_TR"})).await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["mailLanguage"], "tr_TR");

    welcomed_user(&t, "ayse@example.com").await;
    let received = arrived(&smtp, 1).await;
    let mail = mail_to(&received, "ayse@example.com");
    assert_eq!(mail["headers"]["Content-Language"], "tr-TR", "{mail}");
    let (subject, _, _) = parts(mail);
    assert_eq!(subject, "acme hesabınız hazır");

    // The tenant's own templates in that language are the ones used; its English ones are not.
    let (status, body) = t
        .put("/mail-templates/welcome/en_US", welcome("Hello"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = t
        .put("/mail-templates/welcome/tr_TR", welcome("Merhaba"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    welcomed_user(&t, "mehmet@example.com").await;
    let received = arrived(&smtp, 2).await;
    let mail = mail_to(&received, "mehmet@example.com");
    assert_eq!(mail["headers"]["Content-Language"], "tr-TR", "{mail}");
    let (subject, text, _) = parts(mail);
    assert_eq!(subject, "Merhaba Pat, from acme");
    assert!(text.starts_with("Merhaba Pat!"), "{text}");

    // Back to English.
    let (status, _) = t.patch("/settings", json!({"mailLanguage": "en_US"})).await;
    assert_eq!(status, StatusCode::OK);
    welcomed_user(&t, "lee@example.com").await;
    let received = arrived(&smtp, 3).await;
    let mail = mail_to(&received, "lee@example.com");
    assert_eq!(mail["headers"]["Content-Language"], "en-US", "{mail}");
    assert_eq!(parts(mail).0, "Hello Pat, from acme");
}

#[tokio::test]
async fn a_language_mail_is_not_written_in_is_refused_and_changes_nothing() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, before) = t.patch("/settings", json!({"mailLanguage": "tr_TR"})).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    for bad in [
        json!({"mailLanguage": "de_DE"}),
        json!({"mailLanguage": "tr"}),
        json!({"mailLanguage": "en_us"}),
        json!({"mailLanguage": ""}),
        json!({"mailLanguage": "x".repeat(10_000)}),
        // A good value beside a bad one is not kept either.
        json!({"passwordMinLength": 12, "mailLanguage": "fr_FR"}),
    ] {
        let (status, body) = t.patch("/settings", bad.clone()).await;
        assert_error(
            (status, body.clone()),
            StatusCode::BAD_REQUEST,
            "invalid_setting",
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("en_US, tr_TR"), "{bad}: {message}");
        assert!(message.len() < 300, "{message}");
    }
    assert_error(
        t.patch("/settings", json!({"mailLanguage": 5})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_eq!(t.get("/settings").await.1, before);
}

/// Saves `body` as the tenant's password reset templates in English; answers the refusal's
/// message, after checking it is a 400 `invalid_mail_template`.
async fn refused_template(t: &TenantApi, body: Value) -> String {
    let (status, answer) = t.put("/mail-templates/password_reset/en_US", body).await;
    assert_error(
        (status, answer.clone()),
        StatusCode::BAD_REQUEST,
        "invalid_mail_template",
    );
    answer["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_template_that_does_not_parse_or_render_is_refused_with_the_reason_and_the_line() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let good_text = "Hi {{ firstName }}, open {{ link }} before {{ expiresAt | datetime }}.";

    // A syntax error: the block is never closed.
    let message = refused_template(
        &t,
        json!({
            "subject": "Reset",
            "text": good_text,
            "html": "<p>Hello</p>\n{% if link %}<a href=\"{{ link }}\">Reset</a>\n<p>Bye</p>",
        }),
    )
    .await;
    assert!(message.contains("HTML part"), "{message}");
    assert!(message.contains("does not parse"), "{message}");
    assert!(message.contains("line "), "{message}");

    // A value the kind's messages never have.
    let message = refused_template(
        &t,
        json!({
            "subject": "Reset",
            "text": "Hi {{ firstName }},\nyour code is {{ resetCode }}.",
            "html": "<p>x</p>",
        }),
    )
    .await;
    assert!(message.contains("text part"), "{message}");
    assert!(message.contains("`resetCode` is undefined"), "{message}");
    assert!(message.contains("line 2"), "{message}");

    // A broken subject, and one that renders to nothing.
    let message = refused_template(
        &t,
        json!({"subject": "{{ brand.name ", "text": good_text, "html": "<p>x</p>"}),
    )
    .await;
    assert!(message.contains("subject"), "{message}");
    let message = refused_template(
        &t,
        json!({"subject": "  ", "text": good_text, "html": "<p>x</p>"}),
    )
    .await;
    assert!(message.contains("subject is empty"), "{message}");

    // An unknown filter.
    let message = refused_template(
        &t,
        json!({"subject": "Reset", "text": "{{ link | shout }}", "html": "<p>x</p>"}),
    )
    .await;
    assert!(message.contains("text part"), "{message}");

    // Nothing was saved.
    assert_eq!(t.get("/mail-templates").await.1, json!({"items": []}));
    // The good one is taken.
    let (status, body) = t
        .put(
            "/mail-templates/password_reset/en_US",
            json!({"subject": "Reset", "text": good_text, "html": "<p>{{ link }}</p>"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn oversized_templates_and_unknown_kinds_and_languages_are_refused() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let at_bound = "x".repeat(MAX_TEMPLATE_BYTES);
    let (status, body) = t
        .put(
            "/mail-templates/password_changed/en_US",
            json!({"subject": "Changed", "text": at_bound, "html": "<p>x</p>"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "at the bound: {}", body["error"]);
    for part in ["subject", "text", "html"] {
        let mut body = json!({"subject": "Changed", "text": "x", "html": "<p>x</p>"});
        body[part] = json!("y".repeat(MAX_TEMPLATE_BYTES + 1));
        let (status, answer) = t.put("/mail-templates/password_changed/tr_TR", body).await;
        assert_error(
            (status, answer.clone()),
            StatusCode::BAD_REQUEST,
            "mail_template_too_large",
        );
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(part), "{message}");
        assert!(
            message.contains(&MAX_TEMPLATE_BYTES.to_string()),
            "{message}"
        );
    }
    // Multi-byte characters count as their bytes.
    let (status, answer) = t
        .put(
            "/mail-templates/password_changed/tr_TR",
            json!({"subject": "S", "text": "ş".repeat(MAX_TEMPLATE_BYTES / 2 + 1), "html": "x"}),
        )
        .await;
    assert_error(
        (status, answer),
        StatusCode::BAD_REQUEST,
        "mail_template_too_large",
    );

    let good = json!({"subject": "S", "text": "x", "html": "x"});
    let (status, answer) = t
        .put("/mail-templates/newsletter/en_US", good.clone())
        .await;
    assert_error(
        (status, answer.clone()),
        StatusCode::BAD_REQUEST,
        "unknown_mail_template_kind",
    );
    let message = answer["error"]["message"].as_str().unwrap();
    for kind in [
        "welcome",
        "password_reset",
        "activation_code",
        "password_reset_code",
    ] {
        assert!(message.contains(kind), "{message}");
    }
    let (status, answer) = t.put("/mail-templates/welcome/de_DE", good.clone()).await;
    assert_error(
        (status, answer.clone()),
        StatusCode::BAD_REQUEST,
        "unsupported_mail_language",
    );
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("en_US, tr_TR"), "{message}");
    for path in [
        "/mail-templates/newsletter/en_US",
        "/mail-templates/newsletter/en_US/default",
        "/mail-templates/welcome/tr",
        "/mail-templates/welcome/tr/default",
    ] {
        let (status, answer) = t.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
        let (status, answer) = t.delete(path).await;
        assert!(
            matches!(
                status,
                StatusCode::BAD_REQUEST | StatusCode::METHOD_NOT_ALLOWED
            ),
            "{path}: {answer}"
        );
    }
    let (_, list) = t.get("/mail-templates").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

#[tokio::test]
async fn bad_bodies_are_refused_with_the_apis_error_shape() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let path = "/mail-templates/welcome/en_US";
    let raw = |body: &str| {
        t.raw(
            reqwest::Method::PUT,
            path,
            "application/json",
            body.as_bytes().to_vec(),
        )
    };
    assert_error(
        raw("{\"subject\": \"S\", ").await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    assert_error(
        raw("[\"S\", \"T\", \"H\"]").await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_error(raw("\"S\"").await, StatusCode::BAD_REQUEST, "invalid_body");
    for bad in [
        json!({"subject": 5, "text": "T", "html": "H"}),
        json!({"subject": "S", "text": ["T"], "html": "H"}),
        json!({"subject": "S", "text": "T", "html": null}),
        json!({"subject": "S", "text": "T"}),
        json!({"subject": "S", "text": "T", "html": "H", "from": "x@example.com"}),
        json!({}),
    ] {
        assert_error(
            t.put(path, bad.clone()).await,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        );
    }
    assert_error(
        t.raw(reqwest::Method::PUT, path, "text/plain", b"{}".to_vec())
            .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_eq!(t.get("/mail-templates").await.1, json!({"items": []}));
}

#[tokio::test]
async fn another_tenants_key_can_neither_read_nor_write_the_templates() {
    let server = Server::start();
    let a = server.tenant("alpha").await;
    let b = server.tenant("beta").await;
    let (status, body) = a
        .put("/mail-templates/welcome/en_US", welcome("Hello"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let b_on_a = Api::new(&server.base_url, Some(&b.key)).scoped("/v1/tenants/alpha");
    for (status_body, what) in [
        (b_on_a.get("/mail-templates").await, "list"),
        (b_on_a.get("/mail-templates/welcome/en_US").await, "read"),
        (
            b_on_a.get("/mail-templates/welcome/en_US/default").await,
            "built-in",
        ),
        (
            b_on_a
                .put("/mail-templates/welcome/en_US", welcome("Hacked"))
                .await,
            "save",
        ),
        (
            b_on_a.delete("/mail-templates/welcome/en_US").await,
            "delete",
        ),
    ] {
        let (status, body) = status_body;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
        assert_eq!(body["error"]["code"], "forbidden", "{what}: {body}");
    }
    let anonymous = server.anonymous().scoped("/v1/tenants/alpha");
    assert_eq!(
        anonymous.get("/mail-templates").await.0,
        StatusCode::UNAUTHORIZED
    );
    // The template is alpha's, unchanged; beta has none of its own.
    let (_, read) = a.get("/mail-templates/welcome/en_US").await;
    assert_eq!(read["subject"], welcome("Hello")["subject"]);
    assert_eq!(b.get("/mail-templates").await.1, json!({"items": []}));
    assert_error(
        b.get("/mail-templates/welcome/en_US").await,
        StatusCode::NOT_FOUND,
        "mail_template_not_found",
    );
}

#[tokio::test]
async fn the_built_in_templates_are_shown_to_start_from_and_saved_unchanged_they_pass() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, built_in) = t.get("/mail-templates/password_reset/tr_TR/default").await;
    assert_eq!(status, StatusCode::OK, "{built_in}");
    assert_eq!(built_in["kind"], "password_reset");
    assert_eq!(built_in["lang"], "tr_TR");
    let html = built_in["html"].as_str().unwrap();
    assert!(html.contains("tr_TR/layout.html"), "{html}");
    assert!(
        built_in["text"].as_str().unwrap().contains("{{ link }}"),
        "{built_in}"
    );
    let body = json!({
        "subject": built_in["subject"],
        "text": built_in["text"],
        "html": built_in["html"],
    });
    let (status, saved) = t.put("/mail-templates/password_reset/tr_TR", body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["html"], built_in["html"]);
}

#[tokio::test]
async fn a_template_that_fails_for_a_real_message_fails_it_for_good_with_the_reason() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &[]);
    let t = server.tenant("acme").await;
    // Renders for the sample data the check uses (firstName "Ada"), not for anyone else's.
    let (status, body) = t
        .put(
            "/mail-templates/welcome/en_US",
            json!({
                "subject": "Welcome",
                "text": "Hi {{ firstName }}\n{% if firstName != \"Ada\" %}{{ nickname }}{% endif %}",
                "html": "<p>Hi</p>",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    welcomed_user(&t, "pat@example.com").await;
    let messages = settled(&t, |m| m.iter().all(|m| m["status"] != "pending")).await;
    let failed = &messages[0];
    assert_eq!(failed["status"], "failed", "{failed}");
    let error = failed["lastError"].as_str().unwrap();
    assert!(error.contains("tenant's own templates"), "{error}");
    assert!(error.contains("`nickname` is undefined"), "{error}");
    assert!(smtp.received().is_empty());

    // The built-in ones again once it is deleted: the next message is sent.
    let (status, _) = t.delete("/mail-templates/welcome/en_US").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    welcomed_user(&t, "sam@example.com").await;
    arrived(&smtp, 1).await;
    let sent = outbox(&t).await;
    assert!(sent
        .iter()
        .any(|m| m["recipient"] == "sam@example.com" && m["status"] == "sent"));
}

#[tokio::test]
async fn a_tenants_templates_go_with_it() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, body) = t
        .put("/mail-templates/welcome/tr_TR", welcome("Merhaba"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server.operator().delete("/v1/tenants/acme").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let again = server.tenant("acme").await;
    assert_eq!(again.get("/mail-templates").await.1, json!({"items": []}));
}
