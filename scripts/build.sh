#!/bin/sh
# Configures and builds smtpprobe into ${BUILD_DIR:-build}. Extra arguments go to cmake.
# By default only the smtpprobe command (tests and benchmarks are off: scripts/test.sh builds
# them with -DSMTPPROBE_TESTS=ON -DSMTPPROBE_BENCH=ON). Ninja shows progress as [done/total].
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
echo "== configuring $build (cmake $*)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@"
echo "== building in $build with $(nproc) jobs (progress: [done/total])"
cmake --build "$build" -j "$(nproc)"
ln -sf "$build/compile_commands.json" compile_commands.json
echo "== built $build/cli/smtpprobe"
