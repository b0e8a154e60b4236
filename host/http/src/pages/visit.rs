//! A person's visit to a portal page: the tenant named in the path, the language the page is
//! shown in, the cookies the answer sets, and the visit's CSRF token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use rand::Rng;

use super::i18n::Lang;
use crate::AppState;

/// The cookie holding the visit's CSRF token; every form carries the same value.
pub const CSRF_COOKIE: &str = "portico_csrf";
/// The cookie remembering the language chosen with `?langCode=`.
pub const LANG_COOKIE: &str = "portico_lang";
/// How long a chosen language is remembered: a year.
const LANG_COOKIE_SECS: i64 = 365 * 24 * 3600;

/// What every page handler starts from.
pub struct Visit {
    /// The tenant's namespace, from the path.
    pub namespace: String,
    /// The language the page is shown in.
    pub lang: Lang,
    /// The request's cookies; cookies added here are set by the answer.
    pub jar: CookieJar,
    /// The visit's CSRF token (the cookie's, or a new one the answer sets).
    pub csrf: String,
    /// Cookies are `Secure`: Portico is reached over https.
    pub secure: bool,
    /// The `Origin` of a cross-origin post, or none (see `security::check_post`).
    pub origin: Option<String>,
    /// The request's `Host`.
    pub host: Option<String>,
    /// The request's `User-Agent`, for the session's device.
    pub user_agent: Option<String>,
}

impl Visit {
    /// The path of the tenant's pages, e.g. `/portal/acme`.
    pub fn base(&self) -> String {
        format!("/portal/{}", self.namespace)
    }

    /// A cookie of this tenant's pages: HttpOnly, SameSite=Lax, scoped to the tenant's path,
    /// `Secure` behind https; a session cookie unless `max_age_secs` is given.
    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age_secs: Option<i64>,
    ) -> Cookie<'static> {
        let mut cookie = Cookie::build((name, value))
            .path(self.base())
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure);
        if let Some(secs) = max_age_secs {
            cookie = cookie.max_age(time::Duration::seconds(secs));
        }
        cookie.build()
    }

    /// Sets a cookie on the answer.
    pub fn set_cookie(&mut self, name: &'static str, value: String, max_age_secs: Option<i64>) {
        let cookie = self.cookie(name, value, max_age_secs);
        self.jar = std::mem::take(&mut self.jar).add(cookie);
    }

    /// Removes a cookie of this tenant's pages.
    pub fn remove_cookie(&mut self, name: &'static str) {
        let cookie = Cookie::build((name, "")).path(self.base()).build();
        self.jar = std::mem::take(&mut self.jar).remove(cookie);
    }

    /// A cookie's value, if the request carried it.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        self.jar.get(name).map(|c| c.value().to_string())
    }
}

/// The namespace in a portal page's path, `/portal/{namespace}/...`.
fn namespace_of(path: &str) -> String {
    path.strip_prefix("/portal/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string()
}

/// The value of `name` in a query string, if present.
fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A new CSRF token: 32 random bytes, hex.
fn new_csrf_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let chosen = query_value(parts.uri.query(), "langCode").and_then(|c| Lang::from_code(&c));
        let remembered = jar
            .get(LANG_COOKIE)
            .and_then(|c| Lang::from_code(c.value()));
        let accepted = header_text(&parts.headers, header::ACCEPT_LANGUAGE)
            .map(|h| Lang::from_accept_language(&h));
        let lang = chosen.or(remembered).or(accepted).unwrap_or_default();
        let existing_csrf = jar.get(CSRF_COOKIE).map(|c| c.value().to_string());
        let mut visit = Visit {
            namespace: namespace_of(parts.uri.path()),
            lang,
            jar,
            csrf: String::new(),
            secure: state.domain.public_url().starts_with("https://"),
            origin: header_text(&parts.headers, header::ORIGIN),
            host: header_text(&parts.headers, header::HOST),
            user_agent: header_text(&parts.headers, header::USER_AGENT),
        };
        if let Some(chosen) = chosen {
            visit.set_cookie(
                LANG_COOKIE,
                chosen.code().to_string(),
                Some(LANG_COOKIE_SECS),
            );
        }
        visit.csrf = match existing_csrf.filter(|t| t.len() == 64) {
            Some(token) => token,
            None => {
                let token = new_csrf_token();
                visit.set_cookie(CSRF_COOKIE, token.clone(), None);
                token
            }
        };
        Ok(visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_namespace_and_query() {
        assert_eq!(namespace_of("/portal/acme/sign-in"), "acme");
        assert_eq!(namespace_of("/portal/acme"), "acme");
        assert_eq!(
            query_value(Some("a=1&langCode=tr_TR"), "langCode").as_deref(),
            Some("tr_TR")
        );
        assert_eq!(query_value(None, "langCode"), None);
    }
}
