#!/bin/sh
# Probe throughput against Postfix's smtp-sink on loopback (see README of bench/).
#   bench/probe_throughput/run.sh [BUILD_DIR]     (build with the default CMake options first)
# Prints, for block-check at concurrency 1, 100 and 1000, our sessions/s; for equal work (a
# `deliver` session = smtp-source's message) our rate, pipelined and lock-step, beside
# smtp-source's in three rounds and the median ratios; swaks sequential; and 10,000 concurrent
# sessions held open (smtp-sink delays RCPT by 2 s) with our peak RSS. Needs smtp-sink,
# smtp-source (postfix package) and swaks.
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
# Our deliver script pipelines MAIL/RCPT/DATA and "."/QUIT when the server offers PIPELINING
# (RFC 2920, as Postfix's own smtp client does); smtp-source never pipelines, so our lock-step
# mode (--no-pipelining) is measured too: the same seven round trips as smtp-source.
# Three rounds per concurrency, the order rotating (a run after another tool's meets a warmer
# or a busier machine); each round's ratios, then the medians.
run_source() { # concurrency messages -> rate
    t0=$(now)
    /usr/sbin/smtp-source -s "$1" -m "$2" -f bench@source.test -t rcpt@sink.test 127.0.0.1:"$port"
    t1=$(now)
    rate "$2" "$t0" "$t1"
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$@"; }
for c in 1 100; do
    n=2000; [ "$c" -ge 100 ] && n=20000
    piped=""
    locked=""
    for round in 1 2 3; do
        case $round in
        1)
            ours=$("$driver" "$port" "$n" "$c" deliver || true)
            lock=$("$driver" "$port" "$n" "$c" deliver lockstep || true)
            theirs=$(run_source "$c" "$n")
            ;;
        2)
            theirs=$(run_source "$c" "$n")
            ours=$("$driver" "$port" "$n" "$c" deliver || true)
            lock=$("$driver" "$port" "$n" "$c" deliver lockstep || true)
            ;;
        3)
            lock=$("$driver" "$port" "$n" "$c" deliver lockstep || true)
            theirs=$(run_source "$c" "$n")
            ours=$("$driver" "$port" "$n" "$c" deliver || true)
            ;;
        esac
        echo "round $round: $ours"
        echo "round $round: $lock"
        echo "round $round: smtp-source concurrency=$c messages=$n rate=$theirs"
        piped="$piped $(ratio "$(field "$ours" rate)" "$theirs")"
        locked="$locked $(ratio "$(field "$lock" rate)" "$theirs")"
    done
    python3 -c "
import sys, statistics
c, piped, locked = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
for name, r in (('pipelined (default)', piped), ('lock-step', locked)):
    r = [float(x) for x in r]
    print(f'ratio ours/smtp-source at concurrency {c}, {name}: rounds ' +
          ' '.join(f'{x:.2f}x' for x in r) + f', median {statistics.median(r):.2f}x')
" "$c" "$piped" "$locked"
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
