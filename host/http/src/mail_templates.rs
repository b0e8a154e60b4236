//! `/v1/tenants/{tenant}/mail-templates`: the tenant's own mail templates per notification kind
//! and language, managed with the tenant API key, and the built-in ones to start from.
//!
//! Saving checks the templates with the mail renderer's own check
//! (`portico_mail::check_override`: they parse, and render against the kind's data), handed to
//! the rules as `save_mail_template`'s `check`: the core names no template engine, and this
//! layer may depend on `portico-mail`, a leaf crate, so the dependencies stay one way.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiResult, AppState};
use portico_core::domain::mail_templates::{
    validate_mail_template_key, MailTemplate, MailTemplateSources,
};
use portico_mail::{Kind, Lang};

/// The tenant's mail template routes, nested under `/v1/tenants/{tenant}`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read, save, remove))
        .routes(routes!(built_in))
}

#[derive(Deserialize)]
struct KeyPath {
    kind: String,
    lang: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Items<T> {
    items: Vec<T>,
}

/// The built-in templates of a kind in a language, as `GET .../default` shows them.
#[derive(Serialize, utoipa::ToSchema)]
struct BuiltIn {
    kind: &'static str,
    lang: &'static str,
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

/// The mail renderer's kind and language for a key the rules accepted.
fn renderer_key(kind: &str, lang: &str) -> Result<(Kind, Lang), String> {
    match (Kind::from_name(kind), Lang::from_code(lang)) {
        (Some(kind), Some(lang)) => Ok((kind, lang)),
        _ => Err(format!(
            "the mail renderer has no templates for {kind} in {lang}"
        )),
    }
}

/// The check a tenant's templates for `kind` in `lang` pass before they are saved: the mail
/// renderer's, its refusal in its own words (which template, why, on which line).
fn renders(kind: &str, lang: &str, sources: &MailTemplateSources) -> Result<(), String> {
    let (kind, lang) = renderer_key(kind, lang)?;
    portico_mail::check_override(
        kind,
        lang.code(),
        &sources.subject,
        &sources.text,
        &sources.html,
    )
    .map_err(|e| e.to_string())
}

/// The tenant's own mail templates.
#[utoipa::path(get, path = "/mail-templates", tag = "mail templates", operation_id = "listMailTemplates",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Items<MailTemplate>)))]
async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
) -> ApiResult<Json<Items<MailTemplate>>> {
    let items = blocking(&s, move |d| d.tenants.list_mail_templates(&t)).await?;
    Ok(Json(Items { items }))
}

/// The tenant's own templates of a kind in a language.
#[utoipa::path(get, path = "/mail-templates/{kind}/{lang}", tag = "mail templates", operation_id = "getMailTemplate",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = MailTemplate), (status = 400, description = "`unknown_mail_template_kind`, `unsupported_mail_language`"), (status = 404, description = "`mail_template_not_found`")))]
async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<KeyPath>,
) -> ApiResult<Json<MailTemplate>> {
    let template = blocking(&s, move |d| {
        d.tenants.get_mail_template(&t, &p.kind, &p.lang)
    })
    .await?;
    Ok(Json(template))
}

/// Saves the tenant's own templates of a kind in a language (checked by rendering them first).
#[utoipa::path(put, path = "/mail-templates/{kind}/{lang}", tag = "mail templates", operation_id = "saveMailTemplate",
    security(("tenantApiKey" = [])), request_body = MailTemplateSources,
    responses((status = 200, body = MailTemplate), (status = 400, description = "`unknown_mail_template_kind`, `unsupported_mail_language`, `invalid_mail_template`, `mail_template_too_large`")))]
async fn save(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<KeyPath>,
    ApiJson(body): ApiJson<MailTemplateSources>,
) -> ApiResult<Json<MailTemplate>> {
    let template = blocking(&s, move |d| {
        let check = |sources: &MailTemplateSources| renders(&p.kind, &p.lang, sources);
        d.tenants
            .save_mail_template(&t, &p.kind, &p.lang, body, check)
    })
    .await?;
    Ok(Json(template))
}

/// Deletes the tenant's own templates of a kind in a language: the built-in ones are used again.
#[utoipa::path(delete, path = "/mail-templates/{kind}/{lang}", tag = "mail templates", operation_id = "deleteMailTemplate",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 400, description = "`unknown_mail_template_kind`, `unsupported_mail_language`"), (status = 404, description = "`mail_template_not_found`")))]
async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<KeyPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| {
        d.tenants.delete_mail_template(&t, &p.kind, &p.lang)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The built-in templates of a kind in a language, to start from.
#[utoipa::path(get, path = "/mail-templates/{kind}/{lang}/default", tag = "mail templates", operation_id = "getBuiltInMailTemplate",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = BuiltIn), (status = 400, description = "`unknown_mail_template_kind`, `unsupported_mail_language`")))]
async fn built_in(
    TenantAuth(_): TenantAuth,
    ApiPath(p): ApiPath<KeyPath>,
) -> ApiResult<Json<BuiltIn>> {
    validate_mail_template_key(&p.kind, &p.lang)?;
    let (kind, lang) = renderer_key(&p.kind, &p.lang).map_err(super::ApiError::internal)?;
    let sources = portico_mail::built_in_sources(kind, lang);
    Ok(Json(BuiltIn {
        kind: kind.name(),
        lang: lang.code(),
        subject: sources.subject,
        text: sources.text,
        html: sources.html,
    }))
}

#[cfg(test)]
mod tests {
    use portico_core::domain::mail_templates::{
        MAIL_LANGUAGES, MAIL_TEMPLATE_KINDS, MAX_MAIL_TEMPLATE_BYTES,
    };
    use portico_mail::{Kind, Lang, MAX_OVERRIDE_BYTES};

    /// The rules' kinds, languages and bound are the mail renderer's, which the core cannot
    /// name: this layer sees both.
    #[test]
    fn the_rules_and_the_mail_renderer_know_the_same_kinds_languages_and_bound() {
        assert_eq!(MAIL_TEMPLATE_KINDS, Kind::ALL.map(Kind::name));
        assert_eq!(MAIL_LANGUAGES, Lang::ALL.map(Lang::code));
        assert_eq!(MAX_MAIL_TEMPLATE_BYTES, MAX_OVERRIDE_BYTES);
    }
}
