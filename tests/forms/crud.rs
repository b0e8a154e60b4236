//! Forms: create, read, list, replace, delete, and the definitions that are refused.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{all_types_form, create_form};
use crate::support::{assert_error, Server};

fn one_field(field: Value) -> Value {
    json!({"identifier": "f", "fields": [field]})
}

#[tokio::test]
async fn form_crud_and_pagination() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let form = create_form(&t, all_types_form("profile")).await;
    assert_eq!(form["identifier"], "profile");
    assert_eq!(form["title"]["tr_TR"], "Her şey");
    assert_eq!(form["fields"].as_array().unwrap().len(), 15);
    assert_eq!(
        form["fields"][0]["required"], false,
        "required defaults to false"
    );
    let (status, read) = t.get("/forms/profile").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["fields"], form["fields"]);

    let reg = json!({
        "identifier": "reg",
        "fields": [
            {"marker": "email_reg", "type": "string", "required": true, "label": {"en_US": "Email"}},
            {"marker": "password_reg", "type": "string", "required": true}
        ],
        "loginMarker": "email_reg",
        "passwordMarker": "password_reg"
    });
    let created = create_form(&t, reg.clone()).await;
    assert_eq!(created["loginMarker"], "email_reg");
    assert_eq!(created["passwordMarker"], "password_reg");
    assert_error(
        t.post("/forms", reg).await,
        StatusCode::CONFLICT,
        "form_identifier_taken",
    );

    let (_, page) = t.get("/forms?limit=1").await;
    assert_eq!(page["items"][0]["identifier"], "profile");
    let cursor = page["nextCursor"].as_str().unwrap();
    let (_, next) = t.get(&format!("/forms?limit=1&cursor={cursor}")).await;
    assert_eq!(next["items"][0]["identifier"], "reg");
    assert!(next["nextCursor"].is_null());

    // Replace: new fields, same identifier; a different identifier in the body is refused.
    let replacement =
        json!({"title": {"en_US": "Sign up"}, "fields": [{"marker": "nick", "type": "string"}]});
    let (status, replaced) = t.put("/forms/reg", replacement).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["fields"][0]["marker"], "nick");
    assert!(replaced["loginMarker"].is_null());
    assert_eq!(replaced["createdAt"], created["createdAt"]);
    assert_error(
        t.put("/forms/reg", json!({"identifier": "other", "fields": []}))
            .await,
        StatusCode::BAD_REQUEST,
        "identifier_mismatch",
    );
    assert_error(
        t.put("/forms/nope", json!({"fields": []})).await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );

    assert_eq!(t.delete("/forms/reg").await.0, StatusCode::NO_CONTENT);
    assert_error(
        t.get("/forms/reg").await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
    assert_error(
        t.delete("/forms/reg").await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
    // Another tenant does not see this tenant's forms.
    let other = server.tenant("globex").await;
    assert_error(
        other.get("/forms/profile").await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
}

#[tokio::test]
async fn bad_definitions_are_refused_with_a_reason() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let bad = |code: &'static str, body: Value| (code, body);
    let cases = [
        bad(
            "invalid_form_identifier",
            json!({"identifier": "no spaces", "fields": []}),
        ),
        bad("invalid_form_identifier", json!({"fields": []})),
        bad(
            "invalid_marker",
            one_field(json!({"marker": "a b", "type": "string"})),
        ),
        bad(
            "duplicate_marker",
            json!({"identifier": "f", "fields": [{"marker": "a", "type": "string"}, {"marker": "a", "type": "integer"}]}),
        ),
        bad(
            "invalid_body",
            one_field(json!({"marker": "a", "type": "colour"})),
        ),
        bad(
            "invalid_body",
            one_field(json!({"marker": "a", "type": "string", "settings": {"colour": 1}})),
        ),
        // Settings that do not fit the type.
        bad(
            "invalid_field_settings",
            one_field(json!({"marker": "a", "type": "integer", "settings": {"maxLength": 3}})),
        ),
        bad(
            "invalid_field_settings",
            one_field(json!({"marker": "a", "type": "string", "settings": {"options": []}})),
        ),
        bad(
            "invalid_field_settings",
            one_field(json!({"marker": "a", "type": "text", "settings": {"maxSize": 10}})),
        ),
        bad(
            "invalid_field_settings",
            one_field(json!({"marker": "a", "type": "date", "settings": {"min": 1}})),
        ),
        // Settings that contradict themselves or do not parse.
        bad(
            "invalid_field_settings",
            one_field(
                json!({"marker": "a", "type": "string", "settings": {"minLength": 5, "maxLength": 2}}),
            ),
        ),
        bad(
            "invalid_field_settings",
            one_field(
                json!({"marker": "a", "type": "string", "settings": {"pattern": "(unclosed"}}),
            ),
        ),
        bad(
            "invalid_field_settings",
            one_field(json!({"marker": "a", "type": "float", "settings": {"min": 2, "max": 1}})),
        ),
        bad(
            "invalid_field_settings",
            one_field(json!({"marker": "a", "type": "radioButton"})),
        ),
        bad(
            "invalid_field_settings",
            one_field(
                json!({"marker": "a", "type": "list", "settings": {"options": [{"title": "x", "value": "1"}, {"title": "y", "value": "1"}]}}),
            ),
        ),
        bad(
            "invalid_field_settings",
            one_field(
                json!({"marker": "a", "type": "date", "settings": {"notBefore": "yesterday"}}),
            ),
        ),
        bad(
            "invalid_field_settings",
            one_field(
                json!({"marker": "a", "type": "time", "settings": {"notBefore": "2024-01-01"}}),
            ),
        ),
        bad(
            "invalid_field_settings",
            one_field(json!({"marker": "a", "type": "file", "settings": {"maxItems": 0}})),
        ),
        // Login and password markers must name string fields of the form.
        bad(
            "unknown_marker",
            json!({"identifier": "f", "fields": [], "loginMarker": "email"}),
        ),
        bad(
            "invalid_form",
            json!({"identifier": "f", "fields": [{"marker": "n", "type": "integer"}], "passwordMarker": "n"}),
        ),
        bad(
            "invalid_lang_code",
            json!({"identifier": "f", "title": {"en US": "x"}, "fields": []}),
        ),
    ];
    for (code, body) in cases {
        assert_error(
            t.post("/forms", body.clone()).await,
            StatusCode::BAD_REQUEST,
            code,
        );
    }
    let (status, body) = t
        .post(
            "/forms",
            one_field(json!({"marker": "a", "type": "integer", "settings": {"maxLength": 3}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("maxLength") && message.contains("integer"),
        "names the setting and the type: {message}"
    );

    let (status, body) = t
        .raw(
            reqwest::Method::POST,
            "/forms",
            "application/json",
            b"{\"identifier\": ".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "malformed_json");
    // Nothing above was stored.
    assert_eq!(t.get("/forms").await.1["items"], json!([]));
}
