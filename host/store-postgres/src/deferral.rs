//! A thread's deferring scope (`Storage::defer_commits`) on PostgreSQL. Commits are durable
//! when they return (`synchronous_commit = on`), so a scope owes no durability; it keeps two
//! things for the operation it runs:
//!
//! - writes deferred to the thread's next commit (`Storage::write_with_next_commit`, e.g. a
//!   plugin call's log entry): they join the next write commit on this thread, or get a
//!   transaction of their own (of their scope) when the operation ends without one;
//! - the configuration generation read by the operation's first `Storage::configuration`, reused
//!   by its later ones (one round trip per operation, not per value): a change acknowledged
//!   before the operation started is in it, and one the operation makes itself resets it.

use std::cell::RefCell;

use portico_core::storage::DeferredWrite;

use crate::scope::ScopeLock;

/// The scope of one store on this thread.
struct Scope {
    store: usize,
    writes: Vec<(ScopeLock, DeferredWrite)>,
    generation: Option<u64>,
}

thread_local! {
    static SCOPES: RefCell<Vec<Scope>> = const { RefCell::new(Vec::new()) };
}

/// Ends the scope it was made for when dropped (also when the operation panics), answering the
/// writes still deferred.
pub(crate) struct ScopeGuard {
    store: usize,
    ended: bool,
}

/// Opens a scope of `store` on this thread; `None` when one is open already (the operation runs
/// in that one).
pub(crate) fn open(store: usize) -> Option<ScopeGuard> {
    SCOPES.with_borrow_mut(|scopes| {
        if scopes.iter().any(|s| s.store == store) {
            return None;
        }
        scopes.push(Scope {
            store,
            writes: Vec::new(),
            generation: None,
        });
        Some(ScopeGuard {
            store,
            ended: false,
        })
    })
}

impl ScopeGuard {
    /// Ends the scope; answers the deferred writes no commit took.
    pub(crate) fn end(mut self) -> Vec<(ScopeLock, DeferredWrite)> {
        self.ended = true;
        remove(self.store).map(|s| s.writes).unwrap_or_default()
    }
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        if !self.ended {
            remove(self.store);
        }
    }
}

fn remove(store: usize) -> Option<Scope> {
    SCOPES.with_borrow_mut(|scopes| {
        let at = scopes.iter().position(|s| s.store == store)?;
        Some(scopes.swap_remove(at))
    })
}

/// Defers `write` to this thread's next commit of `scope`; answers it back when the thread has
/// no scope of `store` open (the caller writes it at once).
pub(crate) fn defer(
    store: usize,
    scope: ScopeLock,
    write: DeferredWrite,
) -> Option<(ScopeLock, DeferredWrite)> {
    SCOPES.with_borrow_mut(
        |scopes| match scopes.iter_mut().find(|s| s.store == store) {
            Some(open) => {
                open.writes.push((scope, write));
                None
            }
            None => Some((scope, write)),
        },
    )
}

/// The deferred writes a commit takes along: all of this thread's, whatever their scope (they
/// are a request's own records, written by increments and inserts that need no lock of their
/// scope). A write transaction outside any scope takes none.
pub(crate) fn take_for(store: usize, scope: Option<&ScopeLock>) -> Vec<DeferredWrite> {
    if scope.is_none() {
        return Vec::new();
    }
    SCOPES.with_borrow_mut(|scopes| {
        let Some(open) = scopes.iter_mut().find(|s| s.store == store) else {
            return Vec::new();
        };
        std::mem::take(&mut open.writes)
            .into_iter()
            .map(|(_, write)| write)
            .collect()
    })
}

/// The configuration generation this thread's operation read, if it did.
pub(crate) fn generation(store: usize) -> Option<u64> {
    SCOPES.with_borrow(|scopes| scopes.iter().find(|s| s.store == store)?.generation)
}

/// Remembers the generation the operation read (outside a scope, nothing to remember).
pub(crate) fn remember_generation(store: usize, generation: u64) {
    SCOPES.with_borrow_mut(|scopes| {
        if let Some(open) = scopes.iter_mut().find(|s| s.store == store) {
            open.generation = Some(generation);
        }
    });
}

/// The operation changed configuration itself: its next read of configuration reads the
/// generation again.
pub(crate) fn configuration_changed(store: usize) {
    SCOPES.with_borrow_mut(|scopes| {
        if let Some(open) = scopes.iter_mut().find(|s| s.store == store) {
            open.generation = None;
        }
    });
}
