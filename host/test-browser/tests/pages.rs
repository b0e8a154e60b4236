//! The browser against a tiny site served here on 127.0.0.1: a form page (which sets an
//! `HttpOnly` cookie and shows the `Accept-Language` header it received) and the page its POST
//! answers with.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::Form;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::Router;
use portico_test_browser::{Browser, Cookie, Options};

/// The site's address (`http://127.0.0.1:<port>`); it is served until the test's runtime ends.
async fn site() -> String {
    let app = Router::new()
        .route("/", get(form_page))
        .route("/answer", post(answer_page));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

async fn form_page(headers: HeaderMap) -> impl IntoResponse {
    let language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(none)");
    let page = format!(
        "<!doctype html><html lang=en><title>Form</title>\
         <a id=skip href=#greeting>Skip to the form</a>\
         <h1>Say hello</h1><p id=language>{}</p>\
         <form method=post action=/answer>\
         <label for=greeting>Greeting</label> <input id=greeting name=greeting value=old>\
         <input name=nickname aria-label=Nickname>\
         <button id=send type=submit>Send</button></form>",
        escape(language)
    );
    let cookie = "portico_test=s3cret; HttpOnly; SameSite=Strict; Path=/";
    ([(header::SET_COOKIE, cookie)], Html(page))
}

async fn answer_page(Form(fields): Form<HashMap<String, String>>) -> Html<String> {
    let greeting = fields.get("greeting").map(String::as_str).unwrap_or("");
    Html(format!(
        "<!doctype html><html lang=en><title>Answer</title><h1>Answer</h1>\
         <p id=posted>{}</p>",
        escape(greeting)
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn browser(test: &str) -> Browser {
    Browser::start(test).await.expect("the browser starts")
}

#[tokio::test]
async fn a_filled_form_is_posted_and_its_answer_page_shows_the_value() {
    let site = site().await;
    let browser = browser("a_filled_form_is_posted").await;
    browser.goto(&site).await;
    assert_eq!(browser.text("h1").await, "Say hello");
    assert_eq!(
        browser.attribute("#greeting", "value").await.as_deref(),
        Some("old")
    );
    assert_eq!(browser.attribute("#greeting", "placeholder").await, None);

    browser.fill("#greeting", "Merhaba <dünya> & all").await;
    let history = browser.history_length().await;
    browser.submit_form("#send").await;

    assert_eq!(browser.current_url().await, format!("{site}/answer"));
    assert_eq!(browser.text("#posted").await, "Merhaba <dünya> & all");
    assert_eq!(browser.find_all_text("h1").await, ["Answer"]);
    assert!(browser.find_all_text("#greeting").await.is_empty());
    assert!(browser
        .page_source()
        .await
        .contains("Merhaba &lt;dünya&gt; &amp; all"));
    assert_eq!(browser.history_length().await, history + 1);
    assert_eq!(browser.execute("return document.title;").await, "Answer");
}

#[tokio::test]
async fn a_text_with_emoji_is_filled_in_too() {
    let site = site().await;
    let browser = browser("a_text_with_emoji_is_filled_in_too").await;
    browser.goto(&site).await;
    browser.fill("#greeting", "Selam 👋 İğüş").await;
    browser.submit_form("#send").await;
    assert_eq!(browser.text("#posted").await, "Selam 👋 İğüş");
}

#[tokio::test]
async fn submitting_a_form_that_brings_no_new_page_fails_clearly() {
    let site = site().await;
    let browser = browser("submitting_a_form_that_brings_no_new_page").await;
    browser.goto(&site).await;
    browser
        .execute("document.querySelector('form').onsubmit = () => false;")
        .await;
    let browser = std::sync::Arc::new(browser);
    let submitting = browser.clone();
    let failure = tokio::spawn(async move { submitting.submit_form("#send").await })
        .await
        .expect_err("the submission fails");
    let message = failure.into_panic();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("brought no new page"), "{message}");
    assert!(message.contains("screenshot: "), "{message}");
}

#[tokio::test]
async fn an_http_only_cookie_set_by_the_server_is_seen() {
    let site = site().await;
    let browser = browser("an_http_only_cookie_set_by_the_server_is_seen").await;
    browser.goto(&site).await;
    let cookies = browser.cookies().await;
    let expected = Cookie {
        name: "portico_test".to_string(),
        value: "s3cret".to_string(),
        http_only: true,
        secure: false,
        same_site: Some("Strict".to_string()),
    };
    assert_eq!(cookies, [expected]);
    // Page scripts cannot read it.
    assert_eq!(browser.execute("return document.cookie;").await, "");
}

#[tokio::test]
async fn the_accept_language_header_is_english_unless_chosen() {
    let site = site().await;
    let english = browser("the_accept_language_header_english").await;
    english.goto(&site).await;
    let sent = english.text("#language").await;
    assert!(sent.starts_with("en-US"), "{sent}");
    drop(english);

    let options = Options {
        accept_language: Some("tr-TR,tr".to_string()),
        ..Options::default()
    };
    let turkish = Browser::start_with("the_accept_language_header_turkish", options)
        .await
        .expect("the browser starts");
    turkish.goto(&site).await;
    let sent = turkish.text("#language").await;
    assert!(sent.starts_with("tr-TR,tr"), "{sent}");
    assert!(!sent.contains("en"), "{sent}");
}

#[tokio::test]
async fn a_screenshot_is_a_png_in_the_tests_folder() {
    let site = site().await;
    let browser = browser("a_screenshot::is_a_png").await;
    browser.goto(&site).await;
    let first = browser.screenshot("form").await;
    let second = browser.screenshot("form again").await;
    assert!(
        first.ends_with("screenshots/a_screenshot__is_a_png/01-form.png"),
        "{first:?}"
    );
    assert!(
        second.ends_with("screenshots/a_screenshot__is_a_png/02-form_again.png"),
        "{second:?}"
    );
    let png = std::fs::read(&first).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG: {first:?}"
    );
    assert!(png.len() > 1000, "{} bytes", png.len());
}

#[tokio::test]
async fn tab_moves_the_focus_in_page_order() {
    let site = site().await;
    let browser = browser("tab_moves_the_focus_in_page_order").await;
    browser.goto(&site).await;
    assert_eq!(
        browser.focus_order(4).await,
        ["skip", "greeting", "nickname", "send"]
    );
}

#[tokio::test]
async fn wait_for_sees_an_element_a_script_adds_later() {
    let site = site().await;
    let browser = browser("wait_for_sees_an_element_a_script_adds_later").await;
    browser.goto(&site).await;
    let add_later = "setTimeout(() => { const p = document.createElement('p'); \
                     p.id = 'late'; p.textContent = 'here'; document.body.append(p); }, 300);";
    browser.execute(add_later).await;
    browser.wait_for("#late", Duration::from_secs(5)).await;
    assert_eq!(browser.text("#late").await, "here");
}

#[tokio::test]
async fn a_missing_chromedriver_is_a_clear_error() {
    let options = Options {
        chromedriver: Some("/nonexistent/chromedriver".into()),
        ..Options::default()
    };
    let error = Browser::start_with("a_missing_chromedriver", options)
        .await
        .err()
        .expect("no browser without chromedriver");
    assert!(
        error.starts_with(
            "chromedriver not found: install Debian's chromium and chromium-driver packages \
             (the test command does)"
        ),
        "{error}"
    );
    assert!(error.contains("/nonexistent/chromedriver"), "{error}");
}

#[tokio::test]
async fn a_missing_chromium_is_a_clear_error() {
    let options = Options {
        chromium: Some("/nonexistent/chromium".into()),
        ..Options::default()
    };
    let error = Browser::start_with("a_missing_chromium", options)
        .await
        .err()
        .expect("no browser without Chromium");
    assert!(
        error.starts_with("chromium not found: install Debian's"),
        "{error}"
    );
}
