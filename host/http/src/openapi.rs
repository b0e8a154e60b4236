//! The API contract: an OpenAPI 3.1 document generated from the handlers themselves, served at
//! `GET /v1/openapi.json`, and a reference page rendered from it at `GET /v1/docs`.
//!
//! Every JSON route is registered with utoipa-axum's `routes!` on an `OpenApiRouter`: the same
//! call adds the handler to the router and its `#[utoipa::path]` description (method, path,
//! parameters, request body, answers, security) to the document, so a route cannot be served
//! undocumented. The entities and bodies that live in the core derive `utoipa::ToSchema` behind
//! the core's optional `openapi` feature, which this crate turns on: the core itself depends on
//! no documentation or HTTP crate by default, and each schema follows the serde attributes of
//! the type it describes, so it cannot drift from what is sent.
//!
//! What every operation shares is added here once, in `finish`, instead of on each handler: the
//! path parameters a handler does not describe itself (`{tenant}`: the tenant's namespace), the
//! error answers any route can give (a path, query or body that does not parse, a missing or
//! wrong credential, a body too large or too slow, a busy server, an internal error), the error
//! shape of each answer (`ErrorBody` on `/v1`, `OneEntryError` on the OneEntry layer), and the
//! links from each create operation to the reads, updates and deletes of what it created.
//!
//! The portal pages under `/portal/...` answer HTML for people and are not part of the JSON API:
//! they are not in the document.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::{Modify, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The security scheme of the operator token (`Authorization: Bearer`).
pub const OPERATOR: &str = "operatorToken";
/// The security scheme of a tenant's API key (`Authorization: Bearer`).
pub const TENANT_KEY: &str = "tenantApiKey";
/// The security scheme of a signed-in portal user's access token (`Authorization: Bearer`).
pub const PORTAL_SESSION: &str = "portalSession";
/// The security scheme of a tenant's app token (`x-app-token` header), on the OneEntry layer.
pub const APP_TOKEN: &str = "appToken";

/// Every error answer of the `/v1` API.
#[derive(ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The error of an `ErrorBody`.
#[derive(ToSchema)]
pub struct ErrorDetail {
    /// The stable error code (`email_taken`); each operation lists the ones it can answer.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Structured details (`violations`, `retryAfterSeconds`, the missing resource), when any.
    #[schema(required = false)]
    pub details: Option<Value>,
}

/// Every error answer of the OneEntry layer: OneEntry's shape (what the SDK reads to tell an
/// error from an answer) plus Portico's `code` and `details`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OneEntryError {
    /// The HTTP status, again.
    pub status_code: u16,
    /// What went wrong, for a person.
    pub message: String,
    /// Always `null`.
    pub page_data: Option<Value>,
    /// When the error was answered (RFC 3339).
    pub timestamp: String,
    /// Portico's error code.
    pub code: String,
    /// Portico's error details (`violations` for a 422), or `null`.
    pub details: Option<Value>,
    /// The request's id (as in the `x-request-id` header), to find it in the server's log.
    pub request_id: Option<String>,
}

/// `{"status": "ok", "schemaVersion": N}` (`GET /v1/health`).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The storage schema's version.
    pub schema_version: u32,
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description.to_string()))
                    .build(),
            )
        };
        components.add_security_scheme(
            OPERATOR,
            bearer("The operator token (printed on first start, or PORTICO_OPERATOR_TOKEN): tenants, their API keys, host-wide limits and diagnostics."),
        );
        components.add_security_scheme(
            TENANT_KEY,
            bearer("One of the tenant's API keys: every route under /v1/tenants/{tenant}/ but the public ones. Another tenant's key answers 403."),
        );
        components.add_security_scheme(
            PORTAL_SESSION,
            bearer(
                "A signed-in portal user's access token (sign-in, refresh): the user's own routes.",
            ),
        );
        components.add_security_scheme(
            APP_TOKEN,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                crate::app_tokens::APP_TOKEN_HEADER,
                "One of the tenant's app tokens: the OneEntry layer only. A missing, unknown or revoked one answers 403 invalid_app_token.",
            ))),
        );
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Portico",
        description = "Portico's HTTP API: tenants, their users, groups, identity providers, profiles, portal, forms, plugins, and the OneEntry-compatible layer under /v1/tenants/{tenant}/api/content. Errors are {\"error\": {\"code\", \"message\", \"details\"}} on /v1 and OneEntry's shape on the OneEntry layer. Lists are paginated with ?limit= (default 50, at most 500) and ?cursor= (the nextCursor of the previous page).",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(ErrorBody, ErrorDetail, OneEntryError)),
    modifiers(&SecuritySchemes),
)]
struct BaseDoc;

/// The document every route is added to: the API's description and security schemes.
pub fn base() -> OpenApi {
    <BaseDoc as utoipa::OpenApi>::openapi()
}

/// The routes of the contract itself: the document and its reference page.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(docs_page))
}

static DOCUMENT: OnceLock<(String, String)> = OnceLock::new();

/// Keeps the finished document (and its page) for `openapi_json` and `docs_page`. The document
/// depends on the code alone, so the first router built in a process settles it.
pub fn publish(doc: OpenApi) {
    DOCUMENT.get_or_init(|| {
        let value = finish(doc);
        let page = render_page(&value);
        (value.to_string(), page)
    });
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "host", operation_id = "openapiDocument",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = serde_json::Value)))]
async fn openapi_json() -> impl IntoResponse {
    let body = DOCUMENT.get().map(|d| d.0.clone()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body)
}

/// The API reference as a page (HTML rendered from the OpenAPI document; no outside assets).
#[utoipa::path(get, path = "/v1/docs", tag = "host", operation_id = "apiReference",
    responses((status = 200, description = "The API reference", content_type = "text/html", body = String)))]
async fn docs_page() -> Html<String> {
    Html(DOCUMENT.get().map(|d| d.1.clone()).unwrap_or_default())
}

/// A language code (`en_US`, `tr`): letters and digits in parts joined by `_` or `-`, starting
/// with a letter, at most 35 characters (`validate_lang_code`).
pub const LANG_CODE_PATTERN: &str = "^[A-Za-z][A-Za-z0-9]*([_-][A-Za-z0-9]+)*$";

/// Path parameters every route names the same way, described once: (name, its schema).
fn path_parameter_schema(name: &str) -> Value {
    use portico_core::domain::mail_templates::{MAIL_LANGUAGES, MAIL_TEMPLATE_KINDS};
    match name {
        "kind" => json!({"type": "string", "enum": MAIL_TEMPLATE_KINDS}),
        "lang" => json!({"type": "string", "enum": MAIL_LANGUAGES}),
        "endpoint" => json!({"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"}),
        "tenant" => json!({"type": "string"}),
        _ => json!({"type": "string"}),
    }
}

/// The part of every path of the OneEntry layer.
const ONEENTRY_PATHS: &str = "/api/content/";

/// Create operations and what may follow them on the resource they answer, for stateful tests
/// and readers: (create operation, answer status, the path parameter, where its value is in the
/// answer, the operations that take it).
const LINKS: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "createTenant",
        "201",
        "tenant",
        "$response.body#/namespace",
        &["getTenant", "deleteTenant", "createApiKey", "listApiKeys"],
    ),
    (
        "createApiKey",
        "201",
        "key_id",
        "$response.body#/id",
        &["revokeApiKey"],
    ),
    (
        "createUser",
        "201",
        "user_id",
        "$response.body#/id",
        &[
            "getUser",
            "updateUser",
            "deleteUser",
            "activateUser",
            "deactivateUser",
            "blockUser",
            "resetPassword",
            "addUserGroup",
            "getPrimaryGroup",
        ],
    ),
    (
        "createGroup",
        "201",
        "group",
        "$response.body#/id",
        &["getGroup", "deleteGroup"],
    ),
    (
        "createIdentityProvider",
        "201",
        "provider",
        "$response.body#/id",
        &["getIdentityProvider", "deleteIdentityProvider"],
    ),
    (
        "createProfile",
        "201",
        "profile_id",
        "$response.body#/id",
        &[
            "getProfile",
            "updateProfile",
            "deleteProfile",
            "blockProfile",
            "unblockProfile",
            "getProfileUser",
        ],
    ),
    (
        "createForm",
        "201",
        "form",
        "$response.body#/identifier",
        &["getForm", "replaceForm", "deleteForm"],
    ),
    (
        "createAuthProvider",
        "201",
        "marker",
        "$response.body#/identifier",
        &[
            "getAuthProvider",
            "updateAuthProvider",
            "deleteAuthProvider",
        ],
    ),
    (
        "createAppToken",
        "201",
        "token_id",
        "$response.body#/id",
        &["revokeAppToken"],
    ),
    (
        "createPortalPage",
        "201",
        "code",
        "$response.body#/code",
        &["updatePortalPage", "deletePortalPage"],
    ),
    (
        "createPluginBinding",
        "201",
        "binding",
        "$response.body#/id",
        &[
            "getPluginBinding",
            "updatePluginBinding",
            "deletePluginBinding",
            "invokePluginBinding",
        ],
    ),
];

/// The finished document: what every operation shares (see the module's description).
pub fn finish(doc: OpenApi) -> Value {
    let mut doc = serde_json::to_value(&doc).unwrap_or(Value::Null);
    let operation_ids = operation_ids(&doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    continue;
                }
                complete_operation(path, method, operation);
                add_links(operation, &operation_ids);
            }
        }
    }
    doc
}

fn operation_ids(doc: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for item in paths.values() {
            for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(id) = operation["operationId"].as_str() {
                    ids.push(id.to_string());
                }
            }
        }
    }
    ids
}

fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

fn security_schemes(operation: &Value) -> Vec<String> {
    operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys().cloned())
        .collect()
}

fn complete_operation(path: &str, method: &str, operation: &mut Value) {
    let oneentry = path.contains(ONEENTRY_PATHS);
    let schemes = security_schemes(operation);
    let op = operation
        .as_object_mut()
        .expect("an operation is an object");

    // Path parameters the handler does not describe: strings.
    let parameters = op
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .expect("parameters are a list");
    for name in path_parameters(path).into_iter().rev() {
        let described = parameters
            .iter()
            .any(|p| p["in"] == "path" && p["name"] == name);
        if !described {
            let description = match name {
                "tenant" => "The tenant's namespace",
                _ => "An id or a name, as the operation says",
            };
            parameters.insert(
                0,
                json!({"name": name, "in": "path", "required": true,
                       "description": description, "schema": path_parameter_schema(name)}),
            );
        }
    }
    // A query's language code has the rules' form.
    for parameter in parameters.iter_mut() {
        if parameter["in"] == "query" && parameter["name"] == "langCode" {
            parameter["schema"]["pattern"] = json!(LANG_CODE_PATTERN);
            parameter["schema"]["maxLength"] = json!(35);
        }
    }
    let names_a_resource = path_parameters(path).iter().any(|p| *p != "tenant");
    let has_parameters = !parameters.is_empty();
    if !has_parameters {
        op.remove("parameters");
    }
    // An optional body (`Option<T>`) may be left out; when sent it is the object, never `null`.
    if let Some(body) = op.get_mut("requestBody") {
        let mut optional = false;
        for content in body["content"]
            .as_object_mut()
            .into_iter()
            .flat_map(|c| c.values_mut())
        {
            let options = content["schema"]["oneOf"].as_array().cloned();
            if let Some(options) = options {
                let not_null: Vec<Value> = options
                    .into_iter()
                    .filter(|o| o["type"] != "null")
                    .collect();
                if not_null.len() == 1 {
                    content["schema"] = not_null[0].clone();
                    optional = true;
                }
            }
        }
        if optional {
            body["required"] = json!(false);
        }
    }
    let has_body = op.contains_key("requestBody");
    let json_body = op
        .get("requestBody")
        .and_then(|b| b["content"].as_object())
        .is_some_and(|c| c.keys().any(|k| k.contains("json")));

    let responses = op
        .entry("responses")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("responses are an object");
    let mut common: Vec<(&str, String)> = Vec::new();
    if has_parameters || has_body {
        common.push(("400", "`invalid_path`, `invalid_query`, `malformed_json`, `invalid_body` or `integer_out_of_range`: a path, query or body that does not parse (not JSON, a wrong type, a missing or unknown field)".into()));
    }
    let bearer = schemes
        .iter()
        .any(|s| s == OPERATOR || s == TENANT_KEY || s == PORTAL_SESSION);
    if bearer {
        common.push((
            "401",
            "`unauthorized`: a missing or invalid bearer token".into(),
        ));
    }
    if schemes.iter().any(|s| s == TENANT_KEY) {
        common.push(("403", "`forbidden`: a key of another tenant".into()));
    }
    if schemes.iter().any(|s| s == APP_TOKEN) {
        common.push(("403", "`invalid_app_token`: a missing, malformed, unknown or revoked app token, or a tenant without one".into()));
    }
    if names_a_resource {
        common.push((
            "404",
            "`..._not_found`: no such resource (`details`: its kind and id)".into(),
        ));
    }
    if has_body || method == "post" || method == "put" || method == "patch" {
        common.push((
            "408",
            "`body_timeout`: the body did not arrive in time".into(),
        ));
        common.push((
            "413",
            "`payload_too_large`: the body is larger than the route accepts".into(),
        ));
    }
    if json_body {
        common.push((
            "415",
            "`unsupported_media_type`: a body that is not `application/json`".into(),
        ));
    }
    common.push((
        "500",
        "`internal`: an internal error (see the server log)".into(),
    ));
    common.push(("503", "`server_busy`: the tenant's share of the host is busy (`Retry-After`), or the database is out of reach".into()));
    for (status, description) in common {
        match responses.get_mut(status) {
            Some(existing) => {
                let text = existing["description"].as_str().unwrap_or("").to_string();
                if !text.contains(description.split(':').next().unwrap_or("")) {
                    existing["description"] = Value::String(if text.is_empty() {
                        description
                    } else {
                        format!("{text}; {description}")
                    });
                }
            }
            None => {
                responses.insert(status.to_string(), json!({ "description": description }));
            }
        }
    }
    let error_schema = if oneentry {
        "OneEntryError"
    } else {
        "ErrorBody"
    };
    for (status, response) in responses.iter_mut() {
        if response.get("description").is_none() {
            let reason = status
                .parse::<u16>()
                .ok()
                .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Answer");
            response["description"] = Value::String(reason.to_string());
        }
        let is_error = status.starts_with('4') || status.starts_with('5');
        if is_error && response.get("content").is_none() {
            response["content"] = json!({"application/json": {"schema": {
                "$ref": format!("#/components/schemas/{error_schema}")}}});
        }
    }
}

fn add_links(operation: &mut Value, operation_ids: &[String]) {
    let Some(id) = operation["operationId"].as_str().map(str::to_string) else {
        return;
    };
    for (from, status, parameter, expression, targets) in LINKS {
        if *from != id {
            continue;
        }
        let Some(response) = operation["responses"].get_mut(*status) else {
            continue;
        };
        let links = response
            .as_object_mut()
            .expect("a response is an object")
            .entry("links")
            .or_insert_with(|| Value::Object(Map::new()));
        for target in targets.iter() {
            if operation_ids.iter().any(|o| o == target) {
                links[*target] = json!({
                    "operationId": target,
                    "parameters": { *parameter: expression },
                });
            }
        }
    }
}

/// `text` escaped, its `code spans` as `<code>`.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(n, part)| {
            if n % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// An operation's security in words: the schemes of one requirement together ("and"), the
/// requirements as alternatives ("or").
fn security_words(operation: &Value) -> String {
    let requirements: Vec<String> = operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|r| {
            r.keys()
                .map(|k| escape(k))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    if requirements.is_empty() {
        "none".to_string()
    } else {
        requirements.join(" or ")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A schema in a few words: its `$ref` name, its type, the items of a list.
fn schema_words(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("list of {}", schema_words(items));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[key].as_array() {
            let words: Vec<String> = options.iter().map(schema_words).collect();
            return words.join(" or ");
        }
    }
    match &schema["type"] {
        Value::String(t) => escape(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_string(),
    }
}

/// The reference page: every operation (grouped by tag) with its parameters, body, answers and
/// security, then every schema as JSON. Plain HTML and a little CSS, nothing fetched.
fn render_page(doc: &Value) -> String {
    let mut by_tag: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
            let mut html = format!(
                "<section class=\"op\" id=\"op-{id}\"><h3><span class=\"m {m}\">{M}</span> <code>{p}</code></h3>",
                id = escape(op["operationId"].as_str().unwrap_or("")),
                m = escape(method),
                M = escape(&method.to_uppercase()),
                p = escape(path),
            );
            if let Some(summary) = op["summary"].as_str() {
                html.push_str(&format!("<p><b>{}</b></p>", prose(summary)));
            }
            if let Some(description) = op["description"].as_str() {
                html.push_str(&format!("<p>{}</p>", prose(description)));
            }
            html.push_str(&format!("<p>Auth: {}</p>", security_words(op)));
            if let Some(parameters) = op["parameters"].as_array() {
                html.push_str("<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>");
                for p in parameters {
                    html.push_str(&format!(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(p["name"].as_str().unwrap_or("")),
                        if p["required"] == true { " *" } else { "" },
                        escape(p["in"].as_str().unwrap_or("")),
                        schema_words(&p["schema"]),
                        prose(p["description"].as_str().unwrap_or("")),
                    ));
                }
                html.push_str("</table>");
            }
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for (media, c) in content {
                    html.push_str(&format!(
                        "<p>Body ({}): {}</p>",
                        escape(media),
                        schema_words(&c["schema"])
                    ));
                }
            }
            html.push_str("<table><tr><th>status</th><th>answer</th><th>description</th></tr>");
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                let body = r["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|c| schema_words(&c["schema"]))
                    .unwrap_or_default();
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(status),
                    body,
                    prose(r["description"].as_str().unwrap_or(""))
                ));
            }
            html.push_str("</table></section>");
            by_tag.entry(tag).or_default().push(html);
        }
    }
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portico API reference</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{font-family:system-ui,sans-serif;max-width:70rem;margin:auto;padding:1rem;line-height:1.4}\
         code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}\
         table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}\
         .op{border-top:1px solid #ddd;margin-top:1rem}.m{font-weight:bold;padding:0 .3rem;border-radius:3px;color:#fff}\
         .get{background:#2a7}.post{background:#27a}.put{background:#a72}.patch{background:#a5a}.delete{background:#a33}\
         </style></head><body>",
    );
    page.push_str(&format!(
        "<h1>{} API reference</h1><p>{}</p><p>The machine-readable contract: <a href=\"/v1/openapi.json\">/v1/openapi.json</a> (OpenAPI {}).</p>",
        escape(doc["info"]["title"].as_str().unwrap_or("")),
        escape(doc["info"]["description"].as_str().unwrap_or("")),
        escape(doc["openapi"].as_str().unwrap_or("")),
    ));
    page.push_str("<h2>Authentication</h2><ul>");
    for (name, scheme) in doc["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flatten()
    {
        page.push_str(&format!(
            "<li><code>{}</code>: {}</li>",
            escape(name),
            prose(scheme["description"].as_str().unwrap_or(""))
        ));
    }
    page.push_str("</ul><h2>Contents</h2><ul>");
    for tag in by_tag.keys() {
        page.push_str(&format!(
            "<li><a href=\"#tag-{0}\">{0}</a></li>",
            escape(tag)
        ));
    }
    page.push_str("<li><a href=\"#schemas\">schemas</a></li></ul>");
    for (tag, operations) in &by_tag {
        page.push_str(&format!("<h2 id=\"tag-{0}\">{0}</h2>", escape(tag)));
        for op in operations {
            page.push_str(op);
        }
    }
    page.push_str("<h2 id=\"schemas\">Schemas</h2>");
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        page.push_str(&format!(
            "<h3 id=\"schema-{0}\">{0}</h3><pre>{1}</pre>",
            escape(name),
            escape(&serde_json::to_string_pretty(schema).unwrap_or_default())
        ));
    }
    page.push_str("</body></html>");
    page
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read the sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    /// A JSON route is added only with utoipa-axum's `routes!` (which documents it as it
    /// routes it): no plain axum registration outside the portal pages (HTML, not part of the
    /// contract) and the OneEntry layer's catch-all (its own 404). The black-box suite checks the
    /// other half: every documented operation is routed.
    #[test]
    fn every_route_is_registered_documented() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut undocumented = Vec::new();
        for file in files {
            let relative = file
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if relative.starts_with("pages/") || relative.ends_with("_tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            // A module's own tests may build routers of their own.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                let plain_router =
                    line.contains("Router::new()") && !line.contains("OpenApiRouter::new()");
                let registers = [".route(", ".route_service(", ".nest_service("]
                    .iter()
                    .any(|r| line.contains(r));
                let catch_all = relative == "oneentry/mod.rs" && line.contains("\"/{*rest}\"");
                if (registers || plain_router) && !catch_all && !line.trim_start().starts_with("//")
                {
                    undocumented.push(format!("{relative}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        assert!(
            undocumented.is_empty(),
            "routes registered without their OpenAPI description:\n{}",
            undocumented.join("\n")
        );
    }

    #[test]
    fn finishing_adds_path_parameters_errors_and_links() {
        let mut doc = super::base();
        doc.paths.paths.insert(
            "/v1/tenants/{tenant}/users".into(),
            serde_json::from_value(serde_json::json!({"post": {
                "operationId": "createUser",
                "security": [{"tenantApiKey": []}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "created"}}
            }}))
            .unwrap(),
        );
        let doc = super::finish(doc);
        let op = &doc["paths"]["/v1/tenants/{tenant}/users"]["post"];
        assert_eq!(op["parameters"][0]["name"], "tenant");
        for status in ["400", "401", "403", "413", "415", "500", "503"] {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{status}"
            );
        }
        assert!(op["responses"].get("404").is_none());
    }
}
