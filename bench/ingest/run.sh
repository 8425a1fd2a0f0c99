#!/bin/sh
# Ingest benchmark: generates a realistic Postfix log and a sendmail log (bench_ingest_generate),
# then measures on each
#   - parse+classify on one core, no database (bench_ingest_parse),
#   - the full `smtpprobe ingest log` into a fresh SQLite history,
# and pflogsumm on the same Postfix file, with the ratio and our peak memory.
# Usage: bench/ingest/run.sh [BUILD_DIR] [POSTFIX_LINES] [SENDMAIL_LINES]
# Figures are given per wall second and per CPU second (user+sys): on a shared, loaded machine
# the CPU figure is the single-core throughput, the wall figure what this run got.
set -eu
build=${1:-build}
pf_lines=${2:-5000000}
sm_lines=${3:-2000000}
gen="$build/bench/ingest/bench_ingest_generate"
parse="$build/bench/ingest/bench_ingest_parse"
smtpprobe="$build/cli/smtpprobe"
for tool in "$gen" "$parse" "$smtpprobe"; do
    [ -x "$tool" ] || { echo "missing $tool: build first (scripts/build.sh)" >&2; exit 2; }
done
command -v pflogsumm >/dev/null || { echo "pflogsumm not installed" >&2; exit 2; }
work=$(mktemp -d /tmp/smtpprobe-bench-ingest.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

echo "generating $pf_lines Postfix lines and $sm_lines sendmail lines in $work"
"$gen" postfix "$pf_lines" > "$work/postfix.log"
"$gen" sendmail "$sm_lines" > "$work/sendmail.log"
ls -l "$work/postfix.log" "$work/sendmail.log" | awk '{print "  " $9 ": " $5 " bytes"}'

# time_it LABEL LINES CMD...: prints wall/CPU seconds, lines/s of each, peak RSS; sets $wall $cpu
time_it() {
    label=$1; lines=$2; shift 2
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || true
    read -r wall user sys rss <<EOT
$(tail -n 1 "$work/time")
EOT
    cpu=$(echo "$user + $sys" | bc -l)
    printf '%-34s wall %7.2f s %10.0f lines/s | cpu %7.2f s %10.0f lines/s | peak RSS %6.1f MB\n' \
        "$label" "$wall" "$(echo "$lines / $wall" | bc -l)" "$cpu" \
        "$(echo "$lines / ($cpu + 0.001)" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

for kind in postfix sendmail; do
    lines=$(wc -l < "$work/$kind.log")
    echo
    echo "== $kind ($lines lines)"
    time_it "parse+classify (bench_ingest_parse)" "$lines" "$parse" "$work/$kind.log"
    sed 's/^/    /' "$work/out"
    eval "${kind}_parse_wall=$wall ${kind}_parse_cpu=$cpu"
    # Three runs, each into a fresh database after the previous one's pages are written back
    # (sync); the run with the median CPU time is the figure (one run moves by up to a
    # quarter, depending on what the machine did just before).
    runs=""
    for run in 1 2 3; do
        rm -f "$work/$kind.db" "$work/$kind.db-wal" "$work/$kind.db-shm"
        sync
        time_it "ingest into SQLite, run $run" "$lines" \
            "$smtpprobe" --db "$work/$kind.db" -q ingest log "$work/$kind.log"
        runs="$runs$cpu $wall
"
    done
    read -r cpu wall <<EOT
$(printf '%s' "$runs" | sort -n | sed -n 2p)
EOT
    printf '%-34s wall %7.2f s %10.0f lines/s | cpu %7.2f s %10.0f lines/s\n' \
        "ingest into SQLite (median run)" "$wall" "$(echo "$lines / $wall" | bc -l)" "$cpu" \
        "$(echo "$lines / ($cpu + 0.001)" | bc -l)"
    eval "${kind}_wall=$wall ${kind}_cpu=$cpu"
    echo "    rows: $(sqlite3 "$work/$kind.db" 'SELECT count(*) FROM delivery') deliveries," \
         "$(sqlite3 "$work/$kind.db" 'SELECT count(*) FROM evidence') evidence rows" \
         "($(sqlite3 "$work/$kind.db" 'SELECT sum(observations) FROM evidence') observations)," \
         "$(sqlite3 "$work/$kind.db" 'SELECT count(*) FROM finding') findings"
    time_it "re-run (cursor: nothing new)" "$lines" \
        "$smtpprobe" --db "$work/$kind.db" -q ingest log "$work/$kind.log"
done

lines=$(wc -l < "$work/postfix.log")
echo
echo "== pflogsumm on the same Postfix file"
time_it "pflogsumm" "$lines" pflogsumm "$work/postfix.log"
printf 'ratio pflogsumm / smtpprobe parse+classify (both read and report): wall %.1fx, cpu %.1fx\n' \
    "$(echo "$wall / $postfix_parse_wall" | bc -l)" "$(echo "$cpu / $postfix_parse_cpu" | bc -l)"
printf 'ratio pflogsumm / smtpprobe full ingest (ours also writes SQLite): wall %.1fx, cpu %.1fx\n' \
    "$(echo "$wall / $postfix_wall" | bc -l)" "$(echo "$cpu / $postfix_cpu" | bc -l)"
