#!/bin/sh
# Status benchmark (issue 18): `smtpprobe status` on the history of a generated 3-million-line
# Postfix log (bench/ingest's generator): wall and CPU time, peak memory, and how many lines
# and columns it prints (one screen, at most 100 columns), beside `status --json` (everything).
# Usage: bench/status/run.sh [BUILD_DIR] [LINES]   (BUILD_DIR needs -DSMTPPROBE_BENCH=ON)
set -eu
build=${1:-build}
lines=${2:-3000000}
gen="$build/bench/ingest/bench_ingest_generate"
smtpprobe="$build/cli/smtpprobe"
for tool in "$gen" "$smtpprobe"; do
    [ -x "$tool" ] || { echo "missing $tool: build with -DSMTPPROBE_BENCH=ON first" >&2; exit 2; }
done
work=$(mktemp -d /tmp/smtpprobe-bench-status.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
echo "generating $lines Postfix lines and their history in $work"
"$gen" postfix "$lines" > "$work/postfix.log"
"$smtpprobe" --db "$work/h.db" -q ingest log "$work/postfix.log" || [ $? -eq 1 ]
for args in "status" "status --all" "status --json"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$smtpprobe" --db "$work/h.db" $args \
        > "$work/out" 2> "$work/err" || true
    read -r wall user sys rss <<EOT
$(tail -n 1 "$work/time")
EOT
    printf '%-16s wall %6.2f s  cpu %6.2f s  peak RSS %6.1f MB  %7d lines, widest %4d columns\n' \
        "$args" "$wall" "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
        "$(wc -l < "$work/out")" "$(wc -L < "$work/out")"
done
