//! `Forms` of the SDK (`/api/content/forms`): the tenant's form definitions (`getAllForms`,
//! `getFormByMarker`), in the language asked for.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::query::{LangQuery, ListQuery};
use super::shapes::form_entity;
use crate::app_tokens::AppTokenAuth;
use crate::{blocking, ApiPath, ApiQuery, ApiResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms", get(list))
        .route("/forms/marker/{marker}", get(one))
}

#[derive(Deserialize)]
struct MarkerPath {
    #[allow(dead_code)]
    tenant: String,
    marker: String,
}

/// `getAllForms`: `{total, items}` in number order.
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
