//! Lifecycle hooks around profile changes (block, unblock, grant, deny, add user) and a portal
//! user's updates (update user: `user_update`).
//!
//! - `before-*` hooks run inside the request, before anything is written: a veto (or a failing
//!   fail-closed binding) refuses the request with 403 and nothing changes.
//! - `after-*` hooks are queued in the same transaction as the change and delivered afterwards
//!   by `deliver_due_hooks` (a background worker): at least once, retried with exponential
//!   backoff, failures kept visible. The effects a binding returns are applied in one transaction
//!   together with the mark that this binding is done for this event, so a redelivery (after a
//!   crash or a restart) never applies them twice.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::profiles::records::{profile_arg, save_profile, Profile};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::ids::new_id;
use crate::domain::notifications::enqueue_email;
use crate::domain::page::{Page, PageRequest};
use crate::domain::plugins::BindingRun;
use crate::domain::retention::{expired, SHED_PER_NEW_RECORD};
use crate::domain::tenants::Tenant;
use crate::domain::users::memberships::{
    add_membership, membership_views, remove_membership, resolve as resolve_group,
};
use crate::domain::users::records::{load_user, save_user, UserRecord};
use crate::domain::Hooks;
use crate::plugins::{Answer, Effect, Interface, Outcome};
use crate::storage::{StorageReads, WriteTransaction};

pub use crate::hook_deliveries::{DeliveryStatus, DueHook, HookDelivery, HookLease};

/// The binding target of lifecycle hooks: bind a hooks plugin to `portal` (or `*`).
pub const HOOK_TARGET: &str = "portal";
/// Deliveries of one after-hook event before it is marked failed.
pub const MAX_HOOK_ATTEMPTS: u32 = 8;
/// First retry delay; it doubles with every attempt.
pub const HOOK_RETRY_BASE_SECS: i64 = 1;
/// Longest delay between two attempts.
pub const HOOK_RETRY_MAX_SECS: i64 = 300;
/// How long a host's lease on the due events it takes lasts (`Hooks::due_hook_deliveries`):
/// other hosts leave them alone that long, and take them over after it if the host died
/// mid-delivery. It must outlast the host's longest hold on an event: one delivery runs every
/// bound hook in turn, each up to the plugin deadline (`OPERATOR_MAX_DEADLINE_MS`, 5 s), and
/// an event taken waits behind the few of its tenant taken with it. Five minutes is 60 such
/// calls; a redelivery after a takeover is harmless anyway (done bindings are not run again).
pub const HOOK_LEASE_SECS: i64 = 5 * 60;

/// The profile changes hooks run around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// `block`: hooks `before-block` and `after-block`.
    Block,
    /// `unblock`: hooks `before-unblock` and `after-unblock`.
    Unblock,
    /// `grantAccess`: hooks `before-grant-access` and `after-grant-access`.
    GrantAccess,
    /// `denyAccess`: hooks `before-deny-access` and `after-deny-access`.
    DenyAccess,
    /// `addUser` and `addUserWithoutConfirmation`: hooks `before-add-user` and
    /// `after-add-user`.
    AddUser,
    /// A user's update (`/v1`'s `PATCH /users/{id}`, `updateUser`): hooks
    /// `before-update-user` and `after-update-user` (since 0.2.0), for a user with a profile.
    UpdateUser,
}

impl Lifecycle {
    fn name(self) -> &'static str {
        match self {
            Lifecycle::Block => "block",
            Lifecycle::Unblock => "unblock",
            Lifecycle::GrantAccess => "grant-access",
            Lifecycle::DenyAccess => "deny-access",
            Lifecycle::AddUser => "add-user",
            Lifecycle::UpdateUser => "update-user",
        }
    }
}

/// The event as hooks see it: the profile, its user, who acted.
pub(crate) fn event_json<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    profile: &Profile,
) -> DomainResult<Value> {
    let user = match &profile.user_id {
        Some(id) => tx.user(tenant_id, id)?,
        None => None,
    };
    let groups: Vec<String> = match &user {
        Some(u) => membership_views(tx, tenant_id, &u.groups)?
            .into_iter()
            .map(|m| m.group.name)
            .collect(),
        None => Vec::new(),
    };
    Ok(json!({
        "profile": {
            "id": profile.id,
            "email": profile.email.clone().unwrap_or_default(),
            "status": if profile.blocked { "blocked" } else { "active" },
            "userId": profile.user_id,
            "groups": groups,
            "data": profile.data,
        },
        "user": user.map(|u| json!({
            "id": u.id, "email": u.email, "status": u.status, "groups": groups, "data": {},
        })),
        "actor": {"kind": "api-key", "id": ""},
        "details": {"accessGranted": profile.access_granted},
    }))
}

/// How long a finished delivery (delivered, or failed for good) stays listed: 30 days to look
/// into it or retry it. Each queued event deletes up to two expired finished ones, oldest first;
/// before, every block, unblock, grant, denial and added user kept its delivery forever.
pub const HOOK_DELIVERY_RETENTION_SECS: u64 = 30 * 24 * 3600;

/// Queues the after-hook event of `lifecycle` in the caller's transaction, due at `at`.
pub(crate) fn queue_after_hook(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    lifecycle: Lifecycle,
    profile: &Profile,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    let event = event_json(tx, tenant_id, profile)?;
    queue_after_event(tx, tenant_id, lifecycle, &profile.id, event, at)
}

/// Queues the after-hook `event` of `lifecycle` about `profile_id` in the caller's
/// transaction, due at `at`.
pub(crate) fn queue_after_event(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    lifecycle: Lifecycle,
    profile_id: &str,
    event: Value,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    let oldest = tx.hook_deliveries_after(tenant_id, None, None, SHED_PER_NEW_RECORD)?;
    for expired in expired(
        oldest,
        HOOK_DELIVERY_RETENTION_SECS,
        at,
        |d: &HookDelivery| d.created_at,
        |d| d.status != DeliveryStatus::Pending,
    ) {
        tx.delete_hook_delivery(tenant_id, &expired.id)?;
    }
    let delivery = HookDelivery {
        id: new_id(),
        hook: format!("after-{}", lifecycle.name()),
        profile_id: profile_id.to_string(),
        event,
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: Some(at),
        done_bindings: Vec::new(),
        last_error: None,
        effect_errors: Vec::new(),
        created_at: at,
        delivered_at: None,
    };
    tx.insert_hook_delivery(tenant_id, &delivery)?;
    Ok(())
}

/// Why a binding run refuses the request, if it does.
fn refusal(run: &BindingRun) -> Option<DomainError> {
    if run.passed {
        return None;
    }
    let report = &run.run.report;
    Some(if report.outcome == Outcome::Denied {
        let message = match &report.answer {
            Some(Answer::HookVetoed(veto)) => veto.message.clone(),
            _ => "vetoed by a plugin".to_string(),
        };
        DomainError::refused("plugin_veto", message)
    } else {
        DomainError::refused(
            "plugin_failed",
            format!(
                "a lifecycle hook failed ({}: {}) and its binding fails closed",
                report.outcome,
                report.error.as_deref().unwrap_or("no details")
            ),
        )
    })
}

/// The profile an effect applies to, with its user, as loaded in the transaction.
struct Target {
    profile: Profile,
    user: Option<UserRecord>,
    profile_changed: bool,
    user_changed: bool,
}

/// Applies one binding's effects to the event's profile (and its user) in `tx`, at `now`.
/// Effects that do not apply are reported back rather than failing the others.
fn apply_effects(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    profile_id: &str,
    effects: &[Effect],
    now: DateTime<Utc>,
) -> DomainResult<Vec<String>> {
    let Some(profile) = tx.profile(tenant_id, profile_id)? else {
        return Ok(vec!["the profile no longer exists".into()]);
    };
    let user = match &profile.user_id {
        Some(id) => Some(load_user(tx, tenant_id, id)?),
        None => None,
    };
    let mut target = Target {
        profile,
        user,
        profile_changed: false,
        user_changed: false,
    };
    let mut errors = Vec::new();
    for effect in effects {
        errors.extend(apply_effect(tx, tenant_id, &mut target, effect, now)?);
    }
    if target.profile_changed {
        save_profile(tx, tenant_id, &mut target.profile, now)?;
    }
    if let (true, Some(user)) = (target.user_changed, target.user.as_mut()) {
        save_user(tx, tenant_id, user, now)?;
    }
    Ok(errors)
}

/// Applies one effect to `target`; answers why it does not apply, if it does not.
fn apply_effect(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    target: &mut Target,
    effect: &Effect,
    now: DateTime<Utc>,
) -> DomainResult<Option<String>> {
    let kind = effect.name();
    match effect {
        Effect::AddToGroup(group_ref) | Effect::RemoveFromGroup(group_ref) => {
            let Some(user) = target.user.as_mut() else {
                return Ok(Some(format!("{kind} {group_ref}: the profile has no user")));
            };
            match resolve_group(tx, tenant_id, group_ref) {
                Ok(group) if matches!(effect, Effect::AddToGroup(_)) => {
                    add_membership(user, &group.id, false)
                }
                Ok(group) => {
                    remove_membership(user, &group.id);
                }
                Err(e) => return Ok(Some(format!("{kind} {group_ref}: {e}"))),
            }
            target.user_changed = true;
        }
        Effect::SetField(assignment) => {
            if let Some(data) = target.profile.data.as_object_mut() {
                data.insert(assignment.marker.clone(), assignment.value.clone());
                target.profile_changed = true;
            }
        }
        Effect::Notify(notification) => {
            let profile = &target.profile;
            let Some(email) = &profile.email else {
                return Ok(Some("notify: the profile has no email".into()));
            };
            enqueue_email(
                tx,
                tenant_id,
                email,
                profile.user_id.as_deref(),
                &notification.template,
                notification.data.clone(),
                now,
            )?;
        }
    }
    Ok(None)
}

/// A failed binding run as a delivery's `lastError` records it.
fn binding_failure(run: &BindingRun) -> String {
    let report = &run.run.report;
    format!(
        "binding {}: {}: {}",
        run.binding_id,
        report.outcome,
        report.error.as_deref().unwrap_or("")
    )
}

/// Counts an attempt at `delivery` ending `now`: delivered when no binding failed; otherwise
/// failed for good at `MAX_HOOK_ATTEMPTS`, or due again after a delay that starts at
/// `HOOK_RETRY_BASE_SECS` and doubles with each attempt, up to `HOOK_RETRY_MAX_SECS`.
fn record_attempt(delivery: &mut HookDelivery, failure: Option<String>, now: DateTime<Utc>) {
    delivery.attempts += 1;
    match failure {
        None => {
            delivery.status = DeliveryStatus::Delivered;
            delivery.delivered_at = Some(now);
            delivery.next_attempt_at = None;
            delivery.last_error = None;
        }
        Some(error) if delivery.attempts >= MAX_HOOK_ATTEMPTS => {
            delivery.status = DeliveryStatus::Failed;
            delivery.next_attempt_at = None;
            delivery.last_error = Some(error);
        }
        Some(error) => {
            let delay =
                (HOOK_RETRY_BASE_SECS << (delivery.attempts - 1).min(16)).min(HOOK_RETRY_MAX_SECS);
            let at = now + Duration::seconds(delay);
            delivery.next_attempt_at = Some(at);
            delivery.last_error = Some(error);
        }
    }
}

impl Hooks {
    /// Runs the `before-*` hooks of `lifecycle` for a profile; any refusal stops the request.
    pub(crate) fn run_before_hooks(
        &self,
        tenant: &Tenant,
        lifecycle: Lifecycle,
        profile_id: &str,
    ) -> DomainResult<()> {
        let event = {
            let tx = self.ctx.store.read()?;
            let profile = profile_arg(&*tx, &tenant.id, profile_id)?;
            event_json(&*tx, &tenant.id, &profile)?
        };
        self.run_before_event(tenant, lifecycle, event)
    }

    /// Runs the `before-*` hooks of `lifecycle` on `event`; any refusal stops the request.
    pub(crate) fn run_before_event(
        &self,
        tenant: &Tenant,
        lifecycle: Lifecycle,
        event: Value,
    ) -> DomainResult<()> {
        let input = json!({"hook": format!("before-{}", lifecycle.name()), "event": event});
        for run in self.plugins.run_plugin_bindings(
            tenant,
            Interface::LifecycleHooks,
            HOOK_TARGET,
            &input,
        )? {
            if let Some(refusal) = refusal(&run) {
                return Err(refusal);
            }
        }
        Ok(())
    }

    /// After-hook events whose next attempt is due, leased to this host for `HOOK_LEASE_SECS`
    /// so that no other host sharing the store takes them meanwhile: at most `per_tenant` of
    /// each tenant and `limit` in all, taken in due order from the first
    /// `HOOK_DUE_SCAN_LIMIT` due entries (`crate::hook_deliveries`) and interleaved by tenant
    /// (round-robin), so one tenant's backlog never hides another's events. Entries in `skip`
    /// (being delivered) and those leased to another host are left out. The lease ends with
    /// the attempt (`deliver_hook`), or when it expires.
    pub fn due_hook_deliveries(
        &self,
        limit: usize,
        per_tenant: usize,
        skip: &dyn Fn(&DueHook) -> bool,
    ) -> DomainResult<Vec<DueHook>> {
        let now = self.ctx.now();
        let lease = HookLease {
            holder: self.lease_holder.clone(),
            until: now + Duration::seconds(HOOK_LEASE_SECS),
        };
        // The lease spans tenants; it is the transaction's first statement (one snapshot).
        let mut tx = self.ctx.store.write_installation()?;
        let due = tx.lease_due_hook_deliveries(now, &lease, limit, per_tenant, skip)?;
        tx.commit()?;
        Ok(due)
    }

    /// Hands back the events of `due` this host leased and will not attempt (its delivery
    /// workers are stopping), so any host may take them at once rather than when the lease
    /// would have expired (`HOOK_LEASE_SECS`).
    pub fn hand_back_hook_deliveries(&self, due: &[DueHook]) -> DomainResult<()> {
        if due.is_empty() {
            return Ok(());
        }
        let mut tx = self.ctx.store.write_installation()?;
        tx.hand_back_hook_leases(&self.lease_holder, due)?;
        tx.commit()?;
        Ok(())
    }

    /// Delivers one queued event: runs every bound hook not done yet, applies each one's effects
    /// with its done-mark in one transaction, and schedules a retry when a binding failed.
    pub fn deliver_hook(&self, due: &DueHook) -> DomainResult<()> {
        let Some((tenant, delivery)) = self.pending_delivery(due)? else {
            return Ok(());
        };
        let input = json!({"hook": delivery.hook, "event": delivery.event});
        let mut failure: Option<String> = None;
        for run in self.plugins.run_plugin_bindings(
            &tenant,
            Interface::LifecycleHooks,
            HOOK_TARGET,
            &input,
        )? {
            if delivery.done_bindings.contains(&run.binding_id) {
                continue;
            }
            if !run.passed {
                failure = Some(binding_failure(&run));
                continue;
            }
            if !self.apply_hook_run(due, &delivery.profile_id, &run)? {
                // The event is gone: nothing left to deliver.
                return Ok(());
            }
        }
        self.finish_hook_attempt(due, failure)
    }

    /// The tenant and the event of `due` while the event is pending. Otherwise (the tenant, the
    /// event or its pending state is gone: nothing left to deliver) takes `due` off the queue
    /// and answers `None`.
    fn pending_delivery(&self, due: &DueHook) -> DomainResult<Option<(Tenant, HookDelivery)>> {
        let (tenant_id, delivery_id) = (due.tenant_id.as_str(), due.delivery_id.as_str());
        let tenant: Option<Tenant> = self.ctx.store.read()?.tenant(tenant_id)?;
        let delivery = self
            .ctx
            .store
            .read()?
            .hook_delivery(tenant_id, delivery_id)?;
        if let (Some(tenant), Some(delivery)) = (
            tenant,
            delivery.filter(|d| d.status == DeliveryStatus::Pending),
        ) {
            return Ok(Some((tenant, delivery)));
        }
        let mut tx = self.ctx.store.write_tenant(tenant_id)?;
        tx.drop_due_hook(due)?;
        tx.commit()?;
        Ok(None)
    }

    /// Applies the effects of a passed binding run to the event's profile (`profile_id`)
    /// together with the mark that its binding is done, in one transaction; a binding already
    /// marked done changes nothing. Answers false when the event is gone.
    fn apply_hook_run(
        &self,
        due: &DueHook,
        profile_id: &str,
        run: &BindingRun,
    ) -> DomainResult<bool> {
        let tenant_id = due.tenant_id.as_str();
        // A failed fail-open binding passes without effects.
        let effects = match &run.run.report.answer {
            Some(Answer::Effects(effects)) => effects.as_slice(),
            _ => &[],
        };
        let mut tx = self.ctx.store.write_tenant(tenant_id)?;
        let Some(mut current) = tx.hook_delivery(tenant_id, &due.delivery_id)? else {
            return Ok(false);
        };
        if current.done_bindings.contains(&run.binding_id) {
            return Ok(true);
        }
        let errors = apply_effects(&mut *tx, tenant_id, profile_id, effects, self.ctx.now())?;
        current.effect_errors.extend(errors);
        current.done_bindings.push(run.binding_id.clone());
        tx.update_hook_delivery(tenant_id, &current)?;
        tx.commit()?;
        Ok(true)
    }

    /// Ends an attempt at `due`: takes it off the due queue and records the attempt's outcome
    /// (`failure`: the last binding that failed, if one did). Nothing when the event is gone.
    fn finish_hook_attempt(&self, due: &DueHook, failure: Option<String>) -> DomainResult<()> {
        let tenant_id = due.tenant_id.as_str();
        let mut tx = self.ctx.store.write_tenant(tenant_id)?;
        let Some(mut current) = tx.hook_delivery(tenant_id, &due.delivery_id)? else {
            return Ok(());
        };
        tx.drop_due_hook(due)?;
        record_attempt(&mut current, failure, self.ctx.now());
        tx.update_hook_delivery(tenant_id, &current)?;
        tx.commit()?;
        Ok(())
    }

    /// The tenant's after-hook deliveries, oldest first, optionally of one status.
    pub fn list_hook_deliveries(
        &self,
        tenant: &Tenant,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> DomainResult<Page<HookDelivery>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let found = tx
            .hook_deliveries_after(&tenant.id, status, page.cursor.as_deref(), size + 1)?
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect();
        Ok(Page::from_fetched(found, size))
    }

    /// Puts a failed delivery back in the queue.
    pub fn retry_hook_delivery(&self, tenant: &Tenant, id: &str) -> DomainResult<HookDelivery> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut delivery = tx
            .hook_delivery(&tenant.id, id)?
            .ok_or_else(|| DomainError::not_found("hook delivery", id))?;
        if delivery.status != DeliveryStatus::Failed {
            return Err(DomainError::conflict(
                "not_failed",
                "only a failed delivery can be retried",
            ));
        }
        let at = self.ctx.now();
        delivery.status = DeliveryStatus::Pending;
        delivery.attempts = 0;
        delivery.next_attempt_at = Some(at);
        tx.update_hook_delivery(&tenant.id, &delivery)?;
        tx.commit()?;
        Ok(delivery)
    }
}
