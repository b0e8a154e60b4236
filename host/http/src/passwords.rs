//! Public password-reset routes: the link sent to a user points here. The code itself is the
//! credential, so these routes take no bearer token.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{blocking, ApiJson, ApiPath, ApiQuery, ApiResult, AppState};
use portico_core::domain::{DomainError, PasswordResetInfo, UpdatePasswordResult};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(info, complete))
}

#[derive(Deserialize)]
struct TenantPath {
    tenant: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CodeQuery {
    /// The reset code from the link.
    code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
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

/// What a reset code is for (the link's page shows it), without using it.
#[utoipa::path(get, path = "/v1/tenants/{tenant}/password-reset", tag = "passwords", operation_id = "passwordResetInfo",
    params(CodeQuery),
    responses((status = 200, body = PasswordResetInfo),
        (status = 400, description = "`invalid_reset_code`, `reset_code_expired`")))]
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

/// Sets a new password with a reset code (the code is the credential: no token).
#[utoipa::path(post, path = "/v1/tenants/{tenant}/password-reset", tag = "passwords", operation_id = "completePasswordReset",
    request_body = CompleteReset,
    responses((status = 200, body = UpdatePasswordResult),
        (status = 400, description = "`invalid_reset_code`, `reset_code_expired`, `password_too_short`, `password_mismatch`")))]
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
