//! Sign-in (showing the portal's `loginTitle` and the failures people meet as messages),
//! sign-out, and the home page with the app-link landing of `generateELMAAppUrl`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use minijinja::context;
use serde::Deserialize;

use super::render::{failure, render, Look};
use super::security::{check_post, PostRejection, Posted};
use super::{look, notice_key, redirect, session, PageResult, Visit};
use crate::{blocking, ApiError, AppState};

/// `?notice=` of a page shown after a redirect; `?authToken=` of an app link.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PageQuery {
    pub notice: Option<String>,
    auth_token: Option<String>,
}

/// The sign-in page with `email` kept, an `alert` (a failure) or a `notice`.
fn sign_in_page(
    visit: &Visit,
    look: &Look,
    status: StatusCode,
    email: &str,
    alert: Option<String>,
    notice: Option<String>,
) -> axum::response::Response {
    let page = context! {
        heading => look.settings.shown_login_title(),
        email,
        alert,
        notice,
    };
    render(visit, Some(look), status, "sign_in.html", page)
}

fn notice_text(visit: &Visit, query: &PageQuery) -> Option<String> {
    query
        .notice
        .as_deref()
        .and_then(notice_key)
        .map(|key| visit.lang.text(key))
}

/// `GET /portal/{ns}/sign-in`: the form, or the profile for a signed-in visit.
pub async fn page(
    State(s): State<AppState>,
    mut visit: Visit,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    let session = session::signed_in(&s, &mut visit)
        .await
        .map_err(|e| failure(&visit, Some(&look), e))?;
    if session.is_some() {
        return Ok(redirect(&visit, "/profile"));
    }
    let notice = notice_text(&visit, &q);
    Ok(sign_in_page(
        &visit,
        &look,
        StatusCode::OK,
        "",
        None,
        notice,
    ))
}

/// The message for a refused sign-in, and its status; `None` for an error that is no refusal.
fn refusal(visit: &Visit, e: &ApiError) -> Option<String> {
    let t = |key: &str| visit.lang.text(key);
    Some(match (e.status, e.code.as_str()) {
        (StatusCode::UNAUTHORIZED, _) => t("sign_in.wrong"),
        (StatusCode::TOO_MANY_REQUESTS, _) => {
            let seconds = e
                .details
                .as_ref()
                .and_then(|d| d["retryAfterSeconds"].as_u64())
                .unwrap_or(60);
            let minutes = seconds.div_ceil(60).max(1);
            t("sign_in.locked").replace("{minutes}", &minutes.to_string())
        }
        (StatusCode::FORBIDDEN, "portal_unpublished") => t("sign_in.unpublished"),
        (StatusCode::FORBIDDEN, _) => t("sign_in.denied"),
        _ => return None,
    })
}

/// `POST /portal/{ns}/sign-in`: signs in (the API's lockout counts here too) and goes to the
/// profile, or shows the form again with what went wrong.
pub async fn submit(
    State(s): State<AppState>,
    mut visit: Visit,
    posted: Result<Posted, PostRejection>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    check_post(&visit, Some(&look), &posted)?;
    let posted = posted.map_err(|r| r.page(&visit))?;
    let email = posted.text("email").to_string();
    let password = posted.text("password").to_string();
    let origin = session::origin(&visit);
    let tenant = look.tenant.clone();
    let signed = blocking(&s, {
        let email = email.clone();
        move |d| {
            d.portal
                .portal_sign_in_from(&tenant, &email, &password, &origin)
        }
    })
    .await;
    match signed {
        Ok(tokens) => {
            session::start(&mut visit, &tokens);
            Ok(redirect(&visit, "/profile"))
        }
        Err(e) => match refusal(&visit, &e) {
            Some(alert) => Ok(sign_in_page(
                &visit,
                &look,
                e.status,
                &email,
                Some(alert),
                None,
            )),
            None => Err(failure(&visit, Some(&look), e)),
        },
    }
}

/// `POST /portal/{ns}/sign-out`: ends the session and forgets its cookies.
pub async fn sign_out(
    State(s): State<AppState>,
    mut visit: Visit,
    posted: Result<Posted, PostRejection>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    check_post(&visit, Some(&look), &posted)?;
    let session = session::signed_in(&s, &mut visit)
        .await
        .map_err(|e| failure(&visit, Some(&look), e))?;
    if let Some(session) = session {
        blocking(&s, move |d| d.portal.portal_sign_out(&session))
            .await
            .map_err(|e| failure(&visit, Some(&look), e))?;
    }
    session::forget(&mut visit);
    Ok(redirect(&visit, "/sign-in?notice=signed_out"))
}

/// `GET /portal/{ns}/`: the app link's landing (its single-use token traded for a session,
/// then a redirect that leaves no token in the address bar), else the profile or sign-in.
pub async fn home(
    State(s): State<AppState>,
    mut visit: Visit,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    if let Some(token) = q.auth_token {
        let tenant = look.tenant.clone();
        let exchanged = blocking(&s, move |d| d.portal.exchange_app_token(&tenant, &token)).await;
        return match exchanged {
            Ok(tokens) => {
                session::start(&mut visit, &tokens);
                Ok(redirect(&visit, "/profile"))
            }
            Err(e) if refusal(&visit, &e).is_some() => {
                session::forget(&mut visit);
                Ok(redirect(&visit, "/sign-in?notice=session_ended"))
            }
            Err(e) => Err(failure(&visit, Some(&look), e)),
        };
    }
    let session = session::signed_in(&s, &mut visit)
        .await
        .map_err(|e| failure(&visit, Some(&look), e))?;
    Ok(redirect(
        &visit,
        if session.is_some() {
            "/profile"
        } else {
            "/sign-in"
        },
    ))
}
