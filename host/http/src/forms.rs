//! `/v1/tenants/{tenant}/forms`: the tenant's forms; `/users/{user_id}/form-data/{form}` and
//! `/profiles/{profile_id}/form-data/{form}`: an owner's data for a form, per `?langCode=`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::forms::{Form, FormBody, FormDataOwner, FormDataView, FormDataWritten};
use portico_core::domain::Page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms", post(create).get(list))
        .route("/forms/{form}", get(read).put(replace).delete(remove))
        .route(
            "/users/{user_id}/form-data/{form}",
            get(read_user_data).put(write_user_data),
        )
        .route(
            "/profiles/{profile_id}/form-data/{form}",
            get(read_profile_data).put(write_profile_data),
        )
}

#[derive(Deserialize)]
struct FormPath {
    form: String,
}

#[derive(Deserialize)]
struct UserDataPath {
    user_id: String,
    form: String,
}

#[derive(Deserialize)]
struct ProfileDataPath {
    profile_id: String,
    form: String,
}

/// `?langCode=` (default `en_US`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LangQuery {
    lang_code: Option<String>,
}

/// Body of a form-data write: `formData` in any of its three shapes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FormDataBody {
    form_data: Value,
}

async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<FormBody>,
) -> ApiResult<(StatusCode, Json<Form>)> {
    let form = blocking(&s, move |d| d.forms.create_form(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(form)))
}

async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Form>>> {
    Ok(Json(
        blocking(&s, move |d| d.forms.list_forms(&t, &p.into())).await?,
    ))
}

async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<FormPath>,
) -> ApiResult<Json<Form>> {
    Ok(Json(
        blocking(&s, move |d| d.forms.get_form(&t, &p.form)).await?,
    ))
}

async fn replace(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<FormPath>,
    ApiJson(body): ApiJson<FormBody>,
) -> ApiResult<Json<Form>> {
    Ok(Json(
        blocking(&s, move |d| d.forms.replace_form(&t, &p.form, body)).await?,
    ))
}

async fn remove(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<FormPath>,
) -> ApiResult<StatusCode> {
    blocking(&s, move |d| d.forms.delete_form(&t, &p.form)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn read_data(
    s: &AppState,
    t: portico_core::domain::Tenant,
    owner: FormDataOwner,
    form: String,
    q: LangQuery,
) -> ApiResult<Json<FormDataView>> {
    Ok(Json(
        blocking(s, move |d| {
            d.forms
                .get_form_data(&t, &owner, &form, q.lang_code.as_deref())
        })
        .await?,
    ))
}

async fn write_data(
    s: &AppState,
    t: portico_core::domain::Tenant,
    owner: FormDataOwner,
    form: String,
    q: LangQuery,
    body: FormDataBody,
) -> ApiResult<Json<FormDataWritten>> {
    let written = blocking(s, move |d| {
        d.forms
            .apply_form_update(&t, &owner, &form, body.form_data, q.lang_code.as_deref())
    })
    .await?;
    Ok(Json(written))
}

async fn read_user_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<FormDataView>> {
    read_data(&s, t, FormDataOwner::User(p.user_id), p.form, q).await
}

async fn write_user_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<FormDataBody>,
) -> ApiResult<Json<FormDataWritten>> {
    write_data(&s, t, FormDataOwner::User(p.user_id), p.form, q, body).await
}

async fn read_profile_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfileDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<FormDataView>> {
    read_data(&s, t, FormDataOwner::Profile(p.profile_id), p.form, q).await
}

async fn write_profile_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfileDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<FormDataBody>,
) -> ApiResult<Json<FormDataWritten>> {
    write_data(&s, t, FormDataOwner::Profile(p.profile_id), p.form, q, body).await
}
