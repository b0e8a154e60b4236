-- A tenant's own mail sender: the name and address its mails come from and where replies go.
-- NULL (every row written before this version) means the operator's sender, and no Reply-To.
-- The rules check each value (a printable name without line breaks, email addresses); the
-- length checks only keep a row from holding what no rule would write.

ALTER TABLE tenant_settings
    ADD COLUMN mail_sender_name    text CHECK (char_length(mail_sender_name) BETWEEN 1 AND 100),
    ADD COLUMN mail_sender_address text CHECK (char_length(mail_sender_address) BETWEEN 3 AND 254),
    ADD COLUMN mail_reply_to       text CHECK (char_length(mail_reply_to) BETWEEN 3 AND 254);

COMMENT ON COLUMN tenant_settings.mail_sender_name IS
    'The name the tenant''s mails come from and are signed with; NULL: the operator''s.';
COMMENT ON COLUMN tenant_settings.mail_sender_address IS
    'The address the tenant''s mails come from (normal form); NULL: the operator''s.';
COMMENT ON COLUMN tenant_settings.mail_reply_to IS
    'Where replies to the tenant''s mails go (normal form); NULL: no Reply-To header.';
