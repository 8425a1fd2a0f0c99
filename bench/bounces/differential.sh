#!/bin/sh
# Where smtpprobe and Sisimai (libsisimai-perl) read the same bounces differently, by class.
#   bench/bounces/differential.sh [BUILD_DIR] [FILE|DIR ...]
# Default inputs: every bounce the project has or produces: the labelled corpus
# (../shared/corpus/bounces, with its labels: which side the label takes is printed), the real
# MTAs' bounces (tests/data/mta-bounces: sendmail, Exim, OpenSMTPD; tests/data/postfix-bounces:
# Postfix at each SMTP stage) and the report layouts (tests/data/report-formats).
# The deliberate differences and why: docs/bounce-sisimai-differences.md. Not run by ctest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
bin=$build/cli/smtpprobe
corpus=$root/../shared/corpus/bounces
[ -d "$corpus" ] || corpus=/work/shared/corpus/bounces
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -eq 0 ]; then
    set -- "$corpus" "$root/tests/data/mta-bounces" "$root/tests/data/postfix-bounces" \
        "$root/tests/data/report-formats"
fi
files=""
for p in "$@"; do
    if [ -d "$p" ]; then
        files="$files $(ls "$p"/*.eml "$p"/*.mbox 2>/dev/null | tr '\n' ' ')"
    else
        files="$files $p"
    fi
done
# shellcheck disable=SC2086
{ "$bin" ingest bounce --dry-run --json $files || [ $? -eq 1 ]; } | python3 "$here/ours_facts.py" \
    > "$work/ours.tsv"
# shellcheck disable=SC2086
perl "$here/sisimai_facts.pl" $files > "$work/sisimai.tsv" 2>/dev/null
labels=""
[ -f "$corpus/labels.tsv" ] && labels="$corpus/labels.tsv"
python3 "$here/differential.py" "$work/ours.tsv" "$work/sisimai.tsv" $labels
