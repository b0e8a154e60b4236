//! Every notification kind through the real SMTP server: the right recipient, the tenant's
//! mail language, and a link (where the kind carries one) that opens its page.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::delivery::{server, settled};
use crate::oneentry::{app, EMAIL};
use crate::pages::PageClient;
use crate::portal::{id, profile};
use crate::support::smtp::{arrived, SmtpServer};
use crate::support::Api;

/// The first link to the tenant's pages in `text`.
fn page_link(text: &str, base: &str) -> Option<String> {
    let start = text.find(&format!("{base}/portal/acme/"))?;
    let end = text[start..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .map_or(text.len(), |e| start + e);
    Some(text[start..end].to_string())
}

#[tokio::test]
async fn every_kind_arrives_in_the_tenants_language_with_a_link_to_its_page() {
    let smtp = SmtpServer::start();
    let server = server(&smtp, &[]);
    let app = app(&server, "acme").await;
    let t = &app.tenant;
    let (status, _) = t.patch("/settings", json!({"mailLanguage": "tr_TR"})).await;
    assert_eq!(status, StatusCode::OK);
    // The portal's display name names the tenant in its mails.
    let (status, _) = t
        .patch("/portal/settings", json!({"displayName": "Acme partners"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let users = t.get("/users?limit=10").await.1;
    let pat = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == EMAIL)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // welcome (with a set-password link), portal_invitation, signup_confirmation,
    // password_reset, password_changed, password_reset_code, activation_code.
    let (status, user) = t
        .post(
            "/users",
            json!({"email": "new@example.com", "firstName": "New", "lastName": "User", "sendWelcomeEmail": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let invited = profile(t, "inv@example.com").await;
    t.post("/portal/users", json!({"profileId": id(&invited)}))
        .await;
    let confirming = profile(t, "conf@example.com").await;
    let (_, link) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": id(&confirming), "withSign": false}),
        )
        .await;
    let token = link["url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string();
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (status, _) = anon
        .post("/portal/signup/confirmation", json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, reset) = t
        .post(
            &format!("/users/{pat}/reset-password"),
            json!({"notifyUser": false}),
        )
        .await;
    let (status, _) = anon
        .post(
            "/password-reset",
            json!({"code": reset["resetCode"], "newPassword": "another-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // A second reset, mailed: its link stays live for the page below.
    let (status, _) = t
        .post(
            &format!("/users/{pat}/reset-password"),
            json!({"notifyUser": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (email, event) in [(EMAIL, "password_reset"), ("inv@example.com", "activation")] {
        let rb = Api::new(&app.base, None)
            .request(
                Method::POST,
                "/api/content/users-auth-providers/marker/email/users/generate-code",
            )
            .header("x-app-token", &app.app_token)
            .json(&json!({"userIdentifier": email, "eventIdentifier": event}));
        assert_eq!(Api::send(rb).await.0, StatusCode::OK);
    }

    let kinds = [
        "welcome",
        "portal_invitation",
        "signup_confirmation",
        "password_reset",
        "password_changed",
        "password_reset_code",
        "activation_code",
    ];
    let messages = settled(t, |m| m.iter().all(|m| m["status"] != "pending")).await;
    let mails = arrived(&smtp, kinds.len()).await;
    for kind in kinds {
        let message = messages
            .iter()
            .find(|m| m["template"] == kind)
            .unwrap_or_else(|| panic!("no {kind}: {messages:?}"));
        assert_eq!(message["status"], "sent", "{message}");
        let recipient = message["recipient"].as_str().unwrap();
        let subject_of = |m: &Value| {
            m["headers"]["Subject"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        let mail: &Value = mails
            .iter()
            .find(|m| {
                m["headers"]["Message-ID"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(message["id"].as_str().unwrap())
            })
            .unwrap_or_else(|| panic!("{kind} did not arrive"));
        assert_eq!(mail["rcptTos"], json!([recipient]), "{kind}: {mail}");
        assert!(!subject_of(mail).is_empty(), "{kind}");
        if kind == "portal_invitation" {
            assert_eq!(subject_of(mail), "Davet: Acme partners");
        }
        let html = mail["parts"][1]["content"].as_str().unwrap_or_default();
        assert!(
            html.contains("<html lang=\"tr\">"),
            "{kind} in Turkish: {html}"
        );
        let text = mail["parts"][0]["content"].as_str().unwrap();
        let link = page_link(text, &server.base_url);
        let carries_link = ["welcome", "portal_invitation", "password_reset"].contains(&kind);
        assert_eq!(link.is_some(), carries_link, "{kind}: {text}");
        if let Some(link) = link {
            // The link lands (its secret into a cookie), then its page opens for the recipient.
            let mut visitor = PageClient::new(&server.base_url);
            let landing = visitor.get(&link).await;
            assert_eq!(landing.status, StatusCode::SEE_OTHER, "{kind}: {link}");
            assert!(
                !landing.location().contains('?'),
                "{kind}: {}",
                landing.location()
            );
            let page = visitor.get(landing.location()).await;
            assert_eq!(page.status, StatusCode::OK, "{kind}: {}", page.body);
            assert!(page.body.contains(recipient), "{kind}: {}", page.body);
        }
    }
}
