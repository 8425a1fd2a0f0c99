#!/bin/bash
# Builds the Debian package with CPack, installs it with dpkg -i, checks what it installed
# (binary, units, man page, completion, conffiles, system user), runs `smtpprobe --version` and
# `smtpprobe config check /etc/smtpprobe/config.toml`, then removes (-r) and purges (-P) it and
# checks that nothing is left but the kept conffiles (after -r) and the system user.
# Usage: test_deb.sh BUILD_DIR SOURCE_DIR. Exit 77 (skipped) when not root or without dpkg.
set -euo pipefail
build=$(realpath "$1")
source_dir=$(realpath "$2")

if [ "$(id -u)" != 0 ]; then
    echo "skipped: installing a package needs root"
    exit 77
fi
for tool in dpkg cpack dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null; then
        echo "skipped: $tool is not installed (scripts/install-test-peers.sh installs dpkg-dev)"
        exit 77
    fi
done
# One package test at a time on this machine (dpkg has one database).
exec 9>/tmp/smtpprobe-deb-test.lock
flock -w 900 9
if dpkg-query -W -f '${Status}' smtpprobe 2>/dev/null | grep -q 'install ok installed'; then
    echo "skipped: a smtpprobe package is already installed here; not touching it"
    exit 77
fi

# dpkg, retried for a minute while someone else's apt/dpkg holds the dpkg lock.
dpkg_retry() {
    local try out
    for try in $(seq 1 30); do
        if out=$(dpkg "$@" 2>&1); then
            echo "$out"
            return 0
        fi
        grep -q 'lock' <<<"$out" || { echo "$out"; return 1; }
        sleep 2
    done
    echo "$out"
    return 1
}

work=$(mktemp -d /tmp/smtpprobe-deb-XXXXXX)
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        dpkg -P smtpprobe >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

echo "== cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/smtpprobe_*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

echo "== control"
dpkg-deb --field "$deb" Package Version Architecture Depends | tee "$work/control"
depends=$(dpkg-deb --field "$deb" Depends)
# Every shared library the binary needs must come from a package named in Depends.
for lib in $(objdump -p "$build/cli/smtpprobe" | awk '$1 == "NEEDED" { print $2 }'); do
    # (awk reads its whole input: an early exit would SIGPIPE the producer under pipefail.)
    path=$(ldconfig -p | awk -v lib="$lib" '$1 == lib && !found++ { print $NF }')
    [ -n "$path" ] || fail "cannot find $lib on this system"
    owner=$(dpkg -S "$(realpath "$path")" 2>/dev/null | awk -F: 'NR == 1 { print $1 }') ||
        owner=$(dpkg -S "$path" | awk -F: 'NR == 1 { print $1 }')
    sed 's/, */\n/g' <<<"$depends" | awk '{ print $1 }' | grep -qxF "$owner" ||
        fail "Depends lacks $owner (for $lib): $depends"
    echo "  $lib -> $owner: in Depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -t | sort >"$work/ctrl"
for f in ./postinst ./prerm ./postrm ./conffiles; do
    grep -qx "$f" "$work/ctrl" || fail "control archive lacks $f"
done
dpkg-deb --info "$deb" conffiles | tee "$work/conffiles"
grep -qx /etc/cron.d/smtpprobe "$work/conffiles" || fail "cron entry is not a conffile"

expected_files=(
    /usr/bin/smtpprobe
    /usr/lib/systemd/system/smtpprobe.service
    /usr/lib/systemd/system/smtpprobe-run.service
    /usr/lib/systemd/system/smtpprobe-run.timer
    /usr/share/man/man1/smtpprobe.1.gz
    /usr/share/bash-completion/completions/smtpprobe
    /usr/share/doc/smtpprobe/examples/prometheus/smtpprobe-alerts.yml
    /usr/share/doc/smtpprobe/examples/prometheus/smtpprobe-recording.yml
    /usr/share/doc/smtpprobe/examples/alertmanager/alertmanager.example.yml
    /usr/share/doc/smtpprobe/examples/grafana/smtpprobe-fleet.json
    /etc/cron.d/smtpprobe
)
has_config=0
if [ -f "$source_dir/deploy/config.example.toml" ]; then
    has_config=1
    expected_files+=(/etc/smtpprobe/config.toml /usr/share/doc/smtpprobe/examples/config.toml)
    grep -qx /etc/smtpprobe/config.toml "$work/conffiles" || fail "config is not a conffile"
fi

echo "== dpkg -i"
dpkg_retry -i "$deb" || fail "dpkg -i failed"
installed=1
for f in "${expected_files[@]}"; do
    [ -e "$f" ] || fail "not installed: $f"
done
getent passwd smtpprobe >/dev/null || fail "postinst did not create the smtpprobe user"
id -nG smtpprobe | grep -qw adm || fail "smtpprobe is not in group adm"
[ "$(stat -c %U "/var/lib/smtpprobe")" = smtpprobe ] || fail "/var/lib/smtpprobe not owned by smtpprobe"
if [ "$has_config" = 1 ]; then
    [ "$(stat -c '%U:%G %a' /etc/smtpprobe/config.toml)" = "root:smtpprobe 640" ] ||
        fail "config mode is $(stat -c '%U:%G %a' /etc/smtpprobe/config.toml)"
fi
zcat /usr/share/man/man1/smtpprobe.1.gz | grep -q '^\.TH SMTPPROBE 1' || fail "man page unreadable"

echo "== smtpprobe --version"
version=$(/usr/bin/smtpprobe --version)
echo "$version"
[ "$version" = "smtpprobe $(dpkg-deb --field "$deb" Version)" ] || fail "version mismatch: $version"

echo "== smtpprobe config check /etc/smtpprobe/config.toml"
if [ "$has_config" = 0 ]; then
    echo "not run: deploy/config.example.toml is not in this tree yet"
elif ! grep -qE '^  config' <<<"$(/usr/bin/smtpprobe --help)"; then
    echo "not run: this build has no 'config' subcommand yet"
else
    # As the service user, the way the units read it (systemd sets HOME to the user's home).
    HOME=/var/lib/smtpprobe setpriv --reuid=smtpprobe --regid=smtpprobe --init-groups \
        /usr/bin/smtpprobe config check /etc/smtpprobe/config.toml || fail "config check failed"
fi

echo "== dpkg -r"
dpkg_retry -r smtpprobe || fail "dpkg -r failed"
[ ! -e /usr/bin/smtpprobe ] || fail "binary left after dpkg -r"
[ ! -e /usr/lib/systemd/system/smtpprobe.service ] || fail "unit left after dpkg -r"
[ -e /etc/cron.d/smtpprobe ] || fail "dpkg -r removed a conffile (only purge should)"
echo "== dpkg -P"
dpkg_retry -P smtpprobe || fail "dpkg -P failed"
installed=0
for f in /etc/cron.d/smtpprobe /etc/smtpprobe /var/lib/smtpprobe; do
    [ ! -e "$f" ] || fail "left after purge: $f"
done
dpkg-query -W smtpprobe >/dev/null 2>&1 && fail "dpkg still knows smtpprobe"
echo "PASS: package builds, installs, runs and is removed cleanly"
