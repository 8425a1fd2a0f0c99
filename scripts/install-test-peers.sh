#!/bin/sh
# Installs the real peers the tests and benchmarks talk to on loopback. Run as root.
# prometheus brings promtool (checks /metrics and deploy/prometheus) and the server the alert
# test scrapes with; prometheus-alertmanager brings amtool (checks deploy/alertmanager); clang
# and libclang-rt the libFuzzer runs.
set -eu
export DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")" && pwd)
"$here/install-deps.sh"
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string smtpprobe.test" | debconf-set-selections
apt-get install -y -q --no-install-recommends \
  postfix swaks dnsmasq-base openssl clang libclang-rt-14-dev \
  chromium wrk pflogsumm libsisimai-perl procps psmisc iproute2 dpkg-dev file dnsperf \
  prometheus prometheus-alertmanager dmarc-cat dmarcts-report-parser libdbd-pg-perl postgresql
# Node.js drives Chromium through playwright-core; use the machine's node when it has one.
if ! command -v npm >/dev/null 2>&1; then
  apt-get install -y -q --no-install-recommends nodejs npm
fi
# playwright-core (pinned in tests/browser/package-lock.json) drives the Debian Chromium.
if [ ! -d "$here/../tests/browser/node_modules/playwright-core" ]; then
  (cd "$here/../tests/browser" && npm ci --no-audit --no-fund)
fi
# sendmail, Exim and OpenSMTPD conflict with each other and with Postfix: each runs in its own
# Debian chroot, built once and cached (docs/testing-mtas.md).
apt-get install -y -q --no-install-recommends debootstrap
"$here/build-mta-chroots.sh"
