#!/bin/sh
# Benchmark of the classifier beside Sisimai's text matcher (Sisimai->match): first the
# agreement of both with labels on the same replies (the corpus's labelled Diagnostic-Codes, and
# providers' replies labelled from their own pages), then classifications per second on one core
# over a realistic mix (provider replies and log statuses of bench/classify/mix-providers.txt,
# plus every Diagnostic-Code of the shared bounce corpus). Prints both figures, the ratio, the
# rule count and our peak memory.
#
# Usage: bench/classify/run.sh [BUILD_DIR] [SECONDS]   (BUILD_DIR default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
seconds=${2:-3}
case $build in /*) ;; *) build="$root/$build" ;; esac
cmake --build "$build" --target bench_classify -j 2 >/dev/null
corpus="$root/../shared/corpus/bounces"
mix=$(mktemp /tmp/classify-mix.XXXXXX)
cat "$here/mix-providers.txt" >"$mix"
if [ -d "$corpus" ]; then
    # Diagnostic-Code values with their folded lines joined.
    awk 'BEGIN { IGNORECASE = 1 }
         /^Diagnostic-Code:/ { if (d != "") print d; d = substr($0, 17); next }
         /^[ \t]/ && d != "" { sub(/^[ \t]+/, " "); d = d $0; next }
         { if (d != "") print d; d = "" }
         END { if (d != "") print d }' "$corpus"/*.eml | tr -d '\r' | sed 's/^ *//' >>"$mix"
fi
echo "mix: $(wc -l <"$mix") replies"

# Agreement with labels, both tools on the same replies: (1) the corpus's Diagnostic-Codes of
# one-recipient reports with the reason labels.tsv gives them (published with the collection);
# (2) providers' replies as their own pages word them (labelled-providers.tsv: the reason each
# page gives, the cases of tests/monitor/classify/test_provider_pages.cpp and
# test_rules_coverage.cpp). Sisimai->match reads the text only (no host).
labelled=$(mktemp /tmp/classify-labelled.XXXXXX)
trap 'rm -f "$mix" "$labelled"' EXIT
if [ -d "$corpus" ]; then
    python3 - "$corpus" >"$labelled" <<'PY'
import collections, os, re, sys
corpus = sys.argv[1]
labels = collections.defaultdict(list)
for n, line in enumerate(open(os.path.join(corpus, "labels.tsv"), errors="replace")):
    parts = line.rstrip("\n").split("\t")
    if n and len(parts) >= 5:
        labels[parts[0]].append(parts[4])
for name, reasons in sorted(labels.items()):
    if len(reasons) != 1:
        continue
    text = open(os.path.join(corpus, name), errors="replace").read().replace("\r", "")
    found = re.findall(r"(?im)^Diagnostic-Code:[ \t]*([^\n]*(?:\n[ \t]+[^\n]*)*)", text)
    if len(found) != 1:
        continue
    diagnostic = re.sub(r"\s+", " ", found[0]).strip()
    diagnostic = re.sub(r"(?i)^smtp;\s*", "", diagnostic)
    host = re.search(r"(?im)^Remote-MTA:[ \t]*(?:dns;)?[ \t]*([^\s]+)", text)
    if diagnostic:
        print("\t".join([reasons[0], host.group(1) if host else "", diagnostic]))
PY
fi
echo "== agreement with labels"
for set in corpus providers; do
    file=$labelled
    [ "$set" = providers ] && file=$here/labelled-providers.tsv
    [ -s "$file" ] || continue
    printf "%s (%s replies): " "$set" "$(wc -l <"$file")"
    "$build/bench/classify/bench_classify" --labelled "$file"
    if perl -MSisimai -e1 2>/dev/null; then
        printf "%s (%s replies): " "$set" "$(wc -l <"$file")"
        perl "$here/sisimai_labelled.pl" "$file"
    fi
done
echo "== speed"
ours=$(taskset -c 0 "$build/bench/classify/bench_classify" "$mix" "$seconds")
echo "$ours"
our_rate=$(echo "$ours" | awk '/^classifications\/s:/ { print $2 }')
if perl -MSisimai -e1 2>/dev/null; then
    peer=$(taskset -c 0 perl "$here/sisimai_match.pl" "$mix" "$seconds")
    echo "$peer"
    peer_rate=$(echo "$peer" | awk '{ print $NF }')
    awk -v a="$our_rate" -v b="$peer_rate" 'BEGIN { printf "ratio (ours / sisimai): %.1fx\n", a / b }'
else
    echo "sisimai: not installed (libsisimai-perl), no peer figure"
fi
awk -v a="$our_rate" 'BEGIN { if (a + 0 >= 2000000) print "target >= 2,000,000/s: met"; else print "target >= 2,000,000/s: NOT met (on this machine now: " a "/s; see uptime)" }'
uptime
