#!/bin/bash
# Checks deploy/systemd and deploy/cron.d: systemd-analyze verify finds nothing but the absent
# binary/man page (when systemd-analyze exists); both services carry the hardening issue 8 asks
# for and run smtpprobe with the system paths; the timer fires every 15 minutes with a random
# delay; the cron entry is one valid line for the smtpprobe user with the same command.
# Usage: test_units.sh SOURCE_DIR
set -uo pipefail
deploy=$1/deploy
status=0
fail() {
    echo "FAIL: $*"
    status=1
}

if command -v systemd-analyze >/dev/null; then
    problems=$(cd "$deploy/systemd" && systemd-analyze verify smtpprobe.service \
        smtpprobe-run.service smtpprobe-run.timer 2>&1 |
        grep -v -e 'is not executable: No such file' -e "Command 'man smtpprobe(1)' failed" || true)
    [ -z "$problems" ] || fail "systemd-analyze verify: $problems"
    next=$(systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$deploy/systemd/smtpprobe-run.timer")" \
        --iterations=2 2>&1 | grep -c 'Next elapse\|Iter')
    [ "$next" -ge 2 ] || fail "timer OnCalendar does not parse"
else
    echo "note: systemd-analyze not installed; directives checked by text only"
fi

hardening=(
    "User=smtpprobe" "SupplementaryGroups=adm" "StateDirectory=smtpprobe" "NoNewPrivileges=yes"
    "CapabilityBoundingSet=" "ProtectSystem=strict" "ReadWritePaths=/var/lib/smtpprobe"
    "ProtectHome=yes" "PrivateTmp=yes" "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"
    "SystemCallFilter=@system-service" "MemoryDenyWriteExecute=yes"
)
for unit in smtpprobe.service smtpprobe-run.service; do
    for line in "${hardening[@]}"; do
        grep -qxF "$line" "$deploy/systemd/$unit" || fail "$unit lacks '$line'"
    done
    grep -q '^ExecStart=/usr/bin/smtpprobe --db /var/lib/smtpprobe/history.db --config /etc/smtpprobe/config.toml ' \
        "$deploy/systemd/$unit" || fail "$unit ExecStart does not use the system db and config"
done
grep -q '^ExecStart=.* serve --listen 127.0.0.1:8025$' "$deploy/systemd/smtpprobe.service" ||
    fail "smtpprobe.service does not serve on 127.0.0.1:8025"
# serve's default --max-connections (1024) plus its own descriptors must fit the unit's limit.
nofile=$(sed -n 's/^LimitNOFILE=\([0-9]*\)$/\1/p' "$deploy/systemd/smtpprobe.service")
[ -n "$nofile" ] && [ "$nofile" -ge $((1024 + 64)) ] ||
    fail "smtpprobe.service LimitNOFILE '${nofile}' is below serve's 1024 connections + 64"
grep '^ExecStart=' "$deploy/systemd/smtpprobe.service" | grep -q -- '--max-connections' &&
    fail "smtpprobe.service changes --max-connections: check LimitNOFILE against it"
grep -q '^ExecStart=.* run$' "$deploy/systemd/smtpprobe-run.service" || fail "run unit does not run"
grep -qx 'Type=oneshot' "$deploy/systemd/smtpprobe-run.service" || fail "run unit is not oneshot"
grep -qx 'OnCalendar=\*:0/15' "$deploy/systemd/smtpprobe-run.timer" || fail "timer is not every 15 min"
grep -q '^RandomizedDelaySec=' "$deploy/systemd/smtpprobe-run.timer" || fail "timer has no random delay"

entries=$(grep -v -e '^#' -e '^$' -e '^[A-Z_]*=' "$deploy/cron.d/smtpprobe")
[ "$(wc -l <<<"$entries")" = 1 ] || fail "cron.d should have exactly one entry"
read -r minute hour dom month dow user command <<<"$entries"
[ "$minute $hour $dom $month $dow" = "*/15 * * * *" ] || fail "cron schedule is '$minute $hour $dom $month $dow'"
[ "$user" = smtpprobe ] || fail "cron user is '$user'"
grep -q -- '--db /var/lib/smtpprobe/history.db --config /etc/smtpprobe/config.toml run' <<<"$command" ||
    fail "cron command does not run with the system db and config"
grep -q '%' <<<"$command" && fail "cron command has an unescaped %"
sh -n -c "$command" || fail "cron command is not valid sh"

[ "$status" = 0 ] && echo "PASS: units and cron entry"
exit $status
