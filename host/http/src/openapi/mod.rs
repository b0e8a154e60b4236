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
use serde_json::Value;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::{Modify, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod finish;
mod page;
#[cfg(test)]
mod tests;

pub use finish::{finish, LANG_CODE_PATTERN};
use page::render_page;

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
