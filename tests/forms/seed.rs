//! Every example body of seed 004 (updateUser): its `formData` and `langCode` are accepted
//! through the admin API and read back exactly as sent.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{create_form, user_data_path};
use crate::support::Server;

/// The seed's example bodies, as printed (authData and notificationData are the portal's part).
pub(super) fn seed_bodies() -> Vec<Value> {
    let auth = json!([{"marker": "password", "value": "12345"}]);
    let notify = json!({"email": "test@test.ru", "phonePush": [], "phoneSMS": "+79991234567"});
    let body = |lang: Option<&str>, form_data: Value| {
        let mut b = json!({"formIdentifier": "reg", "authData": auth, "formData": form_data, "notificationData": notify});
        if let Some(lang) = lang {
            b["langCode"] = json!(lang);
        }
        b
    };
    let text = json!({"htmlValue": "<p>Это я</p>", "plainValue": "Это я", "mdValue": "*Это я*", "params": {"isImageCompressed": true, "editorMode": "html"}});
    let mut with_header = text.clone();
    with_header["header"] = json!("Заголовок");
    let shot = "files/project/page/10/image/Screenshot-from-2024-05-02-15-23-14.png";
    let link = format!("http://my-site.com/cloud-static/{shot}");
    let red =
        json!({"title": "red", "value": "1", "extended": {"value": "красный", "type": "string"}});
    vec![
        // The schema's examples: one object, and a list.
        json!({
            "formIdentifier": "reg",
            "authData": [{"marker": "password", "value": "12345"}],
            "formData": {"marker": "last_name", "type": "string", "value": "Kullanıcı Adı"},
            "notificationData": {"email": "example@oneentry.cloud", "phonePush": ["+99999999999"], "phoneSMS": "+99999999999", "state": {}}
        }),
        body(
            None,
            json!([{"marker": "first_name", "type": "string", "value": "John"}, {"marker": "last_name", "type": "string", "value": "Doe"}]),
        ),
        // Per type.
        body(
            Some("en_US"),
            json!({"en_US": [{"marker": "last_name", "type": "string", "value": "Федор Иванов"}]}),
        ),
        body(
            Some("en_US"),
            json!([{"marker": "birthday", "type": "date", "value": {"fullDate": "2024-05-07T21:02:00.000Z", "formattedValue": "08-05-2024 00:02", "formatString": "DD-MM-YYYY HH:mm"}}]),
        ),
        body(
            Some("en_US"),
            json!([{"marker": "about", "type": "text", "value": text}]),
        ),
        body(
            Some("en_US"),
            json!([{"marker": "about", "type": "textWithHeader", "value": with_header}]),
        ),
        body(
            Some("en_US"),
            json!([{"marker": "avatar", "type": "image", "value": [{"filename": shot, "downloadLink": link, "size": 392585, "previewLink": "", "params": {"isImageCompressed": true}}]}]),
        ),
        body(
            Some("en_US"),
            json!([{"marker": "picture", "type": "file", "value": [{"filename": shot, "downloadLink": link, "size": 392585}]}]),
        ),
        body(
            Some("en_US"),
            json!([{"marker": "selector", "type": "radioButton", "value": red}]),
        ),
        body(
            Some("en_US"),
            json!([{"marker": "selector", "type": "list", "value": [red]}]),
        ),
        body(
            None,
            json!([{"marker": "entity-selector", "type": "entity", "value": [1, 2]}]),
        ),
        body(
            None,
            json!([{"marker": "interval", "type": "timeInterval", "value": [["2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z"]]}]),
        ),
    ]
}

/// The `[{marker, type, value}]` of a body's formData in any of its shapes.
pub(super) fn fields_of(form_data: &Value) -> Vec<Value> {
    match form_data {
        Value::Array(list) => list.clone(),
        Value::Object(obj) if obj.contains_key("marker") => vec![form_data.clone()],
        Value::Object(obj) => obj
            .values()
            .flat_map(|v| v.as_array().cloned().unwrap_or_default())
            .collect(),
        _ => panic!("unexpected formData {form_data}"),
    }
}

#[tokio::test]
async fn every_seed_example_is_accepted_and_read_back() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    create_form(&t, json!({"identifier": "reg", "fields": []})).await;
    let path = user_data_path(&t, "fedor@test.ru", "reg").await;
    for body in seed_bodies() {
        let fields = fields_of(&body["formData"]);
        // The form "reg" declares the markers and types this example sends (the seed reuses
        // `about` and `selector` with two types each, so the form is replaced per example).
        let declared: Vec<Value> = fields
            .iter()
            .map(|f| {
                let mut d = json!({"marker": f["marker"], "type": f["type"]});
                if matches!(f["type"].as_str(), Some("radioButton" | "list")) {
                    d["settings"] = json!({"options": [{"title": "red", "value": "1"}, {"title": "blue", "value": "2"}]});
                }
                d
            })
            .collect();
        let (status, form) = t.put("/forms/reg", json!({"fields": declared})).await;
        assert_eq!(status, StatusCode::OK, "{form}");

        let lang = body["langCode"].as_str().unwrap_or("en_US");
        let (status, written) = t
            .put(
                &format!("{path}?langCode={lang}"),
                json!({"formData": body["formData"]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "seed example {}: {written}",
            body["formData"]
        );
        let (status, read) = t.get(&format!("{path}?langCode={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        for field in &fields {
            let stored = read["formData"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["marker"] == field["marker"])
                .unwrap_or_else(|| panic!("{} not stored: {read}", field["marker"]));
            assert_eq!(stored, field, "read back exactly as sent");
        }
    }
}
