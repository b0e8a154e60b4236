-- Schema 3: a plugin's counters in shards.
--
-- Every plugin call adds to its plugin's counters in the transaction of the request that made
-- it. With one row per plugin, concurrent requests through one plugin (on one host or many)
-- would each wait for the previous one's commit to update that row. Each call now adds to one
-- of several rows of the plugin (its shard, chosen per thread), and a read sums them.

ALTER TABLE plugin_counters ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard >= 0);
ALTER TABLE plugin_counters DROP CONSTRAINT plugin_counters_pk;
ALTER TABLE plugin_counters ADD CONSTRAINT plugin_counters_pk PRIMARY KEY (tenant_id, plugin_id, shard);
-- A shard's count of logged records goes down when its call prunes records another shard
-- counted: only the sum over the shards is the count.
ALTER TABLE plugin_counters DROP CONSTRAINT plugin_counters_logged_check;
COMMENT ON TABLE plugin_counters IS
    'Calls of each plugin, in total and by outcome, as the sum of the plugin''s rows (shards). '
    'plugin_id is not a foreign key, for the same reason as in plugin_invocations; deleting a '
    'plugin deletes its counters.';
COMMENT ON COLUMN plugin_counters.shard IS
    'Which of the plugin''s rows this is: concurrent calls add to different rows.';
COMMENT ON COLUMN plugin_counters.logged IS
    'Summed over the plugin''s shards: its rows in plugin_invocations now (what log pruning '
    'compares with its maximum). One shard''s value may be negative.';
