//! The plugin registry: upload (check, compile once, store a version), list, activate, roll
//! back, delete. Loading versions into the runtime is in `loading`.

use chrono::{DateTime, Utc};
use portico_admission::Admission;
use serde::Serialize;

use super::super::error::{DomainError, DomainResult};
use super::super::ids::{looks_like_id, new_id};
use super::super::page::{Page, PageRequest};
use super::super::tenants::Tenant;
use super::super::Plugins;
use super::counters::{load_counters, Counters};
use super::limits::tenant_limits;
pub use crate::plugin_records::{PluginRecord, VersionRecord};
use crate::plugins::limits::{human_bytes, Limits};
use crate::plugins::{Interface, LoadSource, Prepared};
use crate::storage::prelude::*;

/// Longest plugin name.
pub const MAX_PLUGIN_NAME_LEN: usize = 100;

/// A plugin as the API shows it, with its invocation counters.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PluginView {
    /// The plugin as stored (shown inline).
    #[serde(flatten)]
    pub plugin: PluginRecord,
    /// Its calls: in all, by outcome, and the records in its invocation log now.
    pub counters: Counters,
}

/// A version as the API shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VersionView {
    /// The version as stored (shown inline).
    #[serde(flatten)]
    pub version: VersionRecord,
    /// Whether it is the plugin's active version.
    pub active: bool,
    /// How this process has the version's code: `compiled`, `deserialized` (from the stored
    /// artifact, without compiling), or null when not loaded yet.
    pub loaded_from: Option<LoadSource>,
}

/// The answer to an upload.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UploadedVersion {
    /// The plugin's id (new when the upload created the plugin).
    pub plugin_id: String,
    /// The plugin's name.
    pub name: String,
    /// The new version's number.
    pub version: u32,
    /// The sha256 of the component's bytes (hex).
    pub sha256: String,
    /// Bytes of the component.
    pub size: u64,
    /// The Portico interfaces the component exports.
    pub exports: Vec<Interface>,
    /// Whether the new version is active (only the first version of a plugin is at once).
    pub active: bool,
}

fn validate_plugin_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= MAX_PLUGIN_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if !ok {
        return Err(DomainError::bad_request(
            "invalid_plugin_name",
            format!("plugin name must be 1 to {MAX_PLUGIN_NAME_LEN} characters of letters, digits, '_', '-' and '.'"),
        ));
    }
    Ok(name.to_string())
}

/// Finds a plugin of the tenant by id or name.
pub(crate) fn resolve_plugin(
    tx: &(impl PluginReads + ?Sized),
    tenant_id: &str,
    id_or_name: &str,
) -> DomainResult<PluginRecord> {
    let key = id_or_name.trim();
    if looks_like_id(key) {
        if let Some(p) = tx.plugin(tenant_id, key)? {
            return Ok(p);
        }
    }
    if let Some(p) = tx.plugin_by_name(tenant_id, key)? {
        return Ok(p);
    }
    Err(DomainError::not_found("plugin", key))
}

pub(crate) fn load_version(
    tx: &(impl PluginReads + ?Sized),
    tenant_id: &str,
    plugin_id: &str,
    version: u32,
) -> DomainResult<VersionRecord> {
    tx.plugin_version(tenant_id, plugin_id, version)?
        .ok_or_else(|| DomainError::not_found("plugin version", format!("{plugin_id} v{version}")))
}

/// What a tenant's plugins take: versions, and stored bytes (each distinct component and its
/// artifact counted once).
struct PluginUsage {
    versions: u64,
    stored_bytes: u64,
    held: Vec<String>,
}

fn plugin_usage(tx: &(impl PluginReads + ?Sized), tenant_id: &str) -> DomainResult<PluginUsage> {
    let versions = tx.tenant_plugin_versions(tenant_id)?;
    let mut usage = PluginUsage {
        versions: versions.len() as u64,
        stored_bytes: 0,
        held: Vec::new(),
    };
    for v in versions {
        if !usage.held.contains(&v.sha256) {
            usage.stored_bytes += v.size + v.compiled_size;
            usage.held.push(v.sha256);
        }
    }
    Ok(usage)
}

/// Refuses an upload that would take the tenant past its version count or stored bytes
/// (`added`: the bytes it adds, 0 when it holds the component already).
fn check_usage(usage: &PluginUsage, added: u64, limits: &Limits) -> DomainResult<()> {
    if usage.versions >= limits.versions {
        return Err(DomainError::conflict(
            "too_many_plugin_versions",
            format!(
                "the tenant holds {} plugin versions, its limit (versions); delete a plugin to upload another",
                limits.versions
            ),
        ));
    }
    let total = usage.stored_bytes + added;
    if total > limits.stored_bytes {
        return Err(DomainError::bad_request(
            "plugin_storage_full",
            format!(
                "the tenant's plugins would take {total} bytes, which exceeds {} (the stored bytes limit, storedBytes)",
                human_bytes(limits.stored_bytes)
            ),
        ));
    }
    Ok(())
}

/// Stores `plugin`, updated `now`.
fn save_plugin(
    tx: &mut (impl PluginWrites + ?Sized),
    tenant_id: &str,
    plugin: &mut PluginRecord,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    plugin.updated_at = now;
    tx.update_plugin(tenant_id, plugin)?;
    Ok(())
}

/// The version after which a page of versions starts: the `nextCursor` of the previous page,
/// the number of its last version.
fn version_cursor(cursor: &str) -> DomainResult<u32> {
    cursor.parse().map_err(|_| {
        DomainError::bad_request(
            "invalid_cursor",
            "cursor must be the nextCursor of a previous page of versions",
        )
    })
}

/// Stores an uploaded version of plugin `name` (a new plugin when the tenant has none by that
/// name): the version record, the component's bytes and its artifact for engine `compat`.
fn store_upload(
    tx: &mut (impl PluginWrites + PluginArtifactWrites + ?Sized),
    tenant_id: &str,
    name: String,
    bytes: &[u8],
    prepared: Prepared,
    compat: &str,
    now: DateTime<Utc>,
) -> DomainResult<(PluginRecord, VersionRecord)> {
    let existing = tx.plugin_by_name(tenant_id, &name)?;
    let is_new = existing.is_none();
    let mut plugin = existing.unwrap_or_else(|| PluginRecord {
        id: new_id(),
        name,
        active_version: None,
        latest_version: 0,
        activation_history: Vec::new(),
        created_at: now,
        updated_at: now,
    });
    plugin.latest_version += 1;
    let version = VersionRecord {
        plugin_id: plugin.id.clone(),
        version: plugin.latest_version,
        sha256: prepared.sha256.clone(),
        size: prepared.size,
        exports: prepared.exports,
        compiled_size: prepared.artifact.len() as u64,
        created_at: now,
    };
    if plugin.active_version.is_none() {
        plugin.active_version = Some(version.version);
    }
    tx.insert_plugin_version(tenant_id, &version)?;
    tx.hold_plugin_component(tenant_id, &prepared.sha256, bytes)?;
    if !tx.has_plugin_artifact(&prepared.sha256, compat)? {
        tx.put_plugin_artifact(&prepared.sha256, compat, prepared.artifact)?;
    }
    if is_new {
        tx.insert_plugin(tenant_id, &plugin)?;
    } else {
        save_plugin(tx, tenant_id, &mut plugin, now)?;
    }
    Ok((plugin, version))
}

impl Plugins {
    /// Uploads a component: a new plugin named `name`, or a new version of it. The first
    /// version becomes active; later ones wait for `activate_plugin_version`.
    pub fn upload_plugin(
        &self,
        tenant: &Tenant,
        name: &str,
        bytes: &[u8],
    ) -> DomainResult<UploadedVersion> {
        let name = validate_plugin_name(name)?;
        let (limits, usage) = {
            let tx = self.ctx.store.read()?;
            (
                tenant_limits(&*tx, &tenant.id)?,
                plugin_usage(&*tx, &tenant.id)?,
            )
        };
        let sha256 = crate::domain::secrets::sha256_hex(bytes);
        let new_bytes = |artifact: u64| {
            if usage.held.contains(&sha256) {
                0
            } else {
                bytes.len() as u64 + artifact
            }
        };
        // Before compiling: what the upload adds is at least its bytes.
        check_usage(&usage, new_bytes(0), &limits)?;
        // The same bytes uploaded before (by any tenant) load from their artifact instead of
        // compiling again, and stay loaded until stored.
        let _pin = self.pin_plugin(&sha256);
        if bytes.len() as u64 <= limits.component_bytes
            && self.plugin_runtime.loaded_from(&sha256).is_none()
        {
            self.load_stored_artifact(&sha256)?;
        }
        // Compile outside the write transaction (it takes milliseconds to seconds), on a
        // compile thread in the tenant's turn, not on this request thread.
        let prepared = Admission::run_compile(&self.admission, &tenant.id, || {
            self.plugin_runtime.prepare(bytes, limits.component_bytes)
        })
        .map_err(|busy| DomainError::busy("compile_capacity", busy.gate, busy.waited))?
        .map_err(|refusal| DomainError::bad_request(refusal.code(), refusal.message()))?;
        let compiled_size = prepared.artifact.len() as u64;
        if compiled_size > limits.compiled_bytes {
            return Err(DomainError::bad_request(
                "compiled_too_large",
                format!(
                    "the component compiles to {compiled_size} bytes, which exceeds {} (the compiled size limit, compiledBytes)",
                    human_bytes(limits.compiled_bytes)
                ),
            ));
        }
        let compat = self.plugin_runtime.compatibility_hash();
        let now = self.ctx.now();
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        // Again in the transaction: concurrent uploads of the tenant count each other.
        check_usage(
            &plugin_usage(&*tx, &tenant.id)?,
            new_bytes(compiled_size),
            &limits,
        )?;
        let (plugin, version) =
            store_upload(&mut *tx, &tenant.id, name, bytes, prepared, &compat, now)?;
        tx.commit()?;
        Ok(UploadedVersion {
            active: plugin.active_version == Some(version.version),
            plugin_id: plugin.id,
            name: plugin.name,
            version: version.version,
            sha256: version.sha256,
            size: version.size,
            exports: version.exports,
        })
    }

    /// The tenant's plugins with their counters, ordered by id, one page from `page`'s cursor.
    pub fn list_plugins(
        &self,
        tenant: &Tenant,
        page: &PageRequest,
    ) -> DomainResult<Page<PluginView>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let fetched = tx.plugins_after(&tenant.id, page.cursor.as_deref(), size + 1)?;
        let mut views = Vec::with_capacity(fetched.len());
        for plugin in fetched {
            let counters = load_counters(&*tx, &tenant.id, &plugin.id)?;
            views.push((plugin.id.clone(), PluginView { plugin, counters }));
        }
        Ok(Page::from_fetched(views, size))
    }

    /// A plugin by id or name, with its counters.
    pub fn get_plugin(&self, tenant: &Tenant, plugin: &str) -> DomainResult<PluginView> {
        let tx = self.ctx.store.read()?;
        let plugin = resolve_plugin(&*tx, &tenant.id, plugin)?;
        let counters = load_counters(&*tx, &tenant.id, &plugin.id)?;
        Ok(PluginView { plugin, counters })
    }

    fn version_view(&self, plugin: &PluginRecord, version: VersionRecord) -> VersionView {
        VersionView {
            active: plugin.active_version == Some(version.version),
            loaded_from: self.plugin_runtime.loaded_from(&version.sha256),
            version,
        }
    }

    /// A plugin's versions in number order, one page from `page`'s cursor (a version number).
    pub fn list_plugin_versions(
        &self,
        tenant: &Tenant,
        plugin: &str,
        page: &PageRequest,
    ) -> DomainResult<Page<VersionView>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let plugin = resolve_plugin(&*tx, &tenant.id, plugin)?;
        let after = page.cursor.as_deref().map(version_cursor).transpose()?;
        let fetched = tx.plugin_versions_after(&tenant.id, &plugin.id, after, size + 1)?;
        let views = fetched
            .into_iter()
            .map(|v| (v.version.to_string(), self.version_view(&plugin, v)))
            .collect();
        Ok(Page::from_fetched(views, size))
    }

    /// One version of a plugin (by id or name).
    pub fn get_plugin_version(
        &self,
        tenant: &Tenant,
        plugin: &str,
        version: u32,
    ) -> DomainResult<VersionView> {
        let tx = self.ctx.store.read()?;
        let plugin = resolve_plugin(&*tx, &tenant.id, plugin)?;
        let record = load_version(&*tx, &tenant.id, &plugin.id, version)?;
        Ok(self.version_view(&plugin, record))
    }

    /// Makes `version` the active one; the previous active version is remembered for rollback.
    /// Takes effect on the next call, without a restart.
    pub fn activate_plugin_version(
        &self,
        tenant: &Tenant,
        plugin: &str,
        version: u32,
    ) -> DomainResult<PluginView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut plugin = resolve_plugin(&*tx, &tenant.id, plugin)?;
        load_version(&*tx, &tenant.id, &plugin.id, version)?;
        if plugin.active_version != Some(version) {
            if let Some(previous) = plugin.active_version {
                plugin.activation_history.push(previous);
            }
            plugin.active_version = Some(version);
            save_plugin(&mut *tx, &tenant.id, &mut plugin, self.ctx.now())?;
        }
        let counters = load_counters(&*tx, &tenant.id, &plugin.id)?;
        tx.commit()?;
        Ok(PluginView { plugin, counters })
    }

    /// Returns to the version that was active before the current one.
    pub fn rollback_plugin(&self, tenant: &Tenant, plugin: &str) -> DomainResult<PluginView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut plugin = resolve_plugin(&*tx, &tenant.id, plugin)?;
        let Some(previous) = plugin.activation_history.pop() else {
            return Err(DomainError::conflict(
                "nothing_to_roll_back",
                format!("plugin '{}' has no previously active version", plugin.name),
            ));
        };
        plugin.active_version = Some(previous);
        save_plugin(&mut *tx, &tenant.id, &mut plugin, self.ctx.now())?;
        let counters = load_counters(&*tx, &tenant.id, &plugin.id)?;
        tx.commit()?;
        Ok(PluginView { plugin, counters })
    }

    /// Deletes a plugin, its versions, counters and invocation log. Refused while a binding
    /// uses it.
    pub fn delete_plugin(&self, tenant: &Tenant, plugin: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let plugin = resolve_plugin(&*tx, &tenant.id, plugin)?;
        let users: Vec<String> = tx
            .bindings_using_plugin(&tenant.id, &plugin.id)?
            .into_iter()
            .map(|binding| binding.id)
            .collect();
        if !users.is_empty() {
            return Err(DomainError::conflict(
                "plugin_in_use",
                format!(
                    "plugin '{}' is used by bindings {}; delete them first",
                    plugin.name,
                    users.join(", ")
                ),
            ));
        }
        let versions = tx.plugin_versions_after(&tenant.id, &plugin.id, None, usize::MAX)?;
        // With its versions, counters and invocation log.
        tx.delete_plugin(&tenant.id, &plugin.id)?;
        // Component bytes go when no other plugin of the tenant has the same sha256, and the
        // compiled artifacts with them when no other tenant holds those bytes either.
        let remaining = tx.tenant_plugin_versions(&tenant.id)?;
        let mut gone = Vec::new();
        for v in &versions {
            if !remaining.iter().any(|r| r.sha256 == v.sha256) && !gone.contains(&v.sha256) {
                tx.release_plugin_component(&tenant.id, &v.sha256)?;
                gone.push(v.sha256.clone());
            }
        }
        tx.commit()?;
        // Free the compiled code in this process too. Another tenant with the same bytes loses
        // nothing: its next call loads the stored artifact again (`pin_plugin_version`).
        self.unload_plugin_versions(&gone);
        Ok(())
    }
}
