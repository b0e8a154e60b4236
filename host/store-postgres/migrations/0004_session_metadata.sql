-- Schema 4: what a portal session records about its start (listed to its user), and the
-- grace of a traded refresh token. Every token of a session carries the same values.
ALTER TABLE session_tokens
    ADD COLUMN provider   text,
    ADD COLUMN device     jsonb,
    ADD COLUMN started_at timestamptz,
    ADD COLUMN rotated    boolean NOT NULL DEFAULT false;
ALTER TABLE session_tokens
    ADD CONSTRAINT session_tokens_device_check CHECK (device IS NULL OR jsonb_typeof(device) = 'object');
COMMENT ON COLUMN session_tokens.provider IS
    'The auth provider (marker) the session was opened through; NULL for the API''s own sign-in.';
COMMENT ON COLUMN session_tokens.device IS
    'The device that opened the session as the client described it: {"os", "browser", "location"}.';
COMMENT ON COLUMN session_tokens.started_at IS
    'When the session began (refreshes keep it); NULL for sessions stored before schema 4.';
COMMENT ON COLUMN session_tokens.rotated IS
    'A refresh token already traded, kept for a short grace so that a second tab refreshing with it gets a pair of the same session.';
