//! Running plugins for the domain: dry runs of a version, runs through a binding (with its
//! settings and failure policy), and the invocation log every call is recorded in.

use crate::error::RETRY_AFTER_SECONDS;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::error::{DomainError, DomainResult};
use super::super::ids::new_id;
use super::super::page::{Page, PageRequest};
use super::super::tenants::Tenant;
use super::super::Plugins;
use super::bindings::{bound_version, load_binding, Binding, FailurePolicy, ANY_TARGET};
use super::counters::load_counters;
use super::limits::tenant_limits;
use super::lookups::TenantLookups;
use super::registry::{load_version, resolve_plugin, PluginRecord, VersionRecord};
pub use crate::plugin_records::InvocationRecord;
use crate::plugins::{signup_function, Call, CallInput, Interface, InvokeError, Outcome, Report};
use crate::storage::{PluginWrites, StorageResult, WriteScope, WriteTransaction};

/// Default for the records kept in each plugin's invocation log
/// (`portico serve --invocations-kept-per-plugin`): the oldest are deleted as new ones come, in
/// runs (the log holds up to a tenth more between them, `PRUNE_SLACK_DIVISOR`).
/// Without a bound the log grew by a record per call (a validated update writes one), so a
/// busy plugin filled the disk; 1,000 records of up to a few KB (their captured logs) are enough
/// to look into recent calls, and the counters keep the totals.
pub const DEFAULT_INVOCATIONS_KEPT_PER_PLUGIN: u64 = 1_000;

/// Most records an operator may keep per plugin (`--invocations-kept-per-plugin`): with the
/// log-bytes cap per record, this bounds one plugin's log to a few GB.
pub const MAX_INVOCATIONS_KEPT_PER_PLUGIN: u64 = 1_000_000;

/// Body of a dry run.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DryRun {
    /// The interface to call; the version must export it.
    pub interface: Interface,
    /// `{"fields": [..]}`, `{"request": {..}}` or `{"hook": .., "event": {..}}`.
    pub input: Value,
    /// The settings the plugin reads, as a binding would give them (empty when absent).
    #[serde(default)]
    pub settings: Option<Value>,
}

/// The report of a call, with the id of its invocation record.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// The id of the call's record in the invocation log.
    pub invocation_id: String,
    /// The plugin called.
    pub plugin_id: String,
    /// The version that ran.
    pub version: u32,
    /// What the call did: outcome, result, error, logs, fuel and duration (shown inline).
    #[serde(flatten)]
    pub report: Report,
}

/// A call made through a binding, and what it means for the caller's request.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BindingRun {
    /// The binding the call went through.
    pub binding_id: String,
    /// The binding's failure policy, which decided `passed` when the plugin failed.
    pub failure_policy: FailurePolicy,
    /// True when the request may go on: the plugin accepted (`ok`), or it failed and the
    /// binding fails open. A refusal (`denied`) never passes.
    pub passed: bool,
    /// The call's report (shown inline).
    #[serde(flatten)]
    pub run: RunReport,
}

fn function_name(interface: Interface, input: &CallInput) -> String {
    match interface {
        Interface::FieldValidator => "validate".into(),
        Interface::SignupPolicy => signup_function(input.json().unwrap_or(&Value::Null)).into(),
        Interface::LifecycleHooks => input
            .json()
            .and_then(|i| i.get("hook"))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string(),
    }
}

/// A plugin's log is pruned back to its maximum once it holds this fraction of the maximum more
/// (at least one record): one scan and a run of adjacent deletes every `kept / 10` calls. Pruning
/// on every call (one scan over the batch's pending changes and one delete per call) cost ~14%
/// of the validated `updateUser` throughput (docs/performance.md).
const PRUNE_SLACK_DIVISOR: u64 = 10;

/// Most records one call deletes from its plugin's log: bounds the work of one write when an
/// operator lowers `--invocations-kept-per-plugin` a lot (the log then shrinks over later calls).
pub const MAX_PRUNED_PER_CALL: u64 = 1_000;

/// Adds `record` to its plugin's log and counts it; once the plugin's log holds more than `kept`
/// plus the slack, deletes its oldest records down to `kept` (the log is in time order: record
/// ids are time-ordered).
pub fn log_invocation(
    tx: &mut (impl PluginWrites + ?Sized),
    tenant_id: &str,
    record: &InvocationRecord,
    kept: u64,
) -> StorageResult<()> {
    let plugin_id = &record.plugin_id;
    tx.insert_plugin_invocation(tenant_id, record)?;
    let logged = load_counters(tx, tenant_id, plugin_id)?.logged + 1;
    let slack = (kept / PRUNE_SLACK_DIVISOR).max(1);
    let mut pruned = 0;
    if logged > kept.saturating_add(slack) {
        let excess = (logged - kept).min(MAX_PRUNED_PER_CALL);
        pruned = tx.delete_oldest_plugin_invocations(tenant_id, plugin_id, excess, kept)?;
    }
    let logged_change = 1 - i64::try_from(pruned).unwrap_or(i64::MAX);
    tx.count_plugin_call(tenant_id, plugin_id, record.outcome, logged_change)
}

/// What a failed `PluginRuntime::invoke` (nothing ran) answers.
fn invoke_error(e: InvokeError) -> DomainError {
    match e {
        InvokeError::BadInput(message) => DomainError::bad_request("invalid_input", message),
        InvokeError::NotExported(_) => {
            DomainError::bad_request("interface_not_exported", e.to_string())
        }
        InvokeError::NotLoaded => DomainError::Internal(e.to_string()),
        InvokeError::NoInstanceSlot => DomainError::Unavailable {
            code: "plugin_capacity",
            message: e.to_string(),
            retry_after_seconds: RETRY_AFTER_SECONDS,
        },
    }
}

impl Plugins {
    /// Runs one version on `input` and records the invocation. Every outcome (limits included)
    /// is `Ok`; errors mean nothing ran (bad input, interface not exported).
    #[allow(clippy::too_many_arguments)] // each is a distinct part of the call's identity
    pub(crate) fn run_plugin_version(
        &self,
        tenant: &Tenant,
        plugin: &PluginRecord,
        version: &VersionRecord,
        binding_id: Option<&str>,
        interface: Interface,
        input: CallInput,
        settings: &Value,
    ) -> DomainResult<RunReport> {
        let function = function_name(interface, &input);
        let call = self.plugin_call(tenant, interface, input, settings)?;
        let report = self.invoke_in_turn(&tenant.id, &version.sha256, call)?;
        let record = InvocationRecord {
            id: new_id(),
            plugin_id: plugin.id.clone(),
            plugin_name: plugin.name.clone(),
            version: version.version,
            binding_id: binding_id.map(str::to_string),
            interface,
            function,
            outcome: report.outcome,
            error: report.error.clone(),
            fuel_used: report.fuel_used,
            duration_us: report.duration_us,
            logs: report.logs.clone(),
            at: self.ctx.now(),
        };
        super::call_metrics::record_call(&tenant.namespace, &plugin.name, &report);
        let invocation_id = record.id.clone();
        self.log_with_next_commit(&tenant.id, record)?;
        Ok(RunReport {
            invocation_id,
            plugin_id: plugin.id.clone(),
            version: version.version,
            report,
        })
    }

    /// A call of `interface` on `input` with `settings`, under the tenant's limits (cached until
    /// the configuration changes) and with look-ups scoped to the tenant.
    fn plugin_call(
        &self,
        tenant: &Tenant,
        interface: Interface,
        input: CallInput,
        settings: &Value,
    ) -> DomainResult<Call> {
        let limits = *self
            .ctx
            .store
            .config_cached(&format!("plugin-limits/{}", tenant.id), |tx| {
                tenant_limits(tx, &tenant.id)
            })?;
        Ok(Call {
            interface,
            input,
            settings: settings.to_string(),
            limits,
            lookups: Arc::new(TenantLookups {
                store: self.ctx.store.clone(),
                tenant_id: tenant.id.clone(),
            }),
        })
    }

    /// Runs `call` on the version `sha256`, kept loaded for the call, in the tenant's turn at a
    /// plugin slot.
    fn invoke_in_turn(&self, tenant_id: &str, sha256: &str, call: Call) -> DomainResult<Report> {
        let pinned = self.pin_plugin_version(tenant_id, sha256)?;
        // The tenant's turn at a plugin slot; a slot that does not come in time is the host's
        // capacity, not a failure of the plugin (no failure policy applies: 503).
        let slot = self
            .admission
            .plugin_calls
            .acquire_blocking(tenant_id, self.admission.plugin_queue_wait)
            .map_err(|busy| DomainError::busy("plugin_capacity", busy.gate, busy.waited))?;
        let report = self
            .plugin_runtime
            .invoke(sha256, call)
            .map_err(invoke_error)?;
        drop(slot);
        drop(pinned);
        Ok(report)
    }

    /// Adds `record` to its plugin's log with the request's own commit (or at its end), so it
    /// is durable before the answer.
    fn log_with_next_commit(&self, tenant_id: &str, record: InvocationRecord) -> DomainResult<()> {
        let (tenant_id, kept) = (tenant_id.to_string(), self.invocations_kept_per_plugin);
        let scope = WriteScope::Tenant(&tenant_id);
        let write = {
            let tenant_id = tenant_id.clone();
            Box::new(move |tx: &mut dyn WriteTransaction| {
                log_invocation(tx, &tenant_id, &record, kept)
            })
        };
        self.ctx.store.write_with_next_commit(scope, write)?;
        Ok(())
    }

    /// Runs a version on a sample input (`POST .../versions/{v}/dry-run`).
    pub fn dry_run_plugin(
        &self,
        tenant: &Tenant,
        plugin: &str,
        version: u32,
        dry: DryRun,
    ) -> DomainResult<RunReport> {
        let (plugin, version) = {
            let tx = self.ctx.store.read()?;
            let plugin = resolve_plugin(&*tx, &tenant.id, plugin)?;
            let version = load_version(&*tx, &tenant.id, &plugin.id, version)?;
            (plugin, version)
        };
        let settings = dry
            .settings
            .unwrap_or_else(|| Value::Object(Default::default()));
        self.run_plugin_version(
            tenant,
            &plugin,
            &version,
            None,
            dry.interface,
            CallInput::Json(dry.input),
            &settings,
        )
    }

    fn run_binding(
        &self,
        tenant: &Tenant,
        binding: &Binding,
        input: Value,
    ) -> DomainResult<BindingRun> {
        let (plugin, version) = {
            let tx = self.ctx.store.read()?;
            let plugin = resolve_plugin(&*tx, &tenant.id, &binding.plugin_id)?;
            let version = load_version(
                &*tx,
                &tenant.id,
                &plugin.id,
                bound_version(binding, &plugin)?,
            )?;
            (plugin, version)
        };
        let run = self.run_plugin_version(
            tenant,
            &plugin,
            &version,
            Some(&binding.id),
            binding.interface,
            CallInput::Json(input),
            &binding.settings,
        )?;
        let passed = match run.report.outcome {
            Outcome::Ok => true,
            Outcome::Denied => false,
            _ => binding.failure_policy == FailurePolicy::FailOpen,
        };
        Ok(BindingRun {
            binding_id: binding.id.clone(),
            failure_policy: binding.failure_policy,
            passed,
            run,
        })
    }

    /// Runs one binding on `input` (`POST /plugin-bindings/{id}/invoke`).
    pub fn invoke_plugin_binding(
        &self,
        tenant: &Tenant,
        binding_id: &str,
        input: Value,
    ) -> DomainResult<BindingRun> {
        let binding = load_binding(&*self.ctx.store.read()?, &tenant.id, binding_id)?;
        self.run_binding(tenant, &binding, input)
    }

    /// Runs every enabled binding of `interface` whose target is `target` or `*`, in creation
    /// order, each on a fresh instance. This is the entry point for the features that consult
    /// plugins (forms: field validators; portal: signup policies and lifecycle hooks): the
    /// caller reads each run's `passed` and `result`.
    pub fn run_plugin_bindings(
        &self,
        tenant: &Tenant,
        interface: Interface,
        target: &str,
        input: &Value,
    ) -> DomainResult<Vec<BindingRun>> {
        let bindings: Vec<Binding> = self
            .ctx
            .store
            .read()?
            .enabled_plugin_bindings(&tenant.id, interface)?
            .into_iter()
            .filter(|b| b.target == target || b.target == ANY_TARGET)
            .collect();
        bindings
            .iter()
            .map(|b| self.run_binding(tenant, b, input.clone()))
            .collect()
    }

    /// The invocation log of the tenant (every plugin), or of one plugin, oldest first.
    pub fn list_plugin_invocations(
        &self,
        tenant: &Tenant,
        plugin: Option<&str>,
        page: &PageRequest,
    ) -> DomainResult<Page<InvocationRecord>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let plugin_ids = match plugin {
            Some(p) => vec![resolve_plugin(&*tx, &tenant.id, p)?.id],
            None => tx
                .plugins_after(&tenant.id, None, usize::MAX)?
                .into_iter()
                .map(|p| p.id)
                .collect(),
        };
        // Each plugin's log is in time order (time-ordered ids); the tenant's log merges them.
        // The cursor is the last invocation id shown.
        let mut fetched = Vec::new();
        for plugin_id in plugin_ids {
            let records = tx.plugin_invocations_after(
                &tenant.id,
                &plugin_id,
                page.cursor.as_deref(),
                size + 1,
            )?;
            fetched.extend(records.into_iter().map(|r| (r.id.clone(), r)));
        }
        fetched.sort_by(|a, b| a.0.cmp(&b.0));
        fetched.truncate(size + 1);
        Ok(Page::from_fetched(fetched, size))
    }
}
