//! The background worker that delivers queued after-hook events (see `domain::portal::hooks`).
//! It runs on its own thread because plugin calls and redb writes block; it stops between two
//! deliveries when asked, so a shutdown never cuts a delivery's transaction in half (and an
//! interrupted plugin call is simply redone after the restart: delivery is at least once).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::domain::Domain;

/// How often the worker looks for due events when the queue was empty.
pub const HOOK_POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Events taken per pass.
pub const HOOK_DELIVERY_BATCH: usize = 32;

/// A running worker; `stop` waits for it to finish its current delivery.
pub struct HookWorker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HookWorker {
    pub fn start(domain: Arc<Domain>) -> HookWorker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("hook-delivery".into())
            .spawn(move || run(&domain, &flag))
            .expect("spawn the hook delivery thread");
        HookWorker {
            stop,
            thread: Some(thread),
        }
    }

    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(domain: &Domain, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        let due = match domain.due_hook_deliveries(HOOK_DELIVERY_BATCH) {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "reading the hook delivery queue failed");
                Vec::new()
            }
        };
        if due.is_empty() {
            std::thread::sleep(HOOK_POLL_INTERVAL);
            continue;
        }
        for item in due {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            // The plugin call's log joins the delivery's own commit.
            let (delivered, durability) = domain.deferring(|d| d.deliver_hook(&item));
            if let Err(e) = durability.wait_blocking() {
                tracing::error!(error = %e, "storing the delivery's writes failed");
            }
            if let Err(e) = delivered {
                tracing::error!(error = %e, tenant = %item.tenant_id, delivery = %item.delivery_id, "hook delivery failed");
                // Do not spin on a broken entry: wait a little before the next pass.
                std::thread::sleep(HOOK_POLL_INTERVAL);
            }
        }
    }
}
