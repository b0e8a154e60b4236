//! Form data of users and profiles: one write is all or nothing, languages are kept apart,
//! writes merge, required fields, owners and forms that do not exist.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    all_types_form, create_form, create_user, entries, good_values, user_data_path, violations,
};
use crate::support::{assert_error, Server};

fn field(marker: &str, value: Value) -> Value {
    json!({"marker": marker, "type": "string", "value": value})
}

#[tokio::test]
async fn one_bad_field_among_many_changes_nothing_and_every_violation_is_listed() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    create_form(&t, all_types_form("all")).await;
    let path = user_data_path(&t, "a@x.com", "all").await;
    let good = good_values();
    assert_eq!(
        t.put(&path, json!({"formData": entries(&good)})).await.0,
        StatusCode::OK
    );

    // New values for all 15 fields, two of them bad: nothing of the 13 good ones is written.
    let mut next = good.clone();
    next[0].2 = json!("xyz");
    next[1].2 = json!(151);
    next[13].2 = json!([7]);
    next[14].2 = json!([["2025-02-13T16:00:00Z", "2025-02-11T16:00:00Z"]]);
    let got = violations(t.put(&path, json!({"formData": entries(&next)})).await);
    let want: Vec<(String, String)> = [("i", "out_of_range"), ("iv", "interval_order")]
        .iter()
        .map(|(m, c)| (m.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        t.get(&path).await.1["formData"],
        entries(&good),
        "the stored data is unchanged"
    );

    // Several problems in one field are all reported.
    let got = violations(
        t.put(
            &path,
            json!({"formData": [{"marker": "s", "value": "ABCDEFGHIJKL"}]}),
        )
        .await,
    );
    assert_eq!(
        got.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>(),
        ["too_long", "pattern_mismatch"]
    );
}

#[tokio::test]
async fn two_languages_are_kept_apart() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    create_form(&t, json!({"identifier": "reg", "fields": [{"marker": "first_name", "type": "string"}, {"marker": "last_name", "type": "string"}]})).await;
    let path = user_data_path(&t, "a@x.com", "reg").await;
    // The list shape in ?langCode=tr_TR, the single-object shape in the default en_US.
    let (status, _) = t
        .put(
            &format!("{path}?langCode=tr_TR"),
            json!({"formData": [field("first_name", json!("Ayşe"))]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        t.put(
            &path,
            json!({"formData": field("first_name", json!("Alice"))})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (_, tr) = t.get(&format!("{path}?langCode=tr_TR")).await;
    assert_eq!(tr["formData"], json!([field("first_name", json!("Ayşe"))]));
    assert_eq!(tr["langCode"], "tr_TR");
    let (_, en) = t.get(&format!("{path}?langCode=en_US")).await;
    assert_eq!(en["formData"], json!([field("first_name", json!("Alice"))]));
    assert_eq!(
        t.get(&format!("{path}?langCode=de_DE")).await.1["formData"],
        json!([])
    );

    // The map shape writes several languages at once; its keys win over ?langCode.
    let (status, written) = t
        .put(
            &format!("{path}?langCode=de_DE"),
            json!({"formData": {"en_US": [field("last_name", json!("Smith"))], "tr_TR": field("last_name", json!("Yılmaz"))}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{written}");
    assert_eq!(
        written["formData"]["tr_TR"],
        json!([
            field("first_name", json!("Ayşe")),
            field("last_name", json!("Yılmaz"))
        ])
    );
    assert_eq!(
        t.get(&path).await.1["formData"],
        json!([
            field("first_name", json!("Alice")),
            field("last_name", json!("Smith"))
        ])
    );
    assert_eq!(
        t.get(&format!("{path}?langCode=de_DE")).await.1["formData"],
        json!([])
    );
    // A bad field in one language stops the other language's write too.
    let got = violations(
        t.put(&path, json!({"formData": {"en_US": [field("last_name", json!("Jones"))], "tr_TR": [field("nope", json!("x"))]}}))
            .await,
    );
    assert_eq!(got, [("nope".to_string(), "unknown_field".to_string())]);
    assert_eq!(t.get(&path).await.1["formData"][1]["value"], "Smith");

    assert_error(
        t.get(&format!("{path}?langCode=en%20US")).await,
        StatusCode::BAD_REQUEST,
        "invalid_lang_code",
    );
}

#[tokio::test]
async fn writes_merge_null_clears_and_required_fields_must_have_a_value() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let form = json!({
        "identifier": "reg",
        "fields": [
            {"marker": "email_reg", "type": "string", "required": true},
            {"marker": "password_reg", "type": "string", "required": true},
            {"marker": "first_name", "type": "string", "required": true},
            {"marker": "nick", "type": "string"}
        ],
        "loginMarker": "email_reg",
        "passwordMarker": "password_reg"
    });
    create_form(&t, form).await;
    let path = user_data_path(&t, "a@x.com", "reg").await;
    // first_name is required and not stored yet; the login and password fields are exempt.
    let got = violations(
        t.put(&path, json!({"formData": field("nick", json!("al"))}))
            .await,
    );
    assert_eq!(got, [("first_name".to_string(), "required".to_string())]);
    let got = violations(
        t.put(
            &path,
            json!({"formData": [field("first_name", json!("  ")), field("nick", json!("al"))]}),
        )
        .await,
    );
    assert_eq!(got, [("first_name".to_string(), "required".to_string())]);
    assert_eq!(
        t.put(
            &path,
            json!({"formData": [field("first_name", json!("Al")), field("nick", json!("al"))]})
        )
        .await
        .0,
        StatusCode::OK
    );
    // A later write of one field keeps the others; null clears an optional field, not a required one.
    assert_eq!(
        t.put(&path, json!({"formData": field("nick", json!(null))}))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        t.get(&path).await.1["formData"],
        json!([field("first_name", json!("Al"))])
    );
    let got = violations(
        t.put(&path, json!({"formData": field("first_name", json!(null))}))
            .await,
    );
    assert_eq!(got, [("first_name".to_string(), "required".to_string())]);
    assert_eq!(
        t.get(&path).await.1["formData"],
        json!([field("first_name", json!("Al"))])
    );
}

#[tokio::test]
async fn owners_and_forms_must_exist_and_deleting_a_form_drops_its_data() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let reg = json!({"identifier": "reg", "fields": [{"marker": "nick", "type": "string"}]});
    create_form(&t, reg.clone()).await;
    let user = create_user(&t, "a@x.com").await;
    let id = user["id"].as_str().unwrap();
    let body = json!({"formData": field("nick", json!("al"))});
    assert_error(
        t.put("/users/missing/form-data/reg", body.clone()).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    assert_error(
        t.get("/users/missing/form-data/reg").await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    assert_error(
        t.put(&format!("/users/{id}/form-data/nope"), body.clone())
            .await,
        StatusCode::NOT_FOUND,
        "form_not_found",
    );
    assert_error(
        t.put("/profiles/missing/form-data/reg", body.clone()).await,
        StatusCode::NOT_FOUND,
        "profile_not_found",
    );
    assert_error(
        t.get("/profiles/missing/form-data/reg").await,
        StatusCode::NOT_FOUND,
        "profile_not_found",
    );
    assert_error(
        t.put(&format!("/users/{id}/form-data/reg"), json!({"data": {}}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );

    let path = format!("/users/{id}/form-data/reg");
    assert_eq!(t.put(&path, body).await.0, StatusCode::OK);
    // Another tenant's key cannot reach this user's data.
    let other = server.tenant("globex").await;
    create_form(&other, reg.clone()).await;
    assert_error(
        other.get(&path).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );

    assert_eq!(t.delete("/forms/reg").await.0, StatusCode::NO_CONTENT);
    assert_error(t.get(&path).await, StatusCode::NOT_FOUND, "form_not_found");
    create_form(&t, reg).await;
    assert_eq!(
        t.get(&path).await.1["formData"],
        json!([]),
        "a new form with the old identifier starts empty"
    );
}

#[tokio::test]
async fn profiles_keep_their_own_form_data() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    create_form(
        &t,
        json!({"identifier": "reg", "fields": [{"marker": "nick", "type": "string"}]}),
    )
    .await;
    let (status, profile) = t.post("/profiles", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{profile}");
    let path = format!(
        "/profiles/{}/form-data/reg",
        profile["id"].as_str().unwrap()
    );
    let (status, body) = t
        .put(&path, json!({"formData": field("nick", json!("pat"))}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        t.get(&path).await.1["formData"],
        json!([field("nick", json!("pat"))])
    );
    // A user's data for the same form is another record.
    let user_path = super::user_data_path(&t, "a@x.com", "reg").await;
    assert_eq!(t.get(&user_path).await.1["formData"], json!([]));
    let got = violations(
        t.put(&path, json!({"formData": field("nick", json!(5))}))
            .await,
    );
    assert_eq!(got, [("nick".to_string(), "invalid_value".to_string())]);
}
