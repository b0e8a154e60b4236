-- The portal's look and where its links lead (issue 20): the display name, two colours and a
-- logo the built-in pages show, and the base URL of a tenant's own front end that the links
-- in its notifications then lead to. NULL (every row written before this version) means
-- unset: the tenant's name, Portico's colours, no logo, Portico's pages. The rules check each
-- value's shape; these checks only keep a row from holding what no rule would write.

ALTER TABLE portal_settings
    ADD COLUMN display_name     text CHECK (char_length(display_name) BETWEEN 1 AND 100),
    ADD COLUMN primary_color    text CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
    ADD COLUMN background_color text CHECK (background_color ~ '^#[0-9a-f]{6}$'),
    ADD COLUMN logo_url         text CHECK (char_length(logo_url) BETWEEN 9 AND 2100),
    ADD COLUMN pages_url        text CHECK (char_length(pages_url) BETWEEN 8 AND 2100);

COMMENT ON COLUMN portal_settings.display_name IS
    'The name the portal''s pages show; NULL: the tenant''s name.';
COMMENT ON COLUMN portal_settings.pages_url IS
    'The tenant''s own front end, where notification links lead; NULL: Portico''s pages.';
