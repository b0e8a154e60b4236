//! The operation threads as a fair pool: operations are queued per tenant, and each thread that
//! finishes one takes the next itself (round-robin across tenants, in arrival order within one,
//! never more than a tenant's share running at once). No freed thread waits for a chosen waiter
//! to be scheduled: a hand-over of that kind left threads idle between operations and shrank the
//! group-commit batches (docs/performance.md).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::Busy;

/// A queued operation: `run` gets `Err` when the operation was given up before it started.
type Run = Box<dyn FnOnce() + Send>;

const QUEUED: u8 = 0;
const STARTED: u8 = 1;
const CANCELLED: u8 = 2;

/// Whether a queued operation started or was given up; exactly one of the two happens.
#[derive(Default)]
pub struct Claim(AtomicU8);

impl Claim {
    fn start(&self) -> bool {
        self.0
            .compare_exchange(QUEUED, STARTED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Gives the operation up unless a thread started it already.
    pub fn cancel(&self) -> bool {
        self.0
            .compare_exchange(QUEUED, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

struct Job {
    claim: Arc<Claim>,
    run: Run,
}

#[derive(Default)]
struct State {
    queues: HashMap<String, VecDeque<Job>>,
    /// Keys with queued operations, in the order their next turn comes.
    turns: VecDeque<String>,
    running_by: HashMap<String, usize>,
    running: usize,
    queued: usize,
    started_threads: usize,
}

impl State {
    /// The next operation of the first key in turn that may run one more.
    fn next(&mut self, per_key: usize) -> Option<(String, Job)> {
        let position = self
            .turns
            .iter()
            .position(|k| self.running_by.get(k).copied().unwrap_or(0) < per_key)?;
        let key = self.turns.remove(position).expect("position is in range");
        let queue = self
            .queues
            .get_mut(&key)
            .expect("a key in turn has a queue");
        let job = queue.pop_front().expect("a key in turn has a job");
        if queue.is_empty() {
            self.queues.remove(&key);
        } else {
            self.turns.push_back(key.clone());
        }
        self.queued -= 1;
        self.running += 1;
        *self.running_by.entry(key.clone()).or_default() += 1;
        Some((key, job))
    }

    fn finished(&mut self, key: &str) {
        self.running -= 1;
        if let Some(n) = self.running_by.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                self.running_by.remove(key);
            }
        }
    }
}

struct Shared {
    name: &'static str,
    threads: usize,
    per_key: usize,
    state: Mutex<State>,
    work: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Operations queued per key, run by a bounded set of threads that each take the next one
/// themselves (round-robin across keys, at most a key's share at once; see the `pool` module's
/// documentation). Threads start on first use and live as long as the process.
#[derive(Clone)]
pub struct OperationPool {
    shared: Arc<Shared>,
}

impl OperationPool {
    /// A pool of `threads` threads, at most `per_key` of them for one key (both at least 1).
    pub fn new(name: &'static str, threads: usize, per_key: usize) -> OperationPool {
        let threads = threads.max(1);
        OperationPool {
            shared: Arc::new(Shared {
                name,
                threads,
                per_key: per_key.clamp(1, threads),
                state: Mutex::new(State::default()),
                work: Condvar::new(),
            }),
        }
    }

    /// Queues `run` for `key`; answers its claim, through which the caller may give it up.
    pub fn submit(&self, key: &str, run: impl FnOnce() + Send + 'static) -> Arc<Claim> {
        let claim = Arc::new(Claim::default());
        let mut state = self.shared.lock();
        let queue = state.queues.entry(key.to_string()).or_default();
        if queue.is_empty() {
            state.turns.push_back(key.to_string());
        }
        state
            .queues
            .get_mut(key)
            .expect("just made")
            .push_back(Job {
                claim: claim.clone(),
                run: Box::new(run),
            });
        state.queued += 1;
        if state.started_threads < self.shared.threads {
            state.started_threads += 1;
            let shared = self.shared.clone();
            let index = state.started_threads;
            std::thread::Builder::new()
                .name(format!("portico-op-{index}"))
                .spawn(move || work(&shared))
                .expect("spawn an operation thread");
        }
        drop(state);
        self.shared.work.notify_one();
        claim
    }

    /// Runs `op` for `key` on a pool thread and answers its result; gives it up (answering
    /// `Busy`) when it has not started within `wait`.
    pub async fn run<T: Send + 'static>(
        &self,
        key: &str,
        wait: Duration,
        op: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let queued_at = Instant::now();
        let (answer, answered) = tokio::sync::oneshot::channel();
        let claim = self.submit(key, move || {
            let _ = answer.send(op());
        });
        let mut answered = answered;
        match tokio::time::timeout(wait, &mut answered).await {
            Ok(result) => Ok(result.expect("a started operation answers (panics are caught)")),
            Err(_) if claim.cancel() => Err(Busy {
                gate: self.shared.name,
                waited: queued_at.elapsed(),
            }),
            // It started just in time: its answer comes.
            Err(_) => Ok(answered
                .await
                .expect("a started operation answers (panics are caught)")),
        }
    }

    /// Operations running and queued now.
    pub fn usage(&self) -> (usize, usize) {
        let state = self.shared.lock();
        (state.running, state.queued)
    }
}

fn work(shared: &Shared) {
    let mut state = shared.lock();
    loop {
        let Some((key, job)) = state.next(shared.per_key) else {
            state = shared.work.wait(state).unwrap_or_else(|e| e.into_inner());
            continue;
        };
        drop(state);
        if job.claim.start() {
            (job.run)();
        }
        state = shared.lock();
        state.finished(&key);
        // Another thread may be asleep while this key had reached its share.
        if state.queued > 0 {
            shared.work.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_key_runs_at_most_its_share_and_others_still_run() {
        let pool = OperationPool::new("test threads", 3, 2);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(Mutex::new(hold));
        let running = Arc::new(AtomicUsize::new(0));
        let mut held = Vec::new();
        for _ in 0..3 {
            let (shared, hold, running) = (pool.clone(), hold.clone(), running.clone());
            held.push(tokio::spawn(async move {
                shared
                    .run("a", Duration::from_secs(10), move || {
                        running.fetch_add(1, Ordering::SeqCst);
                        let _ = hold.lock().unwrap().recv();
                    })
                    .await
            }));
        }
        while pool.usage() != (2, 1) {
            tokio::task::yield_now().await;
        }
        // a holds its share of 2; b finds the third thread.
        assert_eq!(pool.run("b", Duration::from_secs(10), || 7).await, Ok(7));
        // Past its wait, a queued operation is given up and never runs.
        let refused = pool.run("a", Duration::from_millis(5), || ()).await;
        assert_eq!(refused.unwrap_err().gate, "test threads");
        for _ in 0..3 {
            release.send(()).unwrap();
        }
        for h in held {
            h.await.unwrap().unwrap();
        }
        assert_eq!(running.load(Ordering::SeqCst), 3);
        // A thread counts its operation finished just after the answer is sent.
        while pool.usage() != (0, 0) {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_take_turns() {
        let pool = OperationPool::new("test threads", 1, 1);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = {
            let shared = pool.clone();
            tokio::spawn(async move {
                shared
                    .run("a", Duration::from_secs(10), move || {
                        let _ = hold.recv();
                    })
                    .await
            })
        };
        while pool.usage() != (1, 0) {
            tokio::task::yield_now().await;
        }
        let mut waiting = Vec::new();
        for key in ["a", "a", "a", "b"] {
            let (shared, order) = (pool.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                shared
                    .run(key, Duration::from_secs(10), move || {
                        order.lock().unwrap().push(key)
                    })
                    .await
            }));
            let queued = waiting.len();
            while pool.usage().1 < queued {
                tokio::task::yield_now().await;
            }
        }
        release.send(()).unwrap();
        first.await.unwrap().unwrap();
        for w in waiting {
            w.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec!["a", "b", "a", "a"]);
    }
}
