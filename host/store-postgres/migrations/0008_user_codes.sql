-- Schema 8: one-time codes of portal users (activation, password reset), the code a user was
-- last sent for each event. Only the code's keyed digest is stored.

CREATE TABLE user_codes (
    tenant_id        text        NOT NULL,
    user_id          text        NOT NULL,
    event            text        NOT NULL CHECK (event IN ('activation', 'password_reset')),
    code_digest      text        NOT NULL CHECK (code_digest ~ '^hmac-sha256:[0-9a-f]{64}$'),
    expires_at       timestamptz NOT NULL,
    failed_attempts  integer     NOT NULL CHECK (failed_attempts >= 0),
    sent_at          timestamptz NOT NULL,
    CONSTRAINT user_codes_pk PRIMARY KEY (tenant_id, user_id, event),
    CONSTRAINT user_codes_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT user_codes_user_fk FOREIGN KEY (tenant_id, user_id)
        REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE user_codes IS
    'The one-time code each portal user was last sent per event; a new code replaces it, and a '
    'user''s codes go with the user.';
COMMENT ON COLUMN user_codes.event IS 'What the code is for: activation or password_reset.';
COMMENT ON COLUMN user_codes.code_digest IS
    'Keyed digest (hmac-sha256:, keyed with the server key, bound to the tenant, the user and the '
    'event) of the code; never the code.';
COMMENT ON COLUMN user_codes.failed_attempts IS 'Wrong codes given since it was sent.';
COMMENT ON COLUMN user_codes.sent_at IS 'When it was sent: the resend bound counts from here.';
