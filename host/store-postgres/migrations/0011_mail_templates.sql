-- Schema 11: a tenant's own mail templates, and the language of its mails.
--
-- A tenant may replace the built-in templates of a notification kind in a language with its
-- own subject, plain-text and HTML templates (checked by the mail renderer when saved: they
-- parse and render against the kind's data). The rules check the kind and the language (so a
-- tenant holds at most one row per kind and language) and bound each template to 64 KiB
-- (MAX_MAIL_TEMPLATE_BYTES); the checks here only keep a row from holding what no rule would
-- write.

CREATE TABLE mail_templates (
    tenant_id   text        NOT NULL,
    kind        text        NOT NULL CHECK (kind ~ '^[a-z_]{1,64}$'),
    lang        text        NOT NULL CHECK (lang ~ '^[a-z]{2}_[A-Z]{2}$'),
    subject     text        NOT NULL CHECK (octet_length(subject) <= 65536),
    text_body   text        NOT NULL CHECK (octet_length(text_body) <= 65536),
    html_body   text        NOT NULL CHECK (octet_length(html_body) <= 65536),
    updated_at  timestamptz NOT NULL,
    CONSTRAINT mail_templates_pk PRIMARY KEY (tenant_id, kind, lang),
    CONSTRAINT mail_templates_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE mail_templates IS
    'A tenant''s own templates for a notification kind in a language, rendered instead of the '
    'built-in ones; deleting the row brings the built-in ones back.';
COMMENT ON COLUMN mail_templates.kind IS
    'The notification kind (an outbox message''s template: welcome, password_reset...).';
COMMENT ON COLUMN mail_templates.lang IS 'The language (en_US, tr_TR).';
COMMENT ON COLUMN mail_templates.subject IS 'The subject template (minijinja).';
COMMENT ON COLUMN mail_templates.text_body IS 'The plain-text part''s template.';
COMMENT ON COLUMN mail_templates.html_body IS 'The HTML part''s template (values escaped).';
COMMENT ON COLUMN mail_templates.updated_at IS 'When it was last saved.';

ALTER TABLE tenant_settings
    ADD COLUMN mail_language text NOT NULL DEFAULT 'en_US'
        CONSTRAINT tenant_settings_mail_language_check CHECK (mail_language ~ '^[a-z]{2}_[A-Z]{2}$');
COMMENT ON COLUMN tenant_settings.mail_language IS
    'The language of the tenant''s mails whose message names none (en_US, tr_TR); en_US for '
    'every row written before this version.';
