-- Indexes for the dashboard's queries (web/API.md). The timeline asks for evidence in a time
-- window by IP, by scope, or by both (001 has ip,scope,time and time); the evidence list pages
-- by id within a scope or an IP.
CREATE INDEX IF NOT EXISTS evidence_scope_time ON evidence(scope, time);
CREATE INDEX IF NOT EXISTS evidence_ip_time ON evidence(ip, time);
CREATE INDEX IF NOT EXISTS episode_open ON episode(closed, opened);
CREATE INDEX IF NOT EXISTS dnsbl_check_result ON dnsbl_check(result, id);
CREATE INDEX IF NOT EXISTS probe_run_started ON probe_run(started_at);
