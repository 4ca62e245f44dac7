#!/usr/bin/env bash
# Installs the legacy IMAP servers (and Redis) that the interop suite starts on loopback.
#
# Run as root on Debian 12; idempotent (a second run only checks). What it does:
#  1. apt-installs redis-server, dovecot-imapd and haproxy (the load balancer of the PROXY protocol test)
#     WITHOUT starting their services: if no
#     /usr/sbin/policy-rc.d exists it writes one that denies starts, and removes it afterwards.
#  2. Downloads Courier IMAP (which conflicts with dovecot-imapd, so it is never installed)
#     with `apt-get download` and unpacks it with `dpkg -x` into a cache folder:
#       ${MODSEQ_BACKENDS_DIR:-<interop>/.cache/backends}/courier/root
#     The tests read the same folder (system property modseq.backends.dir or the same env var).
#
# Courier's compiled-in paths (/etc/courier, /run/courier) are never written here: the tests
# run Courier inside private mount namespaces (see CourierServer.java).
set -euo pipefail

interop_dir=$(cd "$(dirname "$0")/.." && pwd)
cache=${MODSEQ_BACKENDS_DIR:-$interop_dir/.cache/backends}

# Generic shared libraries Courier's binaries link against; plain libraries, safe to install.
system_libs=(libgdbm6 libidn12 libltdl7 libglib2.0-0 libcrypt1)
# Courier itself plus the two libraries only Courier uses; unpacked, never installed.
courier_debs=(courier-imap courier-base courier-authlib courier-authlib-userdb
              libcourier-unicode4 gamin libgamin0)

say() { echo "install-backends: $*"; }

if [ "$(id -u)" != 0 ]; then
  echo "install-backends: must run as root (apt-get install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in redis-server dovecot-imapd haproxy "${system_libs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

apt_updated=no
apt_update_once() {
  if [ "$apt_updated" = no ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=yes
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  say "already installed: redis-server dovecot-imapd haproxy ${system_libs[*]}"
else
  created_policy=no
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Debian's maintainer scripts ask invoke-rc.d / deb-systemd-invoke, which obey this file.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=yes
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    say "wrote /usr/sbin/policy-rc.d (services will not start); removed again at exit"
  fi
  apt_update_once
  say "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  if [ "$created_policy" = yes ]; then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
    say "removed /usr/sbin/policy-rc.d"
  fi
fi
say "dovecot $(/usr/sbin/dovecot --version)"
say "haproxy $(/usr/sbin/haproxy -v | sed -n 's/^HAProxy version \([^ ]*\).*/\1/p')"
say "redis $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"

root="$cache/courier/root"
stamp="$cache/courier/VERSIONS"
if [ -f "$stamp" ] && [ -x "$root/usr/bin/imapd" ]; then
  say "Courier already unpacked in $cache/courier ($(tr '\n' ' ' < "$stamp"))"
else
  apt_update_once
  rm -rf "$cache/courier"
  mkdir -p "$cache/courier/debs" "$root"
  # apt's download sandbox user (_apt) cannot write into root-owned folders: fetch as root.
  (cd "$cache/courier/debs" && apt-get download -q -o APT::Sandbox::User=root "${courier_debs[@]}")
  : > "$stamp.tmp"
  for deb in "$cache"/courier/debs/*.deb; do
    dpkg -x "$deb" "$root"
    dpkg-deb --show --showformat='${Package}=${Version}\n' "$deb" >> "$stamp.tmp"
  done
  mv "$stamp.tmp" "$stamp"
  say "unpacked Courier into $cache/courier: $(tr '\n' ' ' < "$stamp")"
fi

# Every binary the tests start must find all its libraries (system ones + the unpacked ones).
libpath="$root/usr/lib/x86_64-linux-gnu:$root/usr/lib"
for bin in usr/bin/imapd usr/lib/courier/courier/imaplogin usr/sbin/couriertcpd \
           usr/lib/courier/courier-authlib/authdaemond usr/lib/courier/courier-authlib/makedatprog \
           usr/lib/courier-authlib/libauthuserdb.so.0 usr/libexec/gam_server; do
  if LD_LIBRARY_PATH=$libpath ldd "$root/$bin" | grep -q 'not found'; then
    echo "install-backends: $bin misses libraries:" >&2
    LD_LIBRARY_PATH=$libpath ldd "$root/$bin" | grep 'not found' >&2
    exit 1
  fi
done
say "Courier binaries resolve all their libraries"
