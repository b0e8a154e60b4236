//! The document itself: valid OpenAPI 3.1, every operation with its answers and security, and
//! the router and the document naming the same routes.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::Server;

/// The methods a path item may hold (the API uses these five).
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

async fn document(server: &Server) -> Value {
    let (status, doc) = server.anonymous().get("/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                found.push(r);
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_describes_every_operation() {
    let server = Server::start();
    let doc = document(&server).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "openapi: {version}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    for scheme in ["operatorToken", "tenantApiKey", "portalSession", "appToken"] {
        assert!(schemes.contains_key(scheme), "no {scheme} scheme");
    }
    assert_eq!(schemes["appToken"]["in"], "header");
    assert_eq!(schemes["appToken"]["name"], "x-app-token");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for schema in ["ErrorBody", "OneEntryError"] {
        assert!(schemas.contains_key(schema), "no {schema} schema");
    }

    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() > 80, "only {} paths", paths.len());
    let mut operation_ids = BTreeSet::new();
    for (path, item) in paths {
        // The API is under /v1; the operator's probes and metrics sit where orchestrators and
        // Prometheus look for them.
        let operations_path = ["/livez", "/readyz", "/metrics"].contains(&path.as_str());
        assert!(
            path.starts_with("/v1/") || operations_path,
            "{path}: outside /v1"
        );
        assert!(
            !path.starts_with("/portal"),
            "{path}: a page in the JSON contract"
        );
        let item = item.as_object().expect("path item");
        let operations: Vec<_> = item
            .iter()
            .filter(|(m, _)| METHODS.contains(&m.as_str()))
            .collect();
        assert!(!operations.is_empty(), "{path}: no operation");
        for (method, op) in operations {
            let id = op["operationId"].as_str().expect("operationId");
            assert!(operation_ids.insert(id.to_string()), "{id}: twice");
            assert!(op["tags"][0].is_string(), "{method} {path}: no tag");
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success answer"
            );
            for (status, response) in responses {
                // Every answer with a body is JSON, but the reference page (found by the
                // contract run: `true` was documented as text/plain), the metrics and a backup.
                for media in response["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|c| c.0)
                {
                    let success = status.starts_with('2');
                    let expected = match path.as_str() {
                        "/v1/docs" if success => "text/html",
                        "/metrics" if success => "text/plain",
                        "/v1/backup" if success => "application/x-tar",
                        _ => "application/json",
                    };
                    assert_eq!(media, expected, "{method} {path} {status}");
                }
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    let expected = if path.contains("/api/content/") {
                        "#/components/schemas/OneEntryError"
                    } else if path == "/readyz" && status == "503" {
                        // Not ready is the probe's own answer, naming each check.
                        "#/components/schemas/ProbeAnswer"
                    } else {
                        "#/components/schemas/ErrorBody"
                    };
                    assert_eq!(schema, expected, "{method} {path} {status}");
                }
            }
            // A body is an object or bytes, never `null` (found by the contract run: an
            // optional body was documented as possibly null; it may be left out instead).
            for content in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                let schema = &content.1["schema"];
                let options = schema["oneOf"].as_array().into_iter().flatten();
                assert!(
                    schema["type"] != "null" && !options.clone().any(|o| o["type"] == "null"),
                    "{method} {path}: a null body"
                );
            }
            // Every path parameter is described.
            for name in path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            {
                let described = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "path" && p["name"] == name && p["required"] == true);
                assert!(described, "{method} {path}: {{{name}}} undescribed");
            }
            // Every security requirement names a scheme of the document.
            for requirement in op["security"].as_array().into_iter().flatten() {
                for scheme in requirement.as_object().expect("requirement").keys() {
                    assert!(schemes.contains_key(scheme), "{method} {path}: {scheme}");
                }
            }
            let public = op.get("security").is_none();
            let secured = responses.contains_key("401") || responses.contains_key("403");
            assert!(public || secured, "{method} {path}: no refusal documented");
        }
    }
    // Every reference resolves.
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(schemas.contains_key(name), "dangling $ref {r}");
    }
    // The contract's own routes are in it, and public.
    for path in ["/v1/openapi.json", "/v1/docs", "/v1/health"] {
        assert!(paths[path]["get"].get("security").is_none(), "{path}");
    }
}

/// The router and the document name the same routes: every documented operation is routed
/// (a request with placeholder path parameters never gets the router's 404 `route_not_found`
/// or 405 `method_not_allowed`, and without credentials an operation that needs one answers
/// 401 or 403), and every other method on a documented path is refused with 405. Routes are registered only through utoipa-axum's `routes!`, which documents each one as
/// it adds it (`portico-http`'s unit test `every_route_is_registered_documented` holds the code
/// to that), so no route exists outside the document.
#[tokio::test]
async fn every_documented_operation_is_routed_and_no_other_method_is() {
    let server = Server::start();
    let doc = document(&server).await;
    let client = reqwest::Client::new();
    let mut probed = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let url = format!(
            "{}{}",
            server.base_url,
            path.split('/')
                .map(|s| if s.starts_with('{') { "probe" } else { s })
                .collect::<Vec<_>>()
                .join("/")
        );
        for method in METHODS {
            let documented = item.get(method).is_some();
            let response = client
                .request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    &url,
                )
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("request");
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let code = body["error"]["code"].as_str().or(body["code"].as_str());
            if documented {
                probed += 1;
                // No credentials: an operation that needs one refuses as its security says.
                if item[method].get("security").is_some() {
                    assert!(
                        status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
                        "{method} {path}: {status} without credentials ({body})"
                    );
                }
                assert!(
                    !(status == StatusCode::NOT_FOUND && code == Some("route_not_found")),
                    "{method} {path}: documented, not routed"
                );
                assert_ne!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}: documented, not routed"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}: routed, not documented ({body})"
                );
            }
        }
    }
    assert!(probed > 120, "only {probed} operations");
}

#[tokio::test]
async fn the_reference_page_is_served_without_outside_assets() {
    let server = Server::start();
    let doc = document(&server).await;
    let response = reqwest::get(format!("{}/v1/docs", server.base_url))
        .await
        .expect("docs page");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = response.text().await.expect("page");
    assert!(page.contains("Portico API reference"));
    // Nothing is fetched from elsewhere: no script, stylesheet or image from another origin.
    for outside in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
    ] {
        assert!(!page.contains(outside), "the page loads {outside}...");
    }
    // Every operation has its section.
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op["operationId"].as_str() {
                assert!(
                    page.contains(&format!("id=\"op-{id}\"")),
                    "{id} not on the page"
                );
            }
        }
    }
}
