//! Bindings: which plugin serves which interface for which target (a form, the signup flow,
//! `*` for all), with the binding's settings and its failure policy.

use serde::Deserialize;
use serde_json::Value;

use super::super::error::{DomainError, DomainResult};
use super::super::ids::new_id;
use super::super::page::{Page, PageRequest};
use super::super::tenants::Tenant;
use super::super::Plugins;
use super::registry::{load_version, resolve_plugin, PluginRecord};
use crate::plugins::Interface;
use crate::storage::PluginReads;

/// Largest settings document of one binding, as JSON text.
pub const MAX_BINDING_SETTINGS_BYTES: usize = 64 * 1024;
/// Longest binding target.
pub const MAX_TARGET_LEN: usize = 200;
/// The target that matches every target of an interface.
pub const ANY_TARGET: &str = "*";

pub use crate::plugin_records::{Binding, FailurePolicy};

/// Body of "create binding".
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBinding {
    /// The plugin's id or name.
    pub plugin: String,
    /// The interface it serves; the bound version must export it.
    pub interface: Interface,
    /// What it applies to (`*`, every target, when absent).
    #[serde(default)]
    pub target: Option<String>,
    /// A version to pin; absent follows the plugin's active version.
    #[serde(default)]
    pub version: Option<u32>,
    /// Settings given to the plugin: a JSON object of at most `MAX_BINDING_SETTINGS_BYTES`
    /// (empty when absent).
    #[serde(default)]
    pub settings: Option<Value>,
    /// What a failure of the plugin means for the request (fail-closed when absent).
    #[serde(default)]
    pub failure_policy: Option<FailurePolicy>,
    /// Whether the binding is consulted (true when absent).
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A change to a binding; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BindingPatch {
    /// New target (`*` for every target).
    pub target: Option<String>,
    /// A number pins that version; `null` unpins (the binding follows the plugin's active
    /// version again); absent keeps the binding as it is.
    #[serde(default, deserialize_with = "present")]
    pub version: Option<Option<u32>>,
    /// New settings, replacing the old ones as a whole.
    pub settings: Option<Value>,
    /// New failure policy.
    pub failure_policy: Option<FailurePolicy>,
    /// Enable or disable the binding.
    pub enabled: Option<bool>,
}

/// Tells a present `null` (`Some(None)`) from an absent field (`None`, through `default`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn check_settings(settings: Value) -> DomainResult<Value> {
    if !settings.is_object() {
        return Err(DomainError::bad_request(
            "invalid_settings",
            "settings must be a JSON object",
        ));
    }
    if settings.to_string().len() > MAX_BINDING_SETTINGS_BYTES {
        return Err(DomainError::bad_request(
            "invalid_settings",
            format!("settings must be at most {MAX_BINDING_SETTINGS_BYTES} bytes of JSON"),
        ));
    }
    Ok(settings)
}

fn check_target(target: &str) -> DomainResult<String> {
    let target = target.trim();
    if target.is_empty() || target.len() > MAX_TARGET_LEN || target.chars().any(char::is_control) {
        return Err(DomainError::bad_request(
            "invalid_target",
            format!(
                "target must be 1 to {MAX_TARGET_LEN} printable characters ('*' for every target)"
            ),
        ));
    }
    Ok(target.to_string())
}

/// The version a binding runs: its pinned one, else the plugin's active one.
pub(crate) fn bound_version(binding: &Binding, plugin: &PluginRecord) -> DomainResult<u32> {
    binding.version.or(plugin.active_version).ok_or_else(|| {
        DomainError::conflict(
            "no_active_version",
            format!("plugin '{}' has no active version", plugin.name),
        )
    })
}

fn check_exports(
    tx: &(impl PluginReads + ?Sized),
    tenant_id: &str,
    binding: &Binding,
    plugin: &PluginRecord,
) -> DomainResult<()> {
    let version = load_version(tx, tenant_id, &plugin.id, bound_version(binding, plugin)?)?;
    if !version.exports.contains(&binding.interface) {
        return Err(DomainError::bad_request(
            "interface_not_exported",
            format!(
                "version {} of plugin '{}' does not export {} (it exports {})",
                version.version,
                plugin.name,
                binding.interface.name(),
                version
                    .exports
                    .iter()
                    .map(|i| i.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(())
}

/// The binding with this id (404 when there is none).
pub(crate) fn load_binding(
    tx: &(impl PluginReads + ?Sized),
    tenant_id: &str,
    id: &str,
) -> DomainResult<Binding> {
    tx.plugin_binding(tenant_id, id)?
        .ok_or_else(|| DomainError::not_found("plugin binding", id))
}

impl Plugins {
    /// Binds a plugin; refused when the version it would run does not export the interface.
    pub fn create_plugin_binding(&self, tenant: &Tenant, new: NewBinding) -> DomainResult<Binding> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let plugin = resolve_plugin(&*tx, &tenant.id, &new.plugin)?;
        let binding = Binding {
            id: new_id(),
            plugin_id: plugin.id.clone(),
            interface: new.interface,
            target: check_target(new.target.as_deref().unwrap_or(ANY_TARGET))?,
            version: new.version,
            settings: check_settings(
                new.settings
                    .unwrap_or_else(|| Value::Object(Default::default())),
            )?,
            failure_policy: new.failure_policy.unwrap_or_default(),
            enabled: new.enabled.unwrap_or(true),
            created_at: self.ctx.now(),
            updated_at: self.ctx.now(),
        };
        check_exports(&*tx, &tenant.id, &binding, &plugin)?;
        tx.insert_plugin_binding(&tenant.id, &binding)?;
        tx.commit()?;
        Ok(binding)
    }

    /// The tenant's bindings, ordered by id (creation order), one page from `page`'s cursor.
    pub fn list_plugin_bindings(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<Binding>> {
        let size = page.size()?;
        let fetched = self
            .ctx
            .store
            .read()?
            .plugin_bindings_after(&tenant.id, page.cursor.as_deref(), size + 1)?
            .into_iter()
            .map(|b| (b.id.clone(), b))
            .collect();
        Ok(Page::from_fetched(fetched, size))
    }

    /// A binding by id.
    pub fn get_plugin_binding(&self, tenant: &Tenant, id: &str) -> DomainResult<Binding> {
        load_binding(&*self.ctx.store.read()?, &tenant.id, id)
    }

    /// Changes a binding (`patch`'s absent fields keep their value); the version it then runs
    /// must still export its interface.
    pub fn update_plugin_binding(
        &self,
        tenant: &Tenant,
        id: &str,
        patch: BindingPatch,
    ) -> DomainResult<Binding> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut binding = load_binding(&*tx, &tenant.id, id)?;
        if let Some(target) = patch.target {
            binding.target = check_target(&target)?;
        }
        if let Some(version) = patch.version {
            binding.version = version;
        }
        if let Some(settings) = patch.settings {
            binding.settings = check_settings(settings)?;
        }
        if let Some(policy) = patch.failure_policy {
            binding.failure_policy = policy;
        }
        if let Some(enabled) = patch.enabled {
            binding.enabled = enabled;
        }
        let plugin = resolve_plugin(&*tx, &tenant.id, &binding.plugin_id)?;
        check_exports(&*tx, &tenant.id, &binding, &plugin)?;
        binding.updated_at = self.ctx.now();
        tx.update_plugin_binding(&tenant.id, &binding)?;
        tx.commit()?;
        Ok(binding)
    }

    /// Deletes a binding by id.
    pub fn delete_plugin_binding(&self, tenant: &Tenant, id: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if !tx.delete_plugin_binding(&tenant.id, id)? {
            return Err(DomainError::not_found("plugin binding", id));
        }
        tx.commit()?;
        Ok(())
    }
}
