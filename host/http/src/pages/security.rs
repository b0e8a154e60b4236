//! What every page answer and every form post goes through: strict security headers, and the
//! checks of a post (a form body, its CSRF token, a same-origin `Origin`).
//!
//! CSRF tokens are double-submitted: the visit's token sits in an HttpOnly, SameSite=Lax
//! cookie scoped to the tenant's pages and in a hidden field of every form; a post whose field
//! does not equal its cookie (compared in constant time) is refused. A cross-site page can
//! neither read the cookie nor make the browser send it with a post (SameSite=Lax), and a post
//! whose `Origin` names another host is refused before that.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::render::{error_page, Look};
use super::visit::Visit;

/// The pages' Content-Security-Policy: nothing but the pages' own stylesheets, images from
/// the pages or over https (a tenant's logo), forms posting to the pages; no script at all, no
/// framing, no `<base>` rewriting.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self' https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Middleware: the security headers of every page answer. Pages are never cached (they carry
/// personal data and CSRF tokens) and send a `Referer` only to their own origin (no page's
/// URL holds a secret after its landing redirect; `no-referrer` would also make browsers send
/// `Origin: null` with the pages' own posts, hiding where they come from).
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

/// A posted form's fields, in order (a name may repeat: checkboxes).
pub struct Posted(pub Vec<(String, String)>);

impl Posted {
    /// The first value of `name`, if posted.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or `""`.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    /// Every value of `name`, in order, owned.
    pub fn all_owned(&self, name: &str) -> Vec<String> {
        self.all(name).map(str::to_string).collect()
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a post was not read: the body is not a form (415/400) or too large (413).
pub struct PostRejection(StatusCode);

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = PostRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(PostRejection(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| PostRejection(e.status()))?;
        let fields = url::form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(Posted(fields))
    }
}

impl PostRejection {
    /// The error page for it.
    pub fn page(&self, visit: &Visit) -> Response {
        error_page(visit, None, self.0, "error.bad_form")
    }
}

impl IntoResponse for PostRejection {
    fn into_response(self) -> Response {
        (self.0, "the form could not be read").into_response()
    }
}

/// Whether `origin` (an `Origin` header) names the host the request came to.
fn same_origin(origin: &str, host: Option<&str>) -> bool {
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

/// Refuses a post that did not come from one of the tenant's own pages: unread body, a
/// foreign `Origin`, or a CSRF field that is not the visit's cookie (403 "form expired").
pub fn check_post(
    visit: &Visit,
    look: Option<&Look>,
    posted: &Result<Posted, PostRejection>,
) -> Result<(), Response> {
    let posted = posted.as_ref().map_err(|rejection| rejection.page(visit))?;
    // `null` (a privacy setting or a sandboxed page) says nothing: the token decides.
    if let Some(origin) = visit.origin.as_ref().filter(|o| *o != "null") {
        if !same_origin(origin, visit.host.as_deref()) {
            return Err(error_page(
                visit,
                look,
                StatusCode::FORBIDDEN,
                "error.form_expired",
            ));
        }
    }
    let cookie = visit
        .cookie_value(super::visit::CSRF_COOKIE)
        .unwrap_or_default();
    let field = posted.text("csrf");
    let matches = !cookie.is_empty() && bool::from(cookie.as_bytes().ct_eq(field.as_bytes()));
    if !matches {
        return Err(error_page(
            visit,
            look,
            StatusCode::FORBIDDEN,
            "error.form_expired",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_name_the_host() {
        assert!(same_origin("http://127.0.0.1:8080", Some("127.0.0.1:8080")));
        assert!(same_origin(
            "https://ID.example.com",
            Some("id.example.com")
        ));
        assert!(!same_origin("https://evil.example", Some("id.example.com")));
        assert!(!same_origin("null", Some("id.example.com")));
        assert!(!same_origin("https://id.example.com", None));
    }
}
