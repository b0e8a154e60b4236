//! The pages answer by hand-made requests: security headers, CSRF, link landings that leave no
//! secret in the URL, languages, branding, forgotten password, lockout.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{Answer, PageClient};
use crate::portal::{id, profile, publish, registered_user};
use crate::support::{Server, TenantApi};

/// Every page answer carries these, exactly.
fn assert_secure_headers(a: &Answer) {
    let h = |name: &str| {
        a.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let csp = h("content-security-policy");
    for directive in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "style-src 'self'",
    ] {
        assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
    }
    assert!(
        !csp.contains("script-src"),
        "no script is allowed at all: {csp}"
    );
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("referrer-policy"), "same-origin");
    assert_eq!(h("cache-control"), "no-store");
}

fn assert_strict_cookie(line: &str) {
    assert!(line.contains("HttpOnly"), "{line}");
    assert!(line.contains("SameSite=Lax"), "{line}");
    assert!(line.contains("Path=/portal/acme"), "{line}");
}

async fn portal(server: &Server) -> TenantApi {
    let t = server.tenant("acme").await;
    publish(&t).await;
    t
}

async fn outbox(t: &TenantApi) -> Vec<Value> {
    let (_, outbox) = t.get("/notifications").await;
    outbox["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_page_answers_with_the_security_headers() {
    let server = Server::start();
    let _t = portal(&server).await;
    let mut visitor = PageClient::new(&server.base_url);
    for path in [
        "/portal/acme/sign-in",
        "/portal/acme/forgot",
        "/portal/acme/signup",
        "/portal/acme/reset",
        "/portal/acme/profile",
        "/portal/acme/",
        "/portal/acme/nowhere",
        "/portal/nobody/sign-in",
        "/portal/acme/assets/portal.css",
    ] {
        let a = visitor.get(path).await;
        assert!(!a.status.is_server_error(), "{path}: {}", a.status);
        assert_secure_headers(&a);
    }
    // An unknown tenant and an unknown page are pages too, not JSON.
    let a = visitor.get("/portal/nobody/sign-in").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("<html"), "{}", a.body);
    let a = visitor.get("/portal/acme/nowhere").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // Signed out, the profile leads to sign-in.
    let a = visitor.get("/portal/acme/profile").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location(), "/portal/acme/sign-in");
}

#[tokio::test]
async fn cookies_are_secure_when_portico_is_reached_over_https() {
    let server = Server::start_args(&["--public-url", "https://portal.example.test"]);
    let _t = portal(&server).await;
    let mut visitor = PageClient::new(&server.base_url);
    let page = visitor.get("/portal/acme/sign-in").await;
    let cookie = page.set_cookie("portico_csrf").unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_strict_cookie(&cookie);
    // Over plain http (a local set-up) they could not be sent back if they were.
    let server = Server::start();
    let _t = portal(&server).await;
    let page = PageClient::new(&server.base_url)
        .get("/portal/acme/sign-in")
        .await;
    assert!(!page.set_cookie("portico_csrf").unwrap().contains("Secure"));
}

#[tokio::test]
async fn a_post_without_its_csrf_token_or_from_another_site_is_refused() {
    let server = Server::start();
    let t = portal(&server).await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let mut visitor = PageClient::new(&server.base_url);
    let page = visitor.get("/portal/acme/sign-in").await;
    let csrf_cookie = page.set_cookie("portico_csrf").expect("a CSRF cookie");
    assert_strict_cookie(&csrf_cookie);
    let csrf = page.hidden("csrf");
    assert_eq!(csrf.len(), 64);
    let creds = [
        ("email", "pat@example.com"),
        ("password", "portal-password"),
    ];

    // No token, a wrong one, and the right one from another site's page: refused, no session.
    let a = visitor.post("/portal/acme/sign-in", &creds).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("This form expired"), "{}", a.body);
    let wrong = [creds[0], creds[1], ("csrf", &"0".repeat(64))];
    assert_eq!(
        visitor.post("/portal/acme/sign-in", &wrong).await.status,
        StatusCode::FORBIDDEN
    );
    let right = [creds[0], creds[1], ("csrf", csrf.as_str())];
    let cross = visitor
        .post_with(
            "/portal/acme/sign-in",
            &right,
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert!(visitor.cookie("portico_session").is_none());

    // A body that is no form is refused clearly.
    let json_body = reqwest::Client::new()
        .post(format!("{}/portal/acme/sign-in", server.base_url))
        .json(&json!({"email": "pat@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // An oversized form is refused before it is read whole, as the API's bodies are.
    let huge = "x".repeat(300 * 1024);
    let a = visitor
        .post(
            "/portal/acme/sign-in",
            &[("csrf", csrf.as_str()), ("email", huge.as_str())],
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.body.contains("<html"), "a page: {}", a.body);

    // With its token it signs in: session cookies, strict, and on to the profile.
    let origin = server.base_url.clone();
    let a = visitor
        .post_with("/portal/acme/sign-in", &right, &[("origin", &origin)])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), "/portal/acme/profile");
    assert_strict_cookie(&a.set_cookie("portico_session").unwrap());
    assert_strict_cookie(&a.set_cookie("portico_refresh").unwrap());
    let profile = visitor.get("/portal/acme/profile").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("pat@example.com"));

    // Sign-out needs the token too.
    assert_eq!(
        visitor.post("/portal/acme/sign-out", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let a = visitor
        .post("/portal/acme/sign-out", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(a.location(), "/portal/acme/sign-in?notice=signed_out");
    assert_eq!(
        visitor.get("/portal/acme/profile").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_invitation_link_lands_without_its_token_in_the_address() {
    let server = Server::start();
    let t = portal(&server).await;
    let p = profile(&t, "pat@example.com").await;
    let (status, _) = t.post("/portal/users", json!({"profileId": id(&p)})).await;
    assert_eq!(status, StatusCode::CREATED);
    let invitation = outbox(&t)
        .await
        .into_iter()
        .find(|n| n["template"] == "portal_invitation")
        .unwrap();
    let link = invitation["data"]["signupLink"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        link.starts_with(&format!(
            "{}/portal/acme/signup?token=psu_",
            server.base_url
        )),
        "{link}"
    );

    let mut visitor = PageClient::new(&server.base_url);
    let landing = visitor.get(&link).await;
    assert_eq!(landing.status, StatusCode::SEE_OTHER);
    assert_eq!(
        landing.location(),
        "/portal/acme/signup",
        "the token leaves the address"
    );
    assert_strict_cookie(&landing.set_cookie("portico_signup").unwrap());
    let page = visitor.get("/portal/acme/signup").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("pat@example.com"));
    assert!(!page.body.contains("psu_"), "no token in the page");
    let csrf = page.hidden("csrf");

    // Passwords that differ, then too short: shown at the field; then registered.
    let differ = [
        ("csrf", csrf.as_str()),
        ("action", "register"),
        ("password", "a-long-password"),
        ("password2", "another-one"),
    ];
    let a = visitor.post("/portal/acme/signup", &differ).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("id=\"password2-error\""), "{}", a.body);
    let short = [
        ("csrf", csrf.as_str()),
        ("action", "register"),
        ("password", "short"),
        ("password2", "short"),
    ];
    let a = visitor.post("/portal/acme/signup", &short).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("id=\"password-error\""), "{}", a.body);
    let good = [
        ("csrf", csrf.as_str()),
        ("action", "register"),
        ("password", "portal-password"),
        ("password2", "portal-password"),
    ];
    let a = visitor.post("/portal/acme/signup", &good).await;
    assert_eq!(a.location(), "/portal/acme/sign-in?notice=signup_done");
    // The link is used up: landing on it again says so.
    visitor.get(&link).await;
    let again = visitor.get("/portal/acme/signup").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again
        .body
        .contains("invalid, has expired or was already used"));
}

#[tokio::test]
async fn an_app_link_trades_its_token_once_and_leaves_no_trace_of_it() {
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
    let me = crate::support::Api::new(&server.base_url, tokens["accessToken"].as_str())
        .scoped("/v1/tenants/acme");
    let (_, url) = me
        .post("/portal/me/app-url", json!({"withAuthToken": true}))
        .await;
    let url = url["url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&format!("{}/portal/acme/?authToken=pap_", server.base_url)),
        "{url}"
    );

    let mut visitor = PageClient::new(&server.base_url);
    let landing = visitor.get(&url).await;
    assert_eq!(landing.status, StatusCode::SEE_OTHER);
    assert_eq!(landing.location(), "/portal/acme/profile");
    assert!(visitor.cookie("portico_session").is_some());
    assert_eq!(
        visitor.get("/portal/acme/profile").await.status,
        StatusCode::OK
    );

    // Single use: a second visitor with the same link is sent to sign in.
    let mut other = PageClient::new(&server.base_url);
    let reused = other.get(&url).await;
    assert_eq!(
        reused.location(),
        "/portal/acme/sign-in?notice=session_ended"
    );
    assert!(other.cookie("portico_session").is_none());
}

#[tokio::test]
async fn pages_speak_the_visitors_language() {
    let server = Server::start();
    let _t = portal(&server).await;
    let mut visitor = PageClient::new(&server.base_url);
    let en = visitor.get("/portal/acme/forgot").await;
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Forgot your password"));
    let tr = visitor
        .get_with(
            "/portal/acme/forgot",
            &[("accept-language", "tr-TR,tr;q=0.9,en;q=0.5")],
        )
        .await;
    assert!(tr.body.contains("<html lang=\"tr\">"), "{}", tr.body);
    assert!(tr.body.contains("Parolanızı mı unuttunuz"));
    // A choice by link is remembered over the browser's.
    let chosen = visitor.get("/portal/acme/forgot?langCode=tr_TR").await;
    assert!(chosen.set_cookie("portico_lang").is_some());
    let later = visitor
        .get_with("/portal/acme/sign-in", &[("accept-language", "en-US")])
        .await;
    assert!(
        later.body.contains("Parolanızı mı unuttunuz"),
        "{}",
        later.body
    );
}

#[tokio::test]
async fn branding_shows_on_the_pages_and_bad_values_are_refused() {
    let server = Server::start();
    let t = portal(&server).await;
    let settings = json!({
        "loginTitle": "Acme partners",
        "displayName": "Acme <Partners>",
        "primaryColor": "#0A7",
        "backgroundColor": "#f0f4f8",
        "logoUrl": "https://cdn.acme.test/logo.png",
    });
    let (status, saved) = t.patch("/portal/settings", settings).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["primaryColor"], "#00aa77");
    let mut visitor = PageClient::new(&server.base_url);
    let page = visitor.get("/portal/acme/sign-in").await;
    assert!(
        page.body
            .contains("<h1 id=\"page-title\">Acme partners</h1>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Acme &lt;Partners&gt;"),
        "escaped: {}",
        page.body
    );
    // (minijinja escapes `/` in attributes as `&#x2f;`, which the browser reads back.)
    let logo = page.body.replace("&#x2f;", "/");
    assert!(
        logo.contains("class=\"logo\" src=\"https://cdn.acme.test/logo.png\""),
        "{logo}"
    );
    let css = visitor.get("/portal/acme/assets/brand.css").await;
    assert!(
        css.body.contains("--primary: #00aa77;") && css.body.contains("--background: #f0f4f8;"),
        "{}",
        css.body
    );

    for (key, bad) in [
        ("primaryColor", json!("red; } body { display: none")),
        ("backgroundColor", json!("#12345")),
        ("logoUrl", json!("http://cdn.acme.test/logo.png")),
        ("logoUrl", json!("javascript:alert(1)")),
        ("displayName", json!("two\nlines")),
        ("pagesUrl", json!("https://app.acme.test/?next=1")),
        ("primaryColor", json!(7)),
    ] {
        let (status, body) = t.patch("/portal/settings", json!({ key: bad })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}: {body}");
    }
    // Unset again with null.
    let (_, cleared) = t
        .patch(
            "/portal/settings",
            json!({"logoUrl": null, "displayName": null}),
        )
        .await;
    assert_eq!(cleared["logoUrl"], Value::Null);
    assert!(!visitor
        .get("/portal/acme/sign-in")
        .await
        .body
        .contains("cdn.acme.test"));
}

#[tokio::test]
async fn a_tenants_own_front_end_receives_the_links() {
    let server = Server::start();
    let t = portal(&server).await;
    let (status, _) = t
        .patch(
            "/portal/settings",
            json!({"pagesUrl": "https://app.acme.test/account/"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let p = profile(&t, "pat@example.com").await;
    t.post("/portal/users", json!({"profileId": id(&p)})).await;
    let invitation = outbox(&t)
        .await
        .into_iter()
        .find(|n| n["template"] == "portal_invitation")
        .unwrap();
    let link = invitation["data"]["signupLink"].as_str().unwrap();
    assert!(
        link.starts_with("https://app.acme.test/account/signup?token=psu_"),
        "{link}"
    );
}

#[tokio::test]
async fn forgotten_password_mails_a_link_once_a_minute_and_tells_nothing() {
    let server = Server::start();
    let t = portal(&server).await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let before = outbox(&t).await.len();
    let mut visitor = PageClient::new(&server.base_url);
    let csrf = visitor.get("/portal/acme/forgot").await.hidden("csrf");
    let known = visitor
        .post(
            "/portal/acme/forgot",
            &[("csrf", &csrf), ("email", "Pat@Example.com")],
        )
        .await;
    let unknown = visitor
        .post(
            "/portal/acme/forgot",
            &[("csrf", &csrf), ("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, StatusCode::OK);
    let strip = |a: &Answer, email: &str| a.body.replace(email, "EMAIL");
    assert_eq!(
        strip(&known, "Pat@Example.com"),
        strip(&unknown, "nobody@example.com"),
        "the same answer"
    );
    // A second request within the minute sends nothing more.
    visitor
        .post(
            "/portal/acme/forgot",
            &[("csrf", &csrf), ("email", "pat@example.com")],
        )
        .await;
    let messages = outbox(&t).await;
    assert_eq!(messages.len(), before + 1);
    let reset = messages.last().unwrap();
    assert_eq!(reset["template"], "password_reset");
    assert_eq!(reset["data"]["langCode"], "en_US", "in the page's language");
    let link = reset["data"]["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/portal/acme/reset?code=prc_", server.base_url)),
        "{link}"
    );

    // The link lands without its code in the address, then sets the password.
    let landing = visitor.get(link).await;
    assert_eq!(landing.location(), "/portal/acme/reset");
    let page = visitor.get("/portal/acme/reset").await;
    assert!(page.body.contains("pat@example.com"));
    let done = visitor
        .post(
            "/portal/acme/reset",
            &[
                ("csrf", &csrf),
                ("password", "a-new-password"),
                ("password2", "a-new-password"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/portal/acme/sign-in?notice=password_set");
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (status, _) = anon
        .post(
            "/portal/sessions",
            json!({"email": "pat@example.com", "password": "a-new-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn sign_in_failures_are_shown_as_messages_with_the_apis_lockout() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    registered_user(&server, &t, "pat@example.com", "portal-password").await;
    let mut visitor = PageClient::new(&server.base_url);
    let csrf = visitor.get("/portal/acme/sign-in").await.hidden("csrf");
    let attempt = |password: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("email", "pat@example.com".to_string()),
            ("password", password.to_string()),
        ]
    };
    let post = |fields: [(&'static str, String); 3]| fields;

    // Unpublished portal.
    let fields = post(attempt("portal-password"));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = visitor.post("/portal/acme/sign-in", &fields).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        a.body.contains("This portal is not open yet."),
        "{}",
        a.body
    );

    publish(&t).await;
    t.patch(
        "/portal/settings",
        json!({"maxFailedSignIns": 2, "lockoutSeconds": 600}),
    )
    .await;
    let wrong = post(attempt("wrong-password"));
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = visitor.post("/portal/acme/sign-in", &wrong).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("Wrong email or password."));
    assert!(
        a.body.contains("value=\"pat@example.com\""),
        "the email is kept"
    );
    let a = visitor.post("/portal/acme/sign-in", &wrong).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(a.body.contains("Try again in 10 minute(s)."), "{}", a.body);
    // The API sees the same lock.
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (status, _) = anon
        .post(
            "/portal/sessions",
            json!({"email": "pat@example.com", "password": "portal-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
