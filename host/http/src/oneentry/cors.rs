//! CORS on the layer: browser apps of the origins a tenant allows (`allowedOrigins` in its
//! settings) may call it, with the headers the SDK sends; preflights from any other origin get no
//! CORS headers, so the browser refuses the call. One tenant's origins never open another's
//! layer.

use std::time::Duration;

use axum::extract::OriginalUri;
use axum::http::{header, HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::app_tokens::origin_allowed;
use crate::AppState;

/// How long a browser may keep a preflight's answer.
pub const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The layer's CORS policy: origins per tenant (the one in the path).
pub fn cors(state: AppState) -> CorsLayer {
    let allow = AllowOrigin::async_predicate(move |origin: HeaderValue, parts| {
        let state = state.clone();
        // Inside the nest the path has lost its prefix; the original one names the tenant.
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(parts.uri.path(), |uri| uri.0.path());
        let namespace = namespace_in(path).map(str::to_string);
        async move {
            let (Some(namespace), Ok(origin)) = (namespace, origin.to_str()) else {
                return false;
            };
            origin_allowed(&state, &namespace, origin)
                .await
                .unwrap_or(false)
        }
    });
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            HeaderName::from_static("x-app-token"),
            HeaderName::from_static("x-device-metadata"),
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
        ])
        .max_age(PREFLIGHT_MAX_AGE)
}

/// The tenant's namespace in `/v1/tenants/{namespace}/...`.
fn namespace_in(path: &str) -> Option<&str> {
    let mut segments = path.split('/');
    match (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) {
        (Some(""), Some("v1"), Some("tenants"), Some(namespace)) if !namespace.is_empty() => {
            Some(namespace)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::namespace_in;

    #[test]
    fn the_namespace_is_the_third_segment() {
        assert_eq!(
            namespace_in("/v1/tenants/acme/api/content/forms"),
            Some("acme")
        );
        assert_eq!(namespace_in("/v1/tenants//api"), None);
        assert_eq!(namespace_in("/v2/tenants/acme"), None);
        assert_eq!(namespace_in("/"), None);
    }
}
