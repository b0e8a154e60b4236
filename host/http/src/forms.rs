//! `/v1/tenants/{tenant}/forms`: the tenant's forms; `/users/{user_id}/form-data/{form}` and
//! `/profiles/{profile_id}/form-data/{form}`: an owner's data for a form, per `?langCode=`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::TenantAuth;
use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState, PageParams};
use portico_core::domain::forms::{Form, FormBody, FormDataOwner, FormDataView, FormDataWritten};
use portico_core::domain::Page;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(read, replace, remove))
        .routes(routes!(read_user_data, write_user_data))
        .routes(routes!(read_profile_data, write_profile_data))
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
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LangQuery {
    /// A language code (`en_US`, the default).
    lang_code: Option<String>,
}

/// Body of a form-data write: `formData` in any of its three shapes.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FormDataBody {
    /// One `{marker, type, value}`, a list of them, or a map of such lists keyed by language.
    form_data: Value,
}

/// Creates a form.
#[utoipa::path(post, path = "/forms", tag = "forms", operation_id = "createForm",
    security(("tenantApiKey" = [])), request_body = FormBody,
    responses((status = 201, body = Form), (status = 400, description = "`invalid_form`, `invalid_form_identifier`, `invalid_marker`, `duplicate_marker`, `invalid_field_settings`, `invalid_lang_code`"), (status = 409, description = "`form_identifier_taken`, `too_many_forms`")))]
async fn create(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiJson(body): ApiJson<FormBody>,
) -> ApiResult<(StatusCode, Json<Form>)> {
    let form = blocking(&s, move |d| d.forms.create_form(&t, body)).await?;
    Ok((StatusCode::CREATED, Json(form)))
}

/// Lists the tenant's forms.
#[utoipa::path(get, path = "/forms", tag = "forms", operation_id = "listForms",
    security(("tenantApiKey" = [])), params(PageParams),
    responses((status = 200, body = Page<Form>), (status = 400, description = "`invalid_limit`, `invalid_cursor`")))]
async fn list(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Form>>> {
    Ok(Json(
        blocking(&s, move |d| d.forms.list_forms(&t, &p.into())).await?,
    ))
}

/// Reads a form by its identifier.
#[utoipa::path(get, path = "/forms/{form}", tag = "forms", operation_id = "getForm",
    security(("tenantApiKey" = [])),
    responses((status = 200, body = Form), (status = 404, description = "`form_not_found`")))]
async fn read(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<FormPath>,
) -> ApiResult<Json<Form>> {
    Ok(Json(
        blocking(&s, move |d| d.forms.get_form(&t, &p.form)).await?,
    ))
}

/// Replaces a form (its identifier stays).
#[utoipa::path(put, path = "/forms/{form}", tag = "forms", operation_id = "replaceForm",
    security(("tenantApiKey" = [])), request_body = FormBody,
    responses((status = 200, body = Form), (status = 400, description = "`invalid_form`, `identifier_mismatch`, `invalid_marker`, `duplicate_marker`, `invalid_field_settings`"), (status = 404, description = "`form_not_found`"), (status = 409, description = "`form_in_use`: an auth provider needs its markers")))]
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

/// Deletes a form.
#[utoipa::path(delete, path = "/forms/{form}", tag = "forms", operation_id = "deleteForm",
    security(("tenantApiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`form_not_found`"), (status = 409, description = "`form_in_use`")))]
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

/// A user's data for a form in a language.
#[utoipa::path(get, path = "/users/{user_id}/form-data/{form}", tag = "forms", operation_id = "getUserFormData",
    security(("tenantApiKey" = [])), params(LangQuery),
    responses((status = 200, body = FormDataView), (status = 400, description = "`invalid_lang_code`"), (status = 404, description = "`user_not_found`, `form_not_found`")))]
async fn read_user_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<FormDataView>> {
    read_data(&s, t, FormDataOwner::User(p.user_id), p.form, q).await
}

/// Writes (merges) a user's data for a form; every violation comes back together.
#[utoipa::path(put, path = "/users/{user_id}/form-data/{form}", tag = "forms", operation_id = "writeUserFormData",
    security(("tenantApiKey" = [])), params(LangQuery), request_body = FormDataBody,
    responses((status = 200, body = FormDataWritten), (status = 400, description = "`invalid_lang_code`, `unknown_marker`, `invalid_form_data`"), (status = 404, description = "`user_not_found`, `form_not_found`"), (status = 422, description = "`validation_failed` (`details.violations`)")))]
async fn write_user_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UserDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<FormDataBody>,
) -> ApiResult<Json<FormDataWritten>> {
    write_data(&s, t, FormDataOwner::User(p.user_id), p.form, q, body).await
}

/// A profile's data for a form in a language.
#[utoipa::path(get, path = "/profiles/{profile_id}/form-data/{form}", tag = "forms", operation_id = "getProfileFormData",
    security(("tenantApiKey" = [])), params(LangQuery),
    responses((status = 200, body = FormDataView), (status = 400, description = "`invalid_lang_code`"), (status = 404, description = "`profile_not_found`, `form_not_found`")))]
async fn read_profile_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfileDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<FormDataView>> {
    read_data(&s, t, FormDataOwner::Profile(p.profile_id), p.form, q).await
}

/// Writes (merges) a profile's data for a form; every violation comes back together.
#[utoipa::path(put, path = "/profiles/{profile_id}/form-data/{form}", tag = "forms", operation_id = "writeProfileFormData",
    security(("tenantApiKey" = [])), params(LangQuery), request_body = FormDataBody,
    responses((status = 200, body = FormDataWritten), (status = 400, description = "`invalid_lang_code`, `unknown_marker`, `invalid_form_data`"), (status = 404, description = "`profile_not_found`, `form_not_found`"), (status = 422, description = "`validation_failed` (`details.violations`)")))]
async fn write_profile_data(
    TenantAuth(t): TenantAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<ProfileDataPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
    ApiJson(body): ApiJson<FormDataBody>,
) -> ApiResult<Json<FormDataWritten>> {
    write_data(&s, t, FormDataOwner::Profile(p.profile_id), p.form, q, body).await
}
