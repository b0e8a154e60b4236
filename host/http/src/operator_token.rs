//! `POST /v1/operator-token` (operator): replaces the operator token with a new random one,
//! shown once in the answer; the token that called it is refused from the next request on.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Operator;
use super::{blocking, ApiResult, AppState};

/// The operator token route.
pub fn operator_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rotate))
}

/// A new operator token: the only time it is shown.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct RotatedToken {
    /// The new operator token; the calling one is refused from now on.
    token: String,
}

/// Replaces the operator token with a new random one, shown once.
#[utoipa::path(post, path = "/v1/operator-token", tag = "host", operation_id = "rotateOperatorToken",
    security(("operatorToken" = [])),
    responses((status = 200, body = RotatedToken)))]
async fn rotate(_op: Operator, State(s): State<AppState>) -> ApiResult<Json<RotatedToken>> {
    let token = blocking(&s, |d| d.tenants.rotate_operator_token()).await?;
    tracing::info!("operator token rotated");
    Ok(Json(RotatedToken { token }))
}
