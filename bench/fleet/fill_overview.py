#!/usr/bin/env python3
"""Writes SQL that fills a fleet history for the /api/overview benchmark (bench/fleet/run.sh).

    fill_overview.py sqlite|postgresql IPS SCOPES HEARTBEATS [analyze] > fill.sql

The schema must exist (any smtpprobe command on the database creates it); the SQL fills it in
one transaction with generate_series, so the same rows land in SQLite (the sqlite3 shell's
generate_series) and PostgreSQL. What it holds, for IPS sending IPs x SCOPES receiver scopes
(the last 6 scopes are DNS blocklists, the rest provider/cluster scopes) over one year ending
2026-12-01:
  - HEARTBEATS clear evidence rows per (IP, scope), evenly spread over the year: the log
    ingest's hourly aggregates (observations, last_time) of the hours in which the pair was
    re-confirmed after something changed, not one per hour of traffic (that would be ~2,000
    million rows for 250,000 pairs);
  - for 2% of the pairs one block episode of 5 blocked probe rows (each with its probe_run,
    the receiver's reply): half of them closed (clear evidence after), half still open;
  - every observation names its node (schema 018): IP i is sent from node mx(i % 16 + 1);
  - one episode_state row per pair, the state_node, state_ip and state_node_ip rows (what the
    fold wrote), the 'episodes' cursor at the end (nothing unfolded), and one run_schedule row
    per node task.
With "analyze" it ends with ANALYZE (query planner statistics; on PostgreSQL VACUUM ANALYZE,
which also sets the visibility map index-only scans read). smtpprobe never runs ANALYZE on
SQLite, so a real SQLite history has none; PostgreSQL's autovacuum does both by itself within
a minute of a bulk insert.
"""
import sys

dialect, ips, scopes, heartbeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with_analyze = len(sys.argv) > 5 and sys.argv[5] == "analyze"
pairs = ips * scopes
nodes = 16  # the IPs are spread over nodes mx1..mx16 (IP i sends from node i % 16 + 1)
end = 1796083200  # 2026-12-01T00:00:00Z
start = end - 365 * 86400
opened = end - 3 * 86400  # the open blocks began 2026-11-28
period = 365 * 86400 // heartbeats
blocked_rows = 5

if dialect == "sqlite":
    def series(a, b, alias):
        return f"generate_series({a}, {b}) AS {alias}"

    def ts(expr):
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {expr}, 'unixepoch')"

    begin, commit = "BEGIN;", "COMMIT;"
    analyze = "ANALYZE;"
elif dialect == "postgresql":
    def series(a, b, alias):
        return f"generate_series({a}::bigint, {b}::bigint) AS {alias}(value)"

    def ts(expr):
        return (f"to_char(to_timestamp({expr}) AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")

    begin, commit = "BEGIN;", "COMMIT;"
    analyze = "VACUUM ANALYZE;"  # what autovacuum leaves: statistics and the visibility map
else:
    sys.exit("dialect: sqlite|postgresql")

receiver_scopes = max(scopes - 6, 1)
providers = ["microsoft-consumer", "microsoft-365", "google", "yahoo", "apple", "gmx",
             "web.de", "orange", "comcast", "att", "mailru"]
clusters = ["eur", "nam", "apac", "lat", "gov"]
scope_names = []
for k in range(receiver_scopes):
    scope_names.append(f"{providers[k % len(providers)]}/{clusters[(k // len(providers)) % len(clusters)]}"
                       + (f"-{k // (len(providers) * len(clusters))}" if k >= len(providers) * len(clusters) else ""))
zones = ["zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "psbl.surriel.com",
         "bl.mailspike.net", "dnsbl-1.uceprotect.net"]
for k in range(scopes - receiver_scopes):
    scope_names.append(f"dnsbl/{zones[k % len(zones)]}")
scope_names = scope_names[:scopes]

out = [begin]
out.append("CREATE TEMPORARY TABLE bench_scope (n INTEGER PRIMARY KEY, name TEXT NOT NULL);")
out.append("INSERT INTO bench_scope (n, name) VALUES " +
           ", ".join(f"({n}, '{name}')" for n, name in enumerate(scope_names)) + ";")
ip_expr = "'198.18.' || ((p.value / {s}) / 250) || '.' || ((p.value / {s}) % 250 + 1)".format(s=scopes)

# Clear heartbeats: ids 1 .. pairs*heartbeats, pair p = (id-1) / heartbeats, beat b.
out.append(f"""
INSERT INTO evidence (id, time, ip, scope, verdict, reason, provider_code, source_kind,
                      source_id, observations, last_time, receiver, outcome, node)
SELECT h.value, {ts(f"{start} + ((h.value - 1) % {heartbeats}) * {period} + ((h.value - 1) / {heartbeats}) % 3600")},
       '198.18.' || ((((h.value - 1) / {heartbeats}) / {scopes}) / 250) || '.' ||
           ((((h.value - 1) / {heartbeats}) / {scopes}) % 250 + 1),
       sc.name, 'clear', 'delivered', '250 2.0.0', 'log', h.value,
       1 + h.value % 40,
       {ts(f"{start} + ((h.value - 1) % {heartbeats}) * {period} + ((h.value - 1) / {heartbeats}) % 3600 + 1800")},
       sc.name, 'accepted', 'mx' || ((((h.value - 1) / {heartbeats}) / {scopes}) % {nodes} + 1)
FROM {series(1, pairs * heartbeats, 'h')}
JOIN bench_scope sc ON sc.n = ((h.value - 1) / {heartbeats}) % {scopes};""")

# Blocked pairs: p % 47 == 7 (the k-th: p = 47k + 7); open when k is even. Their probe_run and evidence rows.
base = pairs * heartbeats
blocked_pairs = [p for p in range(pairs) if p % 47 == 7]
nb = len(blocked_pairs)
# blocked evidence id = base + k*5 + j + 1 for the k-th blocked pair (p = 47k + 7), j in 0..4;
# probe_run id the same number; time: 3 days before the end of the year (open) or
# mid-year (closed, then cleared by the heartbeats after it).
btime = (f"CASE WHEN ((b.value - {base} - 1) / {blocked_rows}) % 2 = 0 "
         f"THEN {opened} ELSE {start + 180 * 86400} END + ((b.value - {base} - 1) % {blocked_rows}) * 3600")
bpair = f"(((b.value - {base} - 1) / {blocked_rows}) * 47 + 7)"
bip = f"'198.18.' || (({bpair} / {scopes}) / 250) || '.' || (({bpair} / {scopes}) % 250 + 1)"
out.append(f"""
INSERT INTO probe_run (id, started_at, finished_at, script, target, mx_host, ip, port, source_ip,
                       helo, outcome, stage, reply_code, reply_enhanced, reply_text, provider,
                       scope, reason, provider_code, node)
SELECT b.value, {ts(btime)}, {ts(btime + " + 2")}, 'block-check', 'mx.' || sc.name || '.test',
       'mx1.' || sc.name || '.test', '203.0.113.25', 25, {bip}, 'mail.example.org', 'rejected',
       'rcpt', 550, '5.7.1',
       '550 5.7.1 Service unavailable, Client host [' || {bip} || '] blocked using Spamhaus. '
       || 'To request removal from this list see https://www.spamhaus.org/query/ip/' || {bip},
       'microsoft', sc.name, 'ip-blocklisted', 'S3140', 'mx' || (({bpair} / {scopes}) % {nodes} + 1)
FROM {series(base + 1, base + nb * blocked_rows, 'b')}
JOIN bench_scope sc ON sc.n = {bpair} % {scopes};""")
out.append(f"""
INSERT INTO evidence (id, time, ip, scope, verdict, reason, provider_code, source_kind,
                      source_id, observations, receiver, outcome, node)
SELECT b.value, {ts(btime)}, {bip}, sc.name, 'blocked', 'ip-blocklisted', 'S3140', 'probe',
       b.value, 1, sc.name, 'refused', 'mx' || (({bpair} / {scopes}) % {nodes} + 1)
FROM {series(base + 1, base + nb * blocked_rows, 'b')}
JOIN bench_scope sc ON sc.n = {bpair} % {scopes};""")
# Episodes: id k+1 for the k-th blocked pair.
epair = f"((e.value - 1) * 47 + 7)"
eopen = f"((e.value - 1) % 2 = 0)"
efirst = f"({base} + (e.value - 1) * {blocked_rows} + 1)"
out.append(f"""
INSERT INTO episode (id, ip, scope, opened, closed, first_evidence, last_evidence, reason, codes,
                     evidence_count)
SELECT e.value, '198.18.' || (({epair} / {scopes}) / 250) || '.' || (({epair} / {scopes}) % 250 + 1),
       sc.name,
       CASE WHEN {eopen} THEN {ts(str(opened))} ELSE {ts(str(start + 180 * 86400))} END,
       CASE WHEN {eopen} THEN NULL ELSE {ts(str(start + 183 * 86400))} END,
       {efirst}, {efirst} + {blocked_rows - 1}, 'ip-blocklisted', '["S3140"]', {blocked_rows}
FROM {series(1, nb, 'e')}
JOIN bench_scope sc ON sc.n = {epair} % {scopes};""")
# episode_state: one per pair; the last heartbeat (or for an open block its last blocked row).
last_hb = f"(p.value * {heartbeats} + {heartbeats})"
popen = "(p.value % 47 = 7 AND ((p.value - 7) / 47) % 2 = 0)"
pk = "((p.value - 7) / 47)"
last_blocked = f"({base} + {pk} * {blocked_rows} + {blocked_rows})"
out.append(f"""
INSERT INTO episode_state (ip, scope, state, since, last_time, last_id, last_verdict,
                           provider_code, reason, machine, episode_id)
SELECT {ip_expr}, sc.name,
       CASE WHEN {popen} THEN 'blocked' ELSE 'clear' END,
       CASE WHEN {popen} THEN {ts(str(opened))} ELSE {ts(str(start))} END,
       CASE WHEN {popen} THEN {ts(f"{opened} + {(blocked_rows - 1) * 3600}")}
            ELSE {ts(f"{start} + {(heartbeats - 1) * period} + p.value % 3600")} END,
       CASE WHEN {popen} THEN {last_blocked} ELSE {last_hb} END,
       CASE WHEN {popen} THEN 'blocked' ELSE 'clear' END,
       CASE WHEN {popen} THEN 'S3140' ELSE NULL END,
       CASE WHEN {popen} THEN 'ip-blocklisted' ELSE 'delivered' END,
       '{{}}',
       CASE WHEN {popen} THEN {pk} + 1 ELSE NULL END
FROM {series(0, pairs - 1, 'p')}
JOIN bench_scope sc ON sc.n = p.value % {scopes};""")
# state_node (schema 020): which node observed each pair, as the fold records it.
out.append("DELETE FROM state_node;")
out.append("INSERT INTO state_node (node, ip, scope) SELECT DISTINCT node, ip, scope FROM evidence "
           "WHERE node IS NOT NULL AND node <> '';")
out.append("DELETE FROM state_ip;")
out.append("INSERT INTO state_ip (ip, pairs, blocked, unknown) SELECT ip, count(*), "
           "sum(CASE WHEN state = 'blocked' THEN 1 ELSE 0 END), "
           "sum(CASE WHEN state = 'unknown' THEN 1 ELSE 0 END) FROM episode_state GROUP BY ip;")
out.append("DELETE FROM state_node_ip;")
out.append("INSERT INTO state_node_ip (node, ip, pairs, blocked, unknown) SELECT k.node, s.ip, "
           "count(*), sum(CASE WHEN s.state = 'blocked' THEN 1 ELSE 0 END), "
           "sum(CASE WHEN s.state = 'unknown' THEN 1 ELSE 0 END) FROM state_node k "
           "JOIN episode_state s ON s.ip = k.ip AND s.scope = k.scope GROUP BY k.node, s.ip;")
out.append("DELETE FROM monitor_cursor WHERE name = 'state_node_ip';")
out.append("INSERT INTO monitor_cursor (name, value) VALUES ('state_node_ip', 1);")
out.append(f"DELETE FROM monitor_cursor WHERE name = 'episodes';")
out.append(f"INSERT INTO monitor_cursor (name, value) VALUES ('episodes', {base + nb * blocked_rows});")
out.append("DELETE FROM run_schedule;")
out.append(f"""
INSERT INTO run_schedule (task, last_run, next_due, last_result)
SELECT 'dnsbl:' || {ip_expr.replace('p.value / ' + str(scopes), 'p.value')},
       '2026-12-06T20:00:00Z', '2026-12-06T20:30:00Z', 'ok'
FROM {series(0, ips - 1, 'p')};""")
out.append("DROP TABLE bench_scope;")
out.append(commit)
if with_analyze:
    out.append(analyze)
print("\n".join(out))
print(f"-- rows: evidence {pairs * heartbeats + nb * blocked_rows} "
      f"({pairs * heartbeats} clear heartbeats + {nb * blocked_rows} blocked), "
      f"probe_run {nb * blocked_rows}, episode {nb} ({len([p for p in blocked_pairs if (p - 7) // 47 % 2 == 0])} open), "
      f"episode_state {pairs}", file=sys.stderr)
