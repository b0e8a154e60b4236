//! Failed sign-ins are counted across hosts: failures spread over the hosts lock the account
//! at the threshold one host applies, and the lock then holds on every host.

use reqwest::StatusCode;
use serde_json::json;

use crate::portal::{publish, registered_user};
use crate::support::cluster::{Cluster, HOSTS};
use crate::support::{assert_error, Api};

const MAX_FAILED_SIGN_INS: usize = 6;

async fn sign_in(anon: &Api, password: &str) -> (StatusCode, serde_json::Value) {
    anon.post(
        "/portal/sessions",
        json!({"email": "pat@example.com", "password": password}),
    )
    .await
}

#[tokio::test]
async fn failures_spread_over_the_hosts_lock_the_account_on_every_host() {
    let cluster = Cluster::start().await;
    let t = cluster.tenant("acme").await;
    publish(&t).await;
    let settings = json!({"maxFailedSignIns": MAX_FAILED_SIGN_INS, "lockoutSeconds": 600});
    assert_eq!(
        t.patch("/portal/settings", settings).await.0,
        StatusCode::OK
    );
    registered_user(cluster.host(0), &t, "pat@example.com", "portal-password").await;
    let on_host = |i: usize| cluster.host(i).anonymous().scoped("/v1/tenants/acme");

    // Each host sees only a third of the failures; together they reach the threshold.
    for attempt in 0..MAX_FAILED_SIGN_INS - 1 {
        assert_error(
            sign_in(&on_host(attempt % HOSTS), "wrong-password").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    let last = on_host((MAX_FAILED_SIGN_INS - 1) % HOSTS);
    assert_error(
        sign_in(&last, "wrong-password").await,
        StatusCode::TOO_MANY_REQUESTS,
        "account_locked",
    );

    // Locked everywhere, even for the right password.
    for host in 0..HOSTS {
        assert_error(
            sign_in(&on_host(host), "portal-password").await,
            StatusCode::TOO_MANY_REQUESTS,
            "account_locked",
        );
    }
    let through_balancer = cluster.anonymous().scoped("/v1/tenants/acme");
    for _ in 0..HOSTS {
        assert_error(
            sign_in(&through_balancer, "portal-password").await,
            StatusCode::TOO_MANY_REQUESTS,
            "account_locked",
        );
    }
}
