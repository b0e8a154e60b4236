//! Compilation off the request threads: each compile holds a slot of the compile gate (one per
//! tenant, `compile_slots` in all) and runs on a thread of its own at a lower CPU priority, as
//! do the worker threads wasmtime compiles functions on in parallel. A compile of a large
//! component (seconds of CPU) then takes what the requests leave, instead of the reverse.

use std::sync::Arc;
use std::time::Duration;

use super::{Admission, Busy, FairGate, COMPILE_QUEUE_WAIT};

/// The nice value of compile threads (0 is the default; 19 the lowest priority). At 10 the
/// scheduler gives a request thread about ten times a compile thread's share of a busy core.
pub const COMPILE_NICENESS: i32 = 10;

/// Lowers the calling thread's CPU priority to `COMPILE_NICENESS` (Linux sets it per thread).
/// Raising a nice value needs no privilege; a failure leaves the default priority.
pub fn lower_compile_thread_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; 0 names the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, COMPILE_NICENESS);
    }
}

/// Starts the process-wide worker threads that wasmtime compiles functions on, at the compile
/// priority. Call once, before the first compile; a second call changes nothing.
pub fn start_compile_workers() {
    let built = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("portico-compile-{i}"))
        .start_handler(|_| lower_compile_thread_priority())
        .build_global();
    if let Err(error) = built {
        tracing::debug!(%error, "compile workers already started");
    }
}

impl Admission {
    /// Runs `job` for `tenant` on a compile thread of its own, once a compile slot is free
    /// (waiting at most `COMPILE_QUEUE_WAIT`), then `after_compile` on that thread, and answers
    /// the job's result.
    pub fn run_compile<T: Send>(
        &self,
        tenant: &str,
        job: impl FnOnce() -> T + Send,
    ) -> Result<T, Busy> {
        run_compile(
            &self.compiles,
            tenant,
            COMPILE_QUEUE_WAIT,
            self.after_compile,
            job,
        )
    }
}

/// `Admission::run_compile` on `gate`, waiting at most `wait`.
fn run_compile<T: Send>(
    gate: &Arc<FairGate>,
    tenant: &str,
    wait: Duration,
    after_compile: fn(),
    job: impl FnOnce() -> T + Send,
) -> Result<T, Busy> {
    let permit = gate.acquire_blocking(tenant, wait)?;
    let result = std::thread::scope(|scope| {
        let compile = std::thread::Builder::new()
            .name("portico-compile".into())
            .spawn_scoped(scope, || {
                lower_compile_thread_priority();
                let result = job();
                // A compile frees tens of MB of compiler data (see `after_compile`).
                after_compile();
                result
            })
            .expect("spawn a compile thread");
        compile.join()
    });
    drop(permit);
    Ok(result.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AdmissionConfig;
    use std::sync::Mutex;

    /// What the compile job and the hook did, in order, and on which thread.
    static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

    fn record(event: &str) {
        let thread = std::thread::current().name().unwrap_or("?").to_string();
        EVENTS.lock().unwrap().push(format!("{event} on {thread}"));
    }

    fn record_hook() {
        record("after_compile");
    }

    #[test]
    fn a_compile_runs_on_a_low_priority_thread_of_its_own_in_the_tenants_turn() {
        let admission = Admission::new(AdmissionConfig {
            compiles: 1,
            after_compile: record_hook,
            ..AdmissionConfig::for_threads(1)
        });
        let gate = &admission.compiles;
        let caller = std::thread::current().id();
        let (thread, name, niceness) = admission
            .run_compile("a", || {
                record("job");
                let current = std::thread::current();
                // SAFETY: getpriority only reads; 0 names the calling thread.
                let niceness = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
                (current.id(), current.name().map(str::to_string), niceness)
            })
            .unwrap();
        assert_ne!(thread, caller);
        assert_eq!(name.as_deref(), Some("portico-compile"));
        assert_eq!(niceness, COMPILE_NICENESS);
        assert_eq!(gate.usage().held, 0, "the slot is free again");
        assert_eq!(
            *EVENTS.lock().unwrap(),
            ["job on portico-compile", "after_compile on portico-compile"],
            "the hook runs once, after the job, on the compile thread"
        );

        // Past the tenant's one slot: the next compile of that tenant waits, then is refused.
        let held = gate.acquire_blocking("a", Duration::ZERO).unwrap();
        let started = std::time::Instant::now();
        let refused = run_compile(gate, "a", Duration::from_millis(5), record_hook, || ());
        assert_eq!(refused.unwrap_err().gate, "compiles");
        assert!(started.elapsed() >= Duration::from_millis(5));
        assert_eq!(EVENTS.lock().unwrap().len(), 2, "nothing ran");
        drop(held);
    }
}
