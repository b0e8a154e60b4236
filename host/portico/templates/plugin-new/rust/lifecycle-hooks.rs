//! {{name}}: lifecycle hooks. Blocking a profile in the binding's
//! `protectedGroup` (default `vip`) is vetoed; a profile granted portal access
//! is added to `grantGroup` (default `portal-users`).

use portico_plugin_sdk::prelude::*;
use serde::Deserialize;

/// The binding's settings.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    #[serde(default = "default_protected_group")]
    protected_group: String,
    #[serde(default = "default_grant_group")]
    grant_group: String,
}

fn default_protected_group() -> String {
    "vip".into()
}

fn default_grant_group() -> String {
    "portal-users".into()
}

struct Hooks;

impl LifecycleHooks for Hooks {
    fn before_block(event: HookEvent) -> Result<(), Veto> {
        let settings = settings().map_err(|e| Veto::new(e.to_string()))?;
        if event.profile.groups.contains(&settings.protected_group) {
            let message = format!("profiles in {} cannot be blocked", settings.protected_group);
            return Err(Veto::new(message));
        }
        Ok(())
    }

    fn after_grant_access(_event: HookEvent) -> Vec<Effect> {
        match settings() {
            Ok(settings) => vec![Effect::add_to_group(settings.grant_group)],
            Err(_) => Vec::new(),
        }
    }
}

fn settings() -> Result<Settings, SettingsError> {
    portico_plugin_sdk::settings::binding()
}

portico_plugin_sdk::export_lifecycle_hooks!(Hooks);
