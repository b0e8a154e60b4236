//! One email registered at once through every host: exactly one user is created, every other
//! attempt answers the conflict one host answers.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{post_all, spread};
use crate::support::cluster::{Cluster, HOSTS};

/// Spellings of one identity: case, surrounding spaces, and a Cyrillic `а` lookalike.
fn spellings(local: &str) -> Vec<String> {
    vec![
        format!("{local}@example.com"),
        format!("{}@EXAMPLE.com", local.to_uppercase()),
        format!("  {local}@Example.COM "),
        format!("\u{430}{}@example.com", &local[1..]),
    ]
}

fn new_user(email: &str) -> Value {
    json!({"firstName": "Ann", "lastName": "Lee", "email": email, "sendWelcomeEmail": false})
}

#[tokio::test]
async fn one_email_registered_through_every_host_at_once_creates_one_user() {
    let cluster = Cluster::start().await;
    let t = cluster.tenant("acme").await;
    for round in 0..4 {
        let local = format!("ann{round}");
        let emails: Vec<String> = (0..3 * HOSTS)
            .map(|i| spellings(&local)[i % 4].clone())
            .collect();
        let attempts = emails.iter().enumerate().map(|(i, email)| {
            let host = cluster.tenant_on(spread(i), &t);
            (host.api.clone(), "/users".to_string(), new_user(email))
        });
        let answers = post_all(attempts.collect()).await;
        let created: Vec<_> = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .collect();
        assert_eq!(created.len(), 1, "round {round}: {answers:?}");
        let stored = created[0].1["email"].as_str().unwrap();
        let plain = format!("{local}@example.com");
        assert!(
            [plain.as_str(), spellings(&local)[3].as_str()].contains(&stored),
            "{stored}"
        );

        // The losers answer exactly what one host answers to the same email afterwards.
        let alone = cluster.tenant_on(0, &t);
        let losers = answers
            .iter()
            .zip(&emails)
            .filter(|((s, _), _)| *s != StatusCode::CREATED);
        for ((status, body), email) in losers {
            let again = alone.post("/users", new_user(email)).await;
            assert_eq!((*status, body), (again.0, &again.1), "round {round}");
            assert_eq!(body["error"]["code"], "email_taken", "{body}");
        }
        for host in 0..HOSTS {
            let on_host = cluster.tenant_on(host, &t);
            let (_, page) = on_host.get("/users?limit=100").await;
            let users = page["items"].as_array().unwrap();
            assert_eq!(users.len(), round + 1, "host {host}: {page}");
        }
    }
}
