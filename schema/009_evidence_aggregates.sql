-- Evidence aggregates (issue 4): a 'clear' evidence row from log ingestion may stand for
-- several successful deliveries instead of one row per delivery.
--
-- Log ingestion writes a clear row only when a success changes the picture: the first success
-- of a (sending IP, scope) in an ingest transaction, the first after any blocked or unknown
-- evidence of that scope, and the first in each UTC hour (a heartbeat). The successes after it
-- in the same transaction, scope, IP and hour, with no other evidence of the scope between,
-- are counted on that row. Every delivery keeps its own delivery row; source_id names the
-- first delivery the row stands for. The row commits in the same transaction as those
-- deliveries, so a crash or a re-run never counts a success twice or loses one.
--
-- Invariant readers rely on: last_time is NULL (a single observation) or in the same UTC
-- hour as time, and never before it.

-- How many observations the row stands for (1 for every other source).
ALTER TABLE evidence ADD COLUMN observations INTEGER NOT NULL DEFAULT 1;
-- The time of the last of them; NULL when it is the row's time.
ALTER TABLE evidence ADD COLUMN last_time TEXT;
