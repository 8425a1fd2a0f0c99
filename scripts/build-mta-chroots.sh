#!/bin/sh
# Builds, once, the Debian 12 chroots in which the integration tests run the real sendmail,
# Exim and OpenSMTPD (tests/support/mta_chroot.*). The three MTAs conflict as Debian packages
# (each provides mail-transport-agent and /usr/sbin/sendmail) and Postfix is installed on the
# host, so each gets its own minimal root: debootstrap --variant=minbase once into a base
# tarball, then one copy per MTA with its packages installed by apt inside it. The result is
# cached under $SMTPPROBE_MTA_CACHE (default /var/cache/smtpprobe-test): a chroot whose stamp
# names the same packages is kept, so later runs cost nothing.
#
# Why chroots and not `dpkg -x`: sendmail and OpenSMTPD log only through syslog(3) to /dev/log
# and OpenSMTPD has its spool, privilege-separation users and helpers at compiled-in paths; a
# chroot gives each its own /dev/log (the test binds a syslog receiver there) and its own
# /etc, /var/spool and users, without touching the host. Cost on a clean machine: see
# docs/testing-mtas.md (download ~60 MB, ~3-6 minutes on 2 cores, ~700 MB of disk).
#
# The Debian mirror is the one the host's apt uses (no host is named here). Run as root.
set -eu
export DEBIAN_FRONTEND=noninteractive
cache=${SMTPPROBE_MTA_CACHE:-/var/cache/smtpprobe-test}
suite=bookworm
mkdir -p "$cache"

mirror=""
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
  [ -f "$f" ] || continue
  case "$f" in
  *.sources) mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f") ;;
  *) mirror=$(awk '$1 == "deb" && $3 == "'$suite'" {print $2; exit}' "$f") ;;
  esac
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ]; then
  echo "build-mta-chroots: no Debian mirror found in the host's apt sources" >&2
  exit 2
fi

command -v debootstrap >/dev/null 2>&1 || apt-get install -y -q --no-install-recommends debootstrap

base="$cache/base-$suite.tar"
if [ ! -s "$base" ]; then
  tmp="$cache/base.tmp"
  rm -rf "$tmp"
  debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    tail -20 "$cache/debootstrap.log" >&2
    exit 3
  }
  tar -C "$tmp" -cf "$base.tmp" .
  mv "$base.tmp" "$base"
  rm -rf "$tmp"
fi

# build_chroot NAME PACKAGES...: $cache/NAME with PACKAGES installed, services not started.
build_chroot() {
  name=$1
  shift
  dir="$cache/$name"
  want="$*"
  if [ -f "$dir/.smtpprobe-ready" ] && [ "$(cat "$dir/.smtpprobe-ready")" = "$want" ]; then
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -C "$dir" -xf "$base"
  # No service starts inside the chroot while packages install.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    [ -f "$f" ] && cp "$f" "$dir$f"
  done
  cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
  echo "mta.$name.test" >"$dir/etc/mailname"
  echo "mta-$name" >"$dir/etc/hostname"
  mount -t proc proc "$dir/proc"
  trap 'umount "$dir/proc" 2>/dev/null || true' EXIT
  if ! chroot "$dir" sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $want" \
    >"$cache/$name-install.log" 2>&1; then
    tail -30 "$cache/$name-install.log" >&2
    exit 3
  fi
  chroot "$dir" apt-get clean
  umount "$dir/proc"
  trap - EXIT
  # Daemons must not find a stale pid or socket of the package's own start attempt.
  rm -f "$dir/run/sendmail/mta/sendmail.pid" "$dir/run/exim4/exim.pid" "$dir/run/smtpd.pid"
  dpkg-query --admindir="$dir/var/lib/dpkg" -W $want >"$dir/.smtpprobe-versions" || true
  echo "$want" >"$dir/.smtpprobe-ready"
}

build_chroot sendmail sendmail-bin sendmail-cf sensible-mda m4 make
build_chroot exim exim4-daemon-light exim4-config
build_chroot opensmtpd opensmtpd
for name in sendmail exim opensmtpd; do
  echo "chroot $name: $(tr '\n' ' ' <"$cache/$name/.smtpprobe-versions")"
done
