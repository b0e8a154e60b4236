//! Lifecycle hooks:
//! - `before-block` vetoes blocking a profile whose data has `"vip": true`;
//! - `after-grant-access` adds the profile to the group named by the binding
//!   settings' `grantGroup` (`{"grantGroup": "customers"}`), unless it is
//!   already a member;
//! - `before-update-user` vetoes an update that changes the email of a profile
//!   whose data has `"vip": true` (its other changes go through), and one that
//!   sets a form field the binding settings' `lockedFields` name
//!   (`{"lockedFields": ["contract"]}`);
//! - `after-update-user` adds the profile to the group named by the binding
//!   settings' `updateGroup`, when set, unless it is already a member;
//! - every other hook allows the change and returns no effects.

use portico_plugin_sdk::prelude::*;
use portico_plugin_sdk::{log, settings};
use serde::Deserialize;

/// The binding's settings.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// The group (name or id) that profiles join when granted access.
    grant_group: Option<String>,
    /// The group (name or id) that profiles join once their user updated their data.
    update_group: Option<String>,
    /// Form fields (markers) a user update may not set.
    locked_fields: Vec<String>,
}

struct Hooks;

impl LifecycleHooks for Hooks {
    fn before_block(event: HookEvent) -> Result<(), Veto> {
        veto_vip(&event.profile)
    }

    fn after_grant_access(event: HookEvent) -> Vec<Effect> {
        with_settings(|settings| grant_effects(settings, &event.profile))
    }

    fn before_update_user(event: HookEvent) -> Result<(), Veto> {
        veto_vip_email_change(&event)?;
        // Misconfigured settings refuse the update rather than let a locked field change.
        let settings = settings::binding::<Settings>().map_err(|e| Veto::new(e.to_string()))?;
        veto_locked_fields(&settings, &event)
    }

    fn after_update_user(event: HookEvent) -> Vec<Effect> {
        with_settings(|settings| update_effects(settings, &event.profile))
    }
}

/// The effects `effects` makes from the binding's settings; none when they do not parse.
fn with_settings(effects: impl FnOnce(&Settings) -> Vec<Effect>) -> Vec<Effect> {
    match settings::binding::<Settings>() {
        Ok(settings) => effects(&settings),
        Err(e) => {
            // After-hooks cannot refuse anything any more: report and do nothing.
            log::error(e.to_string());
            Vec::new()
        }
    }
}

portico_plugin_sdk::export_lifecycle_hooks!(Hooks);

/// Vetoes a change to a profile marked `"vip": true` in its data.
pub fn veto_vip(profile: &ProfileView) -> Result<(), Veto> {
    if profile.data_json()["vip"] == Json::Bool(true) {
        return Err(Veto::new(format!(
            "profile {} is marked vip and cannot be blocked",
            profile.id
        )));
    }
    Ok(())
}

/// Vetoes an update that changes the email of a profile marked `"vip": true`: a `changes`
/// `email` other than the user's (or, without a user, the profile's) current one.
pub fn veto_vip_email_change(event: &HookEvent) -> Result<(), Veto> {
    let changes = event.changes();
    let Some(email) = changes["email"].as_str() else {
        return Ok(());
    };
    let current = match &event.user {
        Some(user) => &user.email,
        None => &event.profile.email,
    };
    let vip = event.profile.data_json()["vip"] == Json::Bool(true);
    if vip && !email.eq_ignore_ascii_case(current) {
        return Err(Veto::new(format!(
            "profile {} is marked vip: its email cannot be changed",
            event.profile.id
        )));
    }
    Ok(())
}

/// Vetoes an update that sets a form field named in `lockedFields` (in any language of its
/// `formData`, `{"en_US": {"marker": value}}`).
pub fn veto_locked_fields(settings: &Settings, event: &HookEvent) -> Result<(), Veto> {
    let changes = event.changes();
    let Some(by_lang) = changes["formData"].as_object() else {
        return Ok(());
    };
    let set = |marker: &String| by_lang.values().any(|fields| fields.get(marker).is_some());
    match settings.locked_fields.iter().find(|m| set(m)) {
        Some(marker) => Err(Veto::new(format!("the field {marker} is locked"))),
        None => Ok(()),
    }
}

/// The effects after access was granted: join the configured group.
pub fn grant_effects(settings: &Settings, profile: &ProfileView) -> Vec<Effect> {
    join(settings.grant_group.as_ref(), profile)
}

/// The effects after the user updated their data: join the configured group.
pub fn update_effects(settings: &Settings, profile: &ProfileView) -> Vec<Effect> {
    join(settings.update_group.as_ref(), profile)
}

/// Joins `group`, when there is one and the profile is not a member yet.
fn join(group: Option<&String>, profile: &ProfileView) -> Vec<Effect> {
    match group {
        Some(group) if !profile.groups.contains(group) => vec![Effect::add_to_group(group)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(data: &str, groups: &[&str]) -> ProfileView {
        ProfileView {
            id: "p1".into(),
            email: "a@example.com".into(),
            status: "active".into(),
            user_id: None,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            data: data.into(),
        }
    }

    #[test]
    fn vetoes_only_vip_profiles() {
        assert!(veto_vip(&profile(r#"{"vip": true}"#, &[])).is_err());
        assert!(veto_vip(&profile(r#"{"vip": false}"#, &[])).is_ok());
        assert!(veto_vip(&profile(r#"{"vip": "yes"}"#, &[])).is_ok());
        assert!(veto_vip(&profile("{}", &[])).is_ok());
    }

    #[test]
    fn grant_adds_the_configured_group_once() {
        let s: Settings = settings::parse(r#"{"grantGroup":"customers"}"#, "t").unwrap();
        assert_eq!(
            grant_effects(&s, &profile("{}", &[])),
            vec![Effect::add_to_group("customers")]
        );
        assert!(grant_effects(&s, &profile("{}", &["customers"])).is_empty());
        assert!(grant_effects(&Settings::default(), &profile("{}", &[])).is_empty());
    }

    fn update(data: &str, details: &str) -> HookEvent {
        HookEvent {
            profile: profile(data, &[]),
            user: None,
            actor: Actor {
                kind: ActorKind::PortalUser,
                id: "u1".into(),
            },
            details: details.into(),
        }
    }

    #[test]
    fn vetoes_only_a_vip_email_change() {
        let vip = r#"{"vip": true}"#;
        let new_email = r#"{"changes": {"email": "b@example.com"}}"#;
        assert!(veto_vip_email_change(&update(vip, new_email)).is_err());
        let same = r#"{"changes": {"email": "A@example.com", "state": 1}}"#;
        assert!(veto_vip_email_change(&update(vip, same)).is_ok());
        let names = r#"{"changes": {"firstName": "Ann"}}"#;
        assert!(veto_vip_email_change(&update(vip, names)).is_ok());
        assert!(veto_vip_email_change(&update("{}", new_email)).is_ok());
    }

    #[test]
    fn vetoes_only_a_locked_field() {
        let s: Settings = settings::parse(r#"{"lockedFields":["contract"]}"#, "t").unwrap();
        let locked = r#"{"changes": {"formData": {"tr_TR": {"name": "A", "contract": null}}}}"#;
        let err = veto_locked_fields(&s, &update("{}", locked)).unwrap_err();
        assert_eq!(err.message, "the field contract is locked");
        let free = r#"{"changes": {"formData": {"en_US": {"name": "A"}}}}"#;
        assert!(veto_locked_fields(&s, &update("{}", free)).is_ok());
        assert!(veto_locked_fields(&s, &update("{}", r#"{"changes": {}}"#)).is_ok());
        assert!(veto_locked_fields(&Settings::default(), &update("{}", locked)).is_ok());
    }

    #[test]
    fn an_update_adds_the_configured_group_once() {
        let s: Settings = settings::parse(r#"{"updateGroup":"updated"}"#, "t").unwrap();
        assert_eq!(
            update_effects(&s, &profile("{}", &[])),
            vec![Effect::add_to_group("updated")]
        );
        assert!(update_effects(&s, &profile("{}", &["updated"])).is_empty());
        assert!(update_effects(&Settings::default(), &profile("{}", &[])).is_empty());
    }
}
