//! The portal's pages: server-rendered HTML for each tenant under `/portal/{namespace}`, where
//! the links in its people's mails lead (issue 20). Sign-in, the signup link (with the
//! confirmation-code step of an unsigned link), forgotten password and reset from its link, the
//! app-link landing, the profile form (every field type, saved through `updateUser`'s rules),
//! change password and sign-out.
//!
//! Every page is shown in the visit's language (`i18n`) with the tenant's look (`render`),
//! answers with strict security headers and takes posts only with the visit's CSRF token
//! (`security`). Secrets that arrive in a link (`?token=`, `?code=`, `?authToken=`) are moved
//! into an HttpOnly cookie at once and the browser redirected to the same page without them,
//! so none stays in the address bar, the history or a `Referer`.

// A page handler's "error" is the page to answer instead (an error page, a redirect to
// sign-in): a whole `Response`, passed straight back to axum, never inspected on the way.
#![allow(clippy::result_large_err)]

mod assets;
mod fields;
mod i18n;
mod profile;
mod render;
mod reset;
mod security;
mod session;
mod sign_in;
mod signup;
mod visit;

use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;
use render::{error_page, look, PageResult};
use visit::Visit;

/// The routes of every tenant's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/{tenant}", get(to_home))
        .route("/portal/{tenant}/", get(sign_in::home))
        .route(
            "/portal/{tenant}/sign-in",
            get(sign_in::page).post(sign_in::submit),
        )
        .route("/portal/{tenant}/sign-out", post(sign_in::sign_out))
        .route(
            "/portal/{tenant}/signup",
            get(signup::page).post(signup::submit),
        )
        .route(
            "/portal/{tenant}/forgot",
            get(reset::forgot_page).post(reset::forgot_submit),
        )
        .route(
            "/portal/{tenant}/reset",
            get(reset::page).post(reset::submit),
        )
        .route(
            "/portal/{tenant}/profile",
            get(profile::page).post(profile::save),
        )
        .route(
            "/portal/{tenant}/password",
            get(profile::password_page).post(profile::change_password),
        )
        .route(
            "/portal/{tenant}/assets/portal.css",
            get(assets::stylesheet),
        )
        .route("/portal/{tenant}/assets/brand.css", get(assets::brand))
        .route("/portal/{tenant}/{*rest}", get(not_found).post(not_found))
        .layer(middleware::from_fn(security::headers))
}

/// `/portal/{namespace}` without its slash: the home page.
async fn to_home(visit: Visit) -> Response {
    Redirect::to(&format!("{}/", visit.base())).into_response()
}

/// A page that does not exist, as a page.
async fn not_found(visit: Visit) -> Response {
    error_page(&visit, None, StatusCode::NOT_FOUND, "error.not_found")
}

/// A 303 to `path` under the tenant's pages, setting the visit's cookies.
fn redirect(visit: &Visit, path: &str) -> Response {
    (
        visit.jar.clone(),
        Redirect::to(&format!("{}{path}", visit.base())),
    )
        .into_response()
}

/// The texts shown once after a redirect (`?notice=`), by the names the redirects use: only
/// these, so a link cannot make a page say anything else.
fn notice_key(name: &str) -> Option<&'static str> {
    Some(match name {
        "signed_out" => "sign_in.signed_out",
        "session_ended" => "sign_in.session_ended",
        "signup_done" => "signup.done",
        "password_set" => "reset.done",
        "password_changed" => "password.changed",
        "saved" => "profile.saved",
        _ => return None,
    })
}
