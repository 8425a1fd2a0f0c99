#!/bin/bash
# Drives deploy/completion/smtpprobe.bash the way bash does (COMP_WORDS/COMP_CWORD) and checks
# what it offers: subcommands, sub-subcommands, option values, per-command options.
# Usage: test_completion.sh SOURCE_DIR
set -uo pipefail
# shellcheck source=/dev/null
source "$1/deploy/completion/smtpprobe.bash"
status=0

# complete_line "WORD..." -> the candidates for the last word (which may be empty)
complete_line() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _smtpprobe
    printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {
    local want=$1
    shift
    local got
    got=$(complete_line "$@")
    if ! grep -qx -- "$want" <<<"$got"; then
        echo "FAIL: '$*' does not offer '$want' (got: $(echo $got))"
        status=1
    fi
}

reject() {
    local unwanted=$1
    shift
    if complete_line "$@" | grep -qx -- "$unwanted"; then
        echo "FAIL: '$*' offers '$unwanted'"
        status=1
    fi
}

for cmd in dsn-test probe ingest dnsbl explain status run serve note config db; do
    expect "$cmd" smtpprobe ""
done
expect --dsn-test smtpprobe --
expect serve smtpprobe --db /tmp/x.db se
expect log smtpprobe ingest ""
expect bounce smtpprobe -v ingest b
expect --format smtpprobe ingest log --f
expect postfix smtpprobe ingest log --format p
expect require-valid smtpprobe probe --tls req
expect --listen smtpprobe serve --l
expect check smtpprobe config ""
expect migrate smtpprobe db ""
expect export smtpprobe --db /tmp/x.db db ex
expect spamhaus-zen smtpprobe dnsbl --zone sp
expect --per-receiver smtpprobe probe --per
reject --listen smtpprobe probe --l
reject serve smtpprobe serve ""

[ "$status" = 0 ] && echo "PASS: bash completion offers what it should"
exit $status
