//! The pages in a real headless Chromium, as people use them: from the invitation mail's link
//! (through a real SMTP server) to a password, sign-in, the profile form with a validator
//! plugin's violation shown at its field, and sign-out; the confirmation-code step of an
//! unsigned link; forgotten password from its mail to a new password; a locked account's
//! message; the app-link landing; another language; keyboard use. Screenshots of each page are
//! kept as test artifacts.

use std::time::Duration;

use portico_test_browser::{Browser, Options};
use reqwest::StatusCode;
use serde_json::json;

use crate::forms::create_form;
use crate::plugins::upload;
use crate::portal::{id, profile, publish, registered_user};
use crate::support::smtp::{arrived, serve_args, SmtpServer};
use crate::support::{Api, Server, TenantApi};

const WAIT: Duration = Duration::from_secs(10);

/// A server mailing through `smtp`.
fn mailing_server(smtp: &SmtpServer) -> Server {
    let args = serve_args(smtp);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_args(&args)
}

/// Tenant `acme`: published as "Acme partners", a profile form whose `nickname` the example
/// validator plugin limits to 5 characters, and the auth provider on it.
async fn portal(server: &Server) -> TenantApi {
    let t = server.tenant("acme").await;
    publish(&t).await;
    t.patch(
        "/portal/settings",
        json!({"loginTitle": "Acme partners", "primaryColor": "#0a7d55"}),
    )
    .await;
    upload(&t, "validator", "example_field_validator").await;
    let (status, b) = t
        .post("/plugin-bindings", json!({"plugin": "validator", "interface": "field-validator", "target": "*", "settings": {}, "failurePolicy": "fail-closed"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let options = json!([{"title": "Red", "value": "red"}, {"title": "Green", "value": "green"}]);
    create_form(&t, json!({
        "identifier": "profile",
        "fields": [
            {"marker": "email", "type": "string"},
            {"marker": "password", "type": "string"},
            {"marker": "nickname", "type": "string", "label": {"en_US": "Nickname", "tr_TR": "Takma ad"}, "validators": {"maxLength": 5}},
            {"marker": "age", "type": "integer", "label": {"en_US": "Age"}},
            {"marker": "birthday", "type": "date", "label": {"en_US": "Birthday"}},
            {"marker": "colour", "type": "radioButton", "label": {"en_US": "Colour"}, "settings": {"options": options}},
        ],
        "loginMarker": "email",
        "passwordMarker": "password",
    }))
    .await;
    let provider = json!({"identifier": "email", "type": "email", "formIdentifier": "profile", "isActive": true, "isCheckCode": false, "selfSignup": false});
    let (status, body) = t.post("/auth-providers", provider).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    t
}

/// The first link to the tenant's pages in the newest mail to `to`.
async fn link_in_mail(smtp: &SmtpServer, count: usize, to: &str, base: &str) -> String {
    let mails = arrived(smtp, count).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m["rcptTos"] == json!([to]))
        .expect("a mail");
    let text = mail["parts"][0]["content"].as_str().unwrap();
    let start = text.find(&format!("{base}/portal/acme/")).expect("a link");
    let end = text[start..]
        .find(char::is_whitespace)
        .map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

/// The code in the newest mail to `to`: its 8-digit line.
async fn code_in_mail(smtp: &SmtpServer, count: usize, to: &str) -> String {
    let mails = arrived(smtp, count).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m["rcptTos"] == json!([to]))
        .expect("a mail");
    let text = mail["parts"][0]["content"].as_str().unwrap();
    text.lines()
        .map(str::trim)
        .find(|l| l.len() == 8 && l.bytes().all(|b| b.is_ascii_digit()))
        .expect("a code")
        .to_string()
}

async fn sign_in(browser: &Browser, email: &str, password: &str) {
    browser.fill("#email", email).await;
    browser.fill("#password", password).await;
    browser.submit_form("#sign-in").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn from_the_invitation_mail_to_the_profile_and_out() {
    let smtp = SmtpServer::start();
    let server = mailing_server(&smtp);
    let t = portal(&server).await;
    let p = profile(&t, "pat@example.com").await;
    let (status, _) = t.post("/portal/users", json!({"profileId": id(&p)})).await;
    assert_eq!(status, StatusCode::CREATED);
    let link = link_in_mail(&smtp, 1, "pat@example.com", &server.base_url).await;

    let browser = Browser::start("portal_invitation_flow").await.unwrap();
    browser.goto(&link).await;
    let url = browser.current_url().await;
    assert!(
        url.ends_with("/portal/acme/signup") && !url.contains("psu_"),
        "{url}"
    );
    assert!(!browser.page_source().await.contains("psu_"));
    assert!(browser.text("main").await.contains("pat@example.com"));
    browser.screenshot("signup").await;
    browser.fill("#password", "portal-password").await;
    browser.fill("#password2", "portal-password").await;
    browser.submit_form("#register").await;

    // Sign-in shows the portal's title and the sign-up's notice.
    assert_eq!(browser.text("h1").await, "Acme partners");
    assert!(browser
        .text("#notice")
        .await
        .contains("Your account is ready"));
    browser.screenshot("sign-in").await;
    sign_in(&browser, "pat@example.com", "portal-password").await;
    assert!(browser
        .current_url()
        .await
        .ends_with("/portal/acme/profile"));
    for cookie in browser
        .cookies()
        .await
        .iter()
        .filter(|c| c.name.starts_with("portico_"))
    {
        assert!(cookie.http_only, "{cookie:?}");
        assert_eq!(cookie.same_site.as_deref(), Some("Lax"), "{cookie:?}");
    }
    assert_eq!(
        browser.execute("return document.cookie").await,
        json!(""),
        "no cookie reaches a script"
    );
    browser.screenshot("profile").await;

    // A nickname the validator plugin refuses: the violation is at the field, nothing saved.
    browser.fill("#f-nickname", "far-too-long").await;
    browser.fill("#f-age", "41").await;
    browser.click("#f-colour-2").await;
    browser.submit_form("#save").await;
    browser.wait_for("#f-nickname-error", WAIT).await;
    assert!(browser.text("#alert").await.contains("nothing was saved"));
    assert_eq!(
        browser
            .attribute("#f-nickname", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        browser.attribute("#f-nickname", "value").await.as_deref(),
        Some("far-too-long")
    );
    browser.screenshot("profile-violation").await;

    // Fixed, it saves, and the page shows what was stored.
    browser.fill("#f-nickname", "pat").await;
    browser.submit_form("#save").await;
    assert!(browser.text("#notice").await.contains("saved"));
    assert!(browser.find_all_text("#f-nickname-error").await.is_empty());
    assert_eq!(
        browser.attribute("#f-age", "value").await.as_deref(),
        Some("41")
    );
    browser.screenshot("profile-saved").await;

    browser.submit_form("#sign-out").await;
    assert!(browser.current_url().await.contains("/portal/acme/sign-in"));
    assert!(browser.text("#notice").await.contains("signed out"));
    browser
        .goto(&format!("{}/portal/acme/profile", server.base_url))
        .await;
    assert!(
        browser
            .current_url()
            .await
            .ends_with("/portal/acme/sign-in"),
        "signed out for good"
    );
    browser.screenshot("signed-out").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsigned_link_asks_for_the_mailed_code() {
    let smtp = SmtpServer::start();
    let server = mailing_server(&smtp);
    let t = portal(&server).await;
    let p = profile(&t, "sam@example.com").await;
    let (_, link) = t
        .post(
            "/portal/signup-urls",
            json!({"profileId": id(&p), "withSign": false}),
        )
        .await;
    let browser = Browser::start("portal_unsigned_link").await.unwrap();
    browser.goto(link["url"].as_str().unwrap()).await;
    browser.submit_form("#send-code").await;
    assert!(browser.text("#notice").await.contains("sam@example.com"));
    let code = code_in_mail(&smtp, 1, "sam@example.com").await;
    browser.screenshot("code-sent").await;
    // A wrong code is shown at its field; the right one registers.
    browser.fill("#code", "00000000").await;
    browser.fill("#password", "sams-password").await;
    browser.fill("#password2", "sams-password").await;
    browser.submit_form("#register").await;
    browser.wait_for("#code-error", WAIT).await;
    browser.screenshot("wrong-code").await;
    browser.fill("#code", &code).await;
    browser.fill("#password", "sams-password").await;
    browser.fill("#password2", "sams-password").await;
    browser.submit_form("#register").await;
    assert!(browser
        .text("#notice")
        .await
        .contains("Your account is ready"));
    sign_in(&browser, "sam@example.com", "sams-password").await;
    assert!(browser
        .current_url()
        .await
        .ends_with("/portal/acme/profile"));
}

#[tokio::test(flavor = "multi_thread")]
async fn forgotten_password_from_the_mail_to_a_new_password_and_a_lock() {
    let smtp = SmtpServer::start();
    let server = mailing_server(&smtp);
    let t = portal(&server).await;
    t.patch(
        "/portal/settings",
        json!({"maxFailedSignIns": 2, "lockoutSeconds": 900}),
    )
    .await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let browser = Browser::start("portal_forgotten_password").await.unwrap();
    browser
        .goto(&format!("{}/portal/acme/sign-in", server.base_url))
        .await;
    browser.click("#forgot-link").await;
    browser.wait_for("#send-link", WAIT).await;
    browser.screenshot("forgot").await;
    browser.fill("#email", "pat@example.com").await;
    browser.submit_form("#send-link").await;
    assert!(browser.text("#message").await.contains("pat@example.com"));
    let link = link_in_mail(&smtp, 1, "pat@example.com", &server.base_url).await;
    browser.goto(&link).await;
    assert!(
        browser.current_url().await.ends_with("/portal/acme/reset"),
        "no code in the address"
    );
    browser.screenshot("reset").await;
    browser.fill("#password", "a-new-password").await;
    browser.fill("#password2", "a-new-password").await;
    browser.submit_form("#save-password").await;
    assert!(browser.text("#notice").await.contains("password is saved"));
    // The old password no longer works; two failures lock the account, and the page says for
    // how long.
    sign_in(&browser, "pat@example.com", "portal-password").await;
    assert_eq!(browser.text("#alert").await, "Wrong email or password.");
    sign_in(&browser, "pat@example.com", "portal-password").await;
    assert!(
        browser
            .text("#alert")
            .await
            .contains("Try again in 15 minute(s)"),
        "{}",
        browser.text("#alert").await
    );
    browser.screenshot("locked").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_link_lands_signed_in_with_no_token_left_in_the_address() {
    let server = Server::start();
    let t = portal(&server).await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (_, tokens) = anon
        .post(
            "/portal/sessions",
            json!({"email": "pat@example.com", "password": "portal-password"}),
        )
        .await;
    let me = Api::new(&server.base_url, tokens["accessToken"].as_str()).scoped("/v1/tenants/acme");
    let (_, url) = me
        .post("/portal/me/app-url", json!({"withAuthToken": true}))
        .await;
    let url = url["url"].as_str().unwrap().to_string();

    let browser = Browser::start("portal_app_link").await.unwrap();
    browser.goto(&url).await;
    let landed = browser.current_url().await;
    assert!(
        landed.ends_with("/portal/acme/profile") && !landed.contains("authToken"),
        "{landed}"
    );
    let history = browser
        .execute("return window.location.href + ' ' + document.referrer")
        .await;
    assert!(!history.to_string().contains("pap_"), "{history}");
    assert!(browser
        .text("#signed-in-as")
        .await
        .contains("pat@example.com"));
    browser.screenshot("landed").await;
    // Change password from the profile, by keyboard-reachable links and forms.
    browser.click("#change-password-link").await;
    browser.wait_for("#change-password", WAIT).await;
    browser.screenshot("change-password").await;
    browser.fill("#current", "portal-password").await;
    browser.fill("#password", "a-changed-password").await;
    browser.fill("#password2", "a-changed-password").await;
    browser.submit_form("#change-password").await;
    assert!(browser
        .text("#notice")
        .await
        .contains("password is changed"));
    // Used once: the same link again leads to sign-in.
    browser.submit_form("#sign-out").await;
    browser.goto(&url).await;
    assert!(browser.current_url().await.contains("/portal/acme/sign-in"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_follow_the_browsers_language_and_the_keyboard() {
    let server = Server::start();
    let _t = portal(&server).await;
    let options = Options {
        accept_language: Some("tr-TR,tr".into()),
        ..Options::default()
    };
    let browser = Browser::start_with("portal_language_keyboard", options)
        .await
        .unwrap();
    browser
        .goto(&format!("{}/portal/acme/sign-in", server.base_url))
        .await;
    assert_eq!(
        browser.attribute("html", "lang").await.as_deref(),
        Some("tr")
    );
    assert_eq!(browser.text("#sign-in").await, "Giriş yap");
    browser.screenshot("sign-in-tr").await;
    // Every control is reached with Tab, in reading order, after the skip link.
    let order = browser.focus_order(7).await;
    let position = |id: &str| {
        order
            .iter()
            .position(|o| o == id)
            .unwrap_or_else(|| panic!("{id} not reached: {order:?}"))
    };
    assert!(position("email") < position("password"), "{order:?}");
    assert!(position("password") < position("sign-in"), "{order:?}");
    // The language switch wins over the browser's and is remembered.
    browser.click("a[hreflang=en]").await;
    browser.wait_for("html[lang=en]", WAIT).await;
    browser
        .goto(&format!("{}/portal/acme/forgot", server.base_url))
        .await;
    assert_eq!(browser.text("h1").await, "Forgot your password");
}
