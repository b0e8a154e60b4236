-- Schema 6: users and forms carry a number in their tenant.
--
-- OneEntry apps see a user's and a form's numeric id. A record gets the next number of its
-- tenant's sequence when it is created, in the transaction that inserts it, and keeps it for
-- life; a number is never handed out twice in a tenant, even after its record was deleted.
-- Records stored before get 1, 2, ... per tenant in creation order (ties in id or identifier
-- order), and each sequence continues after the last of them.

CREATE TABLE record_numbers (
    tenant_id    text   NOT NULL,
    sequence     text   NOT NULL CHECK (sequence IN ('users', 'forms', 'auth_providers')),
    last_number  bigint NOT NULL CHECK (last_number BETWEEN 0 AND 9007199254740991),
    CONSTRAINT record_numbers_pk PRIMARY KEY (tenant_id, sequence),
    CONSTRAINT record_numbers_tenant_fk FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
);
COMMENT ON TABLE record_numbers IS
    'The last number handed out per tenant and numbered kind of record. next_number updates the '
    'row in the transaction that inserts the record, so concurrent inserts wait for each other '
    'and never get the same number.';
COMMENT ON COLUMN record_numbers.last_number IS
    'At most 2^53 - 1 (JavaScript''s largest safe integer): past it next_number is refused.';

ALTER TABLE users ADD COLUMN number bigint;
UPDATE users u SET number = n.number
    FROM (SELECT tenant_id, id,
                 row_number() OVER (PARTITION BY tenant_id ORDER BY created_at, id) AS number
          FROM users) n
    WHERE u.tenant_id = n.tenant_id AND u.id = n.id;
ALTER TABLE users ALTER COLUMN number SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_number_check
    CHECK (number BETWEEN 1 AND 9007199254740991);
ALTER TABLE users ADD CONSTRAINT users_number_unique UNIQUE (tenant_id, number);
COMMENT ON COLUMN users.number IS
    'The user''s number in the tenant (sequence users of record_numbers); never changes.';
COMMENT ON CONSTRAINT users_number_unique ON users IS 'Conflict code: record_number_taken';

ALTER TABLE forms ADD COLUMN number bigint;
UPDATE forms f SET number = n.number
    FROM (SELECT tenant_id, identifier,
                 row_number() OVER (PARTITION BY tenant_id ORDER BY created_at, identifier)
                     AS number
          FROM forms) n
    WHERE f.tenant_id = n.tenant_id AND f.identifier = n.identifier;
ALTER TABLE forms ALTER COLUMN number SET NOT NULL;
ALTER TABLE forms ADD CONSTRAINT forms_number_check
    CHECK (number BETWEEN 1 AND 9007199254740991);
ALTER TABLE forms ADD CONSTRAINT forms_number_unique UNIQUE (tenant_id, number);
COMMENT ON COLUMN forms.number IS
    'The form''s number in the tenant (sequence forms of record_numbers); never changes.';
COMMENT ON CONSTRAINT forms_number_unique ON forms IS 'Conflict code: record_number_taken';

INSERT INTO record_numbers (tenant_id, sequence, last_number)
    SELECT tenant_id, 'users', max(number) FROM users GROUP BY tenant_id;
INSERT INTO record_numbers (tenant_id, sequence, last_number)
    SELECT tenant_id, 'forms', max(number) FROM forms GROUP BY tenant_id;
