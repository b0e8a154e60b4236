//! Deferred durability. A request handler runs its operation inside `Store::deferring`: there a
//! `WriteTx::commit` adds its changes to the batch and returns without waiting for the fsync,
//! and the handler awaits the returned `Durability` before it answers. The blocking thread is
//! free as soon as the operation's work is done, so few threads are alive at once (on 2 cores,
//! every extra runnable thread delays the one holding the write turn), and one wake-up of the
//! async task replaces a sleeping thread per waiter.
//!
//! Records that only ride along with a request (the plugin invocation log) are handed to
//! `Store::write_with_next_commit`: inside a deferring scope they join the operation's own next
//! commit (one write turn instead of two), or a turn of their own when the operation ends.
//!
//! Read-your-writes holds: `Store::read` on a thread that owes a batch waits for it first.

use std::cell::RefCell;
use std::sync::Arc;

use super::{Shared, StoreError, StoreResult};

/// A write that joins this thread's next commit.
pub(super) type Pending = portico_core::storage::DeferredWrite;

/// This thread's deferring scope.
struct Scope {
    /// The store it belongs to (its `Shared`'s address).
    store: usize,
    /// The latest batch a commit of this scope joined; 0 when none.
    owed: u64,
    /// Writes waiting for the scope's next commit.
    pending: Vec<Pending>,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

pub(super) fn store_id(shared: &Shared) -> usize {
    shared as *const Shared as usize
}

/// Whether this thread is in a deferring scope of `store`.
pub(super) fn defers(store: usize) -> bool {
    SCOPE.with(|s| s.borrow().as_ref().is_some_and(|s| s.store == store))
}

/// Records that a commit of the current scope joined batch `ticket`.
pub(super) fn owe(store: usize, ticket: u64) {
    SCOPE.with(|s| {
        if let Some(scope) = s.borrow_mut().as_mut().filter(|s| s.store == store) {
            scope.owed = scope.owed.max(ticket);
        }
    });
}

/// The batch this thread's scope of `store` owes, if any.
pub(super) fn owed(store: usize) -> u64 {
    SCOPE.with(|s| {
        s.borrow()
            .as_ref()
            .filter(|s| s.store == store)
            .map_or(0, |s| s.owed)
    })
}

/// Queues `write` for the scope's next commit; gives it back when this thread has no scope
/// of `store`.
pub(super) fn push(store: usize, write: Pending) -> Option<Pending> {
    SCOPE.with(
        |s| match s.borrow_mut().as_mut().filter(|s| s.store == store) {
            Some(scope) => {
                scope.pending.push(write);
                None
            }
            None => Some(write),
        },
    )
}

/// Takes the writes queued for the scope's next commit.
pub(super) fn take_pending(store: usize) -> Vec<Pending> {
    SCOPE.with(|s| {
        s.borrow_mut()
            .as_mut()
            .filter(|s| s.store == store)
            .map(|s| std::mem::take(&mut s.pending))
            .unwrap_or_default()
    })
}

/// Opens a scope for `store` on this thread; `None` when one is open already (the outer scope
/// then covers the inner operation). The scope closes when the guard drops, also on a panic
/// (whatever was still queued is then dropped).
pub(super) fn open(store: usize) -> Option<ScopeGuard> {
    SCOPE.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_some() {
            return None;
        }
        *s = Some(Scope {
            store,
            owed: 0,
            pending: Vec::new(),
        });
        Some(ScopeGuard)
    })
}

pub(super) struct ScopeGuard;

impl ScopeGuard {
    /// Closes the scope; answers the batch it owes (0 for none).
    pub(super) fn close(self) -> u64 {
        let owed = SCOPE.with(|s| s.borrow_mut().take().map_or(0, |s| s.owed));
        std::mem::forget(self);
        owed
    }
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        SCOPE.with(|s| s.borrow_mut().take());
    }
}

/// What an operation run with `Store::deferring` still has to wait for before it is answered.
#[must_use = "the operation's writes are not durable until this is awaited"]
pub struct Durability {
    pub(super) shared: Option<Arc<Shared>>,
    pub(super) ticket: u64,
    /// The queued writes could not be added at the operation's end.
    pub(super) failed: Option<StoreError>,
}

impl Durability {
    /// Nothing to wait for.
    pub fn none() -> Durability {
        Durability {
            shared: None,
            ticket: 0,
            failed: None,
        }
    }

    /// Whether the operation wrote anything that is not durable yet (as of its end).
    pub fn is_pending(&self) -> bool {
        self.shared.is_some() || self.failed.is_some()
    }

    /// Returns once every write of the operation is durable, or with its commit's error.
    pub async fn wait(self) -> StoreResult<()> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        match self.shared {
            Some(shared) => shared.group.durable(self.ticket).await,
            None => Ok(()),
        }
    }

    /// `wait` for a thread outside the async runtime (the hook worker).
    pub fn wait_blocking(self) -> StoreResult<()> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        match self.shared {
            Some(shared) => shared.group.wait_durable(self.ticket),
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for Durability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Durability")
            .field("ticket", &self.ticket)
            .finish()
    }
}
