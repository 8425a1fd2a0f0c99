#!/bin/sh
# Benchmark of the classifier: classifications per second on one core over a realistic mix
# (provider replies and log statuses of bench/classify/mix-providers.txt, plus every
# Diagnostic-Code of the shared bounce corpus), beside Sisimai's text matcher (Sisimai->match)
# on the same mix. Prints our figure, the peer's, the ratio, the rule count and our peak memory.
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
trap 'rm -f "$mix"' EXIT
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
ours=$(taskset -c 0 "$build/bench/classify/bench_classify" "$mix" "$seconds")
echo "$ours"
our_rate=$(echo "$ours" | awk -F: '/^classifications\/s/ { gsub(/ /, "", $2); print $2 }')
if perl -MSisimai -e1 2>/dev/null; then
    peer=$(taskset -c 0 perl "$here/sisimai_match.pl" "$mix" "$seconds")
    echo "$peer"
    peer_rate=$(echo "$peer" | awk -F: '{ gsub(/ /, "", $2); print $2 }')
    awk -v a="$our_rate" -v b="$peer_rate" 'BEGIN { printf "ratio (ours / sisimai): %.1fx\n", a / b }'
else
    echo "sisimai: not installed (libsisimai-perl), no peer figure"
fi
awk -v a="$our_rate" 'BEGIN { if (a >= 2000000) print "target >= 2,000,000/s: met"; else print "target >= 2,000,000/s: NOT met" }'
