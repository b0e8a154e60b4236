//! `Forms` of the SDK (`/api/content/forms`): the tenant's form definitions (`getAllForms`,
//! `getFormByMarker`), in the language asked for.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::query::{LangQuery, ListQuery};
use super::schemas::{FormEntity, FormList};
use super::shapes::form_entity;
use crate::app_tokens::AppTokenAuth;
use crate::{blocking, ApiPath, ApiQuery, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
}

#[derive(Deserialize)]
struct MarkerPath {
    #[allow(dead_code)]
    tenant: String,
    marker: String,
}

/// `getAllForms`: `{total, items}` in number order.
#[utoipa::path(get, path = "/forms", tag = "oneentry", operation_id = "oneentryGetAllForms",
    security(("appToken" = [])), params(ListQuery),
    responses((status = 200, body = FormList), (status = 400, description = "`invalid_limit`, `invalid_lang_code`")))]
async fn list(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let request = q.request()?;
    let (forms, total) = blocking(&s, move |d| {
        d.forms
            .forms_by_number(&tenant, request.offset, request.limit)
    })
    .await?;
    let items: Vec<Value> = forms
        .iter()
        .map(|form| form_entity(form, &request.lang))
        .collect();
    Ok(Json(json!({ "total": total, "items": items })))
}

/// `getFormByMarker`.
#[utoipa::path(get, path = "/forms/marker/{marker}", tag = "oneentry", operation_id = "oneentryGetFormByMarker",
    security(("appToken" = [])), params(LangQuery),
    responses((status = 200, body = FormEntity), (status = 400, description = "`invalid_lang_code`"), (status = 404, description = "`form_not_found`")))]
async fn one(
    AppTokenAuth { tenant, .. }: AppTokenAuth,
    State(s): State<AppState>,
    ApiPath(p): ApiPath<MarkerPath>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Json<Value>> {
    let lang = q.lang()?;
    let form = blocking(&s, move |d| d.forms.get_form(&tenant, &p.marker)).await?;
    Ok(Json(form_entity(&form, &lang)))
}
