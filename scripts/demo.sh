#!/bin/sh
# The main job on the bundled sample data (filled in as the subcommands land).
set -eu
cd "$(dirname "$0")/.."
./build/cli/smtpprobe --version
