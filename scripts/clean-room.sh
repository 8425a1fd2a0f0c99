#!/bin/sh
# Clean-room check: runs the README's two set-up commands, exactly as written there, in a fresh
# `git clone` of this repository (its committed HEAD) inside a fresh Debian 12 (bookworm) chroot
# made with debootstrap from this machine's apt mirror, with ../shared copied beside the clone.
# Run as root. Prints PASS or FAIL with the step; the chroot is kept for inspection.
#   scripts/clean-room.sh [WORKDIR]      (default /var/tmp/smtpprobe-clean-room)
# Takes long (downloads and builds everything): run it in the background with a log, e.g.
#   nohup scripts/clean-room.sh >/var/tmp/clean-room.log 2>&1 &
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$repo/../shared" && pwd)
work=${1:-/var/tmp/smtpprobe-clean-room}
root=$work/root
[ "$(id -u)" = 0 ] || { echo "clean-room: needs root (debootstrap, chroot)" >&2; exit 2; }

# The mirror this machine's apt uses (deb822 .sources or one-line sources.list).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')
if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
fi
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap

# The two commands: the first two ```sh blocks of the README's "Set up" section.
commands=$(awk '/^## Set up/ { in_section = 1; next } in_section && /^## / { exit }
    in_section && /^```sh/ { in_block = 1; next } in_block && /^```/ { in_block = 0; n++; next }
    in_block && n < 2 { print }' "$repo/README.md")
[ -n "$commands" ] || { echo "clean-room: no sh blocks in README.md's Set up section" >&2; exit 2; }

unmount_all() {
    for m in dev/pts dev/shm dev proc sys; do
        umount -l "$root/$m" 2>/dev/null || true
    done
}
trap unmount_all EXIT INT TERM

echo "== $(date -u +%FT%TZ) fresh bookworm chroot in $root from $mirror"
unmount_all
rm -rf "$work"
mkdir -p "$work"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; echo "FAIL: debootstrap"; exit 1; }
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The machine's network trust, not the project's: where a TLS-intercepting proxy stands in front
# of the npm registry, its CA (in /usr/local/share/ca-certificates, picked up when the chroot's
# ca-certificates package is installed) and the npm setting that points at the bundle come along.
if [ -d /usr/local/share/ca-certificates ]; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
[ -f /etc/npmrc ] && cp /etc/npmrc "$root/etc/npmrc"
[ -f "$HOME/.npmrc" ] && mkdir -p "$root/root" && cp "$HOME/.npmrc" "$root/root/.npmrc"
# Like a container: packages must not start services in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs shm "$root/dev/shm"

echo "== $(date -u +%FT%TZ) fresh clone of $repo ($(git -C "$repo" rev-parse --short HEAD)) and ../shared"
mkdir -p "$root/work"
git clone --quiet --no-hardlinks "$repo" "$root/work/smtpprobe"
cp -a "$shared" "$root/work/shared"
printf '%s\n' "$commands" >"$root/work/readme-commands.sh"
echo "README commands:"
sed 's/^/    /' "$root/work/readme-commands.sh"

n=0
status=0
while IFS= read -r command; do
    n=$((n + 1))
    echo "== $(date -u +%FT%TZ) command $n: $command"
    if chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/sh -c "cd /work/smtpprobe && $command" </dev/null; then
        echo "== command $n passed"
    else
        echo "FAIL: command $n failed: $command"
        status=1
        break
    fi
done <"$root/work/readme-commands.sh"
echo "== $(date -u +%FT%TZ) done"
[ "$status" = 0 ] && echo "PASS: both README commands succeed in a fresh bookworm chroot"
exit $status
