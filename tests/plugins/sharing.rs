//! One tenant cannot take what the others need between calls: its slow plugins hold at most
//! its share of the operation threads and plugin slots, a plugin slot that does not come in
//! time is the host's capacity (503 with Retry-After, never a fail-open pass), and its slow
//! after-hooks delay only its own deliveries. The tests compare orders of events (which request
//! finished while the other tenant's calls were still running), never durations.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{one_field, upload, upload_bytes};
use crate::forms::{create_form, user_data_path, violations};
use crate::portal::{id, profile};
use crate::support::{guests, raise_operator_maximum, Server, TenantApi, CEILING_FUEL};

/// Fuel enough that the spinner runs into its deadline instead.
const SPIN_FUEL: u64 = CEILING_FUEL;

/// Shares fixed by flags, so the tests do not depend on the machine's cores.
const SHARES: [&str; 8] = [
    "--operation-threads",
    "4",
    "--tenant-operation-threads",
    "3",
    "--plugin-calls",
    "4",
    "--tenant-plugin-calls",
    "1",
];

fn start(extra: &[&str]) -> Server {
    let args: Vec<&str> = SHARES.iter().chain(extra).copied().collect();
    Server::start_args(&args)
}

/// A tenant whose spinner runs each call to a deadline of `deadline_ms` (the operator allows
/// the built-in ceilings).
async fn spinning_tenant(server: &Server, namespace: &str, deadline_ms: u64) -> TenantApi {
    raise_operator_maximum(server).await;
    let t = server.tenant(namespace).await;
    upload(&t, "spinner", "hostile_infinite_loop").await;
    let (status, body) = t
        .put(
            "/plugin-limits",
            json!({"fuel": SPIN_FUEL, "deadlineMs": deadline_ms}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    t
}

async fn spin_once(t: &TenantApi) -> (StatusCode, Value) {
    t.post(
        "/plugins/spinner/versions/1/dry-run",
        json!({"interface": "field-validator", "input": one_field(json!({}))}),
    )
    .await
}

#[tokio::test]
async fn a_tenants_slow_plugins_leave_other_tenants_an_operation_thread() {
    let server = start(&[]);
    let a = spinning_tenant(&server, "noisy", 1_000).await;
    let b = server.tenant("quiet").await;
    let finished = Arc::new(AtomicUsize::new(0));
    let mut noisy = Vec::new();
    for _ in 0..8 {
        let (a, finished) = (server.tenant_again(&a), finished.clone());
        noisy.push(tokio::spawn(async move {
            let answer = spin_once(&a).await;
            finished.fetch_add(1, Ordering::SeqCst);
            answer
        }));
    }
    // The noisy calls take every thread they may (3 of 4), one of them the tenant's plugin
    // slot, and the other 5 wait their turn.
    server
        .wait_for_admission("holding the noisy tenant's share", |a| {
            a["operationsRunning"] == 3 && a["operationsQueued"] == 5 && a["pluginCallsHeld"] == 1
        })
        .await;
    for _ in 0..10 {
        let (status, body) = b.get("/settings").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "the quiet tenant's reads finished while the first noisy call still ran"
    );
    for call in noisy {
        let (status, body) = call.await.unwrap();
        // Each ran to its deadline, or waited past the plugin queue's wait: never a 5xx
        // other than that 503.
        assert!(
            status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
            "{status} {body}"
        );
    }
}

/// Binds the tenant's spinner as a validator of every field with `binding` (settings, failure
/// policy), creates the form `a` with one string field, and answers a user's form-data path.
async fn spinner_validated_form(t: &TenantApi, binding: Value) -> String {
    let mut body = json!({"plugin": "spinner", "interface": "field-validator", "target": "*"});
    body.as_object_mut()
        .unwrap()
        .extend(binding.as_object().unwrap().clone());
    let (status, created) = t.post("/plugin-bindings", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    create_form(
        t,
        json!({"identifier": "a", "fields": [{"marker": "name", "type": "string"}]}),
    )
    .await;
    user_data_path(t, "a@example.com", "a").await
}

#[tokio::test]
async fn past_its_operation_threads_a_tenant_waits_then_is_answered_503_server_busy() {
    let server = Server::start_args(&[
        "--operation-threads",
        "2",
        "--tenant-operation-threads",
        "1",
        "--operation-queue-wait-ms",
        "200",
    ]);
    let a = spinning_tenant(&server, "noisy", 1_500).await;
    let b = server.tenant("quiet").await;
    // The tenant's one operation thread is taken by a call that runs until its fuel (10^10,
    // about 1 s at full speed) or its deadline ends it.
    let holder = {
        let a = server.tenant_again(&a);
        tokio::spawn(async move { spin_once(&a).await })
    };
    // Past its share: once the call holds the thread, the tenant's next request waits its turn,
    // then is refused, naming why. Until the call has started (a loaded machine may take a
    // while), the tenant's requests are still served at once: ask again.
    let refused = loop {
        let response = a
            .request(reqwest::Method::GET, "/settings")
            .send()
            .await
            .unwrap();
        if response.status() != StatusCode::OK || holder.is_finished() {
            break response;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "server_busy", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("operation threads"),
        "{body}"
    );
    // Inside: another tenant finds the thread the first may not take.
    let (status, body) = b.get("/settings").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(holder.await.unwrap().0, StatusCode::OK);
    let (status, body) = a.get("/settings").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "served again once its thread is free: {body}"
    );
}

#[tokio::test]
async fn a_plugin_slot_that_does_not_come_answers_503_and_never_fails_open() {
    let server = start(&["--plugin-queue-wait-ms", "200"]);
    let t = spinning_tenant(&server, "acme", 2_000).await;
    let path = spinner_validated_form(&t, json!({"failurePolicy": "fail-open"})).await;
    // The tenant's one plugin slot is taken by a call running to its deadline.
    let holder = {
        let t = server.tenant_again(&t);
        tokio::spawn(async move { spin_once(&t).await })
    };
    server
        .wait_for_admission("holding the plugin slot", |a| a["pluginCallsHeld"] == 1)
        .await;
    let write = t
        .request(reqwest::Method::PUT, &path)
        .json(&json!({"formData": [{"marker": "name", "value": "x"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(write.headers()["retry-after"], "1");
    let body: Value = write.json().await.unwrap();
    assert_eq!(body["error"]["code"], "plugin_capacity", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("plugin calls"),
        "{body}"
    );
    assert_eq!(holder.await.unwrap().0, StatusCode::OK);
    // Nothing was written by the refused request; the fail-open binding passes once it runs.
    assert_eq!(t.get(&path).await.1["formData"], json!([]));
    let (status, body) = t
        .put(
            &path,
            json!({"formData": [{"marker": "name", "value": "x"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn form_writes_give_the_plugin_its_bindings_settings() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    upload(&t, "spinner", "hostile_infinite_loop").await;
    // The spinner stops after the binding's `iterations`; without them it runs out of fuel.
    let path = spinner_validated_form(
        &t,
        json!({"settings": {"iterations": 10}, "failurePolicy": "fail-closed"}),
    )
    .await;
    let (status, body) = t
        .put(
            &path,
            json!({"formData": [{"marker": "name", "value": "x"}]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "host.settings() had the binding's settings: {body}"
    );
    // The same binding without the setting fails closed: the settings made the difference.
    let binding = id(&body_of_first_binding(&t).await);
    t.patch(
        &format!("/plugin-bindings/{binding}"),
        json!({"settings": {}}),
    )
    .await;
    let found = violations(
        t.put(
            &path,
            json!({"formData": [{"marker": "name", "value": "y"}]}),
        )
        .await,
    );
    assert_eq!(
        found,
        vec![("name".to_string(), "validator_failed".to_string())]
    );
}

async fn body_of_first_binding(t: &TenantApi) -> Value {
    let (status, list) = t.get("/plugin-bindings").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"][0].clone()
}

/// The sum of the attempts of a tenant's after-hook deliveries.
async fn attempts(t: &TenantApi) -> u64 {
    let (_, page) = t.get("/portal/hook-deliveries?limit=500").await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attempts"].as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn a_tenants_slow_after_hooks_do_not_delay_another_tenants_delivery() {
    let server = start(&[]);
    let a = spinning_tenant(&server, "noisy", 1_500).await;
    let b = server.tenant("quiet").await;
    upload(&b, "spinner", "hostile_infinite_loop").await;
    for (t, settings) in [(&a, json!({})), (&b, json!({"iterations": 10}))] {
        let (status, body) = t
            .post(
                "/plugin-bindings",
                json!({"plugin": "spinner", "interface": "lifecycle-hooks", "target": "portal",
                       "settings": settings, "failurePolicy": "fail-closed"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for i in 0..6 {
        let p = id(&profile(&a, &format!("p{i}@example.com")).await);
        let (status, body) = a
            .post("/portal/grant-access", json!({"profileId": p}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let p = id(&profile(&b, "q@example.com").await);
    // The noisy tenant's events were delivered in turn up to now; from here on, the quiet
    // tenant's one event must not wait for their backlog (five more runs to the deadline).
    let before = attempts(&a).await;
    b.post("/portal/grant-access", json!({"profileId": p}))
        .await;
    let mut delivered = false;
    for _ in 0..400 {
        let (_, page) = b.get("/portal/hook-deliveries?status=delivered").await;
        if !page["items"].as_array().unwrap().is_empty() {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(delivered, "the quiet tenant's delivery was made");
    let during = attempts(&a).await - before;
    assert!(
        during <= 2,
        "delivered while the noisy tenant's backlog still waited ({during} of its attempts ran meanwhile)"
    );
}

#[tokio::test]
async fn a_tenants_uploads_compile_off_the_threads_other_tenants_are_served_on() {
    let server = start(&[]);
    let a = server.tenant("noisy").await;
    let b = server.tenant("quiet").await;
    // Eight distinct components that each take a second or more to compile, uploaded at
    // once: more than the host has operation threads.
    let components: Vec<Vec<u8>> = (0..8)
        .map(|seed| guests::slow_to_compile(seed, 5_000))
        .collect();
    let finished = Arc::new(AtomicUsize::new(0));
    let mut uploads = Vec::new();
    for (i, bytes) in components.into_iter().enumerate() {
        let (a, finished) = (server.tenant_again(&a), finished.clone());
        uploads.push(tokio::spawn(async move {
            let answer = upload_bytes(&a, &format!("slow{i}"), bytes).await;
            finished.fetch_add(1, Ordering::SeqCst);
            answer
        }));
    }
    // Every upload has arrived and one compiles (the tenant's one compile slot).
    server
        .wait_for_admission("compiling the uploads", |a| {
            a["compilesHeld"] == 1
                && a["operationsRunning"].as_u64().unwrap()
                    + a["operationsQueued"].as_u64().unwrap()
                    >= 8
        })
        .await;
    for _ in 0..10 {
        let (status, body) = b.get("/settings").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "the quiet tenant's reads finished while the first upload still compiled"
    );
    // The noisy tenant's own uploads compile one at a time; those that wait past their turn
    // are answered 503, never a 5xx of another kind.
    let mut created = 0;
    for upload in uploads {
        let (status, body) = upload.await.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::SERVICE_UNAVAILABLE => assert!(
                ["server_busy", "compile_capacity"]
                    .contains(&body["error"]["code"].as_str().unwrap()),
                "{body}"
            ),
            _ => panic!("{status} {body}"),
        }
    }
    assert!(created >= 1, "the first uploads compiled");
}
