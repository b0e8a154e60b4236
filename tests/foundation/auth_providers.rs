//! Auth providers (`/v1/tenants/{ns}/auth-providers`): create, list in number order, read by
//! marker, change with PATCH semantics, delete; every refused input; markers per tenant; a form
//! in use by a provider is neither deleted nor stripped of its markers.

use portico_core::domain::auth_providers::{
    MAX_AUTH_PROVIDERS_PER_TENANT, MAX_AUTH_PROVIDER_CONFIG_BYTES, MAX_LOCALIZE_INFOS_BYTES,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{assert_error, Server, TenantApi};

/// A tenant with form `reg` (login and password markers), form `plain` (neither) and group
/// `customers`.
async fn tenant(server: &Server, namespace: &str) -> TenantApi {
    let t = server.tenant(namespace).await;
    let reg = json!({"identifier": "reg", "loginMarker": "email_reg", "passwordMarker": "password_reg",
        "fields": [{"marker": "email_reg", "type": "string"}, {"marker": "password_reg", "type": "string"}]});
    let plain = json!({"identifier": "plain", "fields": [{"marker": "s", "type": "string"}]});
    for form in [reg, plain] {
        let (status, body) = t.post("/forms", form).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = t.post("/groups", json!({"name": "customers"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    t
}

fn email_provider(identifier: &str) -> Value {
    json!({"identifier": identifier, "type": "email", "formIdentifier": "reg"})
}

async fn create(t: &TenantApi, body: Value) -> Value {
    let (status, created) = t.post("/auth-providers", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

#[tokio::test]
async fn crud_in_number_order_with_patch_semantics() {
    let server = Server::start();
    let t = tenant(&server, "acme").await;
    let full = json!({"identifier": "email", "type": "email", "formIdentifier": "reg",
        "userGroupIdentifier": "customers", "isActive": true, "isCheckCode": true,
        "selfSignup": true, "localizeInfos": {"en_US": {"title": "Email"}, "tr_TR": {"title": "E-posta"}},
        "config": {"deleteNoneActiveUsersAfterDays": 2}});
    let email = create(&t, full).await;
    assert_eq!(email["number"], 1);
    assert_eq!(email["version"], 1);
    assert_eq!(email["type"], "email");
    assert_eq!(email["userGroupIdentifier"], "customers");
    assert_eq!(
        (
            email["isCheckCode"].as_bool(),
            email["selfSignup"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert_eq!(email["localizeInfos"]["tr_TR"]["title"], "E-posta");
    assert_eq!(email["config"]["deleteNoneActiveUsersAfterDays"], 2);
    // Defaults: active, no code, sign-up closed, no group, no texts, empty config.
    let a = create(&t, email_provider("a-second")).await;
    assert_eq!(a["number"], 2);
    assert_eq!(
        (
            a["isActive"].as_bool(),
            a["isCheckCode"].as_bool(),
            a["selfSignup"].as_bool()
        ),
        (Some(true), Some(false), Some(false))
    );
    assert!(a["userGroupIdentifier"].is_null());
    assert_eq!(
        (a["localizeInfos"].clone(), a["config"].clone()),
        (json!({}), json!({}))
    );

    // Listed in number order (not marker order), a page at a time.
    let (_, page) = t.get("/auth-providers?limit=1").await;
    assert_eq!(page["items"][0]["identifier"], "email");
    let cursor = page["nextCursor"].as_str().unwrap().to_string();
    let (_, next) = t
        .get(&format!("/auth-providers?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(next["items"][0]["identifier"], "a-second");
    assert!(next["nextCursor"].is_null());
    assert_error(
        t.get("/auth-providers?cursor=x").await,
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    );
    assert_eq!(t.get("/auth-providers/email").await.1, email);

    // PATCH: absent fields kept, null clears the group, version + 1, number and marker kept.
    let patch = json!({"isCheckCode": false, "userGroupIdentifier": null, "localizeInfos": {"en_US": {"title": "Mail"}}});
    let (status, changed) = t.patch("/auth-providers/email", patch).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (changed["version"].clone(), changed["number"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(changed["isCheckCode"], false);
    assert_eq!(changed["selfSignup"], true);
    assert!(changed["userGroupIdentifier"].is_null());
    assert_eq!(
        changed["localizeInfos"],
        json!({"en_US": {"title": "Mail"}})
    );
    assert_eq!(changed["config"], email["config"]);
    assert_eq!(changed["createdAt"], email["createdAt"]);
    // The next read sees the change (the cached list was refreshed).
    assert_eq!(t.get("/auth-providers/email").await.1, changed);
    let (_, again) = t
        .patch(
            "/auth-providers/email",
            json!({"identifier": "email", "userGroupIdentifier": "customers"}),
        )
        .await;
    assert_eq!(
        (
            again["version"].clone(),
            again["userGroupIdentifier"].clone()
        ),
        (json!(3), json!("customers"))
    );

    assert_eq!(
        t.delete("/auth-providers/email").await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(
        t.get("/auth-providers/email").await,
        StatusCode::NOT_FOUND,
        "auth_provider_not_found",
    );
    assert_error(
        t.delete("/auth-providers/email").await,
        StatusCode::NOT_FOUND,
        "auth_provider_not_found",
    );
    // A new provider gets a new number, even with the deleted one's marker.
    assert_eq!(create(&t, email_provider("email")).await["number"], 3);
    let (_, list) = t.get("/auth-providers").await;
    let markers: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(markers, ["a-second", "email"]);
}

#[tokio::test]
async fn every_invalid_provider_is_refused_and_nothing_is_stored() {
    let server = Server::start();
    let t = tenant(&server, "acme").await;
    let with = |change: Value| {
        let mut body = email_provider("email");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            with(json!({"identifier": "has space"})),
            "invalid_auth_provider_identifier",
        ),
        (
            with(json!({"identifier": ""})),
            "invalid_auth_provider_identifier",
        ),
        (
            with(json!({"identifier": "x".repeat(101)})),
            "invalid_auth_provider_identifier",
        ),
        (
            with(json!({"type": "phone"})),
            "unsupported_auth_provider_type",
        ),
        (with(json!({"formIdentifier": "nope"})), "unknown_form"),
        (
            with(json!({"formIdentifier": "plain"})),
            "form_lacks_markers",
        ),
        (
            with(json!({"userGroupIdentifier": "nobody"})),
            "unknown_user_group",
        ),
        (
            with(json!({"localizeInfos": {"not a code": {"title": "x"}}})),
            "invalid_lang_code",
        ),
        (
            with(json!({"localizeInfos": {"en_US": {"title": 5}}})),
            "invalid_localize_infos",
        ),
        (
            with(json!({"localizeInfos": {"en_US": "Email"}})),
            "invalid_body",
        ),
        (with(json!({"config": [1]})), "invalid_body"),
        (with(json!({"isActive": "yes"})), "invalid_body"),
        (with(json!({"number": 7})), "invalid_body"),
        (
            json!({"identifier": "email", "type": "email"}),
            "invalid_body",
        ),
    ];
    for (body, code) in cases {
        assert_error(
            t.post("/auth-providers", body.clone()).await,
            StatusCode::BAD_REQUEST,
            code,
        );
    }
    let malformed = t
        .raw(
            Method::POST,
            "/auth-providers",
            "application/json",
            b"{\"identifier\": ".to_vec(),
        )
        .await;
    assert_error(malformed, StatusCode::BAD_REQUEST, "malformed_json");
    // The 101-character marker is one past the longest; 100 is accepted.
    create(&t, with(json!({"identifier": "x".repeat(100)}))).await;
    let (_, list) = t.get("/auth-providers").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

    // PATCH: the same checks, and nothing changes when one fails.
    create(&t, email_provider("email")).await;
    let patches = [
        (json!({"formIdentifier": "plain"}), "form_lacks_markers"),
        (json!({"formIdentifier": "nope"}), "unknown_form"),
        (json!({"type": "sms"}), "unsupported_auth_provider_type"),
        (
            json!({"userGroupIdentifier": "nobody"}),
            "unknown_user_group",
        ),
        (json!({"identifier": "other"}), "identifier_mismatch"),
        (
            json!({"localizeInfos": {"en_US": {"title": []}}}),
            "invalid_localize_infos",
        ),
        (
            json!({"selfSignup": null, "isCheckCode": 1}),
            "invalid_body",
        ),
        (json!({"version": 9}), "invalid_body"),
    ];
    for (patch, code) in patches {
        assert_error(
            t.patch("/auth-providers/email", patch).await,
            StatusCode::BAD_REQUEST,
            code,
        );
    }
    let (_, unchanged) = t.get("/auth-providers/email").await;
    assert_eq!(
        (
            unchanged["version"].clone(),
            unchanged["formIdentifier"].clone()
        ),
        (json!(1), json!("reg"))
    );
    assert_error(
        t.patch("/auth-providers/nope", json!({})).await,
        StatusCode::NOT_FOUND,
        "auth_provider_not_found",
    );
}

/// A JSON object of `key` whose text makes `wrap(text)` exactly `bytes` long as JSON.
fn sized(bytes: usize, wrap: impl Fn(String) -> Value) -> Value {
    let base = serde_json::to_vec(&wrap(String::new())).unwrap().len();
    wrap("x".repeat(bytes - base))
}

#[tokio::test]
async fn config_and_texts_are_bounded_by_their_named_sizes() {
    let server = Server::start();
    let t = tenant(&server, "acme").await;
    let config = |bytes| sized(bytes, |s| json!({"k": s}));
    let texts = |bytes| sized(bytes, |s| json!({"en_US": {"help": s}}));
    let mut body = email_provider("inside");
    body["config"] = config(MAX_AUTH_PROVIDER_CONFIG_BYTES);
    body["localizeInfos"] = texts(MAX_LOCALIZE_INFOS_BYTES);
    create(&t, body).await;
    let mut body = email_provider("past");
    body["config"] = config(MAX_AUTH_PROVIDER_CONFIG_BYTES + 1);
    let (status, refused) = t.post("/auth-providers", body).await;
    assert_error(
        (status, refused.clone()),
        StatusCode::BAD_REQUEST,
        "auth_provider_config_too_large",
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("MAX_AUTH_PROVIDER_CONFIG_BYTES"));
    let mut body = email_provider("past");
    body["localizeInfos"] = texts(MAX_LOCALIZE_INFOS_BYTES + 1);
    assert_error(
        t.post("/auth-providers", body).await,
        StatusCode::BAD_REQUEST,
        "localize_infos_too_large",
    );
    let patch = json!({"config": config(MAX_AUTH_PROVIDER_CONFIG_BYTES + 1)});
    assert_error(
        t.patch("/auth-providers/inside", patch).await,
        StatusCode::BAD_REQUEST,
        "auth_provider_config_too_large",
    );
}

#[tokio::test]
async fn a_tenant_has_at_most_the_named_number_of_providers() {
    let server = Server::start();
    let t = tenant(&server, "acme").await;
    for i in 0..MAX_AUTH_PROVIDERS_PER_TENANT {
        create(&t, email_provider(&format!("p{i}"))).await;
    }
    let (status, refused) = t.post("/auth-providers", email_provider("one-more")).await;
    assert_error(
        (status, refused.clone()),
        StatusCode::CONFLICT,
        "too_many_auth_providers",
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("MAX_AUTH_PROVIDERS_PER_TENANT"));
    // Another tenant is not affected; a deletion makes room.
    let other = tenant(&server, "other").await;
    create(&other, email_provider("p0")).await;
    assert_eq!(
        t.delete("/auth-providers/p0").await.0,
        StatusCode::NO_CONTENT
    );
    create(&t, email_provider("one-more")).await;
}

#[tokio::test]
async fn markers_are_unique_in_a_tenant_and_invisible_to_others() {
    let server = Server::start();
    let t = tenant(&server, "acme").await;
    let other = tenant(&server, "other").await;
    create(&t, email_provider("email")).await;
    assert_error(
        t.post("/auth-providers", email_provider("email")).await,
        StatusCode::CONFLICT,
        "auth_provider_identifier_taken",
    );
    // The other tenant sees nothing of acme's provider, and may use the same marker.
    assert_error(
        other.get("/auth-providers/email").await,
        StatusCode::NOT_FOUND,
        "auth_provider_not_found",
    );
    assert_error(
        other
            .patch("/auth-providers/email", json!({"isActive": false}))
            .await,
        StatusCode::NOT_FOUND,
        "auth_provider_not_found",
    );
    assert_error(
        other.delete("/auth-providers/email").await,
        StatusCode::NOT_FOUND,
        "auth_provider_not_found",
    );
    assert!(other.get("/auth-providers").await.1["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(create(&other, email_provider("email")).await["number"], 1);
    assert_eq!(t.get("/auth-providers/email").await.1["isActive"], true);
    // acme's key does not reach the other tenant; no key is refused.
    let (status, _) = server
        .anonymous()
        .get("/v1/tenants/acme/auth-providers")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_form_in_use_keeps_its_markers_and_cannot_be_deleted() {
    let server = Server::start();
    let t = tenant(&server, "acme").await;
    create(&t, email_provider("email")).await;
    let (status, refused) = t.delete("/forms/reg").await;
    assert_error(
        (status, refused.clone()),
        StatusCode::CONFLICT,
        "form_in_use",
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("email"));
    assert_eq!(t.get("/forms/reg").await.0, StatusCode::OK);
    let stripped =
        json!({"loginMarker": "email_reg", "fields": [{"marker": "email_reg", "type": "string"}]});
    assert_error(
        t.put("/forms/reg", stripped).await,
        StatusCode::CONFLICT,
        "form_in_use",
    );
    assert_eq!(
        t.get("/forms/reg").await.1["passwordMarker"],
        "password_reg"
    );
    // Other markers are fine while both remain.
    let renamed = json!({"loginMarker": "login", "passwordMarker": "secret",
        "fields": [{"marker": "login", "type": "string"}, {"marker": "secret", "type": "string"}]});
    assert_eq!(t.put("/forms/reg", renamed).await.0, StatusCode::OK);
    // Moved to another form, the first one is free again.
    let other = json!({"identifier": "reg2", "loginMarker": "e", "passwordMarker": "p",
        "fields": [{"marker": "e", "type": "string"}, {"marker": "p", "type": "string"}]});
    assert_eq!(t.post("/forms", other).await.0, StatusCode::CREATED);
    assert_eq!(
        t.patch("/auth-providers/email", json!({"formIdentifier": "reg2"}))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(t.delete("/forms/reg").await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        t.delete("/auth-providers/email").await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.delete("/forms/reg2").await.0, StatusCode::NO_CONTENT);
}
