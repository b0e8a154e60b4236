//! A fair, per-key bounded gate for blocking threads: at most `capacity` holders at once and at
//! most `per_key` of them for one key (a tenant). Waiters are served round-robin across keys, so
//! a key with a long queue never delays another key by more than one turn; each waits for a
//! bounded time.
//!
//! A slot freed while another key's waiter is next in turn is handed to that waiter. A slot
//! freed when the next turn is the freeing key's own stays free for whichever caller of that
//! key comes first (its first waiter is woken to take it): handing it to a sleeping thread would
//! leave it unused until that thread is scheduled, on every call of a busy tenant.

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

/// What happened to a waiter; written only under the gate's lock.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Call {
    #[default]
    Waiting,
    /// The slot is its own.
    Granted,
    /// A slot of its key is free: it may take it if it still can.
    Nudged,
}

/// One waiting caller.
#[derive(Default)]
struct Ticket {
    call: Mutex<Call>,
    wake: Condvar,
}

impl Ticket {
    fn set(&self, call: Call) {
        *self.call.lock().unwrap_or_else(|e| e.into_inner()) = call;
        self.wake.notify_one();
    }

    fn get(&self) -> Call {
        *self.call.lock().unwrap_or_else(|e| e.into_inner())
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

    /// Gives freed slots out: to the first waiter of the first key in turn that may hold one
    /// more, unless that key is `freed_by`'s own, whose first waiter is only woken.
    fn hand_over(&mut self, capacity: usize, per_key: usize, freed_by: &str) {
        while self.held < capacity {
            let Some(position) = self
                .turns
                .iter()
                .position(|k| self.held_by.get(k).copied().unwrap_or(0) < per_key)
            else {
                return;
            };
            if self.turns[position] == freed_by {
                if let Some(first) = self.queues.get(freed_by).and_then(|q| q.front()) {
                    first.set(Call::Nudged);
                }
                return;
            }
            let key = self.turns.remove(position).expect("position is in range");
            let ticket = self.dequeue(&key);
            self.take(&key);
            ticket.set(Call::Granted);
        }
    }

    /// The first waiter of `key`, out of its queue; the key keeps its place in turn while it
    /// has more.
    fn dequeue(&mut self, key: &str) -> Arc<Ticket> {
        let queue = self.queues.get_mut(key).expect("a key in turn has a queue");
        let ticket = queue.pop_front().expect("a key in turn has a waiter");
        if queue.is_empty() {
            self.queues.remove(key);
        } else {
            self.turns.push_back(key.to_string());
        }
        self.waiting -= 1;
        ticket
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

    /// A caller of `key` took a free slot: the key's turn is used, so it goes to the back.
    fn used_turn(&mut self, key: &str) {
        if let Some(position) = self.turns.iter().position(|k| k == key) {
            let key = self.turns.remove(position).expect("position is in range");
            self.turns.push_back(key);
        }
    }

    /// Takes a waiter out of its queue (it gave up, or took a free slot itself).
    fn withdraw(&mut self, key: &str, ticket: &Arc<Ticket>) {
        let Some(queue) = self.queues.get_mut(key) else {
            return;
        };
        let Some(position) = queue.iter().position(|t| Arc::ptr_eq(t, ticket)) else {
            return;
        };
        queue.remove(position);
        if queue.is_empty() {
            self.queues.remove(key);
            self.turns.retain(|k| k != key);
        }
        self.waiting -= 1;
    }
}

/// What a gate holds now, for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateUse {
    /// Slots held now.
    pub held: usize,
    /// Callers waiting for a slot.
    pub waiting: usize,
    /// Slots in all.
    pub capacity: usize,
    /// Slots one key may hold at once.
    pub per_key: usize,
}

/// At most `capacity` holders at once, at most `per_key` of them for one key; waiters are served
/// round-robin across keys, each for a bounded time (the `gate` module's documentation says who
/// gets a freed slot).
pub struct FairGate {
    name: &'static str,
    capacity: usize,
    per_key: usize,
    state: Mutex<State>,
}

/// A held slot; dropping it frees the slot (see the module documentation for who gets it).
pub struct Permit {
    gate: Arc<FairGate>,
    key: String,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.put_back(&self.key);
        state.hand_over(self.gate.capacity, self.gate.per_key, &self.key);
    }
}

impl Permit {
    /// The key the slot is held for.
    pub fn key(&self) -> &str {
        &self.key
    }
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

    /// The gate's name, as `Busy` reports it.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the gate holds now.
    pub fn usage(&self) -> GateUse {
        let state = self.lock();
        GateUse {
            held: state.held,
            waiting: state.waiting,
            capacity: self.capacity,
            per_key: self.per_key,
        }
    }

    fn permit(self: &Arc<Self>, key: &str) -> Permit {
        Permit {
            gate: self.clone(),
            key: key.to_string(),
        }
    }

    /// Waits (on this thread) at most `wait` for a slot for `key`. A free slot the key may hold
    /// is taken at once, even before the key's own waiters (who are woken for the next).
    pub fn acquire_blocking(self: &Arc<Self>, key: &str, wait: Duration) -> Result<Permit, Busy> {
        let started = Instant::now();
        let ticket = {
            let mut state = self.lock();
            if state.may_hold(key, self.capacity, self.per_key) {
                state.take(key);
                state.used_turn(key);
                return Ok(self.permit(key));
            }
            state.enqueue(key)
        };
        loop {
            let remaining = wait.saturating_sub(started.elapsed());
            {
                let call = ticket.call.lock().unwrap_or_else(|e| e.into_inner());
                let _unused = ticket
                    .wake
                    .wait_timeout_while(call, remaining, |call| *call == Call::Waiting)
                    .unwrap_or_else(|e| e.into_inner());
            }
            let mut state = self.lock();
            match ticket.get() {
                Call::Granted => return Ok(self.permit(key)),
                Call::Nudged if state.may_hold(key, self.capacity, self.per_key) => {
                    state.withdraw(key, &ticket);
                    state.take(key);
                    state.used_turn(key);
                    return Ok(self.permit(key));
                }
                Call::Nudged => {
                    *ticket.call.lock().unwrap_or_else(|e| e.into_inner()) = Call::Waiting
                }
                Call::Waiting => {}
            }
            if started.elapsed() >= wait {
                state.withdraw(key, &ticket);
                return Err(Busy {
                    gate: self.name,
                    waited: started.elapsed(),
                });
            }
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
    fn a_slot_freed_in_a_keys_own_turn_goes_to_its_first_caller() {
        let gate = FairGate::new("test slots", 1, 1);
        let first = gate.acquire_blocking("a", NO_WAIT).unwrap();
        let waiter = {
            let shared = gate.clone();
            std::thread::spawn(move || shared.acquire_blocking("a", LONG).map(|_| ()))
        };
        while gate.usage().waiting < 1 {
            std::thread::yield_now();
        }
        drop(first);
        // Whoever of a comes first holds it; the woken waiter gets the next one.
        let again = gate.acquire_blocking("a", LONG).unwrap();
        drop(again);
        waiter.join().unwrap().unwrap();
        assert_eq!(gate.usage().held, 0);
        assert_eq!(gate.usage().waiting, 0);
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
}
