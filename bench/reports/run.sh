#!/bin/bash
# DMARC aggregate report benchmark (issue 19): generates N realistic reports (plain XML and the
# same gzip-compressed, generate_reports.py, seeded) and measures on each set
#   - `smtpprobe ingest dmarc DIR` into a fresh SQLite history (parse, store every report and
#     record, evidence and findings): one process for the whole folder;
#   - dmarc-cat (Debian's dmarc-cat, Go) on the same files: it reads one report per run, so
#     one run per file, DNS lookups off (-N); it stores nothing;
#   - dmarcts-report-parser (Debian's, Perl) into a private PostgreSQL 15 cluster (its
#     supported databases are MySQL and PostgreSQL), -x for XML files, -z for gzip;
# with reports per second (wall and CPU), the ratio to the faster peer, and peak memory.
# Usage: bench/reports/run.sh [BUILD_DIR] [N] [SEED]
set -eu
build=${1:-build}
n=${2:-10000}
seed=${3:-20261205}
here=$(cd "$(dirname "$0")" && pwd)
smtpprobe="$build/cli/smtpprobe"
[ -x "$smtpprobe" ] || { echo "missing $smtpprobe: build first" >&2; exit 2; }
work=$(mktemp -d /tmp/smtpprobe-bench-reports.XXXXXX)
chmod 755 "$work"
pgbin=/usr/lib/postgresql/15/bin
cleanup() {
    if [ -f "$work/pg/postmaster.pid" ]; then
        runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

python3 "$here/generate_reports.py" "$work" "$n" "$seed"
du -sh "$work/plain" "$work/gz" | sed 's/^/  /'
printf '[[identity]]\nname = "a"\nip = "192.0.2.10"\n[[identity]]\nname = "b"\nip = "192.0.2.11"\n' \
    > "$work/config.toml"

# time_it LABEL CMD...: wall/CPU seconds, reports/s, peak RSS; sets $wall $cpu $rss
time_it() {
    label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || true
    read -r wall user sys rss < <(tail -n 1 "$work/time")
    cpu=$(echo "$user + $sys" | bc -l)
    printf '%-44s wall %8.2f s %9.0f reports/s | cpu %8.2f s %9.0f reports/s | peak RSS %6.1f MB\n' \
        "$label" "$wall" "$(echo "$n / $wall" | bc -l)" "$cpu" "$(echo "$n / ($cpu + 0.001)" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)"
}

# A peer that runs once per file: total wall and CPU over all runs (the largest RSS).
time_each() {
    label=$1; dir=$2; shift 2
    : > "$work/times"
    start=$(date +%s.%N)
    for f in "$dir"/*; do
        /usr/bin/time -f "%U %S %M" -a -o "$work/times" "$@" "$f" > /dev/null 2>> "$work/err" || true
    done
    end=$(date +%s.%N)
    wall=$(echo "$end - $start" | bc -l)
    cpu=$(awk '{ c += $1 + $2 } END { printf "%.2f", c }' "$work/times")
    rss=$(awk '$3 > m { m = $3 } END { print m }' "$work/times")
    printf '%-44s wall %8.2f s %9.0f reports/s | cpu %8.2f s %9.0f reports/s | peak RSS %6.1f MB\n' \
        "$label" "$wall" "$(echo "$n / $wall" | bc -l)" "$cpu" "$(echo "$n / ($cpu + 0.001)" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)"
}

declare -A ours_wall peer_wall
for set in plain gz; do
    echo "== $set: $n reports"
    rm -f "$work/h.db"*
    time_it "smtpprobe ingest dmarc ($set)" "$smtpprobe" --db "$work/h.db" --config "$work/config.toml" \
        ingest dmarc "$work/$set"
    tail -n 1 "$work/out" | sed 's/^/    /'
    ours_wall[$set]=$wall
    best=""
    if command -v dmarc-cat >/dev/null; then
        if [ "$set" = plain ]; then
            time_each "dmarc-cat -N, one run per file ($set)" "$work/$set" dmarc-cat -N
        else
            time_each "dmarc-cat -N, one run per file ($set)" "$work/$set" dmarc-cat -N
        fi
        best=$wall
        peer="dmarc-cat"
    else
        echo "dmarc-cat not installed (scripts/install-test-peers.sh)"
    fi
    if command -v dmarcts-report-parser >/dev/null && [ -x "$pgbin/initdb" ]; then
        if [ ! -d "$work/pg" ]; then
            mkdir -p "$work/pg" "$work/sock" "$work/pglog" && chown postgres "$work/pg" "$work/sock" "$work/pglog"
            runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
            runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -w -l "$work/pglog/pg.log" \
                -o "-k $work/sock -p 55432 -c listen_addresses='' -c fsync=off" start >/dev/null
            runuser -u postgres -- "$pgbin/createdb" -h "$work/sock" -p 55432 dmarc
        fi
        runuser -u postgres -- "$pgbin/psql" -q -h "$work/sock" -p 55432 -d dmarc \
            -c 'DROP TABLE IF EXISTS rptrecord, report' >/dev/null 2>&1 || true
        mkdir -p "$work/dmarcts"
        cat > "$work/dmarcts/dmarcts-report-parser.conf" <<CONF
\$dbtype = 'Pg';
\$dbname = 'dmarc';
\$dbuser = 'postgres';
\$dbpass = '';
\$dbhost = '$work/sock';
\$dbport = '55432';
\$maxsize_xml = 50000;
\$compress_xml = 0;
\$delete_failed = 0;
\$imapserver = 'unused';
\$imapuser = 'unused';
\$imappass = 'unused';
\$imapport = '143';
\$imapssl = '0';
\$imaptls = '0';
\$tlsverify = '0';
\$imapignoreerror = '0';
\$imapreadfolder = 'unused';
\$imapmovefolder = 'unused';
\$imapmovefoldererr = 'unused';
\$debug = 0;
\$delete_reports = 0;
CONF
        option=-x
        [ "$set" = gz ] && option=-z
        cd "$work/dmarcts"
        time_it "dmarcts-report-parser $option, PostgreSQL ($set)" \
            dmarcts-report-parser "$option" "$work/$set/*"
        cd - >/dev/null
        head -n 3 "$work/err" | sed 's/^/    dmarcts: /'
        stored=$(runuser -u postgres -- "$pgbin/psql" -tA -h "$work/sock" -p 55432 -d dmarc \
            -c 'SELECT count(*) FROM report' 2>/dev/null || echo "?")
        echo "    dmarcts stored $stored reports"
        if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc -l)" = 1 ]; then
            best=$wall
            peer="dmarcts-report-parser"
        fi
    else
        echo "dmarcts-report-parser or PostgreSQL 15 not installed (scripts/install-test-peers.sh)"
    fi
    if [ -n "$best" ]; then
        printf '  ratio: %.1fx the faster peer (%s), wall time; target >= 20x\n' \
            "$(echo "$best / ${ours_wall[$set]}" | bc -l)" "$peer"
    fi
done
