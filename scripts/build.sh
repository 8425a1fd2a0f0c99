#!/bin/sh
# Configures and builds smtpprobe into ${BUILD_DIR:-build}. Extra arguments go to cmake.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@"
cmake --build "$build" -j "$(nproc)"
ln -sf "$build/compile_commands.json" compile_commands.json
