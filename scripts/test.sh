#!/bin/sh
# Builds smtpprobe with its tests and benchmarks, and runs every test through ctest (unit and integration).
# Integration tests start their own peers (postfix, smtp-sink, dnsmasq, chromium) on loopback.
set -eu
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build-test}
./scripts/build.sh -DSMTPPROBE_TESTS=ON -DSMTPPROBE_BENCH=ON "$@"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j "$(nproc)"
