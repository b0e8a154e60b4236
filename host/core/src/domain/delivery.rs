//! Delivering the outbox: the rules a mail delivery worker follows.
//!
//! A worker leases the messages due now (`Notifications::lease_due_messages`): each is handed
//! to that worker alone until `OUTBOX_LEASE_SECS` have passed, fairly across tenants. The
//! worker sends each and records the outcome, which ends the lease: `message_sent`,
//! `message_failed_temporarily` (retried after `DELIVERY_RETRY_BASE_SECS`, doubling up to
//! `DELIVERY_RETRY_MAX_SECS`, and failed for good after `MAX_DELIVERY_ATTEMPTS`) or
//! `message_failed_permanently`.
//!
//! Delivery is at least once. A message recorded `sent` is never leased again, so it never
//! goes to the mail server twice after that record. A worker that dies between handing a
//! message to the mail server and recording it leaves the message leased until the lease
//! expires; then another worker takes it over and sends it again. The message's id, the same
//! for every attempt, is meant as the mail's `Message-ID` (`mail_message_id`), so that a
//! receiver can recognise the second copy.

use chrono::{DateTime, Duration, Utc};

use super::error::{DomainError, DomainResult};
use super::notifications::{MessageStatus, Notification, Opened, StoredNotification};
use super::Notifications;
use crate::outbox::OutboxLease;

/// How long a worker's lease on the messages it takes lasts: other workers leave them alone
/// that long, and take them over after it if the worker died mid-delivery. It must outlast a
/// worker's longest hold on a message: a lease call hands out a few messages, each sent in
/// turn within the mail transport's timeouts (a minute or so for a slow server). Five minutes
/// leaves room for several slow servers; a takeover sends the message again (at least once).
pub const OUTBOX_LEASE_SECS: i64 = 5 * 60;
/// Attempts at one message before it is marked failed.
pub const MAX_DELIVERY_ATTEMPTS: u32 = 8;
/// Delay before the first retry; it doubles with every failed attempt.
pub const DELIVERY_RETRY_BASE_SECS: i64 = 60;
/// Longest delay between two attempts.
pub const DELIVERY_RETRY_MAX_SECS: i64 = 3600;
/// Longest error kept with a message (`last_error`, the mail server's answer), in characters.
pub const LAST_ERROR_MAX_CHARS: usize = 1000;

/// A message leased to a worker, with its data opened.
#[derive(Debug, Clone)]
pub struct LeasedMessage {
    /// The tenant whose message it is.
    pub tenant_id: String,
    /// The message, `data` opened (`notifications::unreadable_data` when its seal does not
    /// open).
    pub message: Notification,
    /// When the lease ends: the outcome must be recorded before then.
    pub leased_until: DateTime<Utc>,
}

impl LeasedMessage {
    /// The mail's `Message-ID` for this message, the same on every attempt (see
    /// `mail_message_id`).
    pub fn mail_message_id(&self, domain: &str) -> String {
        mail_message_id(&self.message.id, domain)
    }
}

/// The `Message-ID` of the mail of message `id`: `<id@domain>` (`domain`: the sender's).
/// Every attempt at one message carries the same, so a receiver can drop a second copy.
pub fn mail_message_id(id: &str, domain: &str) -> String {
    format!("<{id}@{domain}>")
}

/// The delay before the attempt that follows `attempts` failed attempts.
pub fn retry_delay(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    Duration::seconds((DELIVERY_RETRY_BASE_SECS << doublings).min(DELIVERY_RETRY_MAX_SECS))
}

/// `error` cut to `LAST_ERROR_MAX_CHARS` characters (an ellipsis marks a cut).
fn bounded_error(error: &str) -> String {
    match error.char_indices().nth(LAST_ERROR_MAX_CHARS) {
        None => error.to_string(),
        Some((end, _)) => format!("{}…", &error[..end]),
    }
}

/// How an attempt ended.
enum Outcome<'e> {
    Sent,
    Retry(&'e str),
    Failed(&'e str),
    /// Not attempted: due again at the given time (the tenant's send rate, a stopping worker).
    Deferred(DateTime<Utc>),
}

/// Records `outcome` on `message` at `now` and ends its lease.
fn record(message: &mut StoredNotification, outcome: Outcome<'_>, now: DateTime<Utc>) {
    let d = &mut message.delivery;
    d.leased_until = None;
    d.leased_by = None;
    if let Outcome::Deferred(until) = outcome {
        d.next_attempt_at = Some(until.max(now));
        return;
    }
    d.attempts += 1;
    d.next_attempt_at = None;
    match outcome {
        Outcome::Deferred(_) => {}
        Outcome::Sent => {
            message.status = MessageStatus::Sent;
            d.sent_at = Some(now);
            d.last_error = None;
        }
        Outcome::Retry(error) if d.attempts < MAX_DELIVERY_ATTEMPTS => {
            d.next_attempt_at = Some(now + retry_delay(d.attempts));
            d.last_error = Some(bounded_error(error));
        }
        Outcome::Retry(error) | Outcome::Failed(error) => {
            message.status = MessageStatus::Failed;
            d.last_error = Some(bounded_error(error));
        }
    }
}

impl Notifications {
    /// The messages due now, leased to `worker` for `OUTBOX_LEASE_SECS` so that no other
    /// worker (of this host or another sharing the store) is handed them meanwhile: at most
    /// `per_tenant` of each tenant and `limit` in all, in due order and interleaved by tenant.
    /// Each comes with its data opened. The lease ends with the outcome the worker records,
    /// or when it expires.
    pub fn lease_due_messages(
        &self,
        worker: &str,
        limit: usize,
        per_tenant: usize,
    ) -> DomainResult<Vec<LeasedMessage>> {
        let now = self.ctx.now();
        let lease = OutboxLease {
            holder: worker.to_string(),
            until: now + Duration::seconds(OUTBOX_LEASE_SECS),
        };
        // The lease spans tenants; it is the transaction's first statement (one snapshot).
        let mut tx = self.ctx.store.write_installation()?;
        let due = tx.lease_due_notifications(now, &lease, limit, per_tenant)?;
        tx.commit()?;
        let read = self.ctx.store.read()?;
        let mut leased = Vec::with_capacity(due.len());
        for entry in due {
            // A message acknowledged since is gone: nothing to send.
            if let Some(stored) = read.notification(&entry.tenant_id, &entry.message_id)? {
                leased.push(LeasedMessage {
                    tenant_id: entry.tenant_id,
                    message: stored.opened(self.ctx.store.keys()),
                    leased_until: lease.until,
                });
            }
        }
        Ok(leased)
    }

    /// Message `id` of tenant `tenant_id` with its data opened, as a worker holding it reads
    /// it again; `None` when it is gone (acknowledged, or past its retention).
    pub fn open_message(&self, tenant_id: &str, id: &str) -> DomainResult<Option<Notification>> {
        let stored = self.ctx.store.read()?.notification(tenant_id, id)?;
        Ok(stored.map(|s| s.opened(self.ctx.store.keys())))
    }

    /// Records that the mail server took message `id`: it is `sent` and never leased again.
    /// Recorded whoever holds the lease (the mail went out). Answers whether it was recorded:
    /// false when the message is gone or no longer pending.
    pub fn message_sent(&self, worker: &str, tenant_id: &str, id: &str) -> DomainResult<bool> {
        self.settle(worker, tenant_id, id, Outcome::Sent)
    }

    /// Records a temporary failure (`error`: the mail server's answer): the message is due
    /// again after `retry_delay`, or `failed` once `MAX_DELIVERY_ATTEMPTS` were made. Answers
    /// whether it was recorded: false when the message is gone, no longer pending, or leased
    /// to another worker since `worker`'s lease expired (that worker's outcome counts).
    pub fn message_failed_temporarily(
        &self,
        worker: &str,
        tenant_id: &str,
        id: &str,
        error: &str,
    ) -> DomainResult<bool> {
        self.settle(worker, tenant_id, id, Outcome::Retry(error))
    }

    /// Records a permanent failure (`error`: the mail server's answer): the message is
    /// `failed` and not attempted again. Answers whether it was recorded, as
    /// `message_failed_temporarily` does.
    pub fn message_failed_permanently(
        &self,
        worker: &str,
        tenant_id: &str,
        id: &str,
        error: &str,
    ) -> DomainResult<bool> {
        self.settle(worker, tenant_id, id, Outcome::Failed(error))
    }

    /// Hands message `id` back unattempted, due again at `until` (now or later): a worker
    /// that may not send it yet (its tenant's send rate) or is stopping. No attempt counts.
    /// Answers whether it was recorded, as `message_failed_temporarily` does.
    pub fn message_deferred(
        &self,
        worker: &str,
        tenant_id: &str,
        id: &str,
        until: DateTime<Utc>,
    ) -> DomainResult<bool> {
        self.settle(worker, tenant_id, id, Outcome::Deferred(until))
    }

    /// Records `outcome` of `worker`'s attempt at message `id` in the tenant's turn.
    fn settle(
        &self,
        worker: &str,
        tenant_id: &str,
        id: &str,
        outcome: Outcome<'_>,
    ) -> DomainResult<bool> {
        let now = self.ctx.now();
        let mut tx = self.ctx.store.write_tenant(tenant_id)?;
        let Some(mut message) = tx.notification(tenant_id, id)? else {
            return Ok(false);
        };
        if message.status != MessageStatus::Pending {
            return Ok(false);
        }
        let d = &message.delivery;
        let taken_over = d.leased_by.as_deref().is_some_and(|by| by != worker)
            && d.leased_until.is_some_and(|until| until > now);
        if taken_over && !matches!(outcome, Outcome::Sent) {
            return Ok(false);
        }
        record(&mut message, outcome, now);
        if !tx.update_notification(tenant_id, &message)? {
            return Err(DomainError::Internal(format!(
                "message {id} vanished mid-write"
            )));
        }
        tx.commit()?;
        Ok(true)
    }
}
