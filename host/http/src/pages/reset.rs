//! Forgotten password (a reset link mailed on request) and choosing a new password from that
//! link (or from a new user's set-password link): the code moved from the URL into a cookie,
//! then the page.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::render::{failure, message, render, Look};
use super::security::{check_post, PostRejection, Posted};
use super::signup::password_error;
use super::{look, redirect, PageResult, Visit};
use crate::{blocking, AppState};

/// The cookie holding the reset link's code while the person fills the page.
const RESET_COOKIE: &str = "portico_reset";

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /portal/{ns}/forgot`.
pub async fn forgot_page(State(s): State<AppState>, visit: Visit) -> PageResult {
    let look = look(&s, &visit).await?;
    let page = context! { heading => visit.lang.text("forgot.title") };
    Ok(render(
        &visit,
        Some(&look),
        StatusCode::OK,
        "forgot.html",
        page,
    ))
}

/// `POST /portal/{ns}/forgot`: mails a reset link when the email has an account; the answer is
/// the same either way.
pub async fn forgot_submit(
    State(s): State<AppState>,
    visit: Visit,
    posted: Result<Posted, PostRejection>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    check_post(&visit, Some(&look), &posted)?;
    let posted = posted.map_err(|r| r.page(&visit))?;
    let email = posted.text("email").trim().to_string();
    let (tenant, asked) = (look.tenant.clone(), email.clone());
    let lang = visit.lang.code();
    blocking(&s, move |d| {
        d.users.request_password_reset(&tenant, &asked, Some(lang))
    })
    .await
    .map_err(|e| failure(&visit, Some(&look), e))?;
    let t = |k: &str| visit.lang.text(k);
    let back = (format!("{}/sign-in", visit.base()), t("back_to_sign_in"));
    let text = t("forgot.sent").replace("{email}", &email);
    Ok(message(
        &visit,
        Some(&look),
        StatusCode::OK,
        t("forgot.title"),
        text,
        Some(back),
    ))
}

/// The page for a code that does not work (its cookie removed), pointing to a new request.
fn invalid_code(visit: &mut Visit, look: &Look) -> Response {
    visit.remove_cookie(RESET_COOKIE);
    let t = |k: &str| visit.lang.text(k);
    let again = (format!("{}/forgot", visit.base()), t("reset.ask_again"));
    message(
        visit,
        Some(look),
        StatusCode::BAD_REQUEST,
        t("reset.title"),
        t("reset.invalid"),
        Some(again),
    )
}

/// The reset page with `errors` by field.
fn reset_page(
    visit: &Visit,
    look: &Look,
    status: StatusCode,
    email: &str,
    password_min: usize,
    errors: &BTreeMap<&str, String>,
) -> Response {
    let page = context! {
        heading => visit.lang.text("reset.title"),
        email,
        password_min,
        errors => errors,
    };
    render(visit, Some(look), status, "reset.html", page)
}

/// The code behind the visit's cookie with its user's email and the password policy, or the
/// invalid-code page.
async fn code(
    s: &AppState,
    visit: &mut Visit,
    look: &Look,
) -> Result<(String, String, usize), Response> {
    let Some(code) = visit.cookie_value(RESET_COOKIE) else {
        return Err(invalid_code(visit, look));
    };
    let (tenant, shown) = (look.tenant.clone(), code.clone());
    let info = blocking(s, move |d| {
        let info = d.users.password_reset_info(&tenant, &shown)?;
        Ok((
            info.user_email,
            d.tenants.tenant_settings(&tenant)?.password_min_length,
        ))
    })
    .await;
    match info {
        Ok((email, min)) => Ok((code, email, min)),
        Err(e) if e.status == StatusCode::BAD_REQUEST || e.status == StatusCode::NOT_FOUND => {
            Err(invalid_code(visit, look))
        }
        Err(e) => Err(failure(visit, Some(look), e)),
    }
}

/// `GET /portal/{ns}/reset[?code=]`: a link's landing (code to cookie, then back here without
/// it), or the page.
pub async fn page(
    State(s): State<AppState>,
    mut visit: Visit,
    Query(q): Query<CodeQuery>,
) -> PageResult {
    if let Some(code) = q.code {
        visit.set_cookie(RESET_COOKIE, code, None);
        return Ok(redirect(&visit, "/reset"));
    }
    let look = look(&s, &visit).await?;
    let (_, email, min) = code(&s, &mut visit, &look).await?;
    Ok(reset_page(
        &visit,
        &look,
        StatusCode::OK,
        &email,
        min,
        &BTreeMap::new(),
    ))
}

/// `POST /portal/{ns}/reset`: sets the password (the code used up) and goes to sign-in.
pub async fn submit(
    State(s): State<AppState>,
    mut visit: Visit,
    posted: Result<Posted, PostRejection>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    check_post(&visit, Some(&look), &posted)?;
    let posted = posted.map_err(|r| r.page(&visit))?;
    let (code, email, min) = code(&s, &mut visit, &look).await?;
    let mut errors = BTreeMap::new();
    let password = posted.text("password").to_string();
    if password != posted.text("password2") {
        errors.insert("password2", visit.lang.text("mismatch"));
        return Ok(reset_page(
            &visit,
            &look,
            StatusCode::BAD_REQUEST,
            &email,
            min,
            &errors,
        ));
    }
    let tenant = look.tenant.clone();
    match blocking(&s, move |d| {
        d.users
            .complete_password_reset(&tenant, &code, &password, None)
    })
    .await
    {
        Ok(_) => {
            visit.remove_cookie(RESET_COOKIE);
            Ok(redirect(&visit, "/sign-in?notice=password_set"))
        }
        Err(e) => match password_error(&visit, &e, min) {
            Some((field, text)) => {
                errors.insert(field, text);
                Ok(reset_page(&visit, &look, e.status, &email, min, &errors))
            }
            None if e.code == "invalid_reset_code" => Err(invalid_code(&mut visit, &look)),
            None => Err(failure(&visit, Some(&look), e)),
        },
    }
}
