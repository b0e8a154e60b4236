//! Public password-reset routes: the link sent to a user points here. The code itself is the
//! credential, so these routes take no bearer token.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState};
use portico_core::domain::{DomainError, PasswordResetInfo, UpdatePasswordResult};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/v1/tenants/{tenant}/password-reset",
        get(info).post(complete),
    )
}

#[derive(Deserialize)]
struct TenantPath {
    tenant: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeQuery {
    code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CompleteReset {
    code: String,
    new_password: String,
    new_password_confirmation: Option<String>,
}

/// An unknown tenant answers like an unknown code, so the route reveals nothing.
fn invalid_code(_: DomainError) -> DomainError {
    DomainError::bad_request(
        "invalid_reset_code",
        "the reset code is invalid or has already been used",
    )
}

async fn info(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiQuery(q): ApiQuery<CodeQuery>,
) -> ApiResult<Json<PasswordResetInfo>> {
    Ok(Json(
        blocking(&s, move |d| {
            let tenant = d.tenants.get_tenant(&p.tenant).map_err(invalid_code)?;
            d.users.password_reset_info(&tenant, &q.code)
        })
        .await?,
    ))
}

async fn complete(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<TenantPath>,
    ApiJson(body): ApiJson<CompleteReset>,
) -> ApiResult<Json<UpdatePasswordResult>> {
    Ok(Json(
        blocking(&s, move |d| {
            let tenant = d.tenants.get_tenant(&p.tenant).map_err(invalid_code)?;
            d.users.complete_password_reset(
                &tenant,
                &body.code,
                &body.new_password,
                body.new_password_confirmation.as_deref(),
            )
        })
        .await?,
    ))
}
