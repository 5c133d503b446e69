#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch Debian's Xen 4.17 hypervisor (the oracle) into build/xen/.
#
# Downloads the xen-hypervisor-4.17-amd64 package with apt-get (from the
# machine's configured Debian sources; no archive address is written here),
# extracts it, and gunzips the multiboot image to build/xen/xen-4.17, which
# QEMU's -kernel boots. Idempotent: does nothing when the image exists.
#
# Usage: tools/fetch-xen.sh [BUILD_DIR]     (default: build)
set -euo pipefail

PKG=xen-hypervisor-4.17-amd64
BUILD=${1:-build}
DIR=$BUILD/xen
IMAGE=$DIR/xen-4.17

if [ -s "$IMAGE" ]; then
    exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

mkdir -p "$DIR"
cd "$DIR"

# apt-get download writes into the current directory; the _apt user may not
# reach it, which apt only warns about. Retry once after refreshing lists.
deb=$(ls -1 ${PKG}_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
    if ! apt-get download -q "$PKG" 2>download.log; then
        echo "fetch-xen: download failed, running apt-get update" >&2
        $SUDO apt-get update -qq
        apt-get download -q "$PKG" 2>download.log || {
            cat download.log >&2
            exit 1
        }
    fi
    deb=$(ls -1 ${PKG}_*.deb | head -1)
fi

rm -rf pkg
dpkg-deb -x "$deb" pkg
gz=$(ls -1 pkg/boot/xen-4.17-amd64.gz 2>/dev/null || ls -1 pkg/boot/xen-4.17*.gz | head -1)
gunzip -c "$gz" > xen-4.17.tmp
mv xen-4.17.tmp xen-4.17
echo "fetch-xen: $(basename "$deb") -> $IMAGE"
