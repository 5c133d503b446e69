#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what Tern's build, run and tests need from Debian's archive.
# Idempotent: does nothing when everything is already there.
#
# QEMU comes from bookworm-backports (QEMU 10): bookworm's 7.2 mis-emulates
# SMAP and the error code of a user-mode `int $N`, which breaks PV guests.
# The backports source is derived from the machine's own Debian source entry
# (same URIs and keyring, suite changed); no archive address is written here.
set -euo pipefail

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# Debian packages installed system-wide: toolchain, headers, QEMU, ISO tools.
PKGS=(gcc make binutils python3 libxen-dev grub-pc-bin grub-common xorriso mtools xz-utils)
BPO_PKGS=(qemu-system-x86)
QEMU_MIN_MAJOR=10

have_pkgs() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
}

qemu_ok() {
    command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
    local v
    v=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
    [ -n "$v" ] && [ "$v" -ge "$QEMU_MIN_MAJOR" ]
}

# Write a deb822 source for <suite>-backports next to the machine's Debian
# entry, reusing its URIs and Signed-By. Prints nothing when one exists.
enable_backports() {
    if grep -rqs -- '-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return 0
    fi
    local codename uris keyring
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        # The first stanza whose Suites names the release itself.
        uris=$(awk -v s="$codename" '
            /^$/ { u=""; ok=0 }
            /^URIs:/ { u=$2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok=1 }
            ok && u != "" { print u; exit }' /etc/apt/sources.list.d/debian.sources)
        keyring=$(awk -v s="$codename" '
            /^$/ { k=""; ok=0 }
            /^Signed-By:/ { k=$2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok=1 }
            ok && k != "" { print k; exit }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "${uris:-}" ] && [ -f /etc/apt/sources.list ]; then
        uris=$(awk -v s="$codename" '$1 == "deb" && $3 == s { print $2; exit }' /etc/apt/sources.list)
    fi
    if [ -z "${uris:-}" ]; then
        echo "install-deps: cannot find the Debian source entry for '$codename' in /etc/apt;" >&2
        echo "install-deps: add a '$codename-backports' source by hand and run again." >&2
        exit 1
    fi
    {
        echo "Types: deb"
        echo "URIs: $uris"
        echo "Suites: $codename-backports"
        echo "Components: main"
        [ -n "${keyring:-}" ] && echo "Signed-By: $keyring"
    } | $SUDO tee /etc/apt/sources.list.d/tern-backports.sources >/dev/null
    echo "install-deps: enabled $codename-backports from $uris"
}

if have_pkgs "${PKGS[@]}" && qemu_ok; then
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
enable_backports
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
if ! qemu_ok; then
    $SUDO apt-get install -y -qq --no-install-recommends -t "$codename-backports" "${BPO_PKGS[@]}" >/dev/null
fi
qemu_ok || { echo "install-deps: QEMU >= $QEMU_MIN_MAJOR is still missing" >&2; exit 1; }
echo "install-deps: $(qemu-system-x86_64 --version | head -1)"
