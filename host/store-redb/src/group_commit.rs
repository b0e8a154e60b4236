//! Group commit. A commit's cost is its fsync (about 0.3 ms median, 1.7 ms p99 here), so writers
//! take turns adding their staged changes to an open batch (in memory), and a committer thread
//! writes the batch to redb in one transaction (one fsync) and answers them all. Each writer's
//! changes join the batch only when that writer commits, so a refused write never rolls back its
//! neighbours. No writer is answered before its batch is durable.
//!
//! While the committer writes and syncs one batch, the next one already takes writers: they read
//! the committing batch's changes over their snapshot (`Batch::base`), so the cores keep working
//! through the fsync. A batch that read a batch which then failed to commit fails too.
//!
//! A batch closes when no more writers are queued to join it, when it holds
//! `CommitPolicy::max_batch` writes, or when it has been open `CommitPolicy::max_wait`. With
//! `max_batch` 1 every write is its own durable transaction, its turn begun once the previous one
//! is durable (the baseline of the comparison benchmarks).
//! Writers wait for durability on a thread (`wait_durable`) or, in a request handler, as an
//! async task (`durable`, see `deferral`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use redb::{Database, ReadTransaction};
use serde::Serialize;
use tokio::sync::watch;

use super::changes::Changes;
use super::{StoreError, StoreResult};

/// Most writes in one batch by default: bounds how long a batch's writers wait for each other
/// and how much one failed commit takes down.
pub const DEFAULT_MAX_BATCH: usize = 256;

/// Longest a batch stays open for queued writers by default: none. Writers fill the next batch
/// while the committer writes and syncs the previous one, so batches form without holding one
/// open; waiting for stragglers only woke the committer once per write and delayed every writer
/// of the batch (validated updates at c64, medians of 5 interleaved pairs: 6,244 req/s without
/// the wait, 5,779 with 2 ms; docs/performance.md).
pub const DEFAULT_MAX_WAIT: Duration = Duration::ZERO;

/// Largest `max_batch` an operator may set.
pub const MAX_BATCH_CEILING: usize = 65_536;

/// Longest `max_wait` an operator may set: past this, writers would visibly stall.
pub const MAX_WAIT_CEILING: Duration = Duration::from_secs(1);

/// Failed batches remembered so that each of their writers can read the error.
const REMEMBERED_FAILURES: usize = 64;

/// How writes are grouped into durable transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitPolicy {
    /// Most writes per transaction. 1 commits every write on its own and, as without group
    /// commit, begins a write's turn only once the previous write is durable (the
    /// one-transaction-per-request baseline of the benchmarks).
    pub max_batch: usize,
    /// Longest a batch waits for queued writers.
    pub max_wait: Duration,
    /// Testing only: how long each commit is held before its fsync, so that tests can crash
    /// the process while a batch is still uncommitted. Absent from a production build (the
    /// `test-knobs` feature, which only the tests enable).
    #[cfg(any(test, feature = "test-knobs"))]
    pub commit_delay: Duration,
}

impl Default for CommitPolicy {
    fn default() -> Self {
        CommitPolicy {
            max_batch: DEFAULT_MAX_BATCH,
            max_wait: DEFAULT_MAX_WAIT,
            #[cfg(any(test, feature = "test-knobs"))]
            commit_delay: Duration::ZERO,
        }
    }
}

/// Counters since the store opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CommitStats {
    /// Durable transactions committed.
    pub commits: u64,
    /// Writes those transactions carried.
    pub writes: u64,
    /// Most writes in one transaction.
    pub largest_batch: u64,
}

/// The open batch: the changes of the writers that joined it, and what they read under them.
pub(crate) struct Batch {
    /// What was committed when the batch's first writer took its turn.
    pub(super) snapshot: Option<ReadTransaction>,
    /// The changes of the batch that was being committed when this one opened, which the
    /// snapshot may not hold yet; `None` once they are committed and nobody has read them.
    pub(super) base: Option<Arc<Changes>>,
    /// The joined writers' changes, later ones laid over earlier ones.
    pub(super) changes: Changes,
    /// Number of this batch; tickets name it.
    id: u64,
    /// Writes that joined.
    pub(super) items: usize,
    opened_at: Instant,
    /// The batch under `base` failed to commit: commit nothing, fail every writer.
    broken: Option<String>,
}

impl Batch {
    /// Counts the current writer in; the ticket is redeemed with `GroupCommit::wait_durable`.
    pub(super) fn join(&mut self) -> u64 {
        self.items += 1;
        self.id
    }

    /// The ticket of the batch under `base` (the one committing when this one opened).
    pub(super) fn base_ticket(&self) -> u64 {
        self.id - 1
    }
}

struct Durable {
    /// Every batch up to this number has been committed or has failed.
    through: u64,
    failures: VecDeque<(u64, String)>,
}

pub(crate) struct GroupCommit {
    policy: CommitPolicy,
    batch: Mutex<Batch>,
    /// Writers waiting for a batch with room.
    room: Condvar,
    /// The committer waiting for writes, or for queued writers to take their turn.
    work: Condvar,
    /// Writers waiting to take a turn in the batch.
    queued: AtomicUsize,
    durable: Mutex<Durable>,
    durable_changed: Condvar,
    /// `Durable::through`, for async waiters.
    durable_through: watch::Sender<u64>,
    stopping: AtomicBool,
    commits: AtomicU64,
    writes: AtomicU64,
    largest_batch: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A writer that panicked dropped its staged changes unapplied: the state is consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl GroupCommit {
    pub(super) fn new(policy: CommitPolicy) -> GroupCommit {
        GroupCommit {
            policy: CommitPolicy {
                max_batch: policy.max_batch.max(1),
                ..policy
            },
            batch: Mutex::new(Batch {
                snapshot: None,
                base: None,
                changes: Changes::default(),
                id: 1,
                items: 0,
                opened_at: Instant::now(),
                broken: None,
            }),
            room: Condvar::new(),
            work: Condvar::new(),
            queued: AtomicUsize::new(0),
            durable: Mutex::new(Durable {
                through: 0,
                failures: VecDeque::new(),
            }),
            durable_changed: Condvar::new(),
            durable_through: watch::Sender::new(0),
            stopping: AtomicBool::new(false),
            commits: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            largest_batch: AtomicU64::new(0),
        }
    }

    pub(super) fn policy(&self) -> CommitPolicy {
        self.policy
    }

    /// Waits for a turn in a batch with room; `snapshot` opens the batch's snapshot of what is
    /// committed when this writer is its first.
    pub(super) fn take_turn(
        &self,
        snapshot: impl FnOnce() -> StoreResult<ReadTransaction>,
    ) -> StoreResult<MutexGuard<'_, Batch>> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut batch = lock(&self.batch);
        while batch.items >= self.policy.max_batch
            || batch.broken.is_some()
            || (self.policy.max_batch == 1 && batch.base.is_some())
        {
            batch = self.room.wait(batch).unwrap_or_else(|e| e.into_inner());
        }
        self.queued.fetch_sub(1, Ordering::SeqCst);
        if batch.snapshot.is_none() {
            batch.snapshot = Some(snapshot()?);
        }
        if batch.items == 0 {
            batch.opened_at = Instant::now();
        }
        Ok(batch)
    }

    /// Called when a writer's turn ends (committed or not).
    pub(super) fn turn_ended(&self) {
        self.work.notify_one();
    }

    /// Returns once the batch `ticket` is durable, or with its commit error. Batches become
    /// durable in order, so this also settles any earlier batch this thread owed.
    pub(super) fn wait_durable(&self, ticket: u64) -> StoreResult<()> {
        let mut durable = lock(&self.durable);
        while durable.through < ticket {
            durable = self
                .durable_changed
                .wait(durable)
                .unwrap_or_else(|e| e.into_inner());
        }
        failure_of(&durable, ticket)
    }

    /// `wait_durable` as an async task: the thread that wrote is not held while the batch
    /// commits.
    pub(super) async fn durable(&self, ticket: u64) -> StoreResult<()> {
        let mut through = self.durable_through.subscribe();
        through
            .wait_for(|&through| through >= ticket)
            .await
            .map_err(|_| closed())?;
        failure_of(&lock(&self.durable), ticket)
    }

    /// The number of the batch writers join now.
    #[cfg(test)]
    pub(super) fn open_batch_id(&self) -> u64 {
        lock(&self.batch).id
    }

    pub(super) fn stats(&self) -> CommitStats {
        CommitStats {
            commits: self.commits.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            largest_batch: self.largest_batch.load(Ordering::Relaxed),
        }
    }

    /// Asks the committer to commit what has joined and stop.
    pub(super) fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _batch = lock(&self.batch);
        self.work.notify_all();
    }

    /// The committer thread's loop: waits for a batch with writes, lets queued writers join
    /// within the policy's bounds, writes it to `db` in one durable transaction, and answers
    /// the batch's writers; `configured` runs after a batch that wrote configuration, before
    /// its writers are answered.
    pub(super) fn run_committer(&self, db: &Database, configured: impl Fn()) {
        while let Some(closed) = self.next_batch() {
            #[cfg(any(test, feature = "test-knobs"))]
            if !self.policy.commit_delay.is_zero() {
                std::thread::sleep(self.policy.commit_delay);
            }
            let started = std::time::Instant::now();
            let outcome = match closed.broken {
                Some(error) => Err(error),
                None => commit(db, &closed.changes),
            };
            if outcome.is_ok() {
                metrics::histogram!("portico_commit_batch_size").record(closed.items as f64);
                metrics::histogram!("portico_commit_duration_seconds")
                    .record(started.elapsed().as_secs_f64());
                self.commits.fetch_add(1, Ordering::Relaxed);
                self.writes
                    .fetch_add(closed.items as u64, Ordering::Relaxed);
                self.largest_batch
                    .fetch_max(closed.items as u64, Ordering::Relaxed);
            }
            if closed.changes.touch_configuration() {
                configured();
            }
            self.settle_open_batch(outcome.as_ref().err());
            let mut durable = lock(&self.durable);
            durable.through = closed.id;
            if let Err(error) = outcome {
                tracing::error!(batch = closed.id, writes = closed.items, %error, "group commit failed");
                durable.failures.push_back((closed.id, error));
                if durable.failures.len() > REMEMBERED_FAILURES {
                    durable.failures.pop_front();
                }
            }
            drop(durable);
            self.durable_changed.notify_all();
            self.durable_through.send_replace(closed.id);
        }
    }

    /// After a commit: the open batch no longer needs the committed changes under it if nobody
    /// has read them yet; if the commit failed, writers that read them fail with it.
    fn settle_open_batch(&self, failed: Option<&String>) {
        let mut batch = lock(&self.batch);
        if batch.base.is_none() {
            return;
        }
        if let Some(error) = failed.filter(|_| batch.items > 0) {
            batch.broken = Some(format!(
                "an earlier batch this write read from was not stored: {error}"
            ));
        }
        if batch.items == 0 || failed.is_some() {
            batch.base = None;
            batch.snapshot = None;
            // With `max_batch` 1, writers wait for this (`take_turn`).
            self.room.notify_all();
        }
    }

    /// The next batch to commit, taken out of the way of new writers; `None` once stopping
    /// with nothing left to commit.
    fn next_batch(&self) -> Option<ClosedBatch> {
        let mut batch = lock(&self.batch);
        while batch.items == 0 {
            if self.stopping.load(Ordering::SeqCst) {
                batch.snapshot = None;
                return None;
            }
            batch = self.work.wait(batch).unwrap_or_else(|e| e.into_inner());
        }
        while batch.items < self.policy.max_batch
            && batch.broken.is_none()
            && self.queued.load(Ordering::SeqCst) > 0
        {
            let open_for = batch.opened_at.elapsed();
            if open_for >= self.policy.max_wait {
                break;
            }
            batch = self
                .work
                .wait_timeout(batch, self.policy.max_wait - open_for)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let closed = ClosedBatch {
            id: batch.id,
            items: batch.items,
            changes: Arc::new(std::mem::take(&mut batch.changes)),
            broken: batch.broken.take(),
        };
        // The next batch reads the closed one's changes until they are committed; its snapshot
        // is opened by its first writer, after every earlier batch has committed.
        batch.base =
            (closed.broken.is_none() && !closed.changes.is_empty()).then(|| closed.changes.clone());
        batch.snapshot = None;
        batch.id += 1;
        batch.items = 0;
        drop(batch);
        self.room.notify_all();
        Some(closed)
    }
}

/// A batch taken by the committer.
struct ClosedBatch {
    id: u64,
    items: usize,
    changes: Arc<Changes>,
    /// Why the batch commits nothing, if it does not.
    broken: Option<String>,
}

/// Writes `changes` to `db` in one durable transaction.
fn commit(db: &Database, changes: &Changes) -> Result<(), String> {
    let write = || -> StoreResult<()> {
        let txn = db.begin_write()?;
        changes.apply(&txn)?;
        txn.commit()?;
        Ok(())
    };
    write().map_err(|e| e.to_string())
}

/// The error batch `ticket` failed with, if it failed.
fn failure_of(durable: &Durable, ticket: u64) -> StoreResult<()> {
    match durable.failures.iter().find(|(id, _)| *id == ticket) {
        Some((_, error)) => Err(StoreError::Database(format!(
            "the write was not stored: {error}"
        ))),
        None => Ok(()),
    }
}

/// The error a waiter gets when the store closed before its batch was committed.
pub(super) fn closed() -> StoreError {
    StoreError::Database("the store closed before the write was committed".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_that_read_a_failed_batch_fails_and_an_unread_one_starts_clean() {
        let group = GroupCommit::new(CommitPolicy::default());
        let failed = "disk full".to_string();
        {
            let mut batch = lock(&group.batch);
            batch.base = Some(Arc::new(Changes::default()));
            batch.items = 1;
        }
        group.settle_open_batch(Some(&failed));
        {
            let batch = lock(&group.batch);
            assert!(batch.broken.as_deref().unwrap().contains("disk full"));
            assert!(batch.base.is_none());
        }

        let group = GroupCommit::new(CommitPolicy::default());
        lock(&group.batch).base = Some(Arc::new(Changes::default()));
        group.settle_open_batch(Some(&failed));
        let batch = lock(&group.batch);
        assert!(batch.broken.is_none());
        assert!(batch.base.is_none());
    }
}
