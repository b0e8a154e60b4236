//! Lifecycle hooks built directly against `portico:plugin@0.1.0` (`wit/0.1.0`), without the SDK
//! (which builds 0.2.0 components): Portico keeps running such components. 0.1.0 has no
//! `before-update-user` or `after-update-user`, so these hooks take no part in user updates.
//!
//! Rules: `before-block` vetoes blocking a profile whose data has `"locked": true`;
//! `after-grant-access` adds the profile to the group named by the binding's `grantGroup`
//! setting, when set. Every other hook allows the change and returns no effects.

wit_bindgen::generate!({
    path: "../../../wit/0.1.0",
    world: "lifecycle-hooks-plugin",
});

use exports::portico::plugin::lifecycle_hooks::{Effect, Guest, HookEvent, Veto};
use portico::plugin::host;

struct Hooks;

impl Guest for Hooks {
    fn before_block(event: HookEvent) -> Result<(), Veto> {
        if event
            .profile
            .data
            .replace(' ', "")
            .contains("\"locked\":true")
        {
            return Err(Veto {
                message: format!("0.1.0 hooks: profile {} is locked", event.profile.id),
            });
        }
        Ok(())
    }
    fn before_unblock(_: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    fn before_grant_access(_: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    fn before_deny_access(_: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    fn before_add_user(_: HookEvent) -> Result<(), Veto> {
        Ok(())
    }
    fn after_block(_: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    fn after_unblock(_: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    fn after_grant_access(event: HookEvent) -> Vec<Effect> {
        match host::setting("grantGroup") {
            Some(group) if !event.profile.groups.contains(&group) => {
                vec![Effect::AddToGroup(group)]
            }
            _ => Vec::new(),
        }
    }
    fn after_deny_access(_: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
    fn after_add_user(_: HookEvent) -> Vec<Effect> {
        Vec::new()
    }
}

export!(Hooks);
