#!/bin/bash
# bench/web/load.sh: the dashboard under hostile load (issue 17), all on loopback, bounded in
# time (about a minute) and count: SLOW connections trickling a request head (default 2,000,
# from 40 addresses) and NEVER clients that pipeline twenty /api/timeline?limit=20000 requests
# and never read (default 100, from 10 addresses), while a normal client from 127.0.0.1 asks
# for /api/status every 20 ms. serve runs with the descriptor limit of its systemd unit
# (LimitNOFILE=4096). Prints the normal client's latency (goal p99 < 100 ms, no failure) and
# serve's peak resident memory (goal < 256 MB).
# Usage: bench/web/load.sh [BUILD_DIR] [SECONDS] [SLOW] [NEVER] [EVIDENCE_ROWS]
#        SMTPPROBE=path/to/smtpprobe measures another binary (an older one, for comparison).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
seconds=${2:-30}
slow=${3:-2000}
never=${4:-100}
rows=${5:-300000}
bin=${SMTPPROBE:-$build/cli/smtpprobe}
fill=$build/bench/web/bench_web_fill
work=$(mktemp -d)
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }

db=${BENCH_DB:-$work/history.db}
[ -f "$db" ] || "$fill" "$db" "$rows" >/dev/null
echo "binary: $bin; evidence rows: $(sqlite3 -readonly "$db" 'SELECT count(*) FROM evidence')"
ulimit -n 16384 # for the hostile clients; serve gets the unit's 4096 below
port=$(free_port)
(ulimit -n 4096; exec "$bin" --db "$db" -q serve --listen "127.0.0.1:$port" --threads 2) &
serve_pid=$!
wait_port "$port"
echo "== $slow slow + $never never-reading clients for $seconds s, normal client beside them"
# The hostile clients share the two cores with serve here (on a real network they would
# not): they run at a lower priority so they measure the server rather than starve it.
nice -n 10 python3 "$here/hostile_clients.py" "$port" "$((seconds + 5))" "$slow" "$never" > "$work/hostile.txt" &
hostile_pid=$!
peak=0
sample() {
  while kill -0 "$serve_pid" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$serve_pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$work/peak"
    sleep 0.2
  done
}
sample &
sampler=$!
sleep 3 # let the hostile clients connect
python3 "$here/status_latency.py" "$port" "$seconds" > "$work/latency.txt"
wait "$hostile_pid" || true
fds=$(ls "/proc/$serve_pid/fd" 2>/dev/null | wc -l)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$serve_pid/status")
alive=$(kill -0 "$serve_pid" 2>/dev/null && echo yes || echo NO)
kill "$sampler" 2>/dev/null || true
cat "$work/hostile.txt"
grep -v '=' "$work/latency.txt"
p99=$(sed -n 's/^P99_MS=//p' "$work/latency.txt")
failures=$(sed -n 's/^FAILURES=//p' "$work/latency.txt")
echo "serve: alive $alive, peak RSS $((hwm / 1024)) MB (VmHWM), $fds descriptors open after the run"
ok=$(echo "$p99 < 100" | bc 2>/dev/null || echo 0)
[ "$ok" = 1 ] && [ "$failures" = 0 ] && [ "$hwm" -lt $((256 * 1024)) ] && [ "$alive" = yes ] &&
  echo "goals (p99 < 100 ms, no failure, < 256 MB): MET" && exit 0
echo "goals (p99 < 100 ms, no failure, < 256 MB): NOT MET"
exit 1
