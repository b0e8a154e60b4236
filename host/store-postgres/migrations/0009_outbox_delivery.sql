-- Outbox delivery: each message keeps how its delivery goes, and delivery workers of every host
-- lease due messages (FOR UPDATE SKIP LOCKED on the chosen rows, then leased_until/leased_by),
-- as hook deliveries do. Messages queued before this version keep next_attempt_at NULL: they
-- are not due (they stay for the outbox's readers, as before).

ALTER TABLE notifications
    ADD COLUMN attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN last_error      text,
    ADD COLUMN sent_at         timestamptz,
    ADD COLUMN leased_until    timestamptz,
    ADD COLUMN leased_by       text,
    ADD CONSTRAINT notifications_status_check CHECK (status IN ('pending', 'sent', 'failed')),
    ADD CONSTRAINT notifications_lease_check CHECK ((leased_until IS NULL) = (leased_by IS NULL));

CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, tenant_id, id)
    WHERE status = 'pending' AND next_attempt_at IS NOT NULL;

COMMENT ON TABLE notifications IS
    'The notifications outbox: messages with how their delivery goes. Ids are time-ordered, so '
    'the primary key is the queue order (oldest first); an acknowledgement (DELETE) or the '
    'retention deletes them. A row is in the queue of due messages while status = pending and '
    'next_attempt_at is set (notifications_due_idx), across every tenant.';
COMMENT ON COLUMN notifications.status IS
    'pending until a delivery worker sent it (sent) or gave up (failed).';
COMMENT ON COLUMN notifications.attempts IS 'Delivery attempts made so far.';
COMMENT ON COLUMN notifications.next_attempt_at IS
    'When the next attempt is due, while pending; NULL for messages queued before delivery.';
COMMENT ON COLUMN notifications.last_error IS
    'Why the last attempt failed: the mail server''s answer, at most 1000 characters.';
COMMENT ON COLUMN notifications.sent_at IS 'When the mail server took the message.';
COMMENT ON COLUMN notifications.leased_until IS
    'While a delivery worker holds the message: until when. Another worker takes it over after.';
COMMENT ON COLUMN notifications.leased_by IS 'The delivery worker holding the message.';
