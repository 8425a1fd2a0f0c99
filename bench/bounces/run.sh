#!/bin/sh
# Bounce ingestion throughput and agreement, smtpprobe beside Sisimai (libsisimai-perl).
#   bench/bounces/run.sh [BUILD_DIR]   (default: build)
# 1. Agreement with the corpus labels (../shared/corpus/bounces/labels.tsv) for both tools.
# 2. Throughput: the corpus repeated into one mbox of >= 50,000 messages, parsed and classified
#    on one core (taskset) by `smtpprobe ingest bounce --dry-run` and by Sisimai
#    (Sisimai->make, delivered included): the same file, every message, for both tools.
#    SISIMAI_MESSAGES=N gives Sisimai only the first N messages of it (a quicker, less exact
#    figure: Sisimai loads its per-MTA modules as it first meets them).
# Prints both rates (messages per CPU second; ours the median of five runs), the ratio and both
# tools' peak memory.
# Not run by ctest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
bin=$build/cli/smtpprobe
corpus=$root/../shared/corpus/bounces
[ -d "$corpus" ] || corpus=/work/shared/corpus/bounces
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== agreement with $corpus/labels.tsv"
{ "$bin" ingest bounce --dry-run --json "$corpus"/*.eml || [ $? -eq 1 ]; } | python3 -c '
import json, sys, os, collections
idx = collections.Counter()
for line in sys.stdin:
    d = json.loads(line)
    if d.get("summary"): continue
    f = os.path.basename(d["file"]); idx[f] += 1
    rc = "" if d["reply_code"] is None else str(d["reply_code"])
    print("\t".join([f, str(idx[f]), d["status"], rc, d["reason"]]))
' > "$work/ours.tsv"
printf "smtpprobe: "; python3 "$here/agreement.py" "$corpus/labels.tsv" "$work/ours.tsv"
perl "$here/sisimai_labels.pl" "$corpus"/*.eml > "$work/sisimai.tsv" 2>/dev/null
printf "sisimai:   "; python3 "$here/agreement.py" "$corpus/labels.tsv" "$work/sisimai.tsv"

echo "== throughput"
n=$(ls "$corpus"/*.eml | wc -l)
repeat=$(( (50000 + n - 1) / n ))
python3 - "$corpus" "$repeat" "$work/big.mbox" <<'PY'
import glob, sys
corpus, repeat, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
msgs = []
for p in sorted(glob.glob(corpus + "/*.eml")):
    data = open(p, "rb").read().replace(b"\r\n", b"\n")
    lines = [b">" + l if l.lstrip(b">").startswith(b"From ") else l for l in data.split(b"\n")]
    msgs.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + b"\n".join(lines).rstrip(b"\n") + b"\n\n")
with open(out, "wb") as f:
    for _ in range(repeat):
        f.writelines(msgs)
PY
total=$(( n * repeat ))
# CPU seconds (user + system), not wall time: the build machine is shared and loaded.
cpu() { awk '{print $1 + $2}' "$1"; }
# Ours takes under a second, where a moment of load elsewhere on a shared machine weighs more
# than in Sisimai's half minute: five runs (separate processes, nothing kept between them),
# each printed, and the median taken.
runs=""
for run in 1 2 3 4 5; do
    /usr/bin/time -f "%U %S %M" -o "$work/ours.time" taskset -c 0 "$bin" ingest bounce \
        --dry-run "$work/big.mbox" > "$work/ours.out" || [ $? -eq 1 ]  # 1: blocks were found
    sed -i '/exited/d' "$work/ours.time"
    runs="$runs $(cpu "$work/ours.time")"
done
ours_s=$(echo "$runs" | tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n 3p)
ours=$(echo "$total / $ours_s" | bc -l)
printf "smtpprobe: CPU s per run:%s\n" "$runs"
printf "smtpprobe: %d messages in %.2f CPU s (median of 5) = %.0f messages/s (peak RSS %s KiB)\n" \
    "$total" "$ours_s" "$ours" "$(awk '{print $3}' "$work/ours.time")"
# Sisimai on the same mbox (or its first SISIMAI_MESSAGES messages).
limit=${SISIMAI_MESSAGES:-$total}
theirs_in=$work/big.mbox
if [ "$limit" -lt "$total" ]; then
    theirs_in=$work/slice.mbox
    python3 - "$work/big.mbox" "$theirs_in" "$limit" <<'PY'
import sys
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
count = 0
with open(src, "rb") as f, open(dst, "wb") as o:
    for line in f:
        if line.startswith(b"From MAILER-DAEMON "):
            count += 1
            if count > limit: break
        o.write(line)
PY
fi
/usr/bin/time -f "%U %S %M" -o "$work/sisimai.time" taskset -c 0 perl -MSisimai \
    -e 'my $r = Sisimai->make($ARGV[0], delivered => 1) || []; print scalar(@$r), "\n"' \
    "$theirs_in" > /dev/null
theirs_s=$(cpu "$work/sisimai.time")
theirs=$(echo "$limit / $theirs_s" | bc -l)
printf "sisimai:   %d messages in %.2f CPU s = %.0f messages/s (peak RSS %s KiB)\n" "$limit" \
    "$theirs_s" "$theirs" "$(awk '{print $3}' "$work/sisimai.time")"
printf "ratio: %.1fx\n" "$(echo "$ours / $theirs" | bc -l)"
