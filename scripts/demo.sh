#!/bin/sh
# The main job on bundled sample data, offline: the example configuration adapted to the
# seed maillog and the sample bounces of ../shared/corpus (no probes, no DNS: this must work
# with no network), one `smtpprobe run` tick into an embedded SQLite database, the status
# table, and then the dashboard on http://127.0.0.1:8025/ until Ctrl-C.
#   DEMO_SERVE=0 scripts/demo.sh    stops after the status table; without a terminal on stdin
#                                   (scripts, CI, the clean-room check) that is the default
set -eu
cd "$(dirname "$0")/.."
bin=${SMTPPROBE_BIN:-./build/cli/smtpprobe}
corpus=$(cd ../shared/corpus 2>/dev/null && pwd) || {
    echo "demo: ../shared/corpus not found beside the repository" >&2
    exit 2
}
demo=${DEMO_DIR:-$PWD/build/demo}
mkdir -p "$demo"
rm -f "$demo/history.db" "$demo/history.db-wal" "$demo/history.db-shm"
cat > "$demo/config.toml" <<TOML
# deploy/config.example.toml, reduced to what works offline on the bundled samples.
db = "$demo/history.db"

[probes]
default_receivers = false   # no network in the demo: evidence comes from the samples

[dnsbl]
default_zones = false

[hygiene]
enabled = false

[[log]]
path = "$corpus/maillog/seed-sendmail.log"
format = "auto"

[[bounce]]
path = "$corpus/bounces"
TOML
"$bin" config check "$demo/config.toml"
echo "== smtpprobe run (ingests the seed log and $(ls "$corpus/bounces" | grep -c '\.eml$') bounces)"
# Exit 1 means "something is blocked": expected with this data.
"$bin" --config "$demo/config.toml" run || [ $? -eq 1 ]
echo "== smtpprobe status"
"$bin" --config "$demo/config.toml" status || [ $? -eq 1 ]
serve=${DEMO_SERVE:-}
if [ -z "$serve" ]; then
    if [ -t 0 ]; then serve=1; else serve=0; fi
fi
if [ "$serve" = 0 ]; then
    echo "== To see the dashboard: $bin --db $demo/history.db serve, then open http://127.0.0.1:8025/"
    exit 0
fi
echo "== Dashboard: open http://127.0.0.1:8025/ (Ctrl-C to stop)"
exec "$bin" --config "$demo/config.toml" --db "$demo/history.db" serve --listen 127.0.0.1:8025
