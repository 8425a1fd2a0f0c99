-- The evidence policy (issue 14, monitor/evidence/policy.hpp): what a row says beyond its
-- scope and verdict.

-- The receiver that said it, when the scope is not the receiver's own: a refusal naming a DNS
-- blocklist is filed under dnsbl/<zone> from every source, and the receiver's scope
-- ("microsoft-consumer/eur") is kept here. NULL otherwise.
ALTER TABLE evidence ADD COLUMN receiver TEXT;
-- The IP the receiver named as the refused sender ("messages from [IP]"), kept for display even
-- when the row is not attributed to it (no identity configured: the row is about "this
-- server"; an IP that is not ours: the row is unknown). NULL when none was named.
ALTER TABLE evidence ADD COLUMN named_ip TEXT;
-- What happened, before the verdict (monitor/evidence/outcome_class.hpp): accepted, blocked,
-- recipient, content, deferred, unreachable, tls, auth, config, unclassified. NULL on rows
-- written before this migration.
ALTER TABLE evidence ADD COLUMN outcome TEXT;
