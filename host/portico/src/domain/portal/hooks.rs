//! Lifecycle hooks around profile changes (block, unblock, grant, deny, add user).
//!
//! - `before-*` hooks run inside the request, before anything is written: a veto (or a failing
//!   fail-closed binding) refuses the request with 403 and nothing changes.
//! - `after-*` hooks are queued in the same transaction as the change and delivered afterwards
//!   by `deliver_due_hooks` (a background worker): at least once, retried with exponential
//!   backoff, failures kept visible. The effects a binding returns are applied in one transaction
//!   together with the mark that this binding is done for this event, so a redelivery (after a
//!   crash or a restart) never applies them twice.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::profiles::{profile_arg, save_profile, Profile};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::groups::{
    add_membership, membership_views, remove_membership, resolve as resolve_group,
};
use crate::domain::ids::new_id;
use crate::domain::notifications::enqueue_email;
use crate::domain::page::{Page, PageRequest};
use crate::domain::plugins::BindingRun;
use crate::domain::retention::shed_expired;
use crate::domain::tenants::Tenant;
use crate::domain::users::{load_user, save_user};
use crate::domain::Domain;
use portico_core::plugins::{Interface, Outcome};
use portico_core::storage::TenantReads;
use crate::store::{composite_key, Reader, SystemTable, Table, WriteTx, KEY_SEPARATOR};

/// The binding target of lifecycle hooks: bind a hooks plugin to `portal` (or `*`).
pub const HOOK_TARGET: &str = "portal";
/// Deliveries of one after-hook event before it is marked failed.
pub const MAX_HOOK_ATTEMPTS: u32 = 8;
/// First retry delay; it doubles with every attempt.
pub const HOOK_RETRY_BASE_SECS: i64 = 1;
/// Longest delay between two attempts.
pub const HOOK_RETRY_MAX_SECS: i64 = 300;

/// The profile changes hooks run around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Block,
    Unblock,
    GrantAccess,
    DenyAccess,
    AddUser,
}

impl Lifecycle {
    fn name(self) -> &'static str {
        match self {
            Lifecycle::Block => "block",
            Lifecycle::Unblock => "unblock",
            Lifecycle::GrantAccess => "grant-access",
            Lifecycle::DenyAccess => "deny-access",
            Lifecycle::AddUser => "add-user",
        }
    }
}

/// State of a queued after-hook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// A queued after-hook event and how its delivery goes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookDelivery {
    pub id: String,
    /// `after-block`, `after-grant-access`...
    pub hook: String,
    pub profile_id: String,
    /// The event as the hooks see it (a snapshot taken at the change).
    pub event: Value,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Bindings whose effects were applied for this event.
    pub done_bindings: Vec<String>,
    pub last_error: Option<String>,
    /// Effects that could not be applied (e.g. an unknown group), kept for the tenant to see.
    pub effect_errors: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A due entry of the delivery queue.
#[derive(Debug, Clone)]
pub struct DueHook {
    key: String,
    pub tenant_id: String,
    pub delivery_id: String,
}

impl DueHook {
    /// The entry of a due-index key.
    fn parse(key: String) -> Option<DueHook> {
        let mut parts = key.splitn(3, KEY_SEPARATOR);
        let (_, tenant_id, delivery_id) = (
            parts.next()?,
            parts.next()?.to_string(),
            parts.next()?.to_string(),
        );
        Some(DueHook {
            key,
            tenant_id,
            delivery_id,
        })
    }

    /// The due-index key: unique per attempt of an event.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Due entries read per look at the queue: bounds the work of one look; a tenant's backlog
/// beyond it waits for the next looks.
pub const HOOK_DUE_SCAN_LIMIT: usize = 4096;

/// One event of each tenant in turn, then the second of each, and so on, up to `limit`.
fn interleave(by_tenant: Vec<(String, Vec<DueHook>)>, limit: usize) -> Vec<DueHook> {
    let mut queues: Vec<std::collections::VecDeque<DueHook>> = by_tenant
        .into_iter()
        .map(|(_, events)| events.into())
        .collect();
    let mut out = Vec::new();
    while out.len() < limit && queues.iter().any(|q| !q.is_empty()) {
        for queue in queues.iter_mut() {
            if let Some(due) = queue.pop_front() {
                if out.len() < limit {
                    out.push(due);
                }
            }
        }
    }
    out
}

/// Key of the due-index (a system table, so one scan finds due events of every tenant):
/// `next attempt (ms, zero-padded) \u{1f} tenant id \u{1f} delivery id`.
fn due_key(at: DateTime<Utc>, tenant_id: &str, id: &str) -> String {
    composite_key(
        &format!("{:020}", at.timestamp_millis().max(0)),
        &composite_key(tenant_id, id),
    )
}

/// The event as hooks see it: the profile, its user, who acted.
pub(crate) fn event_json<R: Reader>(
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
    tx: &mut WriteTx,
    tenant_id: &str,
    lifecycle: Lifecycle,
    profile: &Profile,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    shed_expired(
        tx,
        Table::HookDeliveries,
        tenant_id,
        HOOK_DELIVERY_RETENTION_SECS,
        at,
        |d: &HookDelivery| d.created_at,
        |d| d.status != DeliveryStatus::Pending,
    )?;
    let delivery = HookDelivery {
        id: new_id(),
        hook: format!("after-{}", lifecycle.name()),
        profile_id: profile.id.clone(),
        event: event_json(tx, tenant_id, profile)?,
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: Some(at),
        done_bindings: Vec::new(),
        last_error: None,
        effect_errors: Vec::new(),
        created_at: at,
        delivered_at: None,
    };
    tx.put(Table::HookDeliveries, tenant_id, &delivery.id, &delivery)?;
    tx.system_put(
        SystemTable::HookDue,
        &due_key(at, tenant_id, &delivery.id),
        &(),
    )?;
    Ok(())
}

/// Why a binding run refuses the request, if it does.
fn refusal(run: &BindingRun) -> Option<DomainError> {
    if run.passed {
        return None;
    }
    let report = &run.run.report;
    Some(if report.outcome == Outcome::Denied {
        let message = report
            .result
            .as_ref()
            .and_then(|r| r["veto"]["message"].as_str())
            .unwrap_or("vetoed by a plugin");
        DomainError::refused("plugin_veto", message.to_string())
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

/// Applies one binding's effects to the event's profile (and its user) in `tx`, at `now`.
/// Effects that do not apply are reported back rather than failing the others.
fn apply_effects(
    tx: &mut WriteTx,
    tenant_id: &str,
    profile_id: &str,
    effects: &[Value],
    now: DateTime<Utc>,
) -> DomainResult<Vec<String>> {
    let mut errors = Vec::new();
    let Some(mut profile) = tx.get::<Profile>(Table::Profiles, tenant_id, profile_id)? else {
        return Ok(vec!["the profile no longer exists".into()]);
    };
    let mut user = match &profile.user_id {
        Some(id) => Some(load_user(tx, tenant_id, id)?),
        None => None,
    };
    let (mut profile_changed, mut user_changed) = (false, false);
    for effect in effects {
        let kind = effect["type"].as_str().unwrap_or_default();
        match kind {
            "add-to-group" | "remove-from-group" => {
                let group_ref = effect["group"].as_str().unwrap_or_default();
                let Some(user) = user.as_mut() else {
                    errors.push(format!("{kind} {group_ref}: the profile has no user"));
                    continue;
                };
                match resolve_group(tx, tenant_id, group_ref) {
                    Ok(group) if kind == "add-to-group" => add_membership(user, &group.id, false),
                    Ok(group) => {
                        remove_membership(user, &group.id);
                    }
                    Err(e) => {
                        errors.push(format!("{kind} {group_ref}: {e}"));
                        continue;
                    }
                }
                user_changed = true;
            }
            "set-field" => {
                let marker = effect["marker"].as_str().unwrap_or_default().to_string();
                if let Some(data) = profile.data.as_object_mut() {
                    data.insert(marker, effect["value"].clone());
                    profile_changed = true;
                }
            }
            "notify" => match &profile.email {
                Some(email) => {
                    let template = effect["template"].as_str().unwrap_or("hook_notification");
                    enqueue_email(
                        tx,
                        tenant_id,
                        email,
                        profile.user_id.as_deref(),
                        template,
                        effect["data"].clone(),
                        now,
                    )?;
                }
                None => errors.push("notify: the profile has no email".into()),
            },
            other => errors.push(format!("unknown effect type '{other}'")),
        }
    }
    if profile_changed {
        save_profile(tx, tenant_id, &mut profile, now)?;
    }
    if let (true, Some(user)) = (user_changed, user.as_mut()) {
        save_user(tx, tenant_id, user, now)?;
    }
    Ok(errors)
}

impl Domain {
    /// Runs the `before-*` hooks of `lifecycle` for a profile; any refusal stops the request.
    pub(crate) fn run_before_hooks(
        &self,
        tenant: &Tenant,
        lifecycle: Lifecycle,
        profile_id: &str,
    ) -> DomainResult<()> {
        let event = {
            let tx = self.store.read()?;
            let profile = profile_arg(&tx, &tenant.id, profile_id)?;
            event_json(&tx, &tenant.id, &profile)?
        };
        let input = json!({"hook": format!("before-{}", lifecycle.name()), "event": event});
        for run in
            self.run_plugin_bindings(tenant, Interface::LifecycleHooks, HOOK_TARGET, &input)?
        {
            if let Some(refusal) = refusal(&run) {
                return Err(refusal);
            }
        }
        Ok(())
    }

    /// After-hook events whose next attempt is due, at most `per_tenant` of each tenant and
    /// `limit` in all, taken in due order from the first `HOOK_DUE_SCAN_LIMIT` due entries and
    /// interleaved by tenant (round-robin), so one tenant's backlog never hides another's
    /// events. Entries in `skip` (being delivered) are left out.
    pub fn due_hook_deliveries(
        &self,
        limit: usize,
        per_tenant: usize,
        skip: &dyn Fn(&DueHook) -> bool,
    ) -> DomainResult<Vec<DueHook>> {
        let now_ms = format!("{:020}", self.now().timestamp_millis());
        let keys = self.store.read()?.system_scan::<()>(
            SystemTable::HookDue,
            None,
            HOOK_DUE_SCAN_LIMIT,
        )?;
        let mut by_tenant: Vec<(String, Vec<DueHook>)> = Vec::new();
        for (key, _) in keys {
            if key.get(..20).is_none_or(|at| at > now_ms.as_str()) {
                break;
            }
            let Some(due) = DueHook::parse(key) else {
                continue;
            };
            if skip(&due) {
                continue;
            }
            match by_tenant.iter_mut().find(|(t, _)| *t == due.tenant_id) {
                Some((_, events)) if events.len() >= per_tenant => {}
                Some((_, events)) => events.push(due),
                None => by_tenant.push((due.tenant_id.clone(), vec![due])),
            }
        }
        Ok(interleave(by_tenant, limit))
    }

    /// Delivers one queued event: runs every bound hook not done yet, applies each one's effects
    /// with its done-mark in one transaction, and schedules a retry when a binding failed.
    pub fn deliver_hook(&self, due: &DueHook) -> DomainResult<()> {
        let (tenant_id, delivery_id) = (due.tenant_id.as_str(), due.delivery_id.as_str());
        let tenant: Option<Tenant> = self.store.read()?.tenant(tenant_id)?;
        let delivery: Option<HookDelivery> =
            self.store
                .read()?
                .get(Table::HookDeliveries, tenant_id, delivery_id)?;
        let (Some(tenant), Some(delivery)) = (
            tenant,
            delivery.filter(|d| d.status == DeliveryStatus::Pending),
        ) else {
            // The tenant, the event or its pending state is gone: nothing left to deliver.
            let mut tx = self.store.write()?;
            tx.system_delete(SystemTable::HookDue, &due.key)?;
            tx.commit()?;
            return Ok(());
        };
        let input = json!({"hook": delivery.hook, "event": delivery.event});
        let mut failure: Option<String> = None;
        for run in
            self.run_plugin_bindings(&tenant, Interface::LifecycleHooks, HOOK_TARGET, &input)?
        {
            if delivery.done_bindings.contains(&run.binding_id) {
                continue;
            }
            if !run.passed {
                let report = &run.run.report;
                failure = Some(format!(
                    "binding {}: {}: {}",
                    run.binding_id,
                    report.outcome,
                    report.error.as_deref().unwrap_or("")
                ));
                continue;
            }
            let effects: Vec<Value> = run
                .run
                .report
                .result
                .as_ref()
                .and_then(|r| r["effects"].as_array().cloned())
                .unwrap_or_default();
            let mut tx = self.store.write()?;
            let Some(mut current) =
                tx.get::<HookDelivery>(Table::HookDeliveries, tenant_id, delivery_id)?
            else {
                return Ok(());
            };
            if current.done_bindings.contains(&run.binding_id) {
                continue;
            }
            let errors = apply_effects(
                &mut tx,
                tenant_id,
                &delivery.profile_id,
                &effects,
                self.now(),
            )?;
            current.effect_errors.extend(errors);
            current.done_bindings.push(run.binding_id.clone());
            tx.put(Table::HookDeliveries, tenant_id, delivery_id, &current)?;
            tx.commit()?;
        }
        let mut tx = self.store.write()?;
        let Some(mut current) =
            tx.get::<HookDelivery>(Table::HookDeliveries, tenant_id, delivery_id)?
        else {
            return Ok(());
        };
        tx.system_delete(SystemTable::HookDue, &due.key)?;
        current.attempts += 1;
        let now = self.now();
        match failure {
            None => {
                current.status = DeliveryStatus::Delivered;
                current.delivered_at = Some(now);
                current.next_attempt_at = None;
                current.last_error = None;
            }
            Some(error) if current.attempts >= MAX_HOOK_ATTEMPTS => {
                current.status = DeliveryStatus::Failed;
                current.next_attempt_at = None;
                current.last_error = Some(error);
            }
            Some(error) => {
                let delay = (HOOK_RETRY_BASE_SECS << (current.attempts - 1).min(16))
                    .min(HOOK_RETRY_MAX_SECS);
                let at = now + Duration::seconds(delay);
                current.next_attempt_at = Some(at);
                current.last_error = Some(error);
                tx.system_put(
                    SystemTable::HookDue,
                    &due_key(at, tenant_id, delivery_id),
                    &(),
                )?;
            }
        }
        tx.put(Table::HookDeliveries, tenant_id, delivery_id, &current)?;
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
        let tx = self.store.read()?;
        let mut found = Vec::new();
        let mut cursor = page.cursor.clone();
        loop {
            let batch: Vec<(String, HookDelivery)> = tx.scan(
                Table::HookDeliveries,
                &tenant.id,
                "",
                cursor.as_deref(),
                256,
            )?;
            let exhausted = batch.len() < 256;
            cursor = batch.last().map(|(k, _)| k.clone());
            found.extend(
                batch
                    .into_iter()
                    .filter(|(_, d)| status.is_none_or(|s| d.status == s)),
            );
            if exhausted || found.len() > size {
                break;
            }
        }
        found.truncate(size + 1);
        Ok(Page::from_fetched(found, size))
    }

    /// Puts a failed delivery back in the queue.
    pub fn retry_hook_delivery(&self, tenant: &Tenant, id: &str) -> DomainResult<HookDelivery> {
        let mut tx = self.store.write()?;
        let mut delivery: HookDelivery = tx
            .get(Table::HookDeliveries, &tenant.id, id)?
            .ok_or_else(|| DomainError::not_found("hook delivery", id))?;
        if delivery.status != DeliveryStatus::Failed {
            return Err(DomainError::conflict(
                "not_failed",
                "only a failed delivery can be retried",
            ));
        }
        let at = self.now();
        delivery.status = DeliveryStatus::Pending;
        delivery.attempts = 0;
        delivery.next_attempt_at = Some(at);
        tx.put(Table::HookDeliveries, &tenant.id, id, &delivery)?;
        tx.system_put(SystemTable::HookDue, &due_key(at, &tenant.id, id), &())?;
        tx.commit()?;
        Ok(delivery)
    }
}
