//! The pages' stylesheets: Portico's (the same for every tenant) and the tenant's colours as
//! CSS custom properties. Both are served by Portico itself, so the Content-Security-Policy
//! admits styles from the pages' own origin only.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::render::look;
use super::Visit;
use crate::AppState;

/// Portico's stylesheet.
const PORTAL_CSS: &str = include_str!("../../pages/portal.css");

fn css(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], body).into_response()
}

/// `GET /portal/{ns}/assets/portal.css`.
pub async fn stylesheet() -> Response {
    css(PORTAL_CSS.to_string())
}

/// `GET /portal/{ns}/assets/brand.css`: the tenant's colours (each checked to `#rrggbb` when
/// saved, so nothing else can reach the stylesheet).
pub async fn brand(State(s): State<AppState>, visit: Visit) -> Response {
    let Ok(look) = look(&s, &visit).await else {
        return (StatusCode::NOT_FOUND, "").into_response();
    };
    let mut rules = String::new();
    if let Some(c) = &look.settings.primary_color {
        rules.push_str(&format!("--primary: {c}; "));
    }
    if let Some(c) = &look.settings.background_color {
        rules.push_str(&format!("--background: {c}; "));
    }
    css(format!(":root {{ {rules}}}\n"))
}
