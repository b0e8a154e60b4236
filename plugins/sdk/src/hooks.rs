//! Lifecycle hooks with defaults: implement only the hooks you need.
//!
//! The generated `Guest` trait of `lifecycle-hooks` has no default methods, so
//! this crate offers [`LifecycleHooks`], whose `before-*` hooks allow and whose
//! `after-*` hooks return no effects unless overridden, and implements the
//! generated trait for every type that implements it.

use crate::lifecycle_hooks::{Effect, FieldAssignment, Guest, HookEvent, Notification, Veto};
use crate::types::ProfileView;

/// The lifecycle hooks a plugin implements; every method has a default.
/// Export with `portico_plugin_sdk::export_lifecycle_hooks!(YourType);`.
pub trait LifecycleHooks {
    /// Before a profile is blocked; `Err` vetoes it.
    fn before_block(_event: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    /// Before a profile is unblocked; `Err` vetoes it.
    fn before_unblock(_event: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    /// Before portal access is granted; `Err` vetoes it.
    fn before_grant_access(_event: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    /// Before portal access is denied; `Err` vetoes it.
    fn before_deny_access(_event: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    /// Before a portal user is added for a profile; `Err` vetoes it.
    fn before_add_user(_event: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    /// Before a portal user's data is updated; `Err` vetoes it. The event's details are
    /// `{"changes": {...}}`, what the update sets ([`HookEvent::changes`]). Since 0.2.0.
    fn before_update_user(_event: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    /// After a profile was blocked: effects to apply.
    fn after_block(_event: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    /// After a profile was unblocked: effects to apply.
    fn after_unblock(_event: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    /// After portal access was granted: effects to apply.
    fn after_grant_access(_event: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    /// After portal access was denied: effects to apply.
    fn after_deny_access(_event: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    /// After a portal user was added: effects to apply.
    fn after_add_user(_event: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    /// After a portal user's data was updated: effects to apply. Since 0.2.0.
    fn after_update_user(_event: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
}

impl<T: LifecycleHooks> Guest for T {
    fn before_block(event: HookEvent) -> Result<(), Veto> {
        <T as LifecycleHooks>::before_block(event)
    }
    fn before_unblock(event: HookEvent) -> Result<(), Veto> {
        <T as LifecycleHooks>::before_unblock(event)
    }
    fn before_grant_access(event: HookEvent) -> Result<(), Veto> {
        <T as LifecycleHooks>::before_grant_access(event)
    }
    fn before_deny_access(event: HookEvent) -> Result<(), Veto> {
        <T as LifecycleHooks>::before_deny_access(event)
    }
    fn before_add_user(event: HookEvent) -> Result<(), Veto> {
        <T as LifecycleHooks>::before_add_user(event)
    }
    fn before_update_user(event: HookEvent) -> Result<(), Veto> {
        <T as LifecycleHooks>::before_update_user(event)
    }
    fn after_block(event: HookEvent) -> Vec<Effect> {
        <T as LifecycleHooks>::after_block(event)
    }
    fn after_unblock(event: HookEvent) -> Vec<Effect> {
        <T as LifecycleHooks>::after_unblock(event)
    }
    fn after_grant_access(event: HookEvent) -> Vec<Effect> {
        <T as LifecycleHooks>::after_grant_access(event)
    }
    fn after_deny_access(event: HookEvent) -> Vec<Effect> {
        <T as LifecycleHooks>::after_deny_access(event)
    }
    fn after_add_user(event: HookEvent) -> Vec<Effect> {
        <T as LifecycleHooks>::after_add_user(event)
    }
    fn after_update_user(event: HookEvent) -> Vec<Effect> {
        <T as LifecycleHooks>::after_update_user(event)
    }
}

impl Veto {
    /// A veto with a message for the API caller (sent with a 403).
    pub fn new(message: impl Into<String>) -> Self {
        Veto {
            message: message.into(),
        }
    }
}

impl Effect {
    /// Adds the event's profile to a group (by id or name).
    pub fn add_to_group(group: impl Into<String>) -> Self {
        Effect::AddToGroup(group.into())
    }

    /// Removes the event's profile from a group (by id or name).
    pub fn remove_from_group(group: impl Into<String>) -> Self {
        Effect::RemoveFromGroup(group.into())
    }

    /// Sets a field of the event's profile to a JSON value.
    pub fn set_field(marker: impl Into<String>, value: &serde_json::Value) -> Self {
        Effect::SetField(FieldAssignment {
            marker: marker.into(),
            value: value.to_string(),
        })
    }

    /// Sends a notification through `channel` with a tenant `template`.
    pub fn notify(
        channel: impl Into<String>,
        template: impl Into<String>,
        data: &serde_json::Value,
    ) -> Self {
        Effect::Notify(Notification {
            channel: channel.into(),
            template: template.into(),
            data: data.to_string(),
        })
    }
}

impl ProfileView {
    /// The profile's data as JSON (`null` when it does not parse).
    pub fn data_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap_or(serde_json::Value::Null)
    }
}

impl HookEvent {
    /// The event's details as JSON (`null` when they do not parse).
    pub fn details_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.details).unwrap_or(serde_json::Value::Null)
    }

    /// What a user update sets (`details.changes` of `before-update-user` and
    /// `after-update-user`), e.g. `{"email": "new@example.com", "formData": {"en_US":
    /// {"name": "Ann"}}}`; `null` for the other hooks.
    pub fn changes(&self) -> serde_json::Value {
        self.details_json()["changes"].clone()
    }
}
