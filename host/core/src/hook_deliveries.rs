//! Queued after-hook events as stored, with how their delivery goes, and the entries of the
//! queue of due deliveries.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// State of a queued after-hook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// Every bound hook ran.
    Delivered,
    /// Out of attempts; a tenant may put it back in the queue.
    Failed,
}

/// A queued after-hook event and how its delivery goes. It is in the queue of due deliveries
/// exactly while it is pending with a next attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HookDelivery {
    /// The delivery's id (time-ordered: a tenant's oldest come first).
    pub id: String,
    /// `after-block`, `after-grant-access`...
    pub hook: String,
    /// The profile the event is about.
    pub profile_id: String,
    /// The event as the hooks see it (a snapshot taken at the change).
    pub event: Value,
    /// Where the delivery stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Bindings whose effects were applied for this event.
    pub done_bindings: Vec<String>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// Effects that could not be applied (e.g. an unknown group), kept for the tenant to see.
    pub effect_errors: Vec<String>,
    /// When the event was queued.
    pub created_at: DateTime<Utc>,
    /// When every bound hook had run.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl HookDelivery {
    /// When this delivery is due in the queue: pending with a next attempt.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        self.next_attempt_at
            .filter(|_| self.status == DeliveryStatus::Pending)
    }
}

/// A due entry of the delivery queue: one attempt of one tenant's event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DueHook {
    /// When the attempt is due (to the millisecond).
    pub due_at: DateTime<Utc>,
    /// The tenant of the event.
    pub tenant_id: String,
    /// The delivery's id.
    pub delivery_id: String,
}

/// A lease on due entries of the queue: while it lasts, the host holding it is attempting
/// their deliveries and other hosts leave them alone
/// (`crate::storage::HookDeliveryWrites::lease_due_hook_deliveries`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookLease {
    /// Names the host process holding the lease (unique among the hosts sharing a store).
    pub holder: String,
    /// When the lease expires: from then on another host may take the entries over.
    pub until: DateTime<Utc>,
}

/// Due entries looked at per look at the queue: bounds the work of one look; a tenant's
/// backlog beyond it waits for the next looks.
pub const HOOK_DUE_SCAN_LIMIT: usize = 4096;

/// The fair share of due entries given in due order: those `skip` does not leave out, at most
/// `per_tenant` of each tenant, then one of each tenant in turn (tenants in the order of their
/// first entry), then the second of each, and so on, up to `limit`. Every store's queue answers
/// with it, so one tenant's backlog never hides another's events.
pub fn fair_share(
    due_in_order: impl IntoIterator<Item = DueHook>,
    limit: usize,
    per_tenant: usize,
    skip: &dyn Fn(&DueHook) -> bool,
) -> Vec<DueHook> {
    // Tenants in the order of their first entry, found by id: a look scans thousands of
    // entries, possibly of as many tenants.
    let mut by_tenant: Vec<VecDeque<DueHook>> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    for due in due_in_order {
        if skip(&due) {
            continue;
        }
        match position.get(&due.tenant_id) {
            Some(&i) if by_tenant[i].len() >= per_tenant => {}
            Some(&i) => by_tenant[i].push_back(due),
            None => {
                position.insert(due.tenant_id.clone(), by_tenant.len());
                by_tenant.push(VecDeque::from([due]));
            }
        }
    }
    let mut out = Vec::new();
    while out.len() < limit && by_tenant.iter().any(|q| !q.is_empty()) {
        for queue in by_tenant.iter_mut() {
            if let Some(due) = queue.pop_front() {
                if out.len() < limit {
                    out.push(due);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(ms: i64, tenant: &str, id: &str) -> DueHook {
        DueHook {
            due_at: DateTime::from_timestamp_millis(ms).unwrap(),
            tenant_id: tenant.into(),
            delivery_id: id.into(),
        }
    }

    fn ids(due: &[DueHook]) -> Vec<&str> {
        due.iter().map(|d| d.delivery_id.as_str()).collect()
    }

    #[test]
    fn tenants_take_turns_within_their_share() {
        let queue = [
            due(1, "a", "a1"),
            due(2, "a", "a2"),
            due(3, "a", "a3"),
            due(4, "b", "b1"),
            due(5, "a", "a4"),
            due(6, "c", "c1"),
            due(7, "b", "b2"),
        ];
        let all = fair_share(queue.clone(), 10, 2, &|_| false);
        assert_eq!(ids(&all), ["a1", "b1", "c1", "a2", "b2"]);
        let first = fair_share(queue.clone(), 4, 2, &|_| false);
        assert_eq!(ids(&first), ["a1", "b1", "c1", "a2"]);
        let skipping = fair_share(queue, 10, 2, &|d| {
            d.delivery_id == "a1" || d.tenant_id == "c"
        });
        assert_eq!(ids(&skipping), ["a2", "b1", "a3", "b2"]);
    }
}
