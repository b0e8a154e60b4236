//! Paths that do not decode are the client's mistake (400), whatever the token.

use reqwest::StatusCode;

use crate::support::{assert_error, Api, Server};

#[tokio::test]
async fn a_segment_of_invalid_utf8_is_400_invalid_path_on_token_routes() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let wrong = Api::new(&server.base_url, Some("not-a-valid-token"));
    let valid = Api::new(&server.base_url, Some(&t.key));
    for path in [
        "/v1/tenants/%FF/users",
        "/v1/tenants/acme/users/%FF",
        "/v1/tenants/%FF/portal/me",
        "/v1/tenants/acme/groups/%FF%FE",
    ] {
        for client in [&wrong, &valid, &server.anonymous()] {
            assert_error(
                client.get(path).await,
                StatusCode::BAD_REQUEST,
                "invalid_path",
            );
        }
    }
    // A decodable path still needs its token.
    assert_error(
        wrong.get("/v1/tenants/acme/users/%41").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}
