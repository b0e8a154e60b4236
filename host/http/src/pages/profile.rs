//! The signed-in person's pages: the profile (the tenant's form, saved through the same rules
//! as `updateUser`, every violation shown at its field) and change password.
//!
//! The form is the one of the auth provider the session signed in through, else the tenant's
//! first provider's (as `getUser` does). Its data is read and written in `en_US`, the language
//! API clients use by default, whatever language the page is shown in: switching the page's
//! language must not show a person an empty profile.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use portico_core::domain::forms::{Form, FormDataOwner, Violation};
use portico_core::domain::{Domain, DomainError, DomainResult, PortalSession, UpdateUserBody};
use serde_json::{Map, Value};

use super::fields::{place_violations, read_posted, views};
use super::render::{failure, render, Look};
use super::security::{check_post, PostRejection, Posted};
use super::sign_in::PageQuery;
use super::{look, notice_key, redirect, session, PageResult, Visit};
use crate::{blocking, AppState};

/// The language the profile's form data is kept in (see the module's note).
const PROFILE_DATA_LANG: &str = "en_US";

/// What the profile page shows.
struct Profile {
    email: String,
    form: Option<Form>,
    stored: Map<String, Value>,
    password_min: usize,
}

/// The form of the session's provider, else of the tenant's first one.
fn profile_form(d: &Domain, session: &PortalSession) -> DomainResult<Option<Form>> {
    let tenant = &session.tenant;
    let provider = match &session.meta.provider {
        Some(marker) => Some(d.auth_providers.get_auth_provider(tenant, marker)?),
        None => d
            .auth_providers
            .auth_providers_at(tenant, 0, 1)?
            .into_iter()
            .next(),
    };
    provider
        .map(|p| d.forms.get_form(tenant, &p.form_identifier))
        .transpose()
}

fn load_profile(d: &Domain, session: &PortalSession) -> DomainResult<Profile> {
    let tenant = &session.tenant;
    let email = d.users.get_user(tenant, &session.user_id)?.email;
    let form = profile_form(d, session)?;
    let mut stored = Map::new();
    if let Some(form) = &form {
        let owner = FormDataOwner::User(session.user_id.clone());
        let data =
            d.forms
                .get_form_data(tenant, &owner, &form.identifier, Some(PROFILE_DATA_LANG))?;
        for field in data.form_data {
            stored.insert(field.marker, field.value);
        }
    }
    let password_min = d.tenants.tenant_settings(tenant)?.password_min_length;
    Ok(Profile {
        email,
        form,
        stored,
        password_min,
    })
}

/// The signed-in session, or a redirect to sign-in.
async fn require_session(
    s: &AppState,
    visit: &mut Visit,
    look: &Look,
) -> Result<PortalSession, Response> {
    match session::signed_in(s, visit).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(redirect(visit, "/sign-in")),
        Err(e) => Err(failure(visit, Some(look), e)),
    }
}

async fn profile(
    s: &AppState,
    visit: &Visit,
    look: &Look,
    session: &PortalSession,
) -> Result<Profile, Response> {
    let session = session.clone();
    blocking(s, move |d| load_profile(d, &session))
        .await
        .map_err(|e| failure(visit, Some(look), e))
}

/// What the profile page shows besides the stored profile: the values (stored, or as posted),
/// the problems by field and for the whole form, and a message.
#[derive(Default)]
struct Shown<'a> {
    values: Option<&'a Map<String, Value>>,
    errors: BTreeMap<String, Vec<String>>,
    others: Vec<String>,
    alert: Option<String>,
    notice: Option<String>,
}

/// Why a posted profile form was not saved, shown on the form again.
enum Unsaved {
    /// Violations by field (422).
    Violations(Vec<Violation>),
    /// A lifecycle hook's veto, with its message (403).
    Vetoed(String),
}

/// The profile page.
fn profile_page(
    visit: &Visit,
    look: &Look,
    status: StatusCode,
    p: &Profile,
    shown: Shown,
) -> Response {
    let values = shown.values.unwrap_or(&p.stored);
    let fields = p
        .form
        .as_ref()
        .map(|f| views(f, visit.lang, values, &shown.errors))
        .unwrap_or_default();
    let page = context! {
        heading => visit.lang.text("profile.title"),
        email => p.email.clone(),
        fields => minijinja::Value::from(minijinja::value::Serde(&fields)),
        other_errors => shown.others,
        alert => shown.alert,
        notice => shown.notice,
    };
    render(visit, Some(look), status, "profile.html", page)
}

/// `GET /portal/{ns}/profile`.
pub async fn page(
    State(s): State<AppState>,
    mut visit: Visit,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    let session = require_session(&s, &mut visit, &look).await?;
    let p = profile(&s, &visit, &look, &session).await?;
    let notice = q
        .notice
        .as_deref()
        .and_then(notice_key)
        .map(|k| visit.lang.text(k));
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    Ok(profile_page(&visit, &look, StatusCode::OK, &p, shown))
}

/// `POST /portal/{ns}/profile`: saves the form through `updateUser`'s rules (native checks and
/// the tenant's validator plugins); on a violation nothing is written and the page shows each
/// one at its field with what was typed.
pub async fn save(
    State(s): State<AppState>,
    mut visit: Visit,
    posted: Result<Posted, PostRejection>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    check_post(&visit, Some(&look), &posted)?;
    let posted = posted.map_err(|r| r.page(&visit))?;
    let session = require_session(&s, &mut visit, &look).await?;
    let p = profile(&s, &visit, &look, &session).await?;
    let Some(form) = &p.form else {
        return Ok(redirect(&visit, "/profile"));
    };
    let read = read_posted(form, visit.lang, &posted, &p.stored);
    let mut errors = read.errors;
    let has_errors = visit.lang.text("profile.has_errors");
    if !errors.is_empty() {
        let shown = Shown {
            values: Some(&read.shown),
            errors,
            alert: Some(has_errors),
            ..Shown::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(profile_page(&visit, &look, status, &p, shown));
    }
    let body = UpdateUserBody {
        form_identifier: form.identifier.clone(),
        lang_code: Some(PROFILE_DATA_LANG.into()),
        auth_data: Vec::new(),
        form_data: Some(Value::Array(read.form_data)),
        notification_data: None,
        state: None,
    };
    let saved = blocking(&s, move |d| {
        match d.portal.update_signed_in_user(&session, body, None) {
            Ok(_) => Ok(Ok(())),
            Err(DomainError::Validation(violations)) => Ok(Err(Unsaved::Violations(violations))),
            Err(DomainError::Refused {
                code: "plugin_veto",
                message,
            }) => Ok(Err(Unsaved::Vetoed(message))),
            Err(e) => Err(e),
        }
    })
    .await
    .map_err(|e| failure(&visit, Some(&look), e))?;
    match saved {
        Ok(()) => Ok(redirect(&visit, "/profile?notice=saved")),
        Err(Unsaved::Vetoed(message)) => {
            // A `before-update-user` hook vetoed the change: its message, what was typed.
            let shown = Shown {
                values: Some(&read.shown),
                errors,
                alert: Some(message),
                ..Shown::default()
            };
            let status = StatusCode::FORBIDDEN;
            Ok(profile_page(&visit, &look, status, &p, shown))
        }
        Err(Unsaved::Violations(violations)) => {
            let others = place_violations(form, violations, &mut errors);
            let shown = Shown {
                values: Some(&read.shown),
                errors,
                others,
                alert: Some(has_errors),
                ..Shown::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(profile_page(&visit, &look, status, &p, shown))
        }
    }
}

/// The change-password page with `errors` by field.
fn password_form(
    visit: &Visit,
    look: &Look,
    status: StatusCode,
    p: &Profile,
    errors: &BTreeMap<&str, String>,
) -> Response {
    let page = context! {
        heading => visit.lang.text("password.title"),
        email => p.email.clone(),
        password_min => p.password_min,
        errors => errors,
    };
    render(visit, Some(look), status, "password.html", page)
}

/// `GET /portal/{ns}/password`.
pub async fn password_page(State(s): State<AppState>, mut visit: Visit) -> PageResult {
    let look = look(&s, &visit).await?;
    let session = require_session(&s, &mut visit, &look).await?;
    let p = profile(&s, &visit, &look, &session).await?;
    Ok(password_form(
        &visit,
        &look,
        StatusCode::OK,
        &p,
        &BTreeMap::new(),
    ))
}

/// `POST /portal/{ns}/password`: checks the current password, sets the new one (the user is
/// mailed that it changed).
pub async fn change_password(
    State(s): State<AppState>,
    mut visit: Visit,
    posted: Result<Posted, PostRejection>,
) -> PageResult {
    let look = look(&s, &visit).await?;
    check_post(&visit, Some(&look), &posted)?;
    let posted = posted.map_err(|r| r.page(&visit))?;
    let session = require_session(&s, &mut visit, &look).await?;
    let p = profile(&s, &visit, &look, &session).await?;
    let mut errors = BTreeMap::new();
    let new = posted.text("password").to_string();
    if new != posted.text("password2") {
        errors.insert("password2", visit.lang.text("mismatch"));
        return Ok(password_form(
            &visit,
            &look,
            StatusCode::BAD_REQUEST,
            &p,
            &errors,
        ));
    }
    let current = posted.text("current").to_string();
    let changed = blocking(&s, move |d| {
        d.users
            .update_password(&session.tenant, &session.user_id, &current, &new, true)
    })
    .await;
    match changed {
        Ok(_) => Ok(redirect(&visit, "/profile?notice=password_changed")),
        Err(e) if e.code == "wrong_current_password" => {
            errors.insert("current", visit.lang.text("password.wrong_current"));
            Ok(password_form(&visit, &look, e.status, &p, &errors))
        }
        Err(e) => match super::signup::password_error(&visit, &e, p.password_min) {
            Some((field, text)) => {
                errors.insert(field, text);
                Ok(password_form(&visit, &look, e.status, &p, &errors))
            }
            None => Err(failure(&visit, Some(&look), e)),
        },
    }
}
