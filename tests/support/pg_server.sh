#!/bin/bash
# A throwaway PostgreSQL server for the tests (issue 20): initdb + pg_ctl in a folder of the
# build tree, on 127.0.0.1 only, trust authentication for the role "smtpprobe" (loopback only,
# the folder is removed on stop). No system service is used or touched.
#
#   pg_server.sh start DIR PORT [postgres -c options...]   exit 77: no server binaries here
#   pg_server.sh stop DIR
# As root the server runs as the "postgres" user (initdb refuses root).
set -eu
action=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
start)
  port=$3
  shift 3
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "SKIP: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin; Debian package postgresql)"
    exit 77
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "SKIP: running as root and there is no postgres user to run the server as"
    exit 77
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U smtpprobe -A trust -E UTF8 --no-locale \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
  opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200"
  for extra in "$@"; do opts="$opts $extra"; done
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start \
    >/dev/null || { cat "$dir/server.log"; exit 1; }
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
  ;;
stop)
  if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg_server.sh start DIR PORT [options] | stop DIR" >&2
  exit 2
  ;;
esac
