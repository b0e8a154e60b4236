//! The redb tables. Tenant-scoped tables are keyed by `(tenant_id, key)` so every record of a
//! tenant sorts together and a tenant can be removed with one range delete per table.

use redb::TableDefinition;

/// Key of a tenant-scoped table: `(tenant_id, key within the tenant)`.
pub(crate) type ScopedKey = (&'static str, &'static str);
/// Definition of a tenant-scoped table; values are JSON documents.
pub(crate) type ScopedDef = TableDefinition<'static, ScopedKey, &'static [u8]>;
/// Definition of a system table (not owned by a tenant); values are JSON documents.
pub(crate) type SystemDef = TableDefinition<'static, &'static str, &'static [u8]>;

/// Tables whose keys all start with a tenant id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    /// Tenant API keys by the SHA-256 of their secret.
    ApiKeys,
    /// Tenant app tokens (the `x-app-token` of browser apps) by the SHA-256 of their secret.
    AppTokens,
    /// Tenant settings (one record, key `settings`).
    TenantSettings,
    /// Internal users by id.
    Users,
    /// Index: normalised email -> user id.
    UserEmails,
    /// Index: confusable skeleton of a normalised email -> user id (`domain::emails`).
    UserEmailSkeletons,
    /// Groups by id.
    Groups,
    /// Index: group name -> group id.
    GroupNames,
    /// Identity providers by id.
    IdentityProviders,
    /// Index: provider name -> provider id.
    IdentityProviderNames,
    /// Index: `provider_id \u{1f} external_id` -> user id.
    IdentityLinks,
    /// Password reset codes by the SHA-256 of the code.
    ResetCodes,
    /// Per-user endpoint configuration: `user_id \u{1f} endpoint` -> JSON.
    EndpointConfigs,
    /// Notifications outbox by id (time-ordered ids).
    Notifications,
    /// External-user profiles by id.
    Profiles,
    /// Index: user id -> the profile linked to that user.
    ProfileByUser,
    /// The tenant's portal settings (one record, key `settings`).
    PortalSettings,
    /// Portal pages by code.
    PortalPages,
    /// Signup links by the SHA-256 of their token.
    SignupLinks,
    /// Index: `profile_id \u{1f} link digest` -> (), a profile's signup links.
    ProfileSignupLinks,
    /// Portal sessions by the SHA-256 of the access or refresh token.
    Sessions,
    /// Index: `user_id \u{1f} token digest` -> (), a user's live session tokens.
    UserSessions,
    /// Failed sign-in counters and lockouts by normalised email.
    SignInAttempts,
    /// Index: `last failure (microseconds, 20 digits) \u{1f} email` -> (), the emails with
    /// failed sign-ins in time order (the oldest are forgotten first).
    SignInAttemptTimes,
    /// Queued after-hook events by id (time-ordered), with their delivery state.
    HookDeliveries,
    /// Plugins by id.
    Plugins,
    /// Index: plugin name -> plugin id.
    PluginNames,
    /// Plugin versions: `plugin_id \u{1f} version (10 digits)` -> version record.
    PluginVersions,
    /// Uploaded component bytes by sha256, kept to recompile after an engine upgrade (as they
    /// are; a JSON string of their base64 in rows written before schema 3).
    PluginComponents,
    /// Plugin bindings by id.
    PluginBindings,
    /// Invocation log: `plugin_id \u{1f} invocation id (time-ordered)` -> record.
    PluginInvocations,
    /// Per-plugin invocation counters by plugin id.
    PluginCounters,
    /// The tenant's plugin limit overrides (one record, key `limits`).
    PluginLimits,
    /// Forms by text identifier.
    Forms,
    /// Form data: `owner (user:<id> | profile:<id>) \u{1f} form identifier \u{1f} lang code` -> fields.
    FormData,
    /// The last number handed out per numbered kind of record (`NumberSequence::name` -> u64).
    RecordNumbers,
    /// Auth providers by marker (configuration: every OneEntry sign-in reads them).
    AuthProviders,
    /// One-time codes of portal users: `user_id \u{1f} event` -> the code's keyed digest,
    /// expiry, failed attempts and sending time.
    UserCodes,
    /// A tenant's own mail templates: `kind \u{1f} lang` -> its subject, text and HTML
    /// templates.
    MailTemplates,
}

impl Table {
    /// Every tenant-scoped table, so tenant removal and start-up cover all of them.
    pub const ALL: &'static [Table] = &[
        Table::ApiKeys,
        Table::AppTokens,
        Table::TenantSettings,
        Table::Users,
        Table::UserEmails,
        Table::UserEmailSkeletons,
        Table::Groups,
        Table::GroupNames,
        Table::IdentityProviders,
        Table::IdentityProviderNames,
        Table::IdentityLinks,
        Table::ResetCodes,
        Table::EndpointConfigs,
        Table::Notifications,
        Table::Profiles,
        Table::ProfileByUser,
        Table::PortalSettings,
        Table::PortalPages,
        Table::SignupLinks,
        Table::ProfileSignupLinks,
        Table::Sessions,
        Table::UserSessions,
        Table::SignInAttempts,
        Table::SignInAttemptTimes,
        Table::HookDeliveries,
        Table::Plugins,
        Table::PluginNames,
        Table::PluginVersions,
        Table::PluginComponents,
        Table::PluginBindings,
        Table::PluginInvocations,
        Table::PluginCounters,
        Table::PluginLimits,
        Table::Forms,
        Table::FormData,
        Table::RecordNumbers,
        Table::AuthProviders,
        Table::UserCodes,
        Table::MailTemplates,
    ];

    pub(crate) fn def(self) -> ScopedDef {
        TableDefinition::new(self.name())
    }

    /// Tables of configuration: written rarely, read by many requests. A commit that writes
    /// one of them invalidates every `Store::config_cached` value.
    pub fn is_configuration(self) -> bool {
        matches!(
            self,
            Table::TenantSettings
                | Table::PortalSettings
                | Table::Plugins
                | Table::PluginNames
                | Table::PluginVersions
                | Table::PluginBindings
                | Table::PluginLimits
                | Table::AuthProviders
        )
    }

    /// The redb table name.
    pub fn name(self) -> &'static str {
        match self {
            Table::ApiKeys => "api_keys",
            Table::AppTokens => "app_tokens",
            Table::TenantSettings => "tenant_settings",
            Table::Users => "users",
            Table::UserEmails => "user_emails",
            Table::UserEmailSkeletons => "user_email_skeletons",
            Table::Groups => "groups",
            Table::GroupNames => "group_names",
            Table::IdentityProviders => "identity_providers",
            Table::IdentityProviderNames => "identity_provider_names",
            Table::IdentityLinks => "identity_links",
            Table::ResetCodes => "reset_codes",
            Table::EndpointConfigs => "endpoint_configs",
            Table::Notifications => "notifications",
            Table::Plugins => "plugins",
            Table::PluginNames => "plugin_names",
            Table::PluginVersions => "plugin_versions",
            Table::PluginComponents => "plugin_components",
            Table::PluginBindings => "plugin_bindings",
            Table::PluginInvocations => "plugin_invocations",
            Table::PluginCounters => "plugin_counters",
            Table::PluginLimits => "plugin_limits",
            Table::Profiles => "profiles",
            Table::ProfileByUser => "profile_by_user",
            Table::PortalSettings => "portal_settings",
            Table::PortalPages => "portal_pages",
            Table::SignupLinks => "signup_links",
            Table::ProfileSignupLinks => "profile_signup_links",
            Table::Sessions => "sessions",
            Table::UserSessions => "user_sessions",
            Table::SignInAttempts => "sign_in_attempts",
            Table::SignInAttemptTimes => "sign_in_attempt_times",
            Table::HookDeliveries => "hook_deliveries",
            Table::Forms => "forms",
            Table::FormData => "form_data",
            Table::RecordNumbers => "record_numbers",
            Table::AuthProviders => "auth_providers",
            Table::UserCodes => "user_codes",
            Table::MailTemplates => "mail_templates",
        }
    }
}

/// Tables that belong to the installation rather than to one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SystemTable {
    /// Schema version, operator token hash.
    Meta,
    /// Tenants by id.
    Tenants,
    /// Index of due after-hook deliveries of every tenant:
    /// `next attempt (ms) \u{1f} tenant id \u{1f} delivery id` -> ().
    HookDue,
    /// Index of due outbox messages of every tenant, written only by `outbox.rs`:
    /// `due (ms) \u{1f} tenant id \u{1f} message id` -> ().
    OutboxDue,
    /// Index: namespace code -> tenant id.
    TenantNamespaces,
    /// Compiled plugin artifacts (`Component::serialize`, as they are; a JSON string of their
    /// base64 before schema 3):
    /// `sha256 \u{1f} engine compatibility hash` -> artifact. Shared by tenants uploading the
    /// same bytes; a restart deserializes them instead of compiling.
    PluginArtifacts,
    /// Which tenants hold each plugin component: `sha256 \u{1f} tenant id` -> `null`. The
    /// artifacts of a sha256 are deleted with its last holder.
    ComponentTenants,
}

impl SystemTable {
    /// Every system table.
    pub const ALL: [SystemTable; 7] = [
        SystemTable::Meta,
        SystemTable::Tenants,
        SystemTable::HookDue,
        SystemTable::OutboxDue,
        SystemTable::TenantNamespaces,
        SystemTable::PluginArtifacts,
        SystemTable::ComponentTenants,
    ];

    pub(crate) fn def(self) -> SystemDef {
        TableDefinition::new(self.name())
    }

    /// See `Table::is_configuration`: tenants, namespaces, and the operator's settings.
    pub fn is_configuration(self) -> bool {
        matches!(
            self,
            SystemTable::Meta | SystemTable::Tenants | SystemTable::TenantNamespaces
        )
    }

    /// The redb table name.
    pub fn name(self) -> &'static str {
        match self {
            SystemTable::Meta => "meta",
            SystemTable::Tenants => "tenants",
            SystemTable::HookDue => "hook_due",
            SystemTable::OutboxDue => "outbox_due",
            SystemTable::TenantNamespaces => "tenant_namespaces",
            SystemTable::PluginArtifacts => "plugin_artifacts",
            SystemTable::ComponentTenants => "component_tenants",
        }
    }
}

/// Separator inside composite keys (`a \u{1f} b`); the ASCII unit separator never appears in ids
/// or in validated names.
pub const KEY_SEPARATOR: char = '\u{1f}';

/// Builds a composite key `a \u{1f} b`.
pub fn composite_key(a: &str, b: &str) -> String {
    format!("{a}{KEY_SEPARATOR}{b}")
}

/// A key of a time index: `at_micros` (microseconds since the epoch, zero-padded so keys sort
/// in time order), then `id`.
pub fn time_ordered_key(at_micros: i64, id: &str) -> String {
    composite_key(&format!("{:020}", at_micros.max(0)), id)
}
