-- Portico on PostgreSQL, schema 1: every table the storage port needs.
--
-- The migration runner applies this file inside its own transaction and records it in its own
-- table; nothing here starts or ends a transaction.
--
-- Conventions (docs/postgres-schema.md has the full description):
-- * Ids are the application's text ids (UUIDv7 in simple form: 32 lowercase hex digits, which
--   sort in creation order); there are no sequences.
-- * Every table holding a tenant's data has `tenant_id` referencing `tenants` with ON DELETE
--   CASCADE, and its primary key starts with `tenant_id`: deleting the tenant row deletes all
--   of the tenant's data in one statement.
-- * Enumerations are `text` with a CHECK listing the values the core serialises.
-- * `jsonb` holds free-form documents only (form data, form definitions' fields, user state,
--   notification data, hook event snapshots, plugin settings, signup claims, endpoint configs).
-- * Secrets are never stored in clear: random tokens by their SHA-256 (hex), short codes and the
--   operator token by a keyed digest (`hmac-sha256:` + hex), passwords as argon2 PHC strings,
--   outbox message data sealed under the server key. CHECKs refuse anything else.
-- * A UNIQUE or PRIMARY KEY constraint that a rule relies on carries its conflict code in a
--   comment (`Conflict code: ...`): a violation (SQLSTATE 23505) of that constraint, by name, is
--   the port's `StorageError::Conflict { code }`.
-- * No triggers, stored procedures, sequences, domains, enum types, exclusion constraints,
--   generated columns, column collations or LISTEN/NOTIFY.

---------------------------------------------------------------------------------------------
-- Installation-wide tables
---------------------------------------------------------------------------------------------

CREATE TABLE tenants (
    id          text        NOT NULL,
    namespace   text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT tenants_pk PRIMARY KEY (id),
    -- Conflict code: namespace_taken
    CONSTRAINT tenants_namespace_unique UNIQUE (namespace)
);
COMMENT ON TABLE tenants IS
    'Tenants (workspaces). Deleting a row deletes every record of the tenant (ON DELETE CASCADE).';
COMMENT ON COLUMN tenants.namespace IS
    'The namespace code that names the tenant in paths; unique among tenants.';
COMMENT ON COLUMN tenants.name IS 'Display name.';
COMMENT ON CONSTRAINT tenants_namespace_unique ON tenants IS 'Conflict code: namespace_taken';

CREATE TABLE operator_settings (
    singleton              boolean NOT NULL DEFAULT true,
    operator_token_digest  text    NOT NULL,
    CONSTRAINT operator_settings_pk PRIMARY KEY (singleton),
    CONSTRAINT operator_settings_singleton_check CHECK (singleton),
    CONSTRAINT operator_settings_token_digest_check
        CHECK (operator_token_digest ~ '^(hmac-sha256:)?[0-9a-f]{64}$')
);
COMMENT ON TABLE operator_settings IS
    'The operator''s credentials: at most one row, absent until the operator token is first set.';
COMMENT ON COLUMN operator_settings.operator_token_digest IS
    'Keyed digest of the operator token (hmac-sha256: prefix, keyed with the server key); a plain '
    'SHA-256 hex digest written before keyed digests is still accepted. Never the token itself.';

CREATE TABLE operator_plugin_limits (
    singleton        boolean NOT NULL DEFAULT true,
    fuel             bigint  CHECK (fuel >= 0),
    deadline_ms      bigint  CHECK (deadline_ms >= 0),
    memory_bytes     bigint  CHECK (memory_bytes >= 0),
    component_bytes  bigint  CHECK (component_bytes >= 0),
    output_bytes     bigint  CHECK (output_bytes >= 0),
    log_bytes        bigint  CHECK (log_bytes >= 0),
    compiled_bytes   bigint  CHECK (compiled_bytes >= 0),
    stored_bytes     bigint  CHECK (stored_bytes >= 0),
    versions         bigint  CHECK (versions >= 0),
    CONSTRAINT operator_plugin_limits_pk PRIMARY KEY (singleton),
    CONSTRAINT operator_plugin_limits_singleton_check CHECK (singleton)
);
COMMENT ON TABLE operator_plugin_limits IS
    'The operator''s maximum of every tenant''s plugin limits (PUT /v1/plugin-limits): at most one '
    'row. A NULL column (or no row) keeps the built-in default maximum. Same columns as '
    'tenant_plugin_limits.';

CREATE TABLE configuration_generation (
    singleton   boolean NOT NULL DEFAULT true,
    generation  bigint  NOT NULL,
    CONSTRAINT configuration_generation_pk PRIMARY KEY (singleton),
    CONSTRAINT configuration_generation_singleton_check CHECK (singleton)
);
COMMENT ON TABLE configuration_generation IS
    'A counter every transaction that writes configuration (tenants, tenant_settings, '
    'portal_settings, plugins, plugin_versions, plugin_bindings, tenant_plugin_limits, '
    'operator_plugin_limits, operator_settings) increments before it commits. Hosts keep decoded '
    'configuration while the generation they computed it under is current, so a change '
    'acknowledged on one host is seen by the next request on every host.';
INSERT INTO configuration_generation (singleton, generation) VALUES (true, 0);

CREATE TABLE plugin_artifacts (
    sha256    text  NOT NULL,
    engine    text  NOT NULL,
    artifact  bytea NOT NULL,
    CONSTRAINT plugin_artifacts_pk PRIMARY KEY (sha256, engine),
    CONSTRAINT plugin_artifacts_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE plugin_artifacts IS
    'Compiled plugin components, once per component and engine, shared by every tenant that '
    'uploaded the same bytes. Not owned by a tenant: an artifact is deleted with the last '
    'plugin_components row of its sha256.';
COMMENT ON COLUMN plugin_artifacts.sha256 IS 'SHA-256 (hex) of the component''s bytes.';
COMMENT ON COLUMN plugin_artifacts.engine IS
    'Compatibility hash of the engine that compiled it; another engine version cannot load it.';
COMMENT ON COLUMN plugin_artifacts.artifact IS 'The compiled artifact, as the engine serialised it.';
-- plugin_artifacts_of_engine: an engine's artifacts in sha256 order after a cursor.
CREATE INDEX plugin_artifacts_engine_idx ON plugin_artifacts (engine, sha256);

---------------------------------------------------------------------------------------------
-- Tenant settings and API keys
---------------------------------------------------------------------------------------------

CREATE TABLE tenant_settings (
    tenant_id               text    NOT NULL,
    reset_code_ttl_seconds  bigint  NOT NULL DEFAULT 86400 CHECK (reset_code_ttl_seconds >= 0),
    password_min_length     integer NOT NULL DEFAULT 8 CHECK (password_min_length >= 0),
    CONSTRAINT tenant_settings_pk PRIMARY KEY (tenant_id),
    CONSTRAINT tenant_settings_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE tenant_settings IS
    'A tenant''s settings, one row once they were first changed; without a row the defaults '
    'apply (the column defaults are the same).';
COMMENT ON COLUMN tenant_settings.reset_code_ttl_seconds IS
    'How long a password reset code stays valid, in seconds.';
COMMENT ON COLUMN tenant_settings.password_min_length IS 'Minimum length of a new password.';

CREATE TABLE api_keys (
    tenant_id   text        NOT NULL,
    key_digest  text        NOT NULL,
    id          text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT api_keys_pk PRIMARY KEY (tenant_id, key_digest),
    CONSTRAINT api_keys_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT api_keys_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT api_keys_key_digest_check CHECK (key_digest ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE api_keys IS
    'A tenant''s API keys: their metadata under the SHA-256 of the secret (the secret is shown '
    'once at creation and never stored).';
COMMENT ON COLUMN api_keys.key_digest IS 'SHA-256 (hex) of the key''s secret.';
COMMENT ON COLUMN api_keys.id IS 'The key''s id, what revoking names.';

---------------------------------------------------------------------------------------------
-- Groups, identity providers, users
---------------------------------------------------------------------------------------------

CREATE TABLE groups (
    tenant_id   text        NOT NULL,
    id          text        NOT NULL,
    name        text        NOT NULL,
    label       text        NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT groups_pk PRIMARY KEY (tenant_id, id),
    -- Conflict code: group_name_taken
    CONSTRAINT groups_name_unique UNIQUE (tenant_id, name),
    CONSTRAINT groups_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE groups IS 'Groups of a tenant''s users.';
COMMENT ON COLUMN groups.name IS 'Unique in the tenant.';
COMMENT ON COLUMN groups.label IS 'Free text; several groups may share one.';
COMMENT ON CONSTRAINT groups_name_unique ON groups IS 'Conflict code: group_name_taken';
-- groups_with_label: the groups with a label, in id order.
CREATE INDEX groups_label_idx ON groups (tenant_id, label, id);

CREATE TABLE identity_providers (
    tenant_id   text        NOT NULL,
    id          text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT identity_providers_pk PRIMARY KEY (tenant_id, id),
    -- Conflict code: identity_provider_name_taken
    CONSTRAINT identity_providers_name_unique UNIQUE (tenant_id, name),
    CONSTRAINT identity_providers_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE identity_providers IS 'Identity providers a tenant''s users link to (slack, google...).';
COMMENT ON COLUMN identity_providers.name IS 'Unique in the tenant.';
COMMENT ON CONSTRAINT identity_providers_name_unique ON identity_providers IS
    'Conflict code: identity_provider_name_taken';

CREATE TABLE users (
    tenant_id          text        NOT NULL,
    id                 text        NOT NULL,
    kind               text        NOT NULL CHECK (kind IN ('internal', 'portal')),
    first_name         text        NOT NULL,
    last_name          text        NOT NULL,
    email              text        NOT NULL,
    email_skeleton     text,
    status             text        NOT NULL
        CHECK (status IN ('active', 'inactive', 'blocked', 'invited')),
    oauth_provider_id  text,
    password_hash      text        CHECK (password_hash LIKE '$argon2%'),
    password_expired   boolean     NOT NULL,
    reset_code_digest  text        CHECK (reset_code_digest ~ '^[0-9a-f]{64}$'),
    notification_data  jsonb,
    state              jsonb,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT users_pk PRIMARY KEY (tenant_id, id),
    -- Conflict code: email_taken
    CONSTRAINT users_email_unique UNIQUE (tenant_id, email),
    -- Conflict code: email_taken (a lookalike of the email is taken)
    CONSTRAINT users_email_skeleton_unique UNIQUE (tenant_id, email_skeleton),
    CONSTRAINT users_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE users IS
    'Users of a tenant: internal users who work in the tenant and portal users of its portal. '
    'Group memberships and identity-provider links are in user_group_memberships and '
    'user_identity_links.';
COMMENT ON COLUMN users.kind IS 'internal: a user of the tenant itself; portal: an external user of its portal.';
COMMENT ON COLUMN users.email IS 'The email in normal form; unique in the tenant.';
COMMENT ON COLUMN users.email_skeleton IS
    'Confusable skeleton of the email: unique in the tenant, so that a lookalike email is refused '
    'like the same email. NULL only for a user whose lookalike email predates that rule and '
    'whose skeleton another user already holds (such a user is not found as a lookalike).';
COMMENT ON COLUMN users.status IS
    'active, inactive (deactivated), blocked, or invited (a portal user created by addUser who '
    'has not registered yet).';
COMMENT ON COLUMN users.oauth_provider_id IS
    'The identity provider of the OAuth2 credentials set by addUserWithoutConfirmation; that '
    'link can never be changed or removed. Not a foreign key: it outlives a deleted provider.';
COMMENT ON COLUMN users.password_hash IS 'argon2id PHC string; NULL until the user sets a password.';
COMMENT ON COLUMN users.password_expired IS 'The user must choose a new password at next sign-in.';
COMMENT ON COLUMN users.reset_code_digest IS
    'SHA-256 (hex) of the one password reset code currently valid for the user (reset_codes), if any.';
COMMENT ON COLUMN users.notification_data IS
    'Contact channels set by updateUser (notificationData: email, phonePush, phoneSMS).';
COMMENT ON COLUMN users.state IS 'Free JSON kept for the user by updateUser (state).';
COMMENT ON CONSTRAINT users_email_unique ON users IS 'Conflict code: email_taken';
COMMENT ON CONSTRAINT users_email_skeleton_unique ON users IS
    'Conflict code: email_taken (another user has an email that looks the same)';
-- count_users: how many users of a kind the tenant has.
CREATE INDEX users_kind_idx ON users (tenant_id, kind);

CREATE TABLE user_group_memberships (
    tenant_id   text    NOT NULL,
    user_id     text    NOT NULL,
    group_id    text    NOT NULL,
    ordinal     integer NOT NULL CHECK (ordinal >= 0),
    is_primary  boolean NOT NULL,
    CONSTRAINT user_group_memberships_pk PRIMARY KEY (tenant_id, user_id, group_id),
    CONSTRAINT user_group_memberships_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT user_group_memberships_user_fk FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT user_group_memberships_group_fk FOREIGN KEY (tenant_id, group_id)
        REFERENCES groups (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE user_group_memberships IS
    'A user''s memberships in groups, written with the user (UserRecord.groups).';
COMMENT ON COLUMN user_group_memberships.ordinal IS
    'Position in the user''s memberships (the order they were added).';
COMMENT ON COLUMN user_group_memberships.is_primary IS
    'The user''s primary group: exactly one of a user''s memberships when it has any.';
-- At most one primary group per user.
CREATE UNIQUE INDEX user_group_memberships_primary_unique
    ON user_group_memberships (tenant_id, user_id) WHERE is_primary;
-- users_in_group, and deleting a group's memberships with it.
CREATE INDEX user_group_memberships_group_idx ON user_group_memberships (tenant_id, group_id);

CREATE TABLE user_identity_links (
    tenant_id    text    NOT NULL,
    user_id      text    NOT NULL,
    provider_id  text    NOT NULL,
    external_id  text,
    ordinal      integer NOT NULL CHECK (ordinal >= 0),
    CONSTRAINT user_identity_links_pk PRIMARY KEY (tenant_id, user_id, provider_id),
    -- Conflict code: external_id_taken
    CONSTRAINT user_identity_links_external_id_unique UNIQUE (tenant_id, provider_id, external_id),
    CONSTRAINT user_identity_links_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT user_identity_links_user_fk FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT user_identity_links_provider_fk FOREIGN KEY (tenant_id, provider_id)
        REFERENCES identity_providers (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE user_identity_links IS
    'A user''s links to identity providers, written with the user (UserRecord.identity_providers). '
    'A (provider, external id) pair belongs to at most one user of the tenant; links without an '
    'external id are not constrained.';
COMMENT ON COLUMN user_identity_links.external_id IS 'The user''s id at the provider, once known.';
COMMENT ON COLUMN user_identity_links.ordinal IS 'Position in the user''s links.';
COMMENT ON CONSTRAINT user_identity_links_external_id_unique ON user_identity_links IS
    'Conflict code: external_id_taken';
-- user_with_external_id and users_linked_to (and deleting a provider's links with it) use the
-- index of user_identity_links_external_id_unique, whose prefix is (tenant_id, provider_id).

CREATE TABLE reset_codes (
    tenant_id    text        NOT NULL,
    code_digest  text        NOT NULL,
    user_id      text        NOT NULL,
    purpose      text        NOT NULL CHECK (purpose IN ('reset', 'set_password')),
    expires_at   timestamptz NOT NULL,
    CONSTRAINT reset_codes_pk PRIMARY KEY (tenant_id, code_digest),
    CONSTRAINT reset_codes_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT reset_codes_code_digest_check CHECK (code_digest ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE reset_codes IS
    'Password reset codes under the SHA-256 of the code. user_id is not a foreign key: a new '
    'user''s welcome code is stored in the same transaction before the user; the rules delete '
    'the code with the user.';
COMMENT ON COLUMN reset_codes.code_digest IS 'SHA-256 (hex) of the code.';
COMMENT ON COLUMN reset_codes.purpose IS
    'reset (resetPassword) or set_password (first password of a user created without one).';

CREATE TABLE endpoint_configs (
    tenant_id  text  NOT NULL,
    user_id    text  NOT NULL,
    endpoint   text  NOT NULL,
    config     jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    CONSTRAINT endpoint_configs_pk PRIMARY KEY (tenant_id, user_id, endpoint),
    CONSTRAINT endpoint_configs_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT endpoint_configs_user_fk FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE endpoint_configs IS 'A user''s configuration of each named endpoint (a JSON object).';

---------------------------------------------------------------------------------------------
-- Notifications outbox
---------------------------------------------------------------------------------------------

CREATE TABLE notifications (
    tenant_id    text        NOT NULL,
    id           text        NOT NULL,
    recipient    text        NOT NULL,
    channel      text        NOT NULL,
    template     text        NOT NULL,
    sealed_data  text        NOT NULL CHECK (sealed_data ~ '^v[0-9]+:'),
    user_id      text,
    status       text        NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT notifications_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT notifications_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE notifications IS
    'The notifications outbox: messages waiting for delivery. Ids are time-ordered, so the '
    'primary key is the queue order (oldest first); delivery or retention deletes them.';
COMMENT ON COLUMN notifications.recipient IS 'Address on the channel (an email address for email).';
COMMENT ON COLUMN notifications.channel IS 'How to deliver it: email for now.';
COMMENT ON COLUMN notifications.template IS 'Which message: welcome, password_reset, password_changed...';
COMMENT ON COLUMN notifications.sealed_data IS
    'The template''s values (they hold live links and codes), sealed under the server key '
    '(versioned prefix, e.g. v1:). Never stored in clear.';
COMMENT ON COLUMN notifications.user_id IS
    'The user the message concerns, if any; not a foreign key (a message may outlive its user).';
COMMENT ON COLUMN notifications.status IS 'pending until a delivery worker takes it.';

---------------------------------------------------------------------------------------------
-- Portal: profiles, settings, pages, signup links, sessions, sign-in failures
---------------------------------------------------------------------------------------------

CREATE TABLE profiles (
    tenant_id       text        NOT NULL,
    id              text        NOT NULL,
    email           text,
    first_name      text,
    last_name       text,
    data            jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    user_id         text,
    blocked         boolean     NOT NULL,
    access_granted  boolean     NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT profiles_pk PRIMARY KEY (tenant_id, id),
    -- Conflict code: user_has_profile
    CONSTRAINT profiles_user_unique UNIQUE (tenant_id, user_id),
    CONSTRAINT profiles_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT profiles_user_fk FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id)
);
COMMENT ON TABLE profiles IS
    'External-user profiles (ELMA''s _user_profiles): records with their own data, optionally '
    'linked to one user of the tenant.';
COMMENT ON COLUMN profiles.email IS 'The email in normal form, if the profile has one (not unique).';
COMMENT ON COLUMN profiles.data IS 'The profile''s own data (a JSON object); hooks see it.';
COMMENT ON COLUMN profiles.user_id IS
    'The user this profile belongs to, if linked: a user has at most one profile. The rules '
    'unlink the profile before deleting its user (the foreign key refuses the opposite order).';
COMMENT ON COLUMN profiles.blocked IS 'Blocked (block / unblock).';
COMMENT ON COLUMN profiles.access_granted IS 'May use the portal (grantAccess / denyAccess).';
COMMENT ON CONSTRAINT profiles_user_unique ON profiles IS 'Conflict code: user_has_profile';
-- profile_id_of_user and profile_of_user use the index of profiles_user_unique.

CREATE TABLE portal_settings (
    tenant_id                text    NOT NULL,
    login_title              text             DEFAULT 'Sign in',
    published                boolean NOT NULL DEFAULT false,
    max_portal_users         bigint  NOT NULL DEFAULT 100 CHECK (max_portal_users >= 0),
    signup_link_ttl_seconds  bigint  NOT NULL DEFAULT 604800 CHECK (signup_link_ttl_seconds >= 0),
    max_failed_sign_ins      integer NOT NULL DEFAULT 5 CHECK (max_failed_sign_ins >= 0),
    lockout_seconds          bigint  NOT NULL DEFAULT 900 CHECK (lockout_seconds >= 0),
    CONSTRAINT portal_settings_pk PRIMARY KEY (tenant_id),
    CONSTRAINT portal_settings_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE portal_settings IS
    'A tenant''s portal settings, one row once they were first saved; without a row the defaults '
    'apply (the column defaults are the same).';
COMMENT ON COLUMN portal_settings.login_title IS
    'Title of the portal''s login page; NULL (unset) shows the default, Sign in.';
COMMENT ON COLUMN portal_settings.published IS 'Only a published portal lets external users sign in.';
COMMENT ON COLUMN portal_settings.max_portal_users IS 'Portal licences: the most portal users the tenant may have.';
COMMENT ON COLUMN portal_settings.signup_link_ttl_seconds IS 'Lifetime of a new signup link, in seconds.';
COMMENT ON COLUMN portal_settings.max_failed_sign_ins IS 'Failed sign-ins in a row that lock an email.';
COMMENT ON COLUMN portal_settings.lockout_seconds IS 'How long a lock lasts, in seconds.';

CREATE TABLE portal_pages (
    tenant_id  text    NOT NULL,
    code       text    NOT NULL,
    title      text    NOT NULL,
    path       text    NOT NULL CHECK (path LIKE '/%'),
    visible    boolean NOT NULL,
    -- Conflict code: page_code_taken
    CONSTRAINT portal_pages_pk PRIMARY KEY (tenant_id, code),
    CONSTRAINT portal_pages_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE portal_pages IS 'Pages of a tenant''s portal, by code (listed in code order).';
COMMENT ON CONSTRAINT portal_pages_pk ON portal_pages IS 'Conflict code: page_code_taken';

CREATE TABLE signup_links (
    tenant_id             text        NOT NULL,
    link_digest           text        NOT NULL,
    profile_id            text        NOT NULL,
    with_sign             boolean     NOT NULL,
    expires_at            timestamptz NOT NULL,
    confirmation_digest   text        CHECK (confirmation_digest ~ '^(hmac-sha256:)?[0-9a-f]{64}$'),
    failed_confirmations  integer     NOT NULL CHECK (failed_confirmations >= 0),
    claims                jsonb       NOT NULL CHECK (jsonb_typeof(claims) = 'object'),
    CONSTRAINT signup_links_pk PRIMARY KEY (tenant_id, link_digest),
    CONSTRAINT signup_links_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT signup_links_profile_fk FOREIGN KEY (tenant_id, profile_id)
        REFERENCES profiles (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT signup_links_link_digest_check CHECK (link_digest ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE signup_links IS 'Signup links under the SHA-256 of their random token, each for one profile.';
COMMENT ON COLUMN signup_links.link_digest IS 'SHA-256 (hex) of the link''s token.';
COMMENT ON COLUMN signup_links.with_sign IS 'The link alone is enough to register (no confirmation code).';
COMMENT ON COLUMN signup_links.confirmation_digest IS
    'Keyed digest (hmac-sha256:, bound to the link) of the confirmation code last sent, for links '
    'without with_sign; a plain SHA-256 written before keyed digests still matches.';
COMMENT ON COLUMN signup_links.failed_confirmations IS 'Wrong confirmation codes given so far.';
COMMENT ON COLUMN signup_links.claims IS 'Claims a signup policy added; kept on registration.';
-- signup_links_of_profile: a profile's links with their expiry (and counting its live ones).
CREATE INDEX signup_links_profile_idx ON signup_links (tenant_id, profile_id, expires_at);

CREATE TABLE session_tokens (
    tenant_id     text        NOT NULL,
    token_digest  text        NOT NULL,
    user_id       text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('access', 'refresh', 'app')),
    family        text        NOT NULL,
    expires_at    timestamptz NOT NULL,
    CONSTRAINT session_tokens_pk PRIMARY KEY (tenant_id, token_digest),
    CONSTRAINT session_tokens_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT session_tokens_user_fk FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT session_tokens_token_digest_check CHECK (token_digest ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE session_tokens IS 'Portal session tokens under the SHA-256 of the random token, each for one portal user.';
COMMENT ON COLUMN session_tokens.token_digest IS 'SHA-256 (hex) of the token.';
COMMENT ON COLUMN session_tokens.kind IS
    'access (short-lived), refresh (traded once for a new pair) or app (the single-use token of an app link).';
COMMENT ON COLUMN session_tokens.family IS
    'Tokens issued together (an access/refresh pair) share a family; sign-out ends the family.';
-- sessions_of_user: a user's tokens.
CREATE INDEX session_tokens_user_idx ON session_tokens (tenant_id, user_id);

CREATE TABLE sign_in_attempts (
    tenant_id        text        NOT NULL,
    email            text        NOT NULL,
    failures         integer     NOT NULL CHECK (failures >= 0),
    locked_until     timestamptz,
    last_failure_at  timestamptz NOT NULL,
    CONSTRAINT sign_in_attempts_pk PRIMARY KEY (tenant_id, email),
    CONSTRAINT sign_in_attempts_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE sign_in_attempts IS
    'Failed portal sign-ins, one row per email (of a user or not), with its lock. The oldest '
    'last failures are forgotten first.';
COMMENT ON COLUMN sign_in_attempts.email IS 'The email in normal form.';
COMMENT ON COLUMN sign_in_attempts.failures IS 'Failures in a row since the last lock or success.';
COMMENT ON COLUMN sign_in_attempts.locked_until IS 'Until when sign-ins of the email are refused, if it was locked.';
-- forget_sign_in_attempts_before: the tenant's oldest last failures before a time.
CREATE INDEX sign_in_attempts_last_failure_idx ON sign_in_attempts (tenant_id, last_failure_at, email);

CREATE TABLE hook_deliveries (
    tenant_id        text        NOT NULL,
    id               text        NOT NULL,
    hook             text        NOT NULL CHECK (hook LIKE 'after-%'),
    profile_id       text        NOT NULL,
    event            jsonb       NOT NULL,
    status           text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer     NOT NULL CHECK (attempts >= 0),
    next_attempt_at  timestamptz,
    done_bindings    text[]      NOT NULL,
    last_error       text,
    effect_errors    text[]      NOT NULL,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    leased_until     timestamptz,
    leased_by        text,
    CONSTRAINT hook_deliveries_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT hook_deliveries_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT hook_deliveries_lease_check CHECK ((leased_until IS NULL) = (leased_by IS NULL))
);
COMMENT ON TABLE hook_deliveries IS
    'Queued after-hook events with how their delivery goes. A row is in the queue of due '
    'deliveries exactly while status = pending and next_attempt_at is set; the queue is this '
    'table (hook_deliveries_due_idx), across every tenant.';
COMMENT ON COLUMN hook_deliveries.id IS 'Time-ordered: a tenant''s oldest deliveries come first.';
COMMENT ON COLUMN hook_deliveries.hook IS 'after-block, after-grant-access...';
COMMENT ON COLUMN hook_deliveries.profile_id IS
    'The profile the event is about; not a foreign key (the event outlives the profile).';
COMMENT ON COLUMN hook_deliveries.event IS 'The event as the hooks see it: a snapshot taken at the change.';
COMMENT ON COLUMN hook_deliveries.status IS
    'pending (waiting for its next attempt), delivered (every bound hook ran) or failed (out of attempts).';
COMMENT ON COLUMN hook_deliveries.next_attempt_at IS 'When the next attempt is due, while pending.';
COMMENT ON COLUMN hook_deliveries.done_bindings IS 'Ids of the bindings whose effects were applied for this event.';
COMMENT ON COLUMN hook_deliveries.last_error IS 'Why the last attempt failed, if it did.';
COMMENT ON COLUMN hook_deliveries.effect_errors IS 'Effects that could not be applied (e.g. an unknown group).';
COMMENT ON COLUMN hook_deliveries.delivered_at IS 'When every bound hook had run.';
COMMENT ON COLUMN hook_deliveries.leased_until IS
    'While set and in the future, the host named by leased_by is attempting this delivery and '
    'other hosts leave it alone; a lease past its time may be taken over. Cleared when the '
    'attempt ends.';
COMMENT ON COLUMN hook_deliveries.leased_by IS 'The host holding the lease (set with leased_until).';
-- due_hook_deliveries: every tenant's due entries in due order (the queue). ASC is PostgreSQL's
-- default; spelled out, the same statement makes a range (not hash) index on YugabyteDB.
CREATE INDEX hook_deliveries_due_idx ON hook_deliveries (next_attempt_at ASC, tenant_id, id)
    WHERE status = 'pending' AND next_attempt_at IS NOT NULL;
-- hook_deliveries_after with a status: a tenant's deliveries of one status in id order.
CREATE INDEX hook_deliveries_status_idx ON hook_deliveries (tenant_id, status, id);

---------------------------------------------------------------------------------------------
-- Plugins
---------------------------------------------------------------------------------------------

CREATE TABLE plugins (
    tenant_id           text        NOT NULL,
    id                  text        NOT NULL,
    name                text        NOT NULL,
    active_version      integer     CHECK (active_version >= 1),
    latest_version      integer     NOT NULL CHECK (latest_version >= 0),
    activation_history  integer[]   NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT plugins_pk PRIMARY KEY (tenant_id, id),
    -- Conflict code: plugin_name_taken
    CONSTRAINT plugins_name_unique UNIQUE (tenant_id, name),
    CONSTRAINT plugins_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE plugins IS 'A tenant''s plugins: a name and numbered versions, one of which is active.';
COMMENT ON COLUMN plugins.name IS 'Unique in the tenant.';
COMMENT ON COLUMN plugins.active_version IS
    'The version bindings use unless they pin one; NULL until one is activated.';
COMMENT ON COLUMN plugins.latest_version IS 'Number of the last version uploaded (versions are numbered from 1).';
COMMENT ON COLUMN plugins.activation_history IS
    'Versions active before the current one, most recent last (what rollback returns to).';
COMMENT ON CONSTRAINT plugins_name_unique ON plugins IS 'Conflict code: plugin_name_taken';

CREATE TABLE plugin_versions (
    tenant_id      text        NOT NULL,
    plugin_id      text        NOT NULL,
    version        integer     NOT NULL CHECK (version >= 1),
    sha256         text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size           bigint      NOT NULL CHECK (size >= 0),
    exports        text[]      NOT NULL
        CHECK (exports <@ ARRAY['signup-policy', 'field-validator', 'lifecycle-hooks']::text[]),
    compiled_size  bigint      NOT NULL DEFAULT 0 CHECK (compiled_size >= 0),
    created_at     timestamptz NOT NULL,
    -- Conflict code: plugin_version_exists
    CONSTRAINT plugin_versions_pk PRIMARY KEY (tenant_id, plugin_id, version),
    CONSTRAINT plugin_versions_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE plugin_versions IS
    'Uploaded versions of a tenant''s plugins. plugin_id is not a foreign key: an upload stores '
    'a new plugin''s first version before the plugin in the same transaction; deleting a plugin '
    'deletes its versions.';
COMMENT ON COLUMN plugin_versions.version IS 'The version''s number, unique in its plugin.';
COMMENT ON COLUMN plugin_versions.sha256 IS 'SHA-256 (hex) of the component''s bytes (plugin_components).';
COMMENT ON COLUMN plugin_versions.size IS 'Bytes of the component.';
COMMENT ON COLUMN plugin_versions.exports IS 'The Portico interfaces the component exports (what it may be bound to).';
COMMENT ON COLUMN plugin_versions.compiled_size IS 'Bytes of its compiled artifact.';
COMMENT ON CONSTRAINT plugin_versions_pk ON plugin_versions IS 'Conflict code: plugin_version_exists';

CREATE TABLE plugin_components (
    tenant_id  text  NOT NULL,
    sha256     text  NOT NULL,
    component  bytea NOT NULL,
    CONSTRAINT plugin_components_pk PRIMARY KEY (tenant_id, sha256),
    CONSTRAINT plugin_components_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT plugin_components_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE plugin_components IS
    'Uploaded component bytes a tenant holds, under their SHA-256, kept to recompile after an '
    'engine upgrade. A row makes the tenant a holder of the component: the component''s '
    'plugin_artifacts are deleted with its last holder.';
-- release_plugin_component: whether any tenant still holds a component.
CREATE INDEX plugin_components_sha256_idx ON plugin_components (sha256);

CREATE TABLE plugin_bindings (
    tenant_id       text        NOT NULL,
    id              text        NOT NULL,
    plugin_id       text        NOT NULL,
    interface       text        NOT NULL
        CHECK (interface IN ('signup-policy', 'field-validator', 'lifecycle-hooks')),
    target          text        NOT NULL,
    version         integer     CHECK (version >= 1),
    settings        jsonb       NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    failure_policy  text        NOT NULL CHECK (failure_policy IN ('fail-closed', 'fail-open')),
    enabled         boolean     NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT plugin_bindings_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT plugin_bindings_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT plugin_bindings_plugin_fk FOREIGN KEY (tenant_id, plugin_id)
        REFERENCES plugins (tenant_id, id)
);
COMMENT ON TABLE plugin_bindings IS
    'Which plugin serves which interface for which target, with its settings. Ids are '
    'time-ordered: id order is creation order. A plugin a binding uses cannot be deleted.';
COMMENT ON COLUMN plugin_bindings.target IS 'What the binding applies to, e.g. a form identifier; * for everything.';
COMMENT ON COLUMN plugin_bindings.version IS 'A pinned version; NULL follows the plugin''s active version.';
COMMENT ON COLUMN plugin_bindings.settings IS 'Settings given to the plugin (host.settings()), a JSON object.';
COMMENT ON COLUMN plugin_bindings.failure_policy IS
    'What a failure of the plugin means for the caller''s request: refused (fail-closed) or accepted (fail-open).';
COMMENT ON COLUMN plugin_bindings.enabled IS 'Whether the binding is consulted.';
-- bindings_using_plugin, and the foreign key's check when a plugin is deleted.
CREATE INDEX plugin_bindings_plugin_idx ON plugin_bindings (tenant_id, plugin_id, id);
-- enabled_plugin_bindings: the enabled bindings of an interface in id order.
CREATE INDEX plugin_bindings_enabled_idx ON plugin_bindings (tenant_id, interface, id) WHERE enabled;

CREATE TABLE plugin_invocations (
    tenant_id      text        NOT NULL,
    plugin_id      text        NOT NULL,
    id             text        NOT NULL,
    plugin_name    text        NOT NULL,
    version        integer     NOT NULL CHECK (version >= 0),
    binding_id     text,
    interface      text        NOT NULL
        CHECK (interface IN ('signup-policy', 'field-validator', 'lifecycle-hooks')),
    function_name  text        NOT NULL,
    outcome        text        NOT NULL
        CHECK (outcome IN ('ok', 'denied', 'trap', 'out_of_fuel', 'deadline', 'memory', 'bad_output')),
    error          text,
    fuel_used      bigint      NOT NULL CHECK (fuel_used >= 0),
    duration_us    bigint      NOT NULL CHECK (duration_us >= 0),
    logs           text        NOT NULL,
    called_at      timestamptz NOT NULL,
    CONSTRAINT plugin_invocations_pk PRIMARY KEY (tenant_id, plugin_id, id),
    CONSTRAINT plugin_invocations_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE plugin_invocations IS
    'Each plugin''s invocation log: one row per recorded call. Ids are time-ordered, so the '
    'primary key is each plugin''s log oldest first (the oldest are deleted first). plugin_id '
    'and binding_id are not foreign keys: a record is written beside the request that made the '
    'call and must not fail it when the plugin or binding was just deleted.';
COMMENT ON COLUMN plugin_invocations.plugin_name IS 'The plugin''s name at the time of the call.';
COMMENT ON COLUMN plugin_invocations.version IS 'The version called.';
COMMENT ON COLUMN plugin_invocations.binding_id IS 'The binding that made the call; NULL for a dry run.';
COMMENT ON COLUMN plugin_invocations.function_name IS 'The function called: validate, decide or the hook''s name.';
COMMENT ON COLUMN plugin_invocations.outcome IS 'How the call ended.';
COMMENT ON COLUMN plugin_invocations.error IS 'What went wrong, when something did.';
COMMENT ON COLUMN plugin_invocations.fuel_used IS 'Fuel (about one per wasm instruction) the call used.';
COMMENT ON COLUMN plugin_invocations.duration_us IS 'How long the call took, in microseconds.';
COMMENT ON COLUMN plugin_invocations.logs IS 'What the plugin logged (capped).';

CREATE TABLE plugin_counters (
    tenant_id    text   NOT NULL,
    plugin_id    text   NOT NULL,
    total        bigint NOT NULL CHECK (total >= 0),
    ok           bigint NOT NULL CHECK (ok >= 0),
    denied       bigint NOT NULL CHECK (denied >= 0),
    trap         bigint NOT NULL CHECK (trap >= 0),
    out_of_fuel  bigint NOT NULL CHECK (out_of_fuel >= 0),
    deadline     bigint NOT NULL CHECK (deadline >= 0),
    memory       bigint NOT NULL CHECK (memory >= 0),
    bad_output   bigint NOT NULL CHECK (bad_output >= 0),
    logged       bigint NOT NULL CHECK (logged >= 0),
    CONSTRAINT plugin_counters_pk PRIMARY KEY (tenant_id, plugin_id),
    CONSTRAINT plugin_counters_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE plugin_counters IS
    'Calls of each plugin, in total and by outcome. plugin_id is not a foreign key, for the '
    'same reason as in plugin_invocations; deleting a plugin deletes its counters.';
COMMENT ON COLUMN plugin_counters.total IS 'Every call counted.';
COMMENT ON COLUMN plugin_counters.logged IS
    'Rows of this plugin in plugin_invocations now (what log pruning compares with its maximum).';

CREATE TABLE tenant_plugin_limits (
    tenant_id        text   NOT NULL,
    fuel             bigint CHECK (fuel >= 0),
    deadline_ms      bigint CHECK (deadline_ms >= 0),
    memory_bytes     bigint CHECK (memory_bytes >= 0),
    component_bytes  bigint CHECK (component_bytes >= 0),
    output_bytes     bigint CHECK (output_bytes >= 0),
    log_bytes        bigint CHECK (log_bytes >= 0),
    compiled_bytes   bigint CHECK (compiled_bytes >= 0),
    stored_bytes     bigint CHECK (stored_bytes >= 0),
    versions         bigint CHECK (versions >= 0),
    CONSTRAINT tenant_plugin_limits_pk PRIMARY KEY (tenant_id),
    CONSTRAINT tenant_plugin_limits_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE tenant_plugin_limits IS
    'A tenant''s overrides of the plugin limits, within the operator''s maximum '
    '(operator_plugin_limits). A NULL column (or no row) keeps the default.';
COMMENT ON COLUMN tenant_plugin_limits.fuel IS 'Instruction budget of one call (wasmtime fuel).';
COMMENT ON COLUMN tenant_plugin_limits.deadline_ms IS 'Wall-clock deadline of one call, in milliseconds.';
COMMENT ON COLUMN tenant_plugin_limits.memory_bytes IS 'Memory of one call''s instance.';
COMMENT ON COLUMN tenant_plugin_limits.component_bytes IS 'Largest uploaded component.';
COMMENT ON COLUMN tenant_plugin_limits.output_bytes IS 'Largest answer of one call.';
COMMENT ON COLUMN tenant_plugin_limits.log_bytes IS 'Most captured log bytes of one call.';
COMMENT ON COLUMN tenant_plugin_limits.compiled_bytes IS 'Largest compiled artifact of an upload.';
COMMENT ON COLUMN tenant_plugin_limits.stored_bytes IS 'Bytes of plugins the tenant may store (components and artifacts).';
COMMENT ON COLUMN tenant_plugin_limits.versions IS 'Plugin versions the tenant may hold.';

---------------------------------------------------------------------------------------------
-- Forms
---------------------------------------------------------------------------------------------

CREATE TABLE forms (
    tenant_id        text        NOT NULL,
    identifier       text        NOT NULL,
    title            jsonb       NOT NULL CHECK (jsonb_typeof(title) = 'object'),
    fields           jsonb       NOT NULL CHECK (jsonb_typeof(fields) = 'array'),
    login_marker     text,
    password_marker  text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    -- Conflict code: form_identifier_taken
    CONSTRAINT forms_pk PRIMARY KEY (tenant_id, identifier),
    CONSTRAINT forms_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE forms IS 'Form definitions of a tenant, by identifier (listed in identifier order).';
COMMENT ON COLUMN forms.identifier IS 'The form''s identifier in the tenant (registration...).';
COMMENT ON COLUMN forms.title IS 'The title per language code, e.g. {"en_US": "Sign up"}.';
COMMENT ON COLUMN forms.fields IS
    'The fields in order, as the API shows them: marker, type, required, label per language, '
    'settings of the native checks, validators'' settings.';
COMMENT ON COLUMN forms.login_marker IS 'Marker of the field that holds the sign-in login (an email), if any.';
COMMENT ON COLUMN forms.password_marker IS 'Marker of the field that holds the password, if any.';
COMMENT ON CONSTRAINT forms_pk ON forms IS 'Conflict code: form_identifier_taken';

CREATE TABLE form_data (
    tenant_id        text        NOT NULL,
    owner_kind       text        NOT NULL CHECK (owner_kind IN ('user', 'profile')),
    owner_id         text        NOT NULL,
    form_identifier  text        NOT NULL,
    lang             text        NOT NULL,
    fields           jsonb       NOT NULL CHECK (jsonb_typeof(fields) = 'array'),
    updated_at       timestamptz NOT NULL,
    CONSTRAINT form_data_pk PRIMARY KEY (tenant_id, owner_kind, owner_id, form_identifier, lang),
    CONSTRAINT form_data_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT form_data_form_fk FOREIGN KEY (tenant_id, form_identifier)
        REFERENCES forms (tenant_id, identifier) ON DELETE CASCADE
);
COMMENT ON TABLE form_data IS
    'Each owner''s data for one form in one language. The owner is a user or a profile '
    '(owner_kind, owner_id): not a foreign key, the rules delete an owner''s data with the owner.';
COMMENT ON COLUMN form_data.lang IS 'Language code, e.g. en_US.';
COMMENT ON COLUMN form_data.fields IS
    'The stored fields: [{marker, type, value}], each value as it was submitted.';
COMMENT ON COLUMN form_data.updated_at IS 'When the fields were last written.';
-- delete_form (and the foreign key's cascade): every owner's data of one form.
CREATE INDEX form_data_form_idx ON form_data (tenant_id, form_identifier);
