//! The background workers that deliver queued after-hook events (see `domain::portal::hooks`).
//! Several threads deliver at once, each tenant on at most one of them at a time, taking the
//! tenants' due events in turn: one tenant's slow or failing hooks delay only its own events.
//! They run on threads of their own because plugin calls and redb writes block; each stops
//! between two deliveries when asked (the events taken and not attempted are handed back), so
//! a shutdown never cuts a delivery's transaction in half (an interrupted plugin call is simply
//! redone after the restart: delivery is at least once). Which events are due, and when a failed one is retried, is read on the domain's clock
//! (`Domain::clock`); the workers' own pauses between looks are real time.
//!
//! A look at the queue leases the events it takes to this host (`Hooks::due_hook_deliveries`),
//! so other hosts sharing the store leave them alone until their attempt ends or the lease
//! expires; among this host's threads, the dispatch below keeps an event from being taken twice.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::domain::{Domain, DueHook};

/// How often an idle worker looks for due events.
pub const HOOK_POLL_INTERVAL: Duration = Duration::from_millis(100);
/// How long a worker waits after a look at the queue failed, on top of `HOOK_POLL_INTERVAL`.
pub const HOOK_FAILED_LOOK_PAUSE: Duration = Duration::from_secs(2);
/// Due events taken per look at the queue.
pub const HOOK_DELIVERY_BATCH: usize = 32;
/// Events of one tenant taken per look, so a backlog leaves room for the other tenants' events.
pub const HOOK_EVENTS_PER_TENANT_PER_LOOK: usize = 4;
/// Delivery threads by default: one tenant's hooks running to their deadline leave the other
/// thread to everyone else.
pub const DEFAULT_HOOK_DELIVERY_WORKERS: usize = 2;
/// Most delivery threads an operator may configure.
pub const MAX_HOOK_DELIVERY_WORKERS: usize = 64;

/// Running workers; `stop` waits for each to finish its current delivery.
pub struct HookWorker {
    domain: Arc<Domain>,
    stop: Arc<AtomicBool>,
    dispatch: Arc<Mutex<Dispatch>>,
    threads: Vec<JoinHandle<()>>,
}

/// What the workers share: events taken but not yet delivered, and who is delivering.
#[derive(Default)]
struct Dispatch {
    pending: VecDeque<DueHook>,
    /// Tenants with a delivery in progress (each has at most one).
    busy_tenants: HashSet<String>,
    /// Due entries taken (pending or in progress), so a new look does not take them again.
    taken: HashSet<DueHook>,
}

impl Dispatch {
    /// The first pending event of a tenant that is not busy, marked in progress.
    fn next(&mut self) -> Option<DueHook> {
        let position = self
            .pending
            .iter()
            .position(|due| !self.busy_tenants.contains(&due.tenant_id))?;
        let due = self.pending.remove(position)?;
        self.busy_tenants.insert(due.tenant_id.clone());
        Some(due)
    }

    fn finish(&mut self, due: &DueHook) {
        self.busy_tenants.remove(&due.tenant_id);
        self.taken.remove(due);
    }
}

impl HookWorker {
    /// Starts `workers` delivery threads (at least 1, at most `MAX_HOOK_DELIVERY_WORKERS`).
    pub fn start(domain: Arc<Domain>, workers: usize) -> HookWorker {
        let stop = Arc::new(AtomicBool::new(false));
        let dispatch = Arc::new(Mutex::new(Dispatch::default()));
        let threads = (0..workers.clamp(1, MAX_HOOK_DELIVERY_WORKERS))
            .map(|i| {
                let (domain, stop, dispatch) = (domain.clone(), stop.clone(), dispatch.clone());
                std::thread::Builder::new()
                    .name(format!("hook-delivery-{i}"))
                    .spawn(move || run(&domain, &stop, &dispatch))
                    .expect("spawn a hook delivery thread")
            })
            .collect();
        HookWorker {
            domain,
            stop,
            dispatch,
            threads,
        }
    }

    /// Stops the threads once their current delivery is done, waits for them, and hands back
    /// the events taken and not attempted, so another host (or this one, restarted) need not
    /// wait for their lease to expire.
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        for thread in self.threads {
            let _ = thread.join();
        }
        let mut dispatch = self.dispatch.lock().unwrap_or_else(|e| e.into_inner());
        let untried: Vec<DueHook> = dispatch.pending.drain(..).collect();
        if let Err(e) = self.domain.hooks.hand_back_hook_deliveries(&untried) {
            tracing::error!(error = %e, "handing back leased hook events failed; their leases will expire");
        }
    }
}

/// The next event this worker delivers: a pending one, else one from a new look at the queue.
fn take(domain: &Domain, dispatch: &Mutex<Dispatch>) -> Option<DueHook> {
    let mut dispatch = dispatch.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(due) = dispatch.next() {
        return Some(due);
    }
    // Tenants with events still pending (their delivery thread is busy) get no more, so the
    // pending list stays bounded while one tenant's hooks run long.
    let waiting: HashSet<&str> = dispatch
        .pending
        .iter()
        .map(|due| due.tenant_id.as_str())
        .collect();
    let skip =
        |due: &DueHook| dispatch.taken.contains(due) || waiting.contains(due.tenant_id.as_str());
    let due = match domain.hooks.due_hook_deliveries(
        HOOK_DELIVERY_BATCH,
        HOOK_EVENTS_PER_TENANT_PER_LOOK,
        &skip,
    ) {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %e, "leasing due hook deliveries failed");
            // The store is failing (a database out of reach): look again less often, so the
            // log is not flooded while it is down.
            drop(dispatch);
            std::thread::sleep(HOOK_FAILED_LOOK_PAUSE);
            return None;
        }
    };
    drop(waiting);
    for event in due {
        dispatch.taken.insert(event.clone());
        dispatch.pending.push_back(event);
    }
    dispatch.next()
}

fn run(domain: &Domain, stop: &AtomicBool, dispatch: &Mutex<Dispatch>) {
    while !stop.load(Ordering::SeqCst) {
        let Some(due) = take(domain, dispatch) else {
            std::thread::sleep(HOOK_POLL_INTERVAL);
            continue;
        };
        // The plugin call's log joins the delivery's own commit.
        let (delivered, durability) = domain.deferring(|d| d.hooks.deliver_hook(&due));
        if let Err(e) = durability.wait_blocking() {
            tracing::error!(error = %e, "storing the delivery's writes failed");
        }
        dispatch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .finish(&due);
        if let Err(e) = delivered {
            tracing::error!(error = %e, tenant = %due.tenant_id, delivery = %due.delivery_id, "hook delivery failed");
            // Do not spin on a broken entry: wait a little before the next one.
            std::thread::sleep(HOOK_POLL_INTERVAL);
        }
    }
}
