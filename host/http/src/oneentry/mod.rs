//! The OneEntry-compatible layer: apps written for the unchanged `oneentry` npm SDK reach a
//! tenant's portal with `defineOneEntry("https://host/v1/tenants/{namespace}", {token})`, which
//! calls `{base}/api/content/...` with the tenant's app token in `x-app-token`. Every route is a
//! thin mapping onto the rules the `/v1` API uses (nothing is decided twice); answers and errors
//! take the shapes the SDK's validation schemas expect.

mod auth;
mod codes;
mod cors;
mod device;
mod errors;
mod form_data;
mod forms;
mod query;
mod schemas;
mod shapes;
mod users;

use axum::middleware;
use axum::routing::any;
use utoipa_axum::router::OpenApiRouter;

use super::AppState;

/// Where the layer lives under a tenant (`/v1/tenants/{tenant}` + this).
pub const PREFIX: &str = "/api/content";

/// The layer's routes, to nest under `/v1/tenants/{tenant}` + `PREFIX`; `state` decides CORS.
/// Each route is documented where it is registered; the catch-all and the fallbacks that answer
/// the layer's own 404 and 405 are not routes of the contract.
pub fn routes(state: AppState) -> OpenApiRouter<AppState> {
    let (router, document) = OpenApiRouter::new()
        .merge(auth::routes())
        .merge(codes::routes())
        .merge(users::routes())
        .merge(forms::routes())
        .split_for_parts();
    let router = router
        // Nested twice, the layer's own fallback would not be reached: a catch-all route is.
        .route("/{*rest}", any(errors::route_not_found))
        .fallback(errors::route_not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(middleware::from_fn(errors::oneentry_error_shape))
        .layer(cors::cors(state));
    let mut layer = OpenApiRouter::from(router);
    *layer.get_openapi_mut() = document;
    layer
}
