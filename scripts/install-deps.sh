#!/bin/sh
# Installs what smtpprobe needs to build and run on Debian 12 (bookworm). Run as root.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  build-essential g++ cmake ninja-build pkg-config ca-certificates git \
  libboost-dev libboost-system-dev libssl-dev libc-ares-dev libsqlite3-dev sqlite3 \
  nlohmann-json3-dev doctest-dev libcli11-dev libtomlplusplus-dev libre2-dev \
  libgmime-3.0-dev zlib1g-dev libspf2-dev libxml2-dev libarchive-dev libpq-dev
