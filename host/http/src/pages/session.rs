//! A signed-in visit: the portal session's tokens in two cookies of the tenant's pages
//! (HttpOnly, SameSite=Lax, Secure behind https), the access token renewed with the refresh
//! token when it has expired, so a person stays signed in as long as the session lives.

use portico_core::domain::portal::DEFAULT_REFRESH_TOKEN_TTL_SECS;
use portico_core::domain::{DeviceInfo, DomainError, PortalSession, SessionOrigin, SessionTokens};

use super::visit::Visit;
use crate::{blocking, ApiResult, AppState};

/// The cookie holding the session's access token.
pub const SESSION_COOKIE: &str = "portico_session";
/// The cookie holding the session's refresh token.
pub const REFRESH_COOKIE: &str = "portico_refresh";
/// What a session started on the pages records as its device's browser.
const PAGES_CLIENT: &str = "Portal pages";
/// Longest user agent kept as a session's operating system description.
const MAX_USER_AGENT_CHARS: usize = 200;

/// Where a session started on the pages comes from: the pages, in the visitor's browser.
pub fn origin(visit: &Visit) -> SessionOrigin {
    let os: String = visit
        .user_agent
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_USER_AGENT_CHARS)
        .collect();
    SessionOrigin {
        provider: None,
        device: Some(DeviceInfo {
            os,
            browser: PAGES_CLIENT.into(),
            location: visit.lang.code().into(),
        }),
    }
}

/// Puts a new session's tokens in the answer's cookies.
pub fn start(visit: &mut Visit, tokens: &SessionTokens) {
    let access_secs = i64::try_from(tokens.expires_in).unwrap_or(i64::MAX);
    visit.set_cookie(
        SESSION_COOKIE,
        tokens.access_token.clone(),
        Some(access_secs),
    );
    let refresh_secs = DEFAULT_REFRESH_TOKEN_TTL_SECS as i64;
    visit.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token.clone(),
        Some(refresh_secs),
    );
}

/// Removes the session's cookies.
pub fn forget(visit: &mut Visit) {
    visit.remove_cookie(SESSION_COOKIE);
    visit.remove_cookie(REFRESH_COOKIE);
}

/// Whether `e` refuses a token (as opposed to a store that could not answer, which must not
/// sign anybody out).
fn is_refusal(e: &DomainError) -> bool {
    matches!(
        e,
        DomainError::Unauthorized(_)
            | DomainError::Unauthenticated { .. }
            | DomainError::Refused { .. }
    )
}

/// The visit's portal session: its access token's, else a new pair traded for its refresh
/// token (set in the answer's cookies); `None` when neither works (their cookies removed).
pub async fn signed_in(s: &AppState, visit: &mut Visit) -> ApiResult<Option<PortalSession>> {
    let namespace = visit.namespace.clone();
    let access = visit.cookie_value(SESSION_COOKIE);
    let refresh = visit.cookie_value(REFRESH_COOKIE);
    if access.is_none() && refresh.is_none() {
        return Ok(None);
    }
    let found = blocking(s, move |d| {
        if let Some(access) = access {
            match d.portal.authenticate_portal_session(&namespace, &access) {
                Ok(session) => return Ok(Some((session, None))),
                Err(e) if !is_refusal(&e) => return Err(e),
                Err(_) => {}
            }
        }
        let Some(refresh) = refresh else {
            return Ok(None);
        };
        let tenant = d.tenants.get_tenant(&namespace)?;
        let tokens = match d.portal.portal_refresh(&tenant, &refresh) {
            Ok(tokens) => tokens,
            Err(e) if !is_refusal(&e) => return Err(e),
            Err(_) => return Ok(None),
        };
        let session = d
            .portal
            .authenticate_portal_session(&namespace, &tokens.access_token)?;
        Ok(Some((session, Some(tokens))))
    })
    .await?;
    match found {
        Some((session, renewed)) => {
            if let Some(tokens) = renewed {
                start(visit, &tokens);
            }
            Ok(Some(session))
        }
        None => {
            forget(visit);
            Ok(None)
        }
    }
}
