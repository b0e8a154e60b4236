//! Lifecycle hooks:
//! - `before-block` vetoes blocking a profile whose data has `"vip": true`;
//! - `after-grant-access` adds the profile to the group named by the binding
//!   settings' `grantGroup` (`{"grantGroup": "customers"}`), unless it is
//!   already a member;
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
}

struct Hooks;

impl LifecycleHooks for Hooks {
    fn before_block(event: HookEvent) -> Result<(), Veto> {
        veto_vip(&event.profile)
    }

    fn after_grant_access(event: HookEvent) -> Vec<Effect> {
        match settings::binding::<Settings>() {
            Ok(settings) => grant_effects(&settings, &event.profile),
            Err(e) => {
                // After-hooks cannot refuse anything any more: report and do nothing.
                log::error(e.to_string());
                Vec::new()
            }
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

/// The effects after access was granted: join the configured group.
pub fn grant_effects(settings: &Settings, profile: &ProfileView) -> Vec<Effect> {
    match &settings.grant_group {
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
}
