#!/bin/sh
# Probe throughput against Postfix's smtp-sink on loopback (see README of bench/).
#   bench/probe_throughput/run.sh [BUILD_DIR]     (build with the default CMake options first)
# Prints, for block-check at concurrency 1, 100 and 1000, our sessions/s; for equal work (a
# `deliver` session = smtp-source's message) our rate beside smtp-source's in three rounds and
# the median ratio; swaks sequential; and 10,000 concurrent sessions held open (smtp-sink delays RCPT by 2 s) with our
# peak RSS. Needs smtp-sink, smtp-source (postfix package) and swaks.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
driver="$build/bench/probe_throughput/bench_probe_throughput"
[ -x "$driver" ] || { echo "build $driver first (cmake --build $build)" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
user_opt=""
[ "$(id -u)" = 0 ] && user_opt="-u postfix"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
sink_pid=""
start_sink() { # extra smtp-sink options...
    port=$(free_port)
    # shellcheck disable=SC2086
    /usr/sbin/smtp-sink $user_opt "$@" 127.0.0.1:"$port" 4096 >/dev/null 2>&1 &
    sink_pid=$!
    sleep 0.5
}
stop_sink() { kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; }
trap stop_sink EXIT INT TERM
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1])/(float(sys.argv[3])-float(sys.argv[2])):.1f}')" "$@"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo "== block-check (EHLO, MAIL, RCPT, RSET, QUIT; no DATA) against smtp-sink"
start_sink
for c in 1 100 1000; do
    n=2000; [ "$c" -ge 100 ] && n=20000
    "$driver" "$port" "$n" "$c" block-check || true
done

echo "== equal work: one message per session (our deliver script vs smtp-source)"
# Three rounds per concurrency, the order alternating (a run after the other tool's meets a
# warmer or a busier machine); each round's ratio, then the median of the three.
run_source() { # concurrency messages -> rate
    t0=$(now)
    /usr/sbin/smtp-source -s "$1" -m "$2" -f bench@source.test -t rcpt@sink.test 127.0.0.1:"$port"
    t1=$(now)
    rate "$2" "$t0" "$t1"
}
for c in 1 100; do
    n=2000; [ "$c" -ge 100 ] && n=20000
    ratios=""
    for round in 1 2 3; do
        if [ $((round % 2)) -eq 1 ]; then
            ours=$("$driver" "$port" "$n" "$c" deliver || true)
            theirs=$(run_source "$c" "$n")
        else
            theirs=$(run_source "$c" "$n")
            ours=$("$driver" "$port" "$n" "$c" deliver || true)
        fi
        echo "round $round: $ours"
        echo "round $round: smtp-source concurrency=$c messages=$n rate=$theirs"
        r=$(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$(field "$ours" rate)" "$theirs")
        ratios="$ratios $r"
    done
    python3 -c "import sys, statistics; r=[float(x) for x in sys.argv[2:]]; print(f'ratio ours/smtp-source at concurrency {sys.argv[1]}: rounds {\" \".join(f\"{x:.2f}x\" for x in r)}, median {statistics.median(r):.2f}x')" "$c" $ratios
done

echo "== swaks, sequential block-check equivalent (--quit-after RCPT)"
n=50
t0=$(now)
i=0
while [ $i -lt $n ]; do
    swaks --server 127.0.0.1:"$port" --from bench@source.test --to rcpt@sink.test \
        --quit-after RCPT --silent 2 >/dev/null 2>&1 || true
    i=$((i + 1))
done
t1=$(now)
echo "swaks sequential sessions=$n rate=$(rate "$n" "$t0" "$t1")"
stop_sink

echo "== 10,000 concurrent sessions (smtp-sink waits 2 s before answering RCPT)"
# -m: smtp-sink serves 256 connections at a time by default and leaves the rest in the listen
# queue, which made sessions beyond that time out at the banner: the peer's limit, not ours.
start_sink -m 12000 -W rcpt:2
"$driver" "$port" 10000 10000 block-check || true
