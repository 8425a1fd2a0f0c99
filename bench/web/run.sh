#!/bin/bash
# bench/web: the dashboard server under wrk.
#  1. /api/status requests per second (goal >= 10,000 on a 2-core machine), with 1 and 2
#     serving threads; peer: python3's http.server serving the same JSON as a static file.
#  2. The timeline query (/api/timeline: episodes + evidence + notes for a 7-day window, each
#     filter combination) over 1,000,000 evidence rows: p99 latency (goal < 100 ms); peer: the
#     sqlite3 shell running the same evidence query.
# Prints our figures, the peers', the ratios, and serve's peak memory (VmHWM).
# Usage: bench/web/run.sh [BUILD_DIR] [EVIDENCE_ROWS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
rows=${2:-1000000}
bin=$build/cli/smtpprobe
fill=$build/bench/web/bench_web_fill
work=$(mktemp -d)
serve_pid=""
peer_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
rps() { awk '/Requests\/sec/ {print $2}'; }

# BENCH_DB=path keeps the filled database between runs (filled once if missing).
db=${BENCH_DB:-$work/history.db}
if [ ! -f "$db" ]; then
  echo "== filling $rows evidence rows"
  start=$(date +%s.%N)
  "$fill" "$db" "$rows"
  echo "fill took $(echo "$(date +%s.%N) - $start" | bc) s; database $(du -h "$db" | cut -f1)"
fi
echo "evidence rows: $(sqlite3 -readonly "$db" 'SELECT count(*) FROM evidence')"

start_serve() {
  port=$(free_port)
  "$bin" --db "$db" -q serve --listen "127.0.0.1:$port" --threads "$1" &
  serve_pid=$!
  wait_port "$port"
}
stop_serve() {
  hwm=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$serve_pid/status")
  kill "$serve_pid"; wait "$serve_pid" || true; serve_pid=""
}

echo "== /api/status (wrk -t2 -c32 -d10s)"
best=0
for threads in 1 2; do
  start_serve "$threads"
  curl -s "http://127.0.0.1:$port/api/status" > "$work/status.json"
  r=$(wrk -t2 -c32 -d10s "http://127.0.0.1:$port/api/status" | rps)
  stop_serve
  echo "smtpprobe serve --threads $threads: $r requests/s (peak memory $hwm)"
  best=$(echo "if ($r > $best) $r else $best" | bc)
done

mkdir -p "$work/static/api"
cp "$work/status.json" "$work/static/api/status"
pport=$(free_port)
(cd "$work/static" && exec python3 -m http.server "$pport" --bind 127.0.0.1 >/dev/null 2>&1) &
peer_pid=$!
wait_port "$pport"
peer=$(wrk -t2 -c32 -d10s "http://127.0.0.1:$pport/api/status" | rps)
kill "$peer_pid"; wait "$peer_pid" 2>/dev/null || true; peer_pid=""
echo "peer python3 http.server (static copy of the same JSON): $peer requests/s"
echo "ratio smtpprobe/peer: $(echo "scale=1; $best / $peer" | bc)x   goal >= 10000 req/s: $(echo "$best >= 10000" | bc | sed 's/1/MET/;s/0/NOT MET/')"

echo "== /api/timeline over $rows evidence rows (wrk -t2 -c4 -d20s --latency, random 7-day windows)"
start_serve 2
wrk -t2 -c4 -d20s --latency -s "$here/timeline.lua" "http://127.0.0.1:$port" > "$work/timeline.txt"
stop_serve
sed -n '/Latency Distribution/,/requests in/p' "$work/timeline.txt"
grep "Requests/sec" "$work/timeline.txt"
p99=$(awk '$1 == "99%" {print $2}' "$work/timeline.txt")
echo "smtpprobe timeline p99: $p99 (peak memory $hwm)   goal < 100 ms"

# Peer: the sqlite3 shell, same evidence query (one IP, one 7-day window), 20 times.
sql="SELECT id, time, ip, scope, verdict, reason, provider_code, source_kind, source_id FROM evidence WHERE ip = '198.51.100.2' AND time >= '2025-06-01T00:00:00Z' AND time <= '2025-06-08T00:00:00Z' ORDER BY time, id LIMIT 5001;"
{
  echo ".timer on"
  echo ".output /dev/null"
  for _ in $(seq 20); do echo "$sql"; done
} > "$work/peer.sql"
sqlite3 -readonly "$db" < "$work/peer.sql" 2>&1 | awk '/Run Time/ {s += $4; n++} END {printf "peer sqlite3 shell, same evidence query (no HTTP, no JSON): %.1f ms mean over %d runs\n", s / n * 1000, n}'
start_serve 2
curl -s -o /dev/null -w "smtpprobe same window through HTTP+JSON: %{time_total} s\n" "http://127.0.0.1:$port/api/timeline?ip=198.51.100.2&from=2025-06-01&to=2025-06-08"
stop_serve
