//! Several hosts on one PostgreSQL behind a load balancer (`support::cluster`): the rules hold
//! across hosts as on one host (uniqueness, configuration changes, after-hook delivery, sign-in
//! lockout), and a host killed under load loses no acknowledged write.

mod crash;
mod hooks;
mod plugins;
mod registrations;
mod sign_in;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::cluster::HOSTS;
use crate::support::Api;

/// Sends one request per `(client, body)` at once; answers each answer, in order.
pub async fn post_all(requests: Vec<(Api, String, Value)>) -> Vec<(StatusCode, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (api, path, body)) in requests.into_iter().enumerate() {
        tasks.spawn(async move { (i, api.post(&path, body).await) });
    }
    let mut answers: Vec<_> = tasks.join_all().await;
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, answer)| answer).collect()
}

/// The host a request numbered `i` goes to when requests are spread over the hosts.
pub fn spread(i: usize) -> usize {
    i % HOSTS
}
