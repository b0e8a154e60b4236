//! The signup-link page: the link's token moved from the URL into a cookie, then the email it
//! registers, a password, and (for a link not made `withSign`) the confirmation-code step.
//! Invitations carry such a link, so they lead here too.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use portico_core::domain::Registration;
use serde::Deserialize;

use super::render::{failure, message, render, Look};
use super::security::{check_post, PostRejection, Posted};
use super::{look, redirect, PageResult, Visit};
use crate::{blocking, ApiError, AppState};

/// The cookie holding the signup link's token while the person fills the page.
const LINK_COOKIE: &str = "portico_signup";

#[derive(Deserialize)]
pub struct LinkQuery {
    token: Option<String>,
}

/// What the page shows of the link.
struct LinkView {
    email: String,
    confirmation_required: bool,
    password_min: usize,
}

/// The page with `errors` by field and a `notice`.
fn signup_page(
    visit: &Visit,
    look: &Look,
    status: StatusCode,
    link: &LinkView,
    errors: &BTreeMap<&str, String>,
    notice: Option<String>,
) -> Response {
    let page = context! {
        heading => visit.lang.text("signup.title"),
        email => link.email.clone(),
        confirmation_required => link.confirmation_required,
        password_min => link.password_min,
        errors => errors,
        notice,
    };
    render(visit, Some(look), status, "signup.html", page)
}

/// The page for a link that does not work (its cookie removed).
fn invalid_link(visit: &mut Visit, look: &Look) -> Response {
    visit.remove_cookie(LINK_COOKIE);
    let t = |k: &str| visit.lang.text(k);
    let back = (format!("{}/sign-in", visit.base()), t("back_to_sign_in"));
    message(
        visit,
        Some(look),
        StatusCode::BAD_REQUEST,
        t("signup.title"),
        t("signup.invalid_link"),
        Some(back),
    )
}

/// The link behind the visit's cookie, or the invalid-link page.
async fn link(
    s: &AppState,
    visit: &mut Visit,
    look: &Look,
) -> Result<(String, LinkView), Response> {
    let Some(token) = visit.cookie_value(LINK_COOKIE) else {
        return Err(invalid_link(visit, look));
    };
    let (tenant, shown) = (look.tenant.clone(), token.clone());
    let info = blocking(s, move |d| {
        let info = d.portal.signup_info(&tenant, &shown)?;
        let settings = d.tenants.tenant_settings(&tenant)?;
        Ok((info, settings.password_min_length))
    })
    .await;
    match info {
        Ok((info, password_min)) => Ok((
            token,
            LinkView {
                email: info.email.unwrap_or_default(),
                confirmation_required: info.confirmation_required,
                password_min,
            },
        )),
        Err(e) if e.status == StatusCode::BAD_REQUEST || e.status == StatusCode::NOT_FOUND => {
            Err(invalid_link(visit, look))
        }
        Err(e) => Err(failure(visit, Some(look), e)),
    }
}

/// `GET /portal/{ns}/signup[?token=]`: a link's landing (token to cookie, then back here
/// without it), or the page.
pub async fn page(
    State(s): State<AppState>,
    mut visit: Visit,
    Query(q): Query<LinkQuery>,
) -> PageResult {
    if let Some(token) = q.token {
        visit.set_cookie(LINK_COOKIE, token, None);
        return Ok(redirect(&visit, "/signup"));
    }
    let look = look(&s, &visit).await?;
    let (_, link) = link(&s, &mut visit, &look).await?;
    Ok(signup_page(
        &visit,
        &look,
        StatusCode::OK,
        &link,
        &BTreeMap::new(),
        None,
    ))
}

/// The field a refused registration points at, and its text; `None` for another failure.
pub(super) fn password_error(
    visit: &Visit,
    e: &ApiError,
    min: usize,
) -> Option<(&'static str, String)> {
    let t = |key: &str| visit.lang.text(key);
    Some(match e.code.as_str() {
        "password_too_short" => (
            "password",
            t("password.too_short").replace("{min}", &min.to_string()),
        ),
        "password_too_long" => ("password", t("password.too_long")),
        "password_blank" => ("password", t("password.blank")),
        "wrong_confirmation_code" => ("code", t("signup.wrong_code")),
        _ => return None,
    })
}

/// `POST /portal/{ns}/signup`: sends the confirmation code, or registers and goes to sign-in.
pub async fn submit(
    State(s): State<AppState>,
    mut visit: Visit,
    posted: Result<Posted, PostRejection>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    check_post(&visit, Some(&look), &posted)?;
    let posted = posted.map_err(|r| r.page(&visit))?;
    let (token, link) = link(&s, &mut visit, &look).await?;
    let tenant = look.tenant.clone();
    let mut errors = BTreeMap::new();
    if posted.text("action") == "send_code" {
        blocking(&s, move |d| {
            d.portal.send_signup_confirmation(&tenant, &token)
        })
        .await
        .map_err(|e| failure(&visit, Some(&look), e))?;
        let notice = visit
            .lang
            .text("signup.code_sent")
            .replace("{email}", &link.email);
        return Ok(signup_page(
            &visit,
            &look,
            StatusCode::OK,
            &link,
            &errors,
            Some(notice),
        ));
    }
    let password = posted.text("password").to_string();
    if password != posted.text("password2") {
        errors.insert("password2", visit.lang.text("mismatch"));
        return Ok(signup_page(
            &visit,
            &look,
            StatusCode::BAD_REQUEST,
            &link,
            &errors,
            None,
        ));
    }
    let registration = Registration {
        token,
        password,
        confirmation_code: posted.get("code").map(|c| c.trim().to_string()),
    };
    match blocking(&s, move |d| {
        d.portal.register_portal_user(&tenant, registration)
    })
    .await
    {
        Ok(_) => {
            visit.remove_cookie(LINK_COOKIE);
            Ok(redirect(&visit, "/sign-in?notice=signup_done"))
        }
        Err(e) => {
            if let Some((field, text)) = password_error(&visit, &e, link.password_min) {
                errors.insert(field, text);
                return Ok(signup_page(&visit, &look, e.status, &link, &errors, None));
            }
            if e.code == "invalid_signup_link" {
                return Err(invalid_link(&mut visit, &look));
            }
            if e.status == StatusCode::PRECONDITION_FAILED {
                let alert = visit.lang.text("signup.no_licence");
                let page = context! { heading => visit.lang.text("signup.title"), text => alert };
                return Ok(render(&visit, Some(&look), e.status, "message.html", page));
            }
            Err(failure(&visit, Some(&look), e))
        }
    }
}
