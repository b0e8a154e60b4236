//! The hook deliveries port: queued after-hook events, and the queue of due ones across every
//! tenant, which the adapter keeps with the deliveries (a delivery is in the queue while it is
//! pending with a next attempt: `HookDelivery::due_at`).

use chrono::{DateTime, Utc};

use super::StorageResult;
use crate::hook_deliveries::{DeliveryStatus, DueHook, HookDelivery, HookLease};

/// Reading after-hook deliveries and the queue of due ones.
pub trait HookDeliveryReads {
    /// The delivery with this id.
    fn hook_delivery(&self, tenant: &str, id: &str) -> StorageResult<Option<HookDelivery>>;
    /// The tenant's deliveries in id order (oldest first) after `after` (from the first when
    /// `None`), only those of `status` when given, at most `limit`.
    fn hook_deliveries_after(
        &self,
        tenant: &str,
        status: Option<DeliveryStatus>,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<HookDelivery>>;
    /// The entries of every tenant due at `now`, fairly: of the first
    /// `crate::hook_deliveries::HOOK_DUE_SCAN_LIMIT`
    /// due entries in due order, those `skip` does not leave out (being delivered), at most
    /// `per_tenant` of each tenant, interleaved by tenant (round-robin) up to `limit`, so one
    /// tenant's backlog never hides another's events (`crate::hook_deliveries::fair_share`).
    fn due_hook_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        per_tenant: usize,
        skip: &dyn Fn(&DueHook) -> bool,
    ) -> StorageResult<Vec<DueHook>>;
}

/// Writing after-hook deliveries. Each write keeps the queue with the delivery.
pub trait HookDeliveryWrites: HookDeliveryReads {
    /// Stores a new delivery, queued at its `due_at`.
    fn insert_hook_delivery(&mut self, tenant: &str, delivery: &HookDelivery) -> StorageResult<()>;
    /// Stores a changed delivery; its place in the queue follows its `due_at`.
    fn update_hook_delivery(&mut self, tenant: &str, delivery: &HookDelivery) -> StorageResult<()>;
    /// Deletes delivery `id` and its place in the queue; answers whether it was there.
    fn delete_hook_delivery(&mut self, tenant: &str, id: &str) -> StorageResult<bool>;
    /// Takes `due` off the queue: its attempt was made, or its delivery (or tenant) is gone or
    /// no longer pending. An adapter whose queue is the deliveries themselves has nothing left
    /// to remove. Either way it ends `due`'s lease, if it has one.
    fn drop_due_hook(&mut self, due: &DueHook) -> StorageResult<()>;
    /// Leases the entries due at `now` to `lease.holder` until `lease.until`, so that of the
    /// hosts sharing the store only this one attempts them, and answers them. They are chosen
    /// exactly as `HookDeliveryReads::due_hook_deliveries` chooses them (fair share, `skip`,
    /// `per_tenant`, `limit`), except that entries leased to another holder until after `now`
    /// are left out; an entry whose lease expired may be taken over, and one already leased to
    /// `lease.holder` is leased again. Two transactions leasing at once get disjoint entries.
    /// A lease ends when its entry is dropped (`drop_due_hook`: the attempt is over) or when it
    /// expires (the holder died mid-delivery): then the entry is due to every host again if its
    /// delivery is still pending with a next attempt.
    fn lease_due_hook_deliveries(
        &mut self,
        now: DateTime<Utc>,
        lease: &HookLease,
        limit: usize,
        per_tenant: usize,
        skip: &dyn Fn(&DueHook) -> bool,
    ) -> StorageResult<Vec<DueHook>>;
    /// Hands back the entries of `due` that `holder` leased and will not attempt (it is
    /// stopping): their lease ends now, so they are due to every host again at once instead of
    /// when the lease would have expired. An entry now leased to another holder (its lease
    /// expired and was taken over) is left as it is.
    fn hand_back_hook_leases(&mut self, holder: &str, due: &[DueHook]) -> StorageResult<()>;
}
