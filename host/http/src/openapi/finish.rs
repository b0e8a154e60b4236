//! What `finish` adds to every operation of the generated document (see the module above): the
//! shared path parameters, the error answers any route can give in its layer's error shape, and
//! the links from each create operation to what reads, updates and deletes its result.

use serde_json::{json, Map, Value};
use utoipa::openapi::OpenApi;

use super::{APP_TOKEN, OPERATOR, PORTAL_SESSION, TENANT_KEY};

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
