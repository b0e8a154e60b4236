//! The profile page by hand-made requests: every one of the 15 field types drawn as a fitting
//! input, saved through `updateUser`'s rules (read back through the API), violations shown at
//! their fields with what was typed kept, a `before-update-user` hook's veto shown on the form,
//! and change password.

use reqwest::StatusCode;
use serde_json::Value;

use super::{Answer, PageClient};
use crate::oneentry::{app, EMAIL, PASSWORD};
use crate::plugins::upload;
use crate::support::Server;

async fn signed_in(server: &Server) -> (PageClient, String) {
    let mut visitor = PageClient::new(&server.base_url);
    let csrf = visitor.get("/portal/acme/sign-in").await.hidden("csrf");
    let a = visitor
        .post(
            "/portal/acme/sign-in",
            &[("csrf", &csrf), ("email", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(a.location(), "/portal/acme/profile", "{}", a.body);
    (visitor, csrf)
}

/// Every field of the 15-type form, filled as a person would.
fn filled(csrf: &str) -> Vec<(&'static str, String)> {
    let v = |s: &str| s.to_string();
    vec![
        ("csrf", v(csrf)),
        ("f.s", v("abc")),
        ("f.i", v("42")),
        ("f.f", v("4,5")),
        ("f.d", v("2024-05-07")),
        ("f.dt", v("2024-05-07T21:02")),
        ("f.t", v("10:30")),
        ("f.tx", v("Hello")),
        ("f.th.header", v("Title")),
        ("f.th", v("Body")),
        ("f.img.link", v("https://files.example/a.png")),
        ("f.imgs.link", v("https://files.example/b.png")),
        ("f.file.name", v("cv.pdf")),
        ("f.file.link", v("https://files.example/download?id=7")),
        ("f.radio", v("2")),
        ("f.list", v("1")),
        ("f.list", v("2")),
        ("f.ent", v("1, sku-2")),
        ("f.iv.start", v("2024-05-07T09:00")),
        ("f.iv.end", v("2024-05-07T17:00")),
    ]
}

async fn post(visitor: &mut PageClient, fields: &[(&'static str, String)]) -> Answer {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    visitor.post("/portal/acme/profile", &fields).await
}

#[tokio::test]
async fn the_profile_draws_every_field_type_and_saves_through_the_rules() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let (mut visitor, csrf) = signed_in(&server).await;
    let page = visitor.get("/portal/acme/profile").await;
    assert_eq!(page.status, StatusCode::OK);
    for input in [
        "id=\"f-s\" name=\"f.s\" type=\"text\"",
        "id=\"f-i\" name=\"f.i\" type=\"text\" inputmode=\"numeric\"",
        "id=\"f-f\" name=\"f.f\" type=\"text\" inputmode=\"decimal\"",
        "id=\"f-d\" name=\"f.d\" type=\"date\"",
        "id=\"f-dt\" name=\"f.dt\" type=\"datetime-local\"",
        "id=\"f-t\" name=\"f.t\" type=\"time\"",
        "<textarea id=\"f-tx\" name=\"f.tx\"",
        "id=\"f-th-header\" name=\"f.th.header\"",
        "id=\"f-img-link\" name=\"f.img.link\" type=\"url\"",
        "id=\"f-imgs-link\" name=\"f.imgs.link\" type=\"url\"",
        "id=\"f-file-link\" name=\"f.file.link\" type=\"url\"",
        "type=\"radio\" id=\"f-radio-1\" name=\"f.radio\" value=\"1\"",
        "type=\"checkbox\" id=\"f-list-2\" name=\"f.list\" value=\"2\"",
        "id=\"f-ent\" name=\"f.ent\" type=\"text\"",
        "id=\"f-iv-start-1\" name=\"f.iv.start\" type=\"datetime-local\"",
    ] {
        assert!(page.body.contains(input), "no `{input}` in {}", page.body);
    }
    // Every input has its label; the login and password fields are not on the profile.
    assert!(page.body.contains("<label for=\"f-s\">"));
    assert!(!page.body.contains("name=\"f.password\"") && !page.body.contains("name=\"f.email\""));

    let saved = post(&mut visitor, &filled(&csrf)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/portal/acme/profile?notice=saved");

    let (_, user) = app.tenant.get("/users?limit=10").await;
    let uid = user["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == EMAIL)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, data) = app.tenant.get(&format!("/users/{uid}/form-data/reg")).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    let value = |m: &str| -> Value {
        data["formData"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["marker"] == m)
            .map(|f| f["value"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(value("s"), "abc");
    assert_eq!(value("i"), 42);
    assert_eq!(value("f"), 4.5);
    assert_eq!(value("d")["fullDate"], "2024-05-07T00:00:00.000Z");
    assert_eq!(value("dt")["fullDate"], "2024-05-07T21:02:00.000Z");
    assert_eq!(value("t")["fullDate"], "10:30:00");
    assert_eq!(value("tx")["plainValue"], "Hello");
    assert_eq!(value("th")["header"], "Title");
    assert_eq!(value("img")[0]["filename"], "a.png");
    assert_eq!(value("file")[0]["filename"], "cv.pdf");
    assert_eq!(value("radio")["value"], "2");
    assert_eq!(value("radio")["title"], "green");
    assert_eq!(value("list").as_array().unwrap().len(), 2);
    assert_eq!(value("ent"), serde_json::json!([1, "sku-2"]));
    assert_eq!(value("iv")[0][0], "2024-05-07T09:00");

    // Drawn again with what is stored.
    let page = visitor.get("/portal/acme/profile?notice=saved").await;
    assert!(page.body.contains("Your changes are saved."));
    assert!(
        page.body
            .contains("name=\"f.d\" type=\"date\" value=\"2024-05-07\""),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("name=\"f.t\" type=\"time\" value=\"10:30\""));
    assert!(page.body.contains("value=\"2\" checked"));
    // A file is kept unless unticked: a second save without `keep` drops it.
    let mut again = filled(&csrf);
    again.retain(|(k, _)| !k.starts_with("f.file"));
    again.push(("f.file.keep", "0".into()));
    assert_eq!(
        post(&mut visitor, &again).await.status,
        StatusCode::SEE_OTHER
    );
    let (_, data) = app.tenant.get(&format!("/users/{uid}/form-data/reg")).await;
    let file = data["formData"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["marker"] == "file")
        .unwrap()["value"]
        .clone();
    assert_eq!(file.as_array().unwrap().len(), 1, "kept: {file}");
}

#[tokio::test]
async fn violations_are_shown_at_their_fields_and_nothing_is_written() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let (mut visitor, csrf) = signed_in(&server).await;
    let mut bad = filled(&csrf);
    for (k, v) in bad.iter_mut() {
        match *k {
            "f.s" => *v = "NOT lower".into(),
            "f.i" => *v = "forty".into(),
            "f.t" => *v = "07:00".into(),
            _ => {}
        }
    }
    // A number that is none is found by the page itself...
    let a = post(&mut visitor, &bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body.contains("id=\"f-i-error\">Enter a whole number."),
        "{}",
        a.body
    );
    assert!(a.body.contains("value=\"forty\""), "what was typed is kept");
    // ...the rest by the rules, each at its field.
    for (k, v) in bad.iter_mut() {
        if *k == "f.i" {
            *v = "42".into();
        }
    }
    let a = post(&mut visitor, &bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a
        .body
        .contains("Some values need attention; nothing was saved."));
    assert!(a.body.contains("id=\"f-s-error\""), "{}", a.body);
    assert!(a.body.contains("id=\"f-t-error\""), "{}", a.body);
    assert!(
        a.body
            .contains("aria-describedby=\"f-s-error\" aria-invalid=\"true\""),
        "{}",
        a.body
    );
    assert!(a.body.contains("value=\"NOT lower\""));
    let (_, users) = app.tenant.get("/users?limit=10").await;
    let uid = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == EMAIL)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, data) = app.tenant.get(&format!("/users/{uid}/form-data/reg")).await;
    assert!(
        data["formData"]
            .as_array()
            .is_none_or(|f| f.iter().all(|f| f["marker"] != "s")),
        "nothing written: {data}"
    );
}

#[tokio::test]
async fn a_hook_veto_is_shown_on_the_form_and_nothing_is_written() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let t = &app.tenant;
    upload(t, "hooks", "example_lifecycle_hooks").await;
    let (status, body) = t
        .post(
            "/plugin-bindings",
            serde_json::json!({"plugin": "hooks", "interface": "lifecycle-hooks",
                               "target": "portal", "settings": {"lockedFields": ["s"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (mut visitor, csrf) = signed_in(&server).await;
    let a = post(&mut visitor, &filled(&csrf)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert!(a.body.contains("the field s is locked"), "{}", a.body);
    assert!(a.body.contains("value=\"abc\""), "what was typed is kept");
    let (_, users) = t.get(&format!("/users?email={EMAIL}")).await;
    let uid = users["items"][0]["id"].as_str().unwrap();
    let (_, data) = t.get(&format!("/users/{uid}/form-data/reg")).await;
    assert!(
        data["formData"].as_array().is_none_or(|f| f.is_empty()),
        "nothing written: {data}"
    );
}

#[tokio::test]
async fn the_password_changes_with_the_current_one_only() {
    let server = Server::start();
    app(&server, "acme").await;
    let (mut visitor, csrf) = signed_in(&server).await;
    assert_eq!(
        visitor.get("/portal/acme/password").await.status,
        StatusCode::OK
    );
    let wrong = [
        ("csrf", csrf.as_str()),
        ("current", "not-it"),
        ("password", "brand-new-password"),
        ("password2", "brand-new-password"),
    ];
    let a = visitor.post("/portal/acme/password", &wrong).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("id=\"current-error\""), "{}", a.body);
    let right = [
        ("csrf", csrf.as_str()),
        ("current", PASSWORD),
        ("password", "brand-new-password"),
        ("password2", "brand-new-password"),
    ];
    let a = visitor.post("/portal/acme/password", &right).await;
    assert_eq!(a.location(), "/portal/acme/profile?notice=password_changed");
    let anon = server.anonymous().scoped("/v1/tenants/acme");
    let (status, _) = anon
        .post(
            "/portal/sessions",
            serde_json::json!({"email": EMAIL, "password": "brand-new-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
