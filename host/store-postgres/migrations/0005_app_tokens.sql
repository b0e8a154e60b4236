-- App tokens and the allowed browser origins of a tenant's public apps.
--
-- An app token is the credential a tenant's browser apps send as `x-app-token`: it grants only
-- the public app routes, never the tenant API. Stored as API keys are, under the SHA-256 of the
-- secret. The origins whose pages may call those routes are a tenant setting.

CREATE TABLE app_tokens (
    tenant_id     text        NOT NULL,
    token_digest  text        NOT NULL,
    id            text        NOT NULL,
    name          text        NOT NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT app_tokens_pk PRIMARY KEY (tenant_id, token_digest),
    CONSTRAINT app_tokens_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT app_tokens_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT app_tokens_token_digest_check CHECK (token_digest ~ '^[0-9a-f]{64}$')
);
COMMENT ON TABLE app_tokens IS
    'A tenant''s app tokens (the x-app-token of its browser apps): their metadata under the '
    'SHA-256 of the secret (the secret is shown once at creation and never stored).';
COMMENT ON COLUMN app_tokens.token_digest IS 'SHA-256 (hex) of the token''s secret.';
COMMENT ON COLUMN app_tokens.id IS 'The token''s id, what revoking names.';

ALTER TABLE tenant_settings
    ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}'
        CONSTRAINT tenant_settings_allowed_origins_check
        CHECK (array_position(allowed_origins, NULL) IS NULL);
COMMENT ON COLUMN tenant_settings.allowed_origins IS
    'The browser origins (https://app.example.com, as an Origin header names them) whose pages '
    'may call the tenant''s public app routes; none by default.';
