//! A fair, per-key bounded gate: at most `capacity` holders at once and at most `per_key` of
//! them for one key (a tenant). Waiters are served round-robin across keys and in arrival order
//! within a key, so a key with a long queue never delays another key by more than one turn.
//! Both async tasks and blocking threads wait on it, each for a bounded time.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The gate refused to wait longer: every slot this key may use stayed busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    /// The gate's name, for the error message.
    pub gate: &'static str,
    /// How long the caller waited.
    pub waited: Duration,
}

/// One waiting caller. `granted` is only written under the gate's lock.
#[derive(Default)]
struct Ticket {
    granted: Mutex<bool>,
    thread: Condvar,
    task: tokio::sync::Notify,
}

impl Ticket {
    fn grant(&self) {
        *self.granted.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.thread.notify_one();
        // `notify_one` keeps a permit when no task waits yet, so a grant is never missed.
        self.task.notify_one();
    }

    fn is_granted(&self) -> bool {
        *self.granted.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct State {
    held: usize,
    held_by: HashMap<String, usize>,
    queues: HashMap<String, VecDeque<Arc<Ticket>>>,
    /// Keys with waiters, in the order their next turn comes.
    turns: VecDeque<String>,
    waiting: usize,
}

impl State {
    fn may_hold(&self, key: &str, capacity: usize, per_key: usize) -> bool {
        self.held < capacity && self.held_by.get(key).copied().unwrap_or(0) < per_key
    }

    fn take(&mut self, key: &str) {
        self.held += 1;
        *self.held_by.entry(key.to_string()).or_default() += 1;
    }

    fn put_back(&mut self, key: &str) {
        self.held -= 1;
        if let Some(n) = self.held_by.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                self.held_by.remove(key);
            }
        }
    }

    /// Hands freed slots to waiters: the first key in turn order that may hold one more gets
    /// it, and goes to the back of the order if it still has waiters.
    fn hand_over(&mut self, capacity: usize, per_key: usize) {
        while self.held < capacity {
            let Some(position) = self
                .turns
                .iter()
                .position(|k| self.held_by.get(k).copied().unwrap_or(0) < per_key)
            else {
                return;
            };
            let key = self.turns.remove(position).expect("position is in range");
            let queue = self
                .queues
                .get_mut(&key)
                .expect("a key in turn has a queue");
            let ticket = queue.pop_front().expect("a key in turn has a waiter");
            if queue.is_empty() {
                self.queues.remove(&key);
            } else {
                self.turns.push_back(key.clone());
            }
            self.waiting -= 1;
            self.take(&key);
            ticket.grant();
        }
    }

    fn enqueue(&mut self, key: &str) -> Arc<Ticket> {
        let ticket = Arc::new(Ticket::default());
        let queue = self.queues.entry(key.to_string()).or_default();
        if queue.is_empty() {
            self.turns.push_back(key.to_string());
        }
        queue.push_back(ticket.clone());
        self.waiting += 1;
        ticket
    }

    /// Takes a waiter that gave up out of its queue; `false` when it was granted meanwhile.
    fn withdraw(&mut self, key: &str, ticket: &Arc<Ticket>) -> bool {
        let Some(queue) = self.queues.get_mut(key) else {
            return false;
        };
        let Some(position) = queue.iter().position(|t| Arc::ptr_eq(t, ticket)) else {
            return false;
        };
        queue.remove(position);
        if queue.is_empty() {
            self.queues.remove(key);
            self.turns.retain(|k| k != key);
        }
        self.waiting -= 1;
        true
    }
}

/// What a gate holds now, for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateUse {
    pub held: usize,
    pub waiting: usize,
    pub capacity: usize,
    pub per_key: usize,
}

/// See the module documentation.
pub struct FairGate {
    name: &'static str,
    capacity: usize,
    per_key: usize,
    state: Mutex<State>,
}

/// A held slot; dropping it frees the slot for the next waiter in turn.
pub struct Permit {
    gate: Arc<FairGate>,
    key: String,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.put_back(&self.key);
        state.hand_over(self.gate.capacity, self.gate.per_key);
    }
}

impl Permit {
    /// The key the slot is held for.
    pub fn key(&self) -> &str {
        &self.key
    }
}

enum Entry {
    Held(Permit),
    Queued(Arc<Ticket>),
}

impl FairGate {
    /// A gate of `capacity` slots, at most `per_key` of them per key (both at least 1).
    pub fn new(name: &'static str, capacity: usize, per_key: usize) -> Arc<FairGate> {
        let capacity = capacity.max(1);
        Arc::new(FairGate {
            name,
            capacity,
            per_key: per_key.clamp(1, capacity),
            state: Mutex::new(State::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn usage(&self) -> GateUse {
        let state = self.lock();
        GateUse {
            held: state.held,
            waiting: state.waiting,
            capacity: self.capacity,
            per_key: self.per_key,
        }
    }

    /// Takes a slot at once when `key` may hold one and nobody of `key` waits before it.
    fn enter(self: &Arc<Self>, key: &str) -> Entry {
        let mut state = self.lock();
        if !state.queues.contains_key(key) && state.may_hold(key, self.capacity, self.per_key) {
            state.take(key);
            return Entry::Held(Permit {
                gate: self.clone(),
                key: key.to_string(),
            });
        }
        Entry::Queued(state.enqueue(key))
    }

    /// After waiting: the slot if it was granted, else the waiter leaves the queue.
    fn settle(
        self: &Arc<Self>,
        key: &str,
        ticket: &Arc<Ticket>,
        started: Instant,
    ) -> Result<Permit, Busy> {
        let mut state = self.lock();
        if ticket.is_granted() || !state.withdraw(key, ticket) {
            return Ok(Permit {
                gate: self.clone(),
                key: key.to_string(),
            });
        }
        Err(Busy {
            gate: self.name,
            waited: started.elapsed(),
        })
    }

    /// Waits (on this thread) at most `wait` for a slot for `key`.
    pub fn acquire_blocking(self: &Arc<Self>, key: &str, wait: Duration) -> Result<Permit, Busy> {
        let started = Instant::now();
        let ticket = match self.enter(key) {
            Entry::Held(permit) => return Ok(permit),
            Entry::Queued(ticket) => ticket,
        };
        {
            let granted = ticket.granted.lock().unwrap_or_else(|e| e.into_inner());
            let _unused = ticket
                .thread
                .wait_timeout_while(granted, wait, |granted| !*granted)
                .unwrap_or_else(|e| e.into_inner());
        }
        self.settle(key, &ticket, started)
    }

    /// Waits (as an async task) at most `wait` for a slot for `key`.
    pub async fn acquire(self: &Arc<Self>, key: &str, wait: Duration) -> Result<Permit, Busy> {
        let started = Instant::now();
        let ticket = match self.enter(key) {
            Entry::Held(permit) => return Ok(permit),
            Entry::Queued(ticket) => ticket,
        };
        // A task dropped while waiting leaves its ticket queued; `Withdraw` takes it out (or
        // frees the slot it was granted meanwhile).
        let mut guard = Withdraw {
            gate: self.clone(),
            key: key.to_string(),
            ticket: Some(ticket.clone()),
        };
        let _ = tokio::time::timeout(wait, ticket.task.notified()).await;
        guard.ticket = None;
        self.settle(key, &ticket, started)
    }
}

/// Cleans up after an async waiter whose future was dropped before it settled.
struct Withdraw {
    gate: Arc<FairGate>,
    key: String,
    ticket: Option<Arc<Ticket>>,
}

impl Drop for Withdraw {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket.take() else {
            return;
        };
        let mut state = self.gate.lock();
        if ticket.is_granted() || !state.withdraw(&self.key, &ticket) {
            // Granted to a caller that is gone: pass the slot on.
            state.put_back(&self.key);
            state.hand_over(self.gate.capacity, self.gate.per_key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_WAIT: Duration = Duration::from_millis(0);
    const LONG: Duration = Duration::from_secs(10);

    #[test]
    fn a_key_holds_at_most_its_share_and_others_still_get_slots() {
        let gate = FairGate::new("test slots", 3, 2);
        let a1 = gate.acquire_blocking("a", NO_WAIT).unwrap();
        let _a2 = gate.acquire_blocking("a", NO_WAIT).unwrap();
        let refused = gate.acquire_blocking("a", NO_WAIT).err().unwrap();
        assert_eq!(refused.gate, "test slots");
        let _b = gate
            .acquire_blocking("b", NO_WAIT)
            .expect("b finds the slot a may not take");
        assert!(
            gate.acquire_blocking("c", NO_WAIT).is_err(),
            "capacity is 3"
        );
        drop(a1);
        assert!(gate.acquire_blocking("c", NO_WAIT).is_ok());
    }

    #[test]
    fn freed_slots_go_round_robin_across_keys() {
        let gate = FairGate::new("test slots", 1, 1);
        let first = gate.acquire_blocking("a", NO_WAIT).unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        // a queues three calls before b queues one: b's turn still comes second.
        for key in ["a", "a", "a", "b"] {
            let (shared, order) = (gate.clone(), order.clone());
            waiters.push(std::thread::spawn(move || {
                let permit = shared.acquire_blocking(key, LONG).unwrap();
                order.lock().unwrap().push(key);
                drop(permit);
            }));
            while gate.usage().waiting < waiters.len() {
                std::thread::yield_now();
            }
        }
        drop(first);
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec!["a", "b", "a", "a"]);
    }

    #[test]
    fn a_waiter_that_gives_up_leaves_the_queue() {
        let gate = FairGate::new("test slots", 1, 1);
        let held = gate.acquire_blocking("a", NO_WAIT).unwrap();
        let busy = gate
            .acquire_blocking("b", Duration::from_millis(5))
            .err()
            .unwrap();
        assert!(busy.waited >= Duration::from_millis(5));
        assert_eq!(gate.usage().waiting, 0);
        drop(held);
        assert_eq!(gate.usage().held, 0);
        assert!(gate.acquire_blocking("b", NO_WAIT).is_ok());
    }

    #[tokio::test]
    async fn async_waiters_get_slots_and_dropped_waiters_pass_them_on() {
        let gate = FairGate::new("test slots", 1, 1);
        let held = gate.acquire("a", NO_WAIT).await.unwrap();
        // A waiter dropped before its turn must not keep (or lose) the slot.
        let dropped = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.acquire("b", LONG).await.map(|_| ()) })
        };
        while gate.usage().waiting < 1 {
            tokio::task::yield_now().await;
        }
        dropped.abort();
        let _ = dropped.await;
        let next = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.acquire("c", LONG).await.map(|p| p.key().to_string()) })
        };
        drop(held);
        assert_eq!(next.await.unwrap().unwrap(), "c");
        assert_eq!(
            gate.usage(),
            GateUse {
                held: 0,
                waiting: 0,
                capacity: 1,
                per_key: 1
            }
        );
    }
}
