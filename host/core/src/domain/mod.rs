//! The rules of Portico: tenants, internal users, groups, identity providers, passwords, the
//! notifications outbox, the portal, forms and plugins. Operations are synchronous (they run on
//! blocking threads) and each one commits its changes, indexes included, in a single write
//! transaction of the storage port (`crate::storage::Storage`).

mod endpoint_config;
mod error;
pub mod forms;
mod groups;
mod identity_providers;
pub mod ids;
pub mod notifications;
mod page;
mod passwords;
pub mod plugins;
pub mod portal;
mod retention;
pub mod secrets;
mod tenants;
mod users;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::storage::Storage;
pub use crate::storage::{Durability, StorageStats};

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::emails::email_skeleton;
pub use endpoint_config::MAX_ENDPOINT_CONFIG_BYTES;
pub use error::{DomainError, DomainResult};
pub use groups::{Group, GroupRef, NewGroup};
pub use identity_providers::{IdentityProvider, NewIdentityProvider};
pub use notifications::Notification;
pub use page::{Page, PageRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use passwords::{PasswordResetInfo, ResetPasswordResult, UpdatePasswordResult};
pub use portal::access::OAuthCredentials;
pub use portal::hooks::{DeliveryStatus, DueHook, HookDelivery, Lifecycle};
pub use portal::me::{AuthDatum, NotificationData, UpdateUserBody};
pub use portal::profiles::{Profile, ProfileInput};
pub use portal::registration::Registration;
pub use portal::sessions::{PortalSession, SessionTokens};
pub use portal::signup::{SignupInfo, SignupUrl, SignupUrlOptions};
pub use portal::{PortalPage, PortalPagePatch, PortalSettingsPatch, PortalSettingsView};
pub use tenants::{ApiKey, CreatedApiKey, Tenant, TenantSettings, TenantSettingsPatch};
pub use users::{NewUser, NewUserAuth, UserFilter, UserKind, UserPatch, UserStatus, UserView};

use portico_admission::Admission;

/// The domain services over one store.
pub struct Domain {
    store: Arc<dyn Storage>,
    /// Base URL under which Portico is reachable, for links sent to users.
    public_url: String,
    /// The plugin runtime (`plugins::Disabled` until `with_plugin_runtime`).
    plugin_runtime: Arc<dyn plugins::PluginRuntime>,
    /// Which loaded versions stay in memory (least recently used go first).
    plugin_residency: plugins::Residency,
    /// Most records kept in each plugin's invocation log (the oldest go first).
    invocations_kept_per_plugin: u64,
    /// Each tenant's share of plugin calls, compiles and operation threads.
    admission: Admission,
    /// Where every rule and timestamp reads the time (`SystemClock` until `with_clock`).
    clock: Arc<dyn Clock>,
}

impl Domain {
    /// The rules over `store`, building the links sent to users on `public_url` (a trailing `/`
    /// dropped); plugins are disabled and the time is the system's until set otherwise.
    pub fn new(store: Arc<dyn Storage>, public_url: String) -> Domain {
        Domain {
            store,
            public_url: public_url.trim_end_matches('/').to_string(),
            plugin_runtime: Arc::new(plugins::Disabled),
            plugin_residency: plugins::Residency::new(plugins::DEFAULT_RESIDENT_PLUGIN_VERSIONS),
            invocations_kept_per_plugin: plugins::DEFAULT_INVOCATIONS_KEPT_PER_PLUGIN,
            admission: Admission::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same domain reading the time from `clock` (tests move a `ManualClock` instead of
    /// sleeping).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Domain {
        self.clock = clock;
        self
    }

    /// The clock every expiry, lockout, retention and retry rule reads.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The current time on the domain's clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The same domain dividing plugin calls, compiles and operation threads by `admission`.
    pub fn with_admission(mut self, admission: Admission) -> Domain {
        self.admission = admission;
        self
    }

    /// The gates that divide the process's resources between tenants.
    pub fn admission(&self) -> &Admission {
        &self.admission
    }

    /// The same domain keeping at most `records` in each plugin's invocation log (at least 1,
    /// at most `plugins::MAX_INVOCATIONS_KEPT_PER_PLUGIN`).
    pub fn with_invocations_kept_per_plugin(mut self, records: u64) -> Domain {
        self.invocations_kept_per_plugin =
            records.clamp(1, plugins::MAX_INVOCATIONS_KEPT_PER_PLUGIN);
        self
    }

    /// The same domain keeping at most `versions` plugin versions loaded at once.
    pub fn with_resident_plugin_versions(mut self, versions: usize) -> Domain {
        self.plugin_residency = plugins::Residency::new(versions);
        self
    }

    /// The same domain running plugins on `runtime`.
    pub fn with_plugin_runtime(mut self, runtime: Arc<dyn plugins::PluginRuntime>) -> Domain {
        self.plugin_runtime = runtime;
        self
    }

    /// The plugin runtime.
    pub fn plugin_runtime(&self) -> &Arc<dyn plugins::PluginRuntime> {
        &self.plugin_runtime
    }

    /// The store, for components (the plugin registry) that keep their own tables.
    pub fn store(&self) -> &Arc<dyn Storage> {
        &self.store
    }

    /// Runs `op` with the durability of its commits deferred to the returned `Durability`,
    /// which the caller waits for before answering (see `store::deferral`): the thread is free
    /// while the batch commits.
    pub fn deferring<R>(&self, op: impl FnOnce(&Domain) -> R) -> (R, Durability) {
        self.store.deferring(|| op(self))
    }

    /// How writes are committed and how many since start (operator diagnostics).
    pub fn storage_stats(&self) -> StorageStats {
        self.store.stats()
    }
}
