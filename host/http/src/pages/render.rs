//! Rendering a page: the templates under `pages/templates/` (minijinja, every value escaped),
//! the tenant's look (its name, logo, login title) and the visit's language, CSRF token and
//! cookies. Error pages are pages too: a person never meets a JSON error here.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Environment, Value};
use portico_core::domain::portal::PortalSettings;
use portico_core::domain::Tenant;

use super::i18n::Lang;
use super::visit::Visit;
use crate::{blocking, ApiError, AppState};

/// What a handler answers: a page, a redirect, or an error page.
pub type PageResult = Result<Response, Response>;

/// The tenant as its pages show it.
pub struct Look {
    /// The tenant.
    pub tenant: Tenant,
    /// Its portal settings (title, colours, logo, lockout...).
    pub settings: PortalSettings,
}

impl Look {
    /// The name the pages show: the display name, else the tenant's name.
    fn name(&self) -> &str {
        self.settings
            .display_name
            .as_deref()
            .unwrap_or(&self.tenant.name)
    }
}

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("the pages' templates parse (checked by the tests)");
        }
        env
    })
}

/// Every template, by name.
const TEMPLATES: [(&str, &str); 9] = [
    (
        "layout.html",
        include_str!("../../pages/templates/layout.html"),
    ),
    (
        "message.html",
        include_str!("../../pages/templates/message.html"),
    ),
    (
        "sign_in.html",
        include_str!("../../pages/templates/sign_in.html"),
    ),
    (
        "signup.html",
        include_str!("../../pages/templates/signup.html"),
    ),
    (
        "password_fields.html",
        include_str!("../../pages/templates/password_fields.html"),
    ),
    (
        "forgot.html",
        include_str!("../../pages/templates/forgot.html"),
    ),
    (
        "reset.html",
        include_str!("../../pages/templates/reset.html"),
    ),
    (
        "password.html",
        include_str!("../../pages/templates/password.html"),
    ),
    (
        "profile.html",
        include_str!("../../pages/templates/profile.html"),
    ),
];

fn languages(current: Lang) -> Vec<Value> {
    Lang::ALL
        .iter()
        .map(|l| {
            context! { code => l.code(), html => l.html(), name => l.own_name(), current => *l == current }
        })
        .collect()
}

/// Renders `template` with `page`'s values over the common ones, answering `status` with the
/// visit's cookies.
pub fn render(
    visit: &Visit,
    look: Option<&Look>,
    status: StatusCode,
    template: &str,
    page: Value,
) -> Response {
    let brand = match look {
        Some(look) => context! {
            name => look.name(),
            logo_url => look.settings.logo_url.clone(),
        },
        None => context! { name => "Portico" },
    };
    let common = context! {
        lang => visit.lang.html(),
        t => visit.lang.strings(),
        languages => languages(visit.lang),
        brand => brand,
        base => visit.base(),
        csrf => visit.csrf.clone(),
    };
    let html = environment()
        .get_template(template)
        .and_then(|t| t.render(context! { ..page, ..common }));
    match html {
        Ok(html) => (status, visit.jar.clone(), Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template, "a page does not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be shown",
            )
                .into_response()
        }
    }
}

/// A page with a heading, a text and an optional link.
pub fn message(
    visit: &Visit,
    look: Option<&Look>,
    status: StatusCode,
    heading: String,
    text: String,
    link: Option<(String, String)>,
) -> Response {
    let link = link.map(|(href, text)| context! { href, text });
    let page = context! { heading, text, link };
    render(visit, look, status, "message.html", page)
}

/// An error page: `status`, the text under `key`.
pub fn error_page(visit: &Visit, look: Option<&Look>, status: StatusCode, key: &str) -> Response {
    let t = |k: &str| visit.lang.text(k);
    message(visit, look, status, t("error.title"), t(key), None)
}

/// The error page for an API error met while serving a page.
pub fn failure(visit: &Visit, look: Option<&Look>, e: ApiError) -> Response {
    let key = match e.status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::SERVICE_UNAVAILABLE => "error.busy",
        _ => "error.generic",
    };
    let status = if e.status.is_server_error() && e.status != StatusCode::SERVICE_UNAVAILABLE {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        e.status
    };
    error_page(visit, look, status, key)
}

/// The tenant the visit's path names, with its settings; an unknown one is a 404 page.
pub async fn look(s: &AppState, visit: &Visit) -> Result<Look, Response> {
    let namespace = visit.namespace.clone();
    blocking(s, move |d| {
        let tenant = d.tenants.get_tenant(&namespace)?;
        let settings = d.portal.portal_settings(&tenant)?.settings;
        Ok(Look { tenant, settings })
    })
    .await
    .map_err(|e| failure(visit, None, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(environment().get_template(name).is_ok(), "{name}");
        }
    }
}
