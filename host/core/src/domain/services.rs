//! The services the rules are grouped in, one per aggregate, and what they share. Each holds
//! the shared `Context` and the services it uses; the uses run one way (below, each service
//! uses only those listed before it), so no rule of a lower service can call a higher one:
//!
//! plugins -> tenants (plugins) -> notifications -> forms (plugins) -> hooks (plugins)
//! -> users (tenants, hooks) -> profiles (hooks) -> portal (tenants, plugins, hooks).
//!
//! Below every service sit the aggregates' records: functions over a transaction with the record
//! and view types (`users::records`, `users::memberships`, `users::identity_links`,
//! `users::reset_codes`, `users::views`, `portal::profiles::records`, `portal::sessions::tokens`,
//! `portal::signup::links`). They import no service, so a service keeps another aggregate's
//! records consistent in its own transaction (deleting a user unlinks its profile and ends its
//! sessions) through those records, never through that aggregate's service.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use portico_admission::Admission;

use super::plugins::residency::Residency;
use crate::clock::Clock;
use crate::plugins::PluginRuntime;
use crate::storage::Storage;

/// What every service shares.
pub struct Context {
    /// The store every rule reads and writes.
    pub(crate) store: Arc<dyn Storage>,
    /// Base URL under which Portico is reachable, for links sent to users.
    pub(crate) public_url: String,
    /// Where every rule and timestamp reads the time.
    pub(crate) clock: Arc<dyn Clock>,
}

impl Context {
    /// The current time on the rules' clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// Plugins: the registry (uploads, versions, activation), bindings, limits, loading and the
/// calls with their invocation log.
pub struct Plugins {
    pub(crate) ctx: Arc<Context>,
    /// The plugin runtime.
    pub(crate) plugin_runtime: Arc<dyn PluginRuntime>,
    /// Which loaded versions stay in memory (least recently used go first).
    pub(crate) plugin_residency: Residency,
    /// Most records kept in each plugin's invocation log (the oldest go first).
    pub(crate) invocations_kept_per_plugin: u64,
    /// Each tenant's share of plugin calls and compiles.
    pub(crate) admission: Admission,
}

/// Tenants: their settings, API keys and the operator token.
pub struct Tenants {
    pub(crate) ctx: Arc<Context>,
    pub(crate) plugins: Arc<Plugins>,
}

/// The notifications outbox, as integrators read and acknowledge it.
pub struct Notifications {
    pub(crate) ctx: Arc<Context>,
}

/// Forms: their definitions and the form data of users and profiles.
pub struct Forms {
    pub(crate) ctx: Arc<Context>,
    pub(crate) plugins: Arc<Plugins>,
}

/// Users: internal and portal users with their groups, identity-provider links, passwords and
/// endpoint configurations.
pub struct Users {
    pub(crate) ctx: Arc<Context>,
    pub(crate) tenants: Arc<Tenants>,
    /// Runs `before-update-user` around a portal user's update.
    pub(crate) hooks: Arc<Hooks>,
}

/// Lifecycle hooks: the before-hooks run inside an operation, the after-hook deliveries.
pub struct Hooks {
    pub(crate) ctx: Arc<Context>,
    pub(crate) plugins: Arc<Plugins>,
    /// Names this host process in the leases it takes on due after-hook events (a fresh id
    /// per start), so hosts sharing a store never deliver the same event at once.
    pub(crate) lease_holder: String,
}

/// External-user profiles, their links to users and their blocking.
pub struct Profiles {
    pub(crate) ctx: Arc<Context>,
    pub(crate) hooks: Arc<Hooks>,
}

/// The portal: its settings and pages, access, signup links and registration, sessions and
/// lockout, and the signed-in user's own operations.
pub struct Portal {
    pub(crate) ctx: Arc<Context>,
    pub(crate) tenants: Arc<Tenants>,
    pub(crate) plugins: Arc<Plugins>,
    pub(crate) hooks: Arc<Hooks>,
}
