//! The unchanged SDK in strict validation mode, with `auth.customAuth` off and on and
//! `errors.isShell` on and off: providers and forms, sign-in by markers, `updateUser` with the
//! 15 field types in the three `formData` shapes (numbers sent as strings read as numbers), a
//! violation seen as an error, `getUser` showing what was written, refresh after the access
//! token stops working, two refreshes at once, sessions, `logout` and `logoutAll`; and a revoked
//! app token refused.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{app, value_of, App, EMAIL, LOGIN, PASSWORD, PASSWORD_MARKER};
use crate::forms::{entries, good_values};
use crate::support::node::run_oneentry_script;
use crate::support::Server;

/// The case `app.mjs` runs.
fn case(app: &App, custom_auth: bool, is_shell: bool) -> Value {
    let mut values = entries(&good_values());
    // The SDK's apps send numbers as strings too.
    for item in values.as_array_mut().unwrap() {
        match item["marker"].as_str() {
            Some("i") => item["value"] = json!("43"),
            Some("f") => item["value"] = json!("1.9"),
            _ => {}
        }
    }
    let map_values: Vec<Value> = values.as_array().unwrap()[..3].to_vec();
    json!({
        "base": app.base, "appToken": app.app_token, "provider": "email", "form": "reg",
        "loginMarker": LOGIN, "passwordMarker": PASSWORD_MARKER,
        "email": EMAIL, "password": PASSWORD,
        "values": values, "mapValues": map_values,
        "badValue": {"marker": "i", "type": "integer", "value": 200},
        "customAuth": custom_auth, "isShell": is_shell,
    })
}

async fn run(app: &App, custom_auth: bool, is_shell: bool) -> Value {
    let case = case(app, custom_auth, is_shell).to_string();
    run_oneentry_script("app.mjs", &[("ONEENTRY_CASE", case)]).await
}

#[tokio::test]
async fn an_app_on_the_unchanged_sdk_works_in_every_configuration() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    for (custom_auth, is_shell) in [(false, true), (false, false), (true, true), (true, false)] {
        let seen = run(&app, custom_auth, is_shell).await;
        let which = format!("customAuth {custom_auth}, isShell {is_shell}: {seen}");
        assert_eq!(seen["providers"], json!(["email"]), "{which}");
        assert_eq!(seen["providerForm"], "reg", "{which}");
        assert_eq!(seen["forms"], json!(["reg"]), "{which}");
        assert_eq!(seen["formTitle"], "Everything", "{which}");
        assert_eq!(seen["formFields"].as_array().unwrap().len(), 17, "{which}");
        assert_eq!(seen["wrongPassword"]["statusCode"], 401, "{which}");
        assert_eq!(
            seen["wrongPassword"]["code"], "invalid_credentials",
            "{which}"
        );
        assert_eq!(seen["userIdentifier"], EMAIL, "{which}");
        assert_eq!(seen["violation"]["statusCode"], 422, "{which}");
        assert_eq!(seen["violation"]["code"], "validation_failed", "{which}");

        let user = &seen["user"];
        assert_eq!(user["identifier"], EMAIL, "{which}");
        assert_eq!(user["authProviderIdentifier"], "email", "{which}");
        assert_eq!(user["formIdentifier"], "reg", "{which}");
        assert_eq!(user["state"], json!({"theme": "dark"}), "{which}");
        let data = &user["formData"];
        for (marker, _, value) in good_values() {
            let expected = match marker {
                "i" => json!(43),
                "f" => json!(1.9),
                _ => value,
            };
            assert_eq!(value_of(data, marker), &expected, "{marker}: {which}");
        }

        if custom_auth {
            assert_eq!(seen["afterExpiry"], json!({"statusCode": 401}), "{which}");
        } else {
            assert_eq!(
                seen["afterExpiry"],
                json!({"ok": true, "rotated": true}),
                "{which}"
            );
        }
        assert_eq!(seen["concurrentRefreshes"], json!(["ok", "ok"]), "{which}");
        let sessions = seen["sessions"].as_array().unwrap();
        assert!(!sessions.is_empty(), "{which}");
        assert!(
            sessions.iter().all(|s| s["deviceInfo"]["os"] == "Node.js"),
            "{which}"
        );
        assert_eq!(seen["afterLogout"], 401, "{which}");
        assert_eq!(seen["afterLogoutAll"], 401, "{which}");
    }
}

#[tokio::test]
async fn a_revoked_or_unknown_app_token_is_refused_with_403() {
    let server = Server::start();
    let app = app(&server, "acme").await;
    let case = |token: &str| json!({"base": app.base, "appToken": token}).to_string();
    let seen = run_oneentry_script("revoked.mjs", &[("ONEENTRY_CASE", case(&app.app_token))]).await;
    assert_eq!(
        seen["statusCode"],
        Value::Null,
        "the token works before: {seen}"
    );
    let (status, body) = app
        .tenant
        .delete(&format!("/app-tokens/{}", app.app_token_id))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for token in [app.app_token.as_str(), "not-a-token", ""] {
        let seen = run_oneentry_script("revoked.mjs", &[("ONEENTRY_CASE", case(token))]).await;
        assert_eq!(seen["statusCode"], 403, "{token}: {seen}");
        assert_eq!(seen["code"], "invalid_app_token", "{token}: {seen}");
    }
}
