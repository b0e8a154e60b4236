//! A host killed (SIGKILL) under write load: every acknowledged write is there afterwards, read
//! through the surviving hosts; only requests in flight on the killed host may fail. The
//! after-hook events it had leased stay with it until the lease ends, then the survivors
//! deliver them; a host stopped as an operator stops one hands them back at once.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use super::{post_all, spread};
use crate::plugins::upload;
use crate::portal::{id, profile};
use crate::support::cluster::{Cluster, HOSTS};
use crate::support::{guests, raise_operator_maximum, Api, TenantApi, CEILING_FUEL};

/// The host the tests kill.
const VICTIM: usize = 1;

/// What one writer saw: the emails of the users it created (2xx), and its failed requests.
#[derive(Default, Debug)]
struct Writes {
    acknowledged: Vec<String>,
    failed: usize,
}

/// Creates users one after another until `stop`; a direct writer stops at its first failure.
async fn write_users(api: Api, label: String, stop: Arc<AtomicBool>, direct: bool) -> Writes {
    let mut writes = Writes::default();
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let email = format!("{label}-{n}@example.com");
        let body =
            json!({"firstName": "W", "lastName": "L", "email": email, "sendWelcomeEmail": false});
        match api
            .request(reqwest::Method::POST, "/users")
            .json(&body)
            .send()
            .await
        {
            Ok(answer) if answer.status().is_success() => writes.acknowledged.push(email),
            _ if direct => {
                return Writes {
                    failed: writes.failed + 1,
                    ..writes
                }
            }
            _ => writes.failed += 1,
        }
    }
    writes
}

/// Every user email of the tenant, page by page.
async fn all_emails(t: &TenantApi) -> std::collections::HashSet<String> {
    let mut emails = std::collections::HashSet::new();
    let mut path = "/users?limit=500".to_string();
    loop {
        let (status, page) = t.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for user in page["items"].as_array().unwrap() {
            emails.insert(user["email"].as_str().unwrap().to_string());
        }
        match page["nextCursor"].as_str() {
            Some(cursor) => path = format!("/users?limit=500&cursor={cursor}"),
            None => return emails,
        }
    }
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_host_killed_under_load() {
    let mut cluster = Cluster::start().await;
    let t = cluster.tenant("acme").await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..HOSTS {
        let balanced = (t.api.clone(), format!("balanced{w}"), stop.clone(), false);
        let direct = (
            cluster.tenant_on(w, &t).api,
            format!("host{w}"),
            stop.clone(),
            true,
        );
        for (api, label, stop, direct) in [balanced, direct] {
            writers
                .spawn(async move { (label.clone(), write_users(api, label, stop, direct).await) });
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.kill(VICTIM);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    let results = writers.join_all().await;

    let survivors: Vec<usize> = (0..HOSTS).filter(|h| *h != VICTIM).collect();
    for host in &survivors {
        let stored = all_emails(&cluster.tenant_on(*host, &t)).await;
        for (label, writes) in &results {
            let lost: Vec<_> = writes
                .acknowledged
                .iter()
                .filter(|e| !stored.contains(*e))
                .collect();
            assert!(
                lost.is_empty(),
                "host {host} lacks acknowledged writes of {label}: {lost:?}"
            );
        }
    }
    for (label, writes) in &results {
        assert!(
            !writes.acknowledged.is_empty(),
            "{label} wrote nothing: {results:?}"
        );
        // Only the request in flight when the host died may fail (the balancer retries
        // what never reached a host); a survivor's own writers never fail.
        let survivors_own = label.starts_with("host") && *label != format!("host{VICTIM}");
        let allowed_failures = if survivors_own { 0 } else { 1 };
        assert!(writes.failed <= allowed_failures, "{label}: {results:?}");
    }
}

/// After-hook events queued at once.
const SLOW_EVENTS: usize = 12;

/// The hook plugin spins on `after-grant-access` until its fuel runs out (about a second),
/// then passes (fail-open): every host holds its leased events for seconds.
async fn slow_after_hooks(cluster: &Cluster, t: &TenantApi) {
    raise_operator_maximum(cluster.host(0)).await;
    let limits = json!({"fuel": CEILING_FUEL, "deadlineMs": 5000});
    assert_eq!(t.put("/plugin-limits", limits).await.0, StatusCode::OK);
    upload(t, "spinner", "hostile_infinite_loop").await;
    let binding = json!({"plugin": "spinner", "interface": "lifecycle-hooks", "target": "portal", "failurePolicy": "fail-open"});
    assert_eq!(
        t.post("/plugin-bindings", binding).await.0,
        StatusCode::CREATED
    );
    let mut grants = Vec::new();
    for i in 0..SLOW_EVENTS {
        let p = id(&profile(t, &format!("p{i}@example.com")).await);
        let on_host = cluster.tenant_on(spread(i), t).api;
        grants.push((
            on_host,
            "/portal/grant-access".to_string(),
            json!({"profileId": p}),
        ));
    }
    // Queued at once, so that every host leases some before the first attempts end.
    for (status, body) in post_all(grants).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// `(id, leased_by)` of each pending delivery, `leased_by` empty when not leased now.
async fn pending_leases(cluster: &Cluster) -> BTreeSet<(String, String)> {
    let rows = cluster
        .sql_texts(
            "SELECT id::text || ' ' || CASE WHEN leased_until > now() THEN leased_by ELSE '' END \
             FROM hook_deliveries WHERE status = 'pending'",
        )
        .await;
    rows.iter()
        .map(|row| {
            let (id, holder) = row.split_once(' ').unwrap();
            (id.to_string(), holder.to_string())
        })
        .collect()
}

/// Polls `pending_leases` until `done` holds for it; panics after `secs` seconds.
async fn wait_for_leases(
    cluster: &Cluster,
    what: &str,
    secs: u64,
    mut done: impl FnMut(&BTreeSet<(String, String)>) -> bool,
) -> BTreeSet<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let leases = pending_leases(cluster).await;
        if done(&leases) {
            return leases;
        }
        assert!(Instant::now() < deadline, "still not {what}: {leases:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn holders(leases: &BTreeSet<(String, String)>) -> BTreeSet<&str> {
    leases
        .iter()
        .map(|(_, h)| h.as_str())
        .filter(|h| !h.is_empty())
        .collect()
}

/// A cluster whose hosts each hold leases on some of `slow_after_hooks`'s events.
async fn leased_by_every_host() -> (Cluster, TenantApi) {
    guests::dir(); // built before any connection idles while they build
    let cluster = Cluster::start().await;
    let t = cluster.tenant("acme").await;
    slow_after_hooks(&cluster, &t).await;
    wait_for_leases(&cluster, "leased by every host", 20, |l| {
        holders(l).len() == HOSTS
    })
    .await;
    (cluster, t)
}

/// Waits up to `secs` seconds for every event of `slow_after_hooks` to be delivered.
async fn all_delivered(cluster: &Cluster, t: &TenantApi, secs: u64) {
    wait_for_leases(cluster, "delivered", secs, |l| l.is_empty()).await;
    let (_, all) = t.get("/portal/hook-deliveries?limit=500").await;
    let deliveries = all["items"].as_array().unwrap();
    assert_eq!(deliveries.len(), SLOW_EVENTS);
    assert!(
        deliveries.iter().all(|d| d["status"] == "delivered"),
        "{all}"
    );
}

#[tokio::test]
async fn events_leased_by_a_killed_host_are_delivered_by_the_survivors_once_the_lease_ends() {
    let (mut cluster, t) = leased_by_every_host().await;
    cluster.kill(VICTIM);

    // The survivors deliver the rest; what stays pending is the killed host's, still leased,
    // unchanged for longer than an attempt takes.
    let mut since = (BTreeSet::new(), Instant::now());
    let stuck = wait_for_leases(
        &cluster,
        "left with the killed host's leases",
        30,
        |leases| {
            let one_holder =
                holders(leases).len() == 1 && leases.iter().all(|(_, h)| !h.is_empty());
            if *leases != since.0 {
                since = (leases.clone(), Instant::now());
            }
            one_holder && since.1.elapsed() > Duration::from_millis(3000)
        },
    )
    .await;

    // As if the lease's five minutes had passed: the survivors take the events over.
    let aged = cluster
        .sql_execute("UPDATE hook_deliveries SET leased_until = now() - interval '1 second' WHERE status = 'pending'")
        .await;
    assert_eq!(aged as usize, stuck.len());
    all_delivered(&cluster, &t, 30).await;
}

#[tokio::test]
async fn a_stopped_host_hands_back_the_events_it_leased_and_did_not_attempt() {
    let (mut cluster, t) = leased_by_every_host().await;
    // SIGTERM: the host ends the attempt it is making and hands back the events it took.
    cluster.stop(VICTIM);
    // The survivors deliver everything well within the lease's five minutes.
    all_delivered(&cluster, &t, 60).await;
}
