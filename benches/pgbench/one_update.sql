-- The floor: one durable single-statement update per transaction.
\set u random(1, 128)
update users set updated_at = now() where tenant='bench' and id=:u;
