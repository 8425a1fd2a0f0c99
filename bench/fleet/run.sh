#!/bin/bash
# bench/fleet: a fleet of nodes writing into one history, PostgreSQL beside SQLite (issue 20).
# The peer of each figure is the other backend on the same input in the same run:
#  1. ingest: N nodes (1, 4, 16) each run `smtpprobe --config nodeK.toml --db DB -q ingest log
#     FILE_K` on its own Postfix log of LINES_PER_NODE lines (bench_ingest_generate, seed K,
#     syslog host mxK), all started at once: total lines / wall seconds per backend, the
#     PostgreSQL/SQLite ratio, the largest peak RSS of one node, the rows stored, and every
#     node that failed with its exact message (SQLite: one writer at a time, 10 s busy timeout).
#  2. probe: N nodes each run `smtpprobe probe` (block-check, --concurrency 10) on
#     PROBES_PER_NODE targets (Postfix's smtp-sink on loopback, one port, repeated), each node
#     from its own loopback source IP 127.0.0.K: probe_run rows stored per wall second.
#  3. overview: serve's /api/overview over a fleet history of IPS sending IPs x SCOPES scopes
#     and one year of evidence (fill_overview.py: HEARTBEATS clear rows per pair, 2% of the
#     pairs with a block episode, half of them open): p50/p99 latency of one client
#     (latency.py; goal p99 < 100 ms) of the default page (counts over every IP, the attention
#     list, 20 IPs with all their pairs), of ?state=blocked and of ?node=mx1, for each size in
#     OVERVIEW_IPS, and serve's peak memory.
# Usage: bench/fleet/run.sh [BUILD_DIR] [LINES_PER_NODE] [PROBES_PER_NODE] [SCOPES] [HEARTBEATS]
#   PARTS="ingest probe overview"  NODES="1 4 16"  OVERVIEW_IPS="100 500 5000"  OVERVIEW_TIMEOUT=60
#   OVERVIEW_VARIANTS="sqlite sqlite+ANALYZE postgresql" (sqlite+ANALYZE: the sqlite one after
#   ANALYZE)
#   PG_OPTS: postgres -c options of the throwaway server (tests/support/pg_server.sh, whose own
#   default is fsync=off): default "-c fsync=on", a production server's durability; SQLite runs
#   with its defaults here (WAL, synchronous=NORMAL).
#   PG_SERVER=path/to/pg_server.sh, SMTPPROBE=path/to/smtpprobe.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
lines=${2:-200000}
probes=${3:-500}
scopes=${4:-50}
beats=${5:-8}
parts=${PARTS:-ingest probe overview}
nodes_list=${NODES:-1 4 16}
overview_ips=${OVERVIEW_IPS:-100 500 5000}
overview_timeout=${OVERVIEW_TIMEOUT:-60}
overview_variants=${OVERVIEW_VARIANTS:-sqlite sqlite+ANALYZE postgresql}
pg_opts=${PG_OPTS:--c fsync=on}
bin=${SMTPPROBE:-$build/cli/smtpprobe}
gen=$build/bench/ingest/bench_ingest_generate
pg_server=${PG_SERVER:-$root/tests/support/pg_server.sh}
for tool in "$bin" "$gen"; do
  [ -x "$tool" ] || { echo "missing $tool: build first" >&2; exit 2; }
done
[ -f "$pg_server" ] || { echo "missing $pg_server" >&2; exit 2; }
for tool in psql sqlite3 python3 /usr/bin/time /usr/sbin/smtp-sink; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

work=$(mktemp -d /tmp/smtpprobe-bench-fleet.XXXXXX)
chmod 755 "$work" # the PostgreSQL server runs as postgres when we are root
pids=""
serve_pid=""
sink_pid=""
pg_port=""
cleanup() {
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  [ -n "$pg_port" ] && bash "$pg_server" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
now() { date +%s.%N; }
calc() { python3 -c "import sys; print(eval(sys.argv[1]))" "$1"; }
# Stops serve (SIGTERM; SIGKILL after 5 s: a request it still computes may hold it).
stop_serve() {
  kill "$serve_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
}

echo "smtpprobe fleet benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin ($("$bin" --version 2>&1 | head -n 1))"
pg_port=$(free_port)
# shellcheck disable=SC2086
bash "$pg_server" start "$work/pg" "$pg_port" $pg_opts
echo "PostgreSQL options: $pg_opts; SQLite: WAL, synchronous=NORMAL, busy timeout 10 s"
psqlc() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U smtpprobe "$@"; }
: > "$work/empty.toml"
: > "$work/empty.log"

# new_db BACKEND NAME: a fresh database with the schema (an ingest of an empty file creates
# it, as a fleet's first run does); prints its --db value.
new_db() {
  if [ "$1" = sqlite ]; then
    rm -f "$work/$2.db" "$work/$2.db-wal" "$work/$2.db-shm"
    db="$work/$2.db"
  else
    psqlc -d postgres -c "CREATE DATABASE $2" >&2
    db="postgresql://smtpprobe@127.0.0.1:$pg_port/$2"
  fi
  "$bin" --config "$work/empty.toml" --db "$db" -q ingest log "$work/empty.log" >&2
  echo "$db"
}
# sql BACKEND DB QUERY: one value.
sql() {
  if [ "$1" = sqlite ]; then sqlite3 -readonly "$2" "$3"; else psql -X -At "$2" -c "$3"; fi
}

# fleet NODES LABEL COMMAND...: starts NODES copies of smtpprobe at once, node K with
# "{K}" in the arguments replaced by K; waits for all; sets $wall, $rss_max (MB), $failed and
# prints the exit codes and each distinct error message.
fleet() {
  n=$1; label=$2; shift 2
  rm -f "$work"/node.*
  t0=$(now)
  pids=""
  for k in $(seq "$n"); do
    args=()
    for a in "$@"; do args+=("${a//\{K\}/$k}"); done
    (
      rc=0
      /usr/bin/time -f "%e %M" -o "$work/node.$k.time" "$bin" "${args[@]}" \
        > "$work/node.$k.out" 2> "$work/node.$k.err" || rc=$?
      echo "$rc" > "$work/node.$k.rc"
    ) &
    pids="$pids $!"
  done
  # shellcheck disable=SC2086
  wait $pids
  pids=""
  t1=$(now)
  wall=$(calc "$t1 - $t0")
  rss_max=$(cat "$work"/node.*.time | awk '$2 ~ /^[0-9]+$/ {if ($2 > m) m = $2} END {printf "%.1f", m / 1024}')
  node_wall=$(cat "$work"/node.*.time | awk '$1 ~ /^[0-9.]+$/ {if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1} END {printf "%s-%s", min, max}')
  codes=$(cat "$work"/node.*.rc | sort | uniq -c | awk '{printf "%s%sx rc=%s", sep, $1, $2; sep=", "}')
  failed=$(cat "$work"/node.*.rc | awk '$1 >= 2' | wc -l)
  echo "  $label: nodes=$n exit codes: $codes; node wall ${node_wall} s"
  if [ "$failed" -gt 0 ]; then
    # The exact message of each failed node, once per distinct message.
    for k in $(seq "$n"); do
      [ "$(cat "$work/node.$k.rc")" -ge 2 ] && { echo "    node $k (rc=$(cat "$work/node.$k.rc")): $(head -c 600 "$work/node.$k.err" | tr '\n' ' ')"; }
    done | awk '{key = $0; sub(/^ *node [0-9]+ /, "", key); if (!(key in seen)) {seen[key] = 1; print} else dup++} END {if (dup) print "    (" dup " more nodes with the same messages)"}'
  fi
  return 0
}

declare -A rate
if [[ " $parts " == *" ingest "* ]]; then
  echo
  echo "== 1. ingest: N nodes, $lines Postfix lines each, all started at once"
  max_nodes=$(echo "$nodes_list" | tr ' ' '\n' | sort -n | tail -n 1)
  for k in $(seq "$max_nodes"); do
    # Each node its own log: seed K, syslog host mxK (queue ids are per host).
    "$gen" postfix "$lines" "$k" | sed "s/^\(.\{15\}\) mail /\1 mx$k /" > "$work/node$k.log"
    cat > "$work/ingest$k.toml" <<EOF
[[identity]]
name = "mx$k"
ip = "192.0.2.$((k + 10))"
helo = "mx$k.example.org"
mail_from = "postmaster@example.org"

[run]
node = "mx$k"

[[log]]
path = "$work/node$k.log"
format = "postfix"
EOF
  done
  echo "  per node: $(wc -l < "$work/node1.log") lines, $(du -h "$work/node1.log" | cut -f1)"
  for n in $nodes_list; do
    for backend in sqlite postgresql; do
      db=$(new_db "$backend" "ingest_${n}_$$")
      sync
      fleet "$n" "$backend" --config "$work/ingest{K}.toml" --db "$db" -q ingest log "$work/node{K}.log"
      total=$((n * lines))
      r=$(calc "round($total / $wall)")
      rate[ingest_${backend}_$n]=$r
      printf '  %-10s nodes=%-2s lines=%-8s wall %7.2f s %9s lines/s  peak RSS of one node %6s MB  failed nodes %s\n' \
        "$backend" "$n" "$total" "$wall" "$r" "$rss_max" "$failed"
      [ "$failed" -gt 0 ] && echo "    counting only the lines of the nodes that exited below 2: $(calc "round($(( (n - failed) * lines )) / $wall)") lines/s"
      echo "    stored: $(sql "$backend" "$db" 'SELECT count(*) FROM delivery') deliveries," \
        "$(sql "$backend" "$db" 'SELECT count(*) FROM evidence') evidence rows," \
        "evidence: distinct IPs|rows with ip '': $(sql "$backend" "$db" "SELECT count(DISTINCT ip), sum(CASE WHEN ip = '' THEN 1 ELSE 0 END) FROM evidence")," \
        "episode_state IPs: $(sql "$backend" "$db" "SELECT count(DISTINCT ip) FROM episode_state")," \
        "$(sql "$backend" "$db" 'SELECT count(*) FROM ingest_cursor') cursors," \
        "$(sql "$backend" "$db" 'SELECT count(*) FROM episode') episodes"
      [ "$backend" = sqlite ] && echo "    database: $(du -ch "$work/ingest_${n}_$$.db"* | tail -n 1 | cut -f1)"
      [ "$backend" = postgresql ] && echo "    database: $(sql "$backend" "$db" "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    done
    echo "  ratio PostgreSQL/SQLite at $n nodes: $(calc "round(${rate[ingest_postgresql_$n]} / ${rate[ingest_sqlite_$n]}, 2)")x"
  done
fi

if [[ " $parts " == *" probe "* ]]; then
  echo
  echo "== 2. probe: N nodes, $probes block-check sessions each (--concurrency 10) against smtp-sink"
  user_opt=""
  [ "$(id -u)" = 0 ] && user_opt="-u postfix"
  sink_port=$(free_port)
  # shellcheck disable=SC2086
  /usr/sbin/smtp-sink $user_opt -m 2000 127.0.0.1:"$sink_port" 4096 >/dev/null 2>&1 &
  sink_pid=$!
  wait_port "$sink_port"
  targets=()
  for _ in $(seq "$probes"); do targets+=("127.0.0.1:$sink_port"); done
  max_nodes=$(echo "$nodes_list" | tr ' ' '\n' | sort -n | tail -n 1)
  for k in $(seq "$max_nodes"); do
    cat > "$work/probe$k.toml" <<EOF
[[identity]]
name = "node$k"
ip = "127.0.0.$((k + 1))"
helo = "node$k.example.org"
mail_from = "postmaster@example.org"

[run]
node = "node$k"

[probes]
default_receivers = false
EOF
  done
  for n in $nodes_list; do
    for backend in sqlite postgresql; do
      db=$(new_db "$backend" "probe_${n}_$$")
      fleet "$n" "$backend" --config "$work/probe{K}.toml" --db "$db" -q probe \
        --ignore-min-interval --concurrency 10 --tls off "${targets[@]}"
      stored=$(sql "$backend" "$db" 'SELECT count(*) FROM probe_run')
      r=$(calc "round($stored / $wall, 1)")
      rate[probe_${backend}_$n]=$r
      printf '  %-10s nodes=%-2s sessions stored=%-6s wall %6.2f s %8s sessions/s  peak RSS of one node %6s MB  failed nodes %s\n' \
        "$backend" "$n" "$stored" "$wall" "$r" "$rss_max" "$failed"
      echo "    evidence rows: $(sql "$backend" "$db" 'SELECT count(*) FROM evidence')," \
        "source IPs: $(sql "$backend" "$db" 'SELECT count(DISTINCT ip) FROM evidence')," \
        "outcomes: $(sql "$backend" "$db" "SELECT outcome || '=' || count(*) FROM probe_run GROUP BY outcome" | tr '\n' ' ')"
    done
    echo "  ratio PostgreSQL/SQLite at $n nodes: $(calc "round(${rate[probe_postgresql_$n]} / max(${rate[probe_sqlite_$n]}, 0.001), 2)")x"
  done
  kill "$sink_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true
  sink_pid=""
fi

if [[ " $parts " == *" overview "* ]]; then
  echo
  echo "== 3. /api/overview over a fleet history: IPS x $scopes scopes, one year, $beats clear heartbeats per pair"
  echo "  (one client, sequential requests; a first request that takes longer than ${overview_timeout} s ends the variant)"
  for ips in $overview_ips; do
    python3 "$here/fill_overview.py" sqlite "$ips" "$scopes" "$beats" > "$work/fill-sqlite.sql" 2> "$work/fill.txt"
    python3 "$here/fill_overview.py" postgresql "$ips" "$scopes" "$beats" analyze > "$work/fill-pg.sql" 2> /dev/null
    echo "  -- $ips IPs x $scopes scopes = $((ips * scopes)) pairs: $(sed 's/^-- //' "$work/fill.txt")"
    for variant in $overview_variants; do
      backend=${variant%%+*}
      if [ "$variant" = sqlite+ANALYZE ]; then
        if [ ! -f "$work/overview_${ips}_$$.db" ]; then
          sqlite3 "$(new_db sqlite "overview_${ips}_$$")" < "$work/fill-sqlite.sql"
        fi
        cp "$work/overview_${ips}_$$.db" "$work/overview_${ips}_a_$$.db"
        db="$work/overview_${ips}_a_$$.db"
        t0=$(now)
        sqlite3 "$db" "ANALYZE"
        echo "  $variant: the same file after ANALYZE ($(calc "round($(now) - $t0, 1)") s)"
      else
        db=$(new_db "$backend" "overview_${ips}_$$")
        t0=$(now)
        if [ "$backend" = sqlite ]; then
          sqlite3 "$db" < "$work/fill-sqlite.sql"
          size=$(du -ch "$db"* | tail -n 1 | cut -f1)
          what="no planner statistics, as smtpprobe leaves a history"
        else
          psql -X -q -v ON_ERROR_STOP=1 "$db" -f "$work/fill-pg.sql" > /dev/null
          size=$(sql "$backend" "$db" "SELECT pg_size_pretty(pg_database_size(current_database()))")
          what="after ANALYZE, as autovacuum leaves it"
        fi
        echo "  $variant: filled in $(calc "round($(now) - $t0, 1)") s, $(sql "$backend" "$db" 'SELECT count(*) FROM evidence') evidence rows, database $size ($what)"
      fi
      port=$(free_port)
      "$bin" --config "$work/empty.toml" --db "$db" -q serve --listen "127.0.0.1:$port" --threads 2 \
        > "$work/serve.out" 2> "$work/serve.err" &
      serve_pid=$!
      if ! wait_port "$port"; then
        echo "    serve did not listen: $(head -c 600 "$work/serve.err")"
        stop_serve
        continue
      fi
      rm -f "$work/overview.json"
      t0=$(now)
      code=$(curl -s --max-time "$overview_timeout" -o "$work/overview.json" -w '%{http_code}' \
        "http://127.0.0.1:$port/api/overview" || true)
      first=$(calc "$(now) - $t0")
      if [ "$code" = 200 ]; then
        # About a minute of requests: 200 at most, 20 at least, 3 when one takes over 10 s.
        count=$(calc "3 if $first > 10 else max(20, min(200, int(60 / max($first, 0.001))))")
        echo "    first /api/overview: 200 in $(calc "round($first * 1000)") ms; then $count requests:"
        echo "    /api/overview            $(python3 "$here/latency.py" "http://127.0.0.1:$port/api/overview" "$count" 2)"
      else
        echo "    first /api/overview: NO ANSWER (curl code '$code') after $(calc "round($first, 1)") s"
        [ -s "$work/overview.json" ] && echo "    answer: $(head -c 600 "$work/overview.json")"
      fi
      # The blocked IPs alone (what the dashboard's "with a block" filter asks), then one
      # node's view (1/16 of the IPs), whatever the whole overview answered.
      echo "    /api/overview?state=blocked $(python3 "$here/latency.py" "http://127.0.0.1:$port/api/overview?state=blocked" 100 2)"
      t0=$(now)
      ncode=$(curl -s --max-time "$overview_timeout" -o /dev/null -w '%{http_code}' \
        "http://127.0.0.1:$port/api/overview?node=mx1" || true)
      nfirst=$(calc "$(now) - $t0")
      if [ "$ncode" = 200 ] || [ "$ncode" = 503 ] || [ "$ncode" = 400 ]; then
        count=$(calc "3 if $nfirst > 10 else max(20, min(200, int(60 / max($nfirst, 0.001))))")
        echo "    /api/overview?node=mx1   $(python3 "$here/latency.py" "http://127.0.0.1:$port/api/overview?node=mx1" "$count" 1)"
      else
        echo "    /api/overview?node=mx1   NO ANSWER (curl code '$ncode') after $(calc "round($nfirst, 1)") s"
      fi
      hwm=$(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$serve_pid/status")
      stop_serve
      echo "    serve peak memory (VmHWM): $hwm$( [ -s "$work/serve.err" ] && echo "; serve stderr: $(head -c 400 "$work/serve.err" | tr '\n' ' ')")"
    done
    [ "$backend" = postgresql ] && psqlc -d postgres -c "DROP DATABASE overview_${ips}_$$" >/dev/null 2>&1 || true
    rm -f "$work/overview_${ips}_"*
  done
fi
