//! After-hook deliveries: a failing one is retried after 1, 2, 4... seconds and marked failed
//! after `MAX_HOOK_ATTEMPTS`; a failed one retried is due at once; finished ones are kept
//! `HOOK_DELIVERY_RETENTION_SECS`, pending ones until delivered. Due events are leased to
//! the host taking them, and each is delivered once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use portico_core::domain::plugins::{FailurePolicy, NewBinding};
use portico_core::domain::portal::hooks::{
    HOOK_DELIVERY_RETENTION_SECS, HOOK_LEASE_SECS, HOOK_RETRY_BASE_SECS, HOOK_RETRY_MAX_SECS,
    HOOK_TARGET, MAX_HOOK_ATTEMPTS,
};
use portico_core::domain::{DeliveryStatus, DueHook, HookDelivery, PageRequest};
use portico_core::plugins::{
    Answer, Call, Interface, InvokeError, LoadSource, Outcome, Prepared, Refusal, Report,
    RuntimeStats,
};

use super::*;

/// A plugin runtime whose components all export lifecycle hooks; each call answers no effects,
/// or traps while `failing`. It counts the after-hook calls.
#[derive(Default)]
struct FakeHooks {
    failing: AtomicBool,
    after_hook_calls: AtomicUsize,
}

impl FakeHooks {
    fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

impl PluginRuntime for FakeHooks {
    fn compatibility_hash(&self) -> String {
        "fake-hooks".into()
    }
    fn prepare(&self, bytes: &[u8], _max_bytes: u64) -> Result<Prepared, Refusal> {
        Ok(Prepared {
            sha256: portico_core::domain::secrets::sha256_hex(bytes),
            size: bytes.len() as u64,
            exports: vec![Interface::LifecycleHooks],
            artifact: b"artifact".to_vec(),
        })
    }
    fn load_artifact(&self, _sha256: &str, _artifact: &[u8]) -> Result<LoadSource, String> {
        Ok(LoadSource::Deserialized)
    }
    fn loaded_from(&self, _sha256: &str) -> Option<LoadSource> {
        Some(LoadSource::Compiled)
    }
    fn invoke(&self, _sha256: &str, call: Call) -> Result<Report, InvokeError> {
        let hook = call.input.json().and_then(|input| input["hook"].as_str());
        if hook.is_some_and(|h| h.starts_with("after-")) {
            self.after_hook_calls.fetch_add(1, Ordering::SeqCst);
        }
        let failing = self.failing.load(Ordering::SeqCst);
        Ok(Report {
            outcome: if failing { Outcome::Trap } else { Outcome::Ok },
            result: (!failing).then(|| json!({ "effects": [] })),
            answer: (!failing).then(|| Answer::Effects(Vec::new())),
            error: failing.then(|| "the hook trapped".to_string()),
            logs: String::new(),
            fuel_used: 0,
            duration_us: 0,
        })
    }
    fn unload(&self, _sha256: &str) {}
    fn stats(&self) -> RuntimeStats {
        RuntimeStats {
            compilations: 0,
            deserializations: 0,
            loaded_versions: 0,
        }
    }
}

/// A fixture with a fail-closed lifecycle-hooks binding on the fake runtime.
fn hooks_fixture() -> (Fixture, Arc<FakeHooks>) {
    let runtime = Arc::new(FakeHooks::default());
    let f = fixture_with_runtime(runtime.clone());
    f.domain
        .plugins
        .upload_plugin(&f.tenant, "hooks", b"fake component")
        .unwrap();
    let binding = NewBinding {
        plugin: "hooks".into(),
        interface: Interface::LifecycleHooks,
        target: Some(HOOK_TARGET.into()),
        version: None,
        settings: None,
        failure_policy: Some(FailurePolicy::FailClosed),
        enabled: None,
    };
    f.domain
        .plugins
        .create_plugin_binding(&f.tenant, binding)
        .unwrap();
    (f, runtime)
}

impl Fixture {
    /// Ids of the deliveries due now, as the delivery workers see them.
    fn due(&self) -> Vec<String> {
        self.domain
            .hooks
            .due_hook_deliveries(32, 4, &|_| false)
            .unwrap()
            .into_iter()
            .map(|due| due.delivery_id)
            .collect()
    }

    /// Delivers what is due now, as a delivery worker does.
    fn deliver_due(&self) {
        for due in self
            .domain
            .hooks
            .due_hook_deliveries(32, 4, &|_| false)
            .unwrap()
        {
            self.domain.hooks.deliver_hook(&due).unwrap();
        }
    }

    /// The tenant's deliveries, oldest first.
    fn deliveries(&self) -> Vec<HookDelivery> {
        self.domain
            .hooks
            .list_hook_deliveries(&self.tenant, None, &PageRequest::default())
            .unwrap()
            .items
    }

    fn only_delivery(&self) -> HookDelivery {
        let mut all = self.deliveries();
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }
}

/// The delays before attempts 2 to 8: doubling from `HOOK_RETRY_BASE_SECS`, under the
/// `HOOK_RETRY_MAX_SECS` cap.
const RETRY_DELAYS_SECS: [i64; 7] = [1, 2, 4, 8, 16, 32, 64];

/// Queues one after-hook event and fails all its attempts, checking that each retry is due
/// exactly its delay after the attempt before; answers the delivery's id and when (after
/// `start()`) its last attempt ran.
fn fail_every_attempt(f: &Fixture, hooks: &FakeHooks) -> (String, Duration) {
    assert_eq!(RETRY_DELAYS_SECS.len() as u32, MAX_HOOK_ATTEMPTS - 1);
    assert_eq!(RETRY_DELAYS_SECS[0], HOOK_RETRY_BASE_SECS);
    assert!(RETRY_DELAYS_SECS.iter().all(|d| *d <= HOOK_RETRY_MAX_SECS));
    let profile = f.profile("pat@example.com");
    // The before-hook passes; the after-hook then fails every time.
    f.domain
        .portal
        .set_portal_access(&f.tenant, &profile, true)
        .unwrap();
    hooks.fail(true);
    let id = f.only_delivery().id;
    let mut at = Duration::zero();
    for (attempt, delay) in (1..).zip(RETRY_DELAYS_SECS) {
        assert_eq!(
            f.due(),
            std::slice::from_ref(&id),
            "attempt {attempt} is due"
        );
        f.deliver_due();
        let delivery = f.only_delivery();
        assert_eq!(
            (delivery.status, delivery.attempts),
            (DeliveryStatus::Pending, attempt)
        );
        at += secs(delay);
        assert_eq!(delivery.next_attempt_at, Some(start() + at));
        f.at(at - ms(1));
        assert!(f.due().is_empty(), "attempt {} waits", attempt + 1);
        f.at(at);
    }
    assert_eq!(
        f.due(),
        std::slice::from_ref(&id),
        "the last attempt is due"
    );
    f.deliver_due();
    (id, at)
}

#[test]
fn a_failing_delivery_is_retried_with_doubling_delays_then_marked_failed() {
    let (f, hooks) = hooks_fixture();
    let (_, last) = fail_every_attempt(&f, &hooks);
    let failed = f.only_delivery();
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.attempts, MAX_HOOK_ATTEMPTS);
    assert_eq!(failed.next_attempt_at, None);
    assert!(failed.last_error.unwrap().contains("the hook trapped"));
    f.at(last + Duration::days(1));
    assert!(f.due().is_empty(), "a failed delivery waits for a retry");
}

#[test]
fn a_failed_delivery_retried_is_due_at_once_and_backs_off_afresh() {
    let (f, hooks) = hooks_fixture();
    let (id, last) = fail_every_attempt(&f, &hooks);
    let retry_at = last + secs(3600);
    f.at(retry_at);
    let retried = f.domain.hooks.retry_hook_delivery(&f.tenant, &id).unwrap();
    assert_eq!(
        (retried.status, retried.attempts, retried.next_attempt_at),
        (DeliveryStatus::Pending, 0, Some(start() + retry_at))
    );
    assert_eq!(
        refused(f.domain.hooks.retry_hook_delivery(&f.tenant, &id)),
        (409, "not_failed"),
        "only a failed delivery is retried"
    );
    assert_eq!(f.due(), std::slice::from_ref(&id));
    // The first attempt after the retry fails: the backoff starts again from its base.
    f.deliver_due();
    let base = secs(HOOK_RETRY_BASE_SECS);
    assert_eq!(
        f.only_delivery().next_attempt_at,
        Some(start() + retry_at + base)
    );
    hooks.fail(false);
    f.at(retry_at + base - ms(1));
    assert!(f.due().is_empty());
    f.at(retry_at + base);
    f.deliver_due();
    let delivered = f.only_delivery();
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert_eq!(delivered.attempts, 2);
    assert_eq!(delivered.delivered_at, Some(start() + retry_at + base));
}

#[test]
fn finished_deliveries_are_kept_for_the_retention_and_pending_ones_until_delivered() {
    // Without bindings a delivery succeeds at its first attempt.
    let f = fixture();
    let profile = f.profile("pat@example.com");
    let block = |blocked: bool| {
        f.domain
            .profiles
            .set_profile_blocked(&f.tenant, &profile, blocked)
            .unwrap();
        f.deliveries().last().unwrap().id.clone()
    };
    let pending = block(true);
    let delivered = block(false);
    let due = f
        .domain
        .hooks
        .due_hook_deliveries(32, 4, &|_| false)
        .unwrap();
    let second = due.iter().find(|d| d.delivery_id == delivered).unwrap();
    f.domain.hooks.deliver_hook(second).unwrap();
    let ids = |f: &Fixture| -> Vec<String> { f.deliveries().into_iter().map(|d| d.id).collect() };

    // Each queued event sheds expired finished deliveries, oldest first.
    let retention = secs(HOOK_DELIVERY_RETENTION_SECS as i64);
    f.at(retention);
    let third = block(true);
    let kept = [pending.clone(), delivered, third.clone()];
    assert_eq!(ids(&f), kept, "kept to the end");
    f.at(retention + ms(1));
    let fourth = block(false);
    assert_eq!(
        ids(&f),
        [pending, third, fourth],
        "just after, the delivered one goes; the pending one stays"
    );
}

#[test]
fn leased_due_events_are_delivered_once_each() {
    let (f, hooks) = hooks_fixture();
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        let profile = f.profile(email);
        f.domain
            .portal
            .set_portal_access(&f.tenant, &profile, true)
            .unwrap();
    }
    let leased = f
        .domain
        .hooks
        .due_hook_deliveries(32, 4, &|_| false)
        .unwrap();
    assert_eq!(leased.len(), 3);
    // A second look of the same host, leaving out what it took, takes nothing more.
    let taken = |due: &DueHook| leased.contains(due);
    let again = f.domain.hooks.due_hook_deliveries(32, 4, &taken).unwrap();
    assert_eq!(again, []);
    for due in &leased {
        f.domain.hooks.deliver_hook(due).unwrap();
    }
    // The attempts ended their leases and took the events off the queue: delivering an entry
    // again (as after a lease taken over) calls no hook, and nothing is due even after the
    // leases would have expired.
    f.domain.hooks.deliver_hook(&leased[0]).unwrap();
    f.at(secs(HOOK_LEASE_SECS + 1));
    assert!(f.due().is_empty());
    assert_eq!(hooks.after_hook_calls.load(Ordering::SeqCst), 3);
    for delivery in f.deliveries() {
        assert_eq!(
            (delivery.status, delivery.attempts),
            (DeliveryStatus::Delivered, 1)
        );
    }
}
