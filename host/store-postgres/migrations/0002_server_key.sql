-- Schema 2: the fingerprint of the server key the database is used with.
--
-- Every host of a database must hold the same server key file: keyed digests of short codes
-- and sealed values written by one host are read by the others. The first host to start
-- records a fingerprint of its key (a keyed digest of nothing: it reveals nothing of the key);
-- a host started with another key is refused before it answers a request.

CREATE TABLE server_key (
    singleton    boolean NOT NULL DEFAULT true,
    fingerprint  text    NOT NULL CHECK (fingerprint ~ '^hmac-sha256:[0-9a-f]{64}$'),
    CONSTRAINT server_key_pk PRIMARY KEY (singleton),
    CONSTRAINT server_key_singleton_check CHECK (singleton)
);
COMMENT ON TABLE server_key IS
    'The fingerprint of the server key file every host of this database uses: at most one row, '
    'written by the first host that started. Delete it only when replacing the key on every host.';
COMMENT ON COLUMN server_key.fingerprint IS
    'A keyed digest (with the server key) of a fixed context: equal on hosts with the same key.';
