-- Log ingestion speed (issue 4).

-- delivery(scope, time) from 001 is dropped. No query reads deliveries by scope: the monitor,
-- `status` and the dashboard read scopes from evidence (indexed by scope there), and
-- deliveries by id (explanations), by time (delivery_time: the newest delivery) or whole
-- (counts per MTA / reason). Keeping it cost every delivery one more b-tree insert in the
-- middle of the index (one insertion point per scope). A future query by delivery scope adds
-- an index in its own migration.
DROP INDEX IF EXISTS delivery_scope_time;

-- sendmail never logs that a message left the queue, so its sender joins stayed in
-- ingest_message for 30 days, one row written per message. Its from= line says how many
-- recipients the message has after aliasing (nrcpts=), and each gets one final to= line
-- (dsn 2.x.x or 5.x.x): the join is forgotten when all are done, most of them before they are
-- ever written. The count left is kept here for messages still queued at a commit, so a re-run
-- after a kill counts on from the same number. NULL: not counted (Postfix, Exim).
ALTER TABLE ingest_message ADD COLUMN recipients_left INTEGER;
