//! `POST /v1/operator-token` (operator): replaces the operator token with a new random one,
//! shown once in the answer; the token that called it is refused from the next request on.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;

use super::auth::Operator;
use super::{blocking, ApiResult, AppState};

/// The operator token route.
pub fn operator_routes() -> Router<AppState> {
    Router::new().route("/v1/operator-token", post(rotate))
}

/// A new operator token: the only time it is shown.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RotatedToken {
    token: String,
}

async fn rotate(_op: Operator, State(s): State<AppState>) -> ApiResult<Json<RotatedToken>> {
    let token = blocking(&s, |d| d.tenants.rotate_operator_token()).await?;
    tracing::info!("operator token rotated");
    Ok(Json(RotatedToken { token }))
}
