-- Schema 7: auth providers, a tenant's sign-up and sign-in settings (OneEntry's auth providers).
--
-- Configuration: every OneEntry sign-in reads them, so hosts keep them decoded, and a write to
-- this table bumps configuration_generation.

CREATE TABLE auth_providers (
    tenant_id              text        NOT NULL,
    identifier             text        NOT NULL,
    number                 bigint      NOT NULL CHECK (number BETWEEN 1 AND 9007199254740991),
    type                   text        NOT NULL CHECK (type IN ('email')),
    form_identifier        text        NOT NULL,
    user_group_identifier  text,
    is_active              boolean     NOT NULL,
    is_check_code          boolean     NOT NULL,
    self_signup            boolean     NOT NULL,
    localize_infos         jsonb       NOT NULL CHECK (jsonb_typeof(localize_infos) = 'object'),
    config                 jsonb       NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    version                bigint      NOT NULL CHECK (version >= 1),
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    -- Conflict code: auth_provider_identifier_taken
    CONSTRAINT auth_providers_pk PRIMARY KEY (tenant_id, identifier),
    -- Conflict code: record_number_taken
    CONSTRAINT auth_providers_number_unique UNIQUE (tenant_id, number),
    CONSTRAINT auth_providers_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT auth_providers_form_fk FOREIGN KEY (tenant_id, form_identifier)
        REFERENCES forms (tenant_id, identifier)
);
COMMENT ON TABLE auth_providers IS
    'Auth providers of a tenant by marker (identifier), listed in number order.';
COMMENT ON COLUMN auth_providers.number IS
    'The provider''s number in the tenant (sequence auth_providers of record_numbers).';
COMMENT ON COLUMN auth_providers.form_identifier IS
    'The form whose login and password markers hold the credentials. A form in use cannot be '
    'deleted (the rules answer form_in_use; the foreign key refuses a concurrent delete).';
COMMENT ON COLUMN auth_providers.user_group_identifier IS
    'The name of the group sign-ups join, if any (not a foreign key: groups are keyed by id).';
COMMENT ON COLUMN auth_providers.localize_infos IS 'Texts per language code: {"en_US": {"title": ...}}.';
COMMENT ON COLUMN auth_providers.config IS 'Free settings (a JSON object).';
COMMENT ON COLUMN auth_providers.version IS '1 when created, one more on every update.';
COMMENT ON CONSTRAINT auth_providers_pk ON auth_providers IS
    'Conflict code: auth_provider_identifier_taken';
COMMENT ON CONSTRAINT auth_providers_number_unique ON auth_providers IS
    'Conflict code: record_number_taken';
-- auth_providers_using_form: the providers of a form (deleting or changing a form checks it).
CREATE INDEX auth_providers_form_idx ON auth_providers (tenant_id, form_identifier);
