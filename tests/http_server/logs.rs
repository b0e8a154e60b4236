//! The request log never records a secret of a URL or a header.

use crate::support::Api;

use super::Portico;

#[tokio::test]
async fn the_debug_request_log_redacts_secret_query_values_and_headers() {
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("portico.log");
    let mut server = Portico::start(&[], "debug", Some(&log));
    let op = Api::new(&server.base_url, Some(crate::support::OPERATOR_TOKEN));
    op.get("/v1/tenants?limit=7").await;
    let anonymous = Api::new(&server.base_url, Some("Bearer-secret-in-a-header"));
    anonymous
        .get("/v1/tenants/acme/password-reset?code=prc_SECRETRESETCODE")
        .await;
    anonymous
        .get("/v1/tenants/acme/portal/signup?token=psu_SECRETSIGNUPTOKEN&langCode=en_US")
        .await;
    server.terminate();
    server.exit_within(std::time::Duration::from_secs(30));
    let text = std::fs::read_to_string(&log).unwrap();
    // The requests are in the log, without their secrets.
    assert!(text.contains("/v1/tenants?limit=7"), "{text}");
    assert!(text.contains("password-reset?code=REDACTED"), "{text}");
    assert!(
        text.contains("signup?token=REDACTED&langCode=en_US"),
        "{text}"
    );
    for secret in [
        "prc_SECRETRESETCODE",
        "psu_SECRETSIGNUPTOKEN",
        "Bearer-secret-in-a-header",
        crate::support::OPERATOR_TOKEN,
    ] {
        assert!(!text.contains(secret), "{secret} logged:\n{text}");
    }
}
