//! Plugins of a tenant as stored: the plugin and its uploaded versions, the bindings that put
//! them to use, the record of each call and the per-plugin call counters. (The plugin runtime's
//! port and the types of a call are in `plugins`.)

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plugins::{Interface, Outcome};

/// A plugin: a name (unique in the tenant) and its versions, one of which is active.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PluginRecord {
    /// The plugin's id.
    pub id: String,
    /// Its name, unique in the tenant.
    pub name: String,
    /// The version bindings use unless they pin one; none until one is activated.
    pub active_version: Option<u32>,
    /// The number of the last version uploaded (versions are numbered from 1).
    pub latest_version: u32,
    /// Versions active before the current one, most recent last (what rollback returns to).
    #[serde(default)]
    pub activation_history: Vec<u32>,
    /// When the plugin was created.
    pub created_at: DateTime<Utc>,
    /// When the plugin last changed.
    pub updated_at: DateTime<Utc>,
}

/// One uploaded version of a plugin.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VersionRecord {
    /// The plugin's id.
    pub plugin_id: String,
    /// The version's number, unique in its plugin.
    pub version: u32,
    /// The sha256 of the component's bytes (hex): the component stored for the tenant.
    pub sha256: String,
    /// Bytes of the component.
    pub size: u64,
    /// The Portico interfaces the component exports (what it may be bound to).
    pub exports: Vec<Interface>,
    /// Bytes of its compiled artifact (0 in records from before it was kept).
    #[serde(default)]
    pub compiled_size: u64,
    /// When the version was uploaded.
    pub created_at: DateTime<Utc>,
}

/// What happens to the caller's request when the plugin fails (trap, limit, bad output).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FailurePolicy {
    /// The request is refused (the default: a broken validator does not let data through).
    #[default]
    FailClosed,
    /// The request goes on as if the plugin had accepted.
    FailOpen,
}

/// A binding: which plugin serves which interface for which target, with its settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// The binding's id (ids are time-ordered: id order is creation order).
    pub id: String,
    /// The plugin it calls.
    pub plugin_id: String,
    /// The interface it serves.
    pub interface: Interface,
    /// What the binding applies to, e.g. a form identifier; `*` for everything.
    pub target: String,
    /// A pinned version; none follows the plugin's active version.
    pub version: Option<u32>,
    /// Settings given to the plugin (`host.settings()`), a JSON object.
    pub settings: Value,
    /// What a failure of the plugin means for the caller's request.
    pub failure_policy: FailurePolicy,
    /// Whether the binding is consulted.
    pub enabled: bool,
    /// When the binding was created.
    pub created_at: DateTime<Utc>,
    /// When the binding last changed.
    pub updated_at: DateTime<Utc>,
}

/// One recorded call of a plugin, in its plugin's invocation log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvocationRecord {
    /// The record's id (time-ordered: a plugin's log is in id order, oldest first).
    pub id: String,
    /// The plugin called.
    pub plugin_id: String,
    /// Its name at the time of the call.
    pub plugin_name: String,
    /// The version called.
    pub version: u32,
    /// The binding that made the call; none for a dry run.
    pub binding_id: Option<String>,
    /// The interface called.
    pub interface: Interface,
    /// The function called: `validate`, `decide` or the hook's name.
    pub function: String,
    /// How the call ended.
    pub outcome: Outcome,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// Fuel the call used.
    pub fuel_used: u64,
    /// How long the call took, in microseconds.
    pub duration_us: u64,
    /// What the plugin logged (capped).
    pub logs: String,
    /// When the call was made.
    pub at: DateTime<Utc>,
}

/// Calls of one plugin, in total and by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// Every call counted.
    pub total: u64,
    /// Calls by outcome.
    pub by_outcome: ByOutcome,
    /// Records of this plugin in the invocation log now: the server's
    /// `--invocations-kept-per-plugin` and up to a tenth more, the oldest deleted first. Records
    /// written before this count existed are not in it (0 in their counters), so such a log
    /// keeps them on top of the maximum until pruning reaches them.
    #[serde(default)]
    pub logged: u64,
}

/// Calls by outcome, one field per `Outcome` named as `Outcome::name` (`ok`, `denied`, `trap`,
/// `out_of_fuel`, `deadline`, `memory`, `bad_output`), every one always present. Stored as the
/// JSON object it always was (records written as a map with some keys missing read as 0): a
/// struct, so that counting a call decodes and encodes no map of strings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ByOutcome {
    /// Calls that answered `ok`.
    pub ok: u64,
    /// Calls that refused (`denied`).
    pub denied: u64,
    /// Calls that trapped.
    pub trap: u64,
    /// Calls that ran out of fuel.
    pub out_of_fuel: u64,
    /// Calls that passed their deadline.
    pub deadline: u64,
    /// Calls that went past their memory limit.
    pub memory: u64,
    /// Calls whose answer did not decode.
    pub bad_output: u64,
}

impl ByOutcome {
    /// The counter of one outcome.
    pub fn get_mut(&mut self, outcome: Outcome) -> &mut u64 {
        match outcome {
            Outcome::Ok => &mut self.ok,
            Outcome::Denied => &mut self.denied,
            Outcome::Trap => &mut self.trap,
            Outcome::OutOfFuel => &mut self.out_of_fuel,
            Outcome::Deadline => &mut self.deadline,
            Outcome::Memory => &mut self.memory,
            Outcome::BadOutput => &mut self.bad_output,
        }
    }
}

impl Counters {
    /// Counts one call whose record was just added to the log.
    pub fn count(&mut self, outcome: Outcome) {
        self.total += 1;
        *self.by_outcome.get_mut(outcome) += 1;
        self.logged += 1;
    }
}
