//! The rules of Portico: tenants, internal users, groups, identity providers, passwords, the
//! notifications outbox, the portal, forms and plugins. Operations are synchronous (they run on
//! blocking threads) and each one commits its changes, indexes included, in a single write
//! transaction of the storage port (`crate::storage::Storage`).

pub mod app_tokens;
pub mod auth_providers;
pub mod delivery;
mod endpoint_config;
mod error;
pub mod forms;
mod groups;
mod identity_providers;
pub mod ids;
pub mod mail_sender;
pub mod mail_templates;
pub mod notifications;
pub mod origins;
mod page;
pub mod page_links;
mod passwords;
pub mod plugins;
pub mod portal;
mod retention;
pub mod secrets;
pub mod services;
mod tenants;
mod users;

use std::sync::Arc;

use crate::storage::Storage;
pub use crate::storage::{DeliveryBacklog, Durability, QueueBacklog, StorageStats};

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::emails::email_skeleton;
pub use app_tokens::{AppToken, AppTokenId, CreatedAppToken};
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
pub use portal::sessions::{
    ActiveSession, DeviceInfo, PortalSession, SessionMeta, SessionOrigin, SessionTokens,
};
pub use portal::signup::{SignupInfo, SignupUrl, SignupUrlOptions};
pub use portal::{PortalPage, PortalPagePatch, PortalSettingsPatch, PortalSettingsView};
pub use tenants::{ApiKey, CreatedApiKey, Tenant, TenantSettings, TenantSettingsPatch};
pub use users::{NewUser, NewUserAuth, UserFilter, UserKind, UserPatch, UserStatus, UserView};

use portico_admission::Admission;
pub use services::{
    Context, Forms, Hooks, Notifications, Plugins, Portal, Profiles, Tenants, Users,
};

/// The rules over one store: a service per aggregate (`services`), built together.
pub struct Domain {
    settings: Settings,
    /// Tenants, their settings and keys.
    pub tenants: Arc<Tenants>,
    /// Users with their groups, identity links and passwords.
    pub users: Arc<Users>,
    /// The notifications outbox.
    pub notifications: Arc<Notifications>,
    /// Forms and form data.
    pub forms: Arc<Forms>,
    /// The plugin registry, bindings, limits and calls.
    pub plugins: Arc<Plugins>,
    /// Lifecycle hooks and their deliveries.
    pub hooks: Arc<Hooks>,
    /// External-user profiles.
    pub profiles: Arc<Profiles>,
    /// The portal.
    pub portal: Arc<Portal>,
    /// Auth providers (OneEntry's sign-up and sign-in settings).
    pub auth_providers: Arc<auth_providers::AuthProviders>,
}

/// What the services are built from.
#[derive(Clone)]
struct Settings {
    store: Arc<dyn Storage>,
    public_url: String,
    plugin_runtime: Arc<dyn plugins::PluginRuntime>,
    resident_plugin_versions: usize,
    invocations_kept_per_plugin: u64,
    admission: Admission,
    clock: Arc<dyn Clock>,
}

impl Domain {
    /// The rules over `store`, building the links sent to users on `public_url` (a trailing `/`
    /// dropped); plugins are disabled and the time is the system's until set otherwise.
    pub fn new(store: Arc<dyn Storage>, public_url: String) -> Domain {
        Domain::build(Settings {
            store,
            public_url: public_url.trim_end_matches('/').to_string(),
            plugin_runtime: Arc::new(plugins::Disabled),
            resident_plugin_versions: plugins::DEFAULT_RESIDENT_PLUGIN_VERSIONS,
            invocations_kept_per_plugin: plugins::DEFAULT_INVOCATIONS_KEPT_PER_PLUGIN,
            admission: Admission::default(),
            clock: Arc::new(SystemClock),
        })
    }

    /// Builds every service, each given the ones it uses (see `services`).
    fn build(settings: Settings) -> Domain {
        let ctx = Arc::new(Context {
            store: settings.store.clone(),
            public_url: settings.public_url.clone(),
            clock: settings.clock.clone(),
        });
        let plugins = Arc::new(Plugins {
            ctx: ctx.clone(),
            plugin_runtime: settings.plugin_runtime.clone(),
            plugin_residency: plugins::Residency::new(settings.resident_plugin_versions),
            invocations_kept_per_plugin: settings.invocations_kept_per_plugin,
            admission: settings.admission.clone(),
        });
        let tenants = Arc::new(Tenants {
            ctx: ctx.clone(),
            plugins: plugins.clone(),
        });
        let hooks = Arc::new(Hooks {
            ctx: ctx.clone(),
            plugins: plugins.clone(),
            lease_holder: ids::new_id(),
        });
        Domain {
            auth_providers: Arc::new(auth_providers::AuthProviders { ctx: ctx.clone() }),
            notifications: Arc::new(Notifications { ctx: ctx.clone() }),
            forms: Arc::new(Forms {
                ctx: ctx.clone(),
                plugins: plugins.clone(),
            }),
            users: Arc::new(Users {
                ctx: ctx.clone(),
                tenants: tenants.clone(),
                hooks: hooks.clone(),
            }),
            profiles: Arc::new(Profiles {
                ctx: ctx.clone(),
                hooks: hooks.clone(),
            }),
            portal: Arc::new(Portal {
                ctx,
                tenants: tenants.clone(),
                plugins: plugins.clone(),
                hooks: hooks.clone(),
            }),
            tenants,
            plugins,
            hooks,
            settings,
        }
    }

    /// The same rules with `change` made to their settings.
    fn rebuilt(mut self, change: impl FnOnce(&mut Settings)) -> Domain {
        change(&mut self.settings);
        Domain::build(self.settings)
    }

    /// The same domain reading the time from `clock` (tests move a `ManualClock` instead of
    /// sleeping).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Domain {
        self.rebuilt(|s| s.clock = clock)
    }

    /// The clock every expiry, lockout, retention and retry rule reads.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.settings.clock
    }

    /// The same domain dividing plugin calls, compiles and operation threads by `admission`.
    pub fn with_admission(self, admission: Admission) -> Domain {
        self.rebuilt(|s| s.admission = admission)
    }

    /// The gates that divide the process's resources between tenants.
    pub fn admission(&self) -> &Admission {
        &self.settings.admission
    }

    /// The same domain keeping at most `records` in each plugin's invocation log (at least 1,
    /// at most `plugins::MAX_INVOCATIONS_KEPT_PER_PLUGIN`).
    pub fn with_invocations_kept_per_plugin(self, records: u64) -> Domain {
        let records = records.clamp(1, plugins::MAX_INVOCATIONS_KEPT_PER_PLUGIN);
        self.rebuilt(|s| s.invocations_kept_per_plugin = records)
    }

    /// The same domain keeping at most `versions` plugin versions loaded at once.
    pub fn with_resident_plugin_versions(self, versions: usize) -> Domain {
        self.rebuilt(|s| s.resident_plugin_versions = versions)
    }

    /// The same domain running plugins on `runtime`.
    pub fn with_plugin_runtime(self, runtime: Arc<dyn plugins::PluginRuntime>) -> Domain {
        self.rebuilt(|s| s.plugin_runtime = runtime)
    }

    /// The plugin runtime.
    pub fn plugin_runtime(&self) -> &Arc<dyn plugins::PluginRuntime> {
        &self.settings.plugin_runtime
    }

    /// The base URL of the links Portico builds (no trailing `/`).
    pub fn public_url(&self) -> &str {
        &self.settings.public_url
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Storage> {
        &self.settings.store
    }

    /// Runs `op` with the durability of its commits deferred to the returned `Durability`,
    /// which the caller waits for before answering: the thread is free while the batch commits.
    pub fn deferring<R>(&self, op: impl FnOnce(&Domain) -> R) -> (R, Durability) {
        self.settings.store.deferring(|| op(self))
    }

    /// How writes are committed and how many since start (operator diagnostics).
    pub fn storage_stats(&self) -> StorageStats {
        self.settings.store.stats()
    }

    /// The mail outbox's and the after-hook deliveries' backlogs across every tenant
    /// (operator diagnostics).
    pub fn delivery_backlog(&self) -> DomainResult<DeliveryBacklog> {
        Ok(self.settings.store.delivery_backlog()?)
    }
}
