//! The lifecycle hooks of a user's update (`Lifecycle::UpdateUser`: `before-update-user` and
//! `after-update-user`, since `portico:plugin@0.2.0`), shared by every surface that updates a
//! user: the `/v1` API's `PATCH /users/{id}` (`Users::update_user`) and `updateUser`
//! (`Portal::update_signed_in_user`: OneEntry's `PUT /users/me`, `/v1`'s portal `me` route and
//! the portal's profile page).
//!
//! The hooks are about a profile, so they run for a user linked to one (a portal user); an
//! update of a user without a profile (an internal user) runs none. `updateUser` is a hot path
//! (a user saving their data), so a tenant without an enabled lifecycle-hooks binding for the
//! portal (known from the configuration cache) pays nothing: no event is built, none is queued.
//! Their event's `details` is `{"changes": {...}}`, what the update sets (`UserChanges`); never a password, only
//! `"password": true` when a new one rides along in `updateUser`'s `authData`. Password changes
//! through the password routes (`updatePassword`, resets) are not user updates and run no hooks.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::hooks::{event_json, queue_after_event, Lifecycle, HOOK_TARGET};
use super::profiles::records::{profile_of_user, Profile};
use crate::domain::error::DomainResult;
use crate::domain::plugins::ANY_TARGET;
use crate::domain::tenants::Tenant;
use crate::domain::Hooks;
use crate::plugins::Interface;
use crate::storage::{StorageReads, WriteTransaction};

/// Who updates the user, as the hook event's `actor` names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UpdateActor {
    /// An integration with the tenant's API key (the `/v1` API).
    ApiKey,
    /// The signed-in portal user, updating their own data (by user id).
    PortalUser(String),
}

impl UpdateActor {
    fn json(&self) -> Value {
        match self {
            UpdateActor::ApiKey => json!({"kind": "api-key", "id": ""}),
            UpdateActor::PortalUser(id) => json!({"kind": "portal-user", "id": id}),
        }
    }
}

/// A user's update as its hooks see it: who makes it and what it sets.
#[derive(Debug, Clone)]
pub(crate) struct UserChanges {
    /// The user being updated.
    pub user_id: String,
    /// Who updates them.
    pub actor: UpdateActor,
    /// What the update sets, by name (`firstName`, `email`, `formData`, `password: true`...);
    /// never a secret.
    pub changes: Map<String, Value>,
}

impl UserChanges {
    /// An update of `user_id` by `actor`, setting nothing yet.
    pub fn new(user_id: &str, actor: UpdateActor) -> UserChanges {
        UserChanges {
            user_id: user_id.to_string(),
            actor,
            changes: Map::new(),
        }
    }

    /// Records that the update sets `name` to `value`, when it does (`Some`).
    pub fn set(&mut self, name: &str, value: Option<Value>) {
        if let Some(value) = value {
            self.changes.insert(name.to_string(), value);
        }
    }

    /// The hook event about `profile` (the user's, as it is in `tx`).
    fn event<R: StorageReads + ?Sized>(
        &self,
        tx: &R,
        tenant_id: &str,
        profile: &Profile,
    ) -> DomainResult<Value> {
        let mut event = event_json(tx, tenant_id, profile)?;
        event["actor"] = self.actor.json();
        event["details"] = json!({"changes": self.changes});
        Ok(event)
    }
}

/// The `after-update-user` an allowed update queues with its write (`queue_after_user_update`):
/// none when the tenant binds no lifecycle hooks.
#[derive(Debug)]
pub(crate) struct AfterUserUpdate(Option<UserChanges>);

/// Queues `after-update-user` for `after` in the caller's transaction (after the user was
/// saved in it), due at `at`; nothing when no hooks are bound or the user has no profile.
pub(crate) fn queue_after_user_update(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    after: &AfterUserUpdate,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    let Some(changes) = &after.0 else {
        return Ok(());
    };
    let Some(profile) = profile_of_user(tx, tenant_id, &changes.user_id)? else {
        return Ok(());
    };
    let event = changes.event(tx, tenant_id, &profile)?;
    queue_after_event(tx, tenant_id, Lifecycle::UpdateUser, &profile.id, event, at)
}

impl Hooks {
    /// Runs `before-update-user` for `changes` (outside any write: plugins record their
    /// invocations); a veto or a failing fail-closed binding refuses the update with 403.
    /// Answers the after-hook to queue with the write. Nothing runs without `changes` (the
    /// caller makes them only when `user_updates_hooked`) or for a user without a profile.
    pub(crate) fn before_user_update(
        &self,
        tenant: &Tenant,
        changes: Option<UserChanges>,
    ) -> DomainResult<AfterUserUpdate> {
        let Some(changes) = changes else {
            return Ok(AfterUserUpdate(None));
        };
        let event = {
            let tx = self.ctx.store.read()?;
            match profile_of_user(&*tx, &tenant.id, &changes.user_id)? {
                Some(profile) => changes.event(&*tx, &tenant.id, &profile)?,
                None => return Ok(AfterUserUpdate(None)),
            }
        };
        self.run_before_event(tenant, Lifecycle::UpdateUser, event)?;
        Ok(AfterUserUpdate(Some(changes)))
    }

    /// Whether the tenant's user updates run hooks: it has an enabled lifecycle-hooks binding
    /// for the portal. Read from the configuration cache (refreshed by every binding change),
    /// not per request.
    pub(crate) fn user_updates_hooked(&self, tenant_id: &str) -> DomainResult<bool> {
        let key = format!("lifecycle-hooks-bound/{tenant_id}");
        let bound = self.ctx.store.config_cached(&key, |tx| {
            let bindings = tx.enabled_plugin_bindings(tenant_id, Interface::LifecycleHooks)?;
            Ok(bindings
                .iter()
                .any(|b| b.target == HOOK_TARGET || b.target == ANY_TARGET))
        })?;
        Ok(*bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_keep_only_what_is_set_and_the_actor_is_named() {
        let mut changes = UserChanges::new("u1", UpdateActor::PortalUser("u1".into()));
        changes.set("firstName", Some(json!("Ann")));
        changes.set("email", None);
        changes.set("password", Some(json!(true)));
        assert_eq!(
            Value::Object(changes.changes),
            json!({"firstName": "Ann", "password": true})
        );
        assert_eq!(
            changes.actor.json(),
            json!({"kind": "portal-user", "id": "u1"})
        );
        assert_eq!(UpdateActor::ApiKey.json()["kind"], "api-key");
    }
}
