#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch Debian's stock Linux kernel and a static busybox into build/linux/.
#
# Resolves the kernel package the linux-image-amd64 metapackage depends on
# (linux-image-6.1.0-NN-amd64), downloads it and busybox-static with
# apt-get (from the machine's configured Debian sources; no archive address
# is written here) and extracts:
#   build/linux/vmlinuz   the bzImage as users have it in /boot
#   build/linux/vmlinux   its ELF payload, unpacked by Python's lzma/gzip
#                         (the reference Tern's own decoder is checked
#                         against: make bzimage-check)
#   build/linux/busybox   the static busybox binary
# Idempotent: does nothing when all three exist; reuses downloaded .debs.
#
# Usage: tools/fetch-linux.sh [BUILD_DIR]     (default: build)
set -euo pipefail

META=linux-image-amd64
BUSYBOX=busybox-static
BUILD=${1:-build}
DIR=$BUILD/linux

if [ -s "$DIR/vmlinuz" ] && [ -s "$DIR/vmlinux" ] && [ -s "$DIR/busybox" ]; then
    exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

mkdir -p "$DIR"
cd "$DIR"

# The package the metapackage points at, e.g. linux-image-6.1.0-56-amd64.
kernel_package() {
    apt-cache depends "$META" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1
}

# Print the .deb of package $1 in this directory, downloading it if need
# be. apt-get download writes into the current directory; the _apt user
# may not reach it, which apt only warns about. Retries once after
# refreshing the package lists.
fetch_deb() {
    local pkg=$1 deb
    deb=$(ls -1 "${pkg}"_*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ]; then
        if ! apt-get download -q "$pkg" 2>download.log >&2; then
            echo "fetch-linux: download of $pkg failed, running apt-get update" >&2
            $SUDO apt-get update -qq >&2
            apt-get download -q "$pkg" 2>download.log >&2 || {
                cat download.log >&2
                exit 1
            }
        fi
        deb=$(ls -1 "${pkg}"_*.deb | head -1)
    fi
    echo "$deb"
}

pkg=$(kernel_package)
if [ -z "$pkg" ]; then
    $SUDO apt-get update -qq
    pkg=$(kernel_package)
fi
if [ -z "$pkg" ]; then
    echo "fetch-linux: cannot resolve the package $META depends on" >&2
    exit 1
fi

if [ ! -s vmlinuz ]; then
    deb=$(fetch_deb "$pkg")
    rm -rf pkg-linux && mkdir pkg-linux
    # Only the kernel: the modules would be hundreds of MiB.
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C pkg-linux --wildcards './boot/vmlinuz-*'
    cp "$(ls -1 pkg-linux/boot/vmlinuz-* | head -1)" vmlinuz.tmp
    mv vmlinuz.tmp vmlinuz
    rm -rf pkg-linux
    rm -f vmlinux
    echo "fetch-linux: $(basename "$deb") -> $DIR/vmlinuz"
fi

if [ ! -s vmlinux ]; then
    python3 - vmlinuz vmlinux.tmp <<'EOF'
import gzip, lzma, struct, sys
img = open(sys.argv[1], "rb").read()
assert img[0x202:0x206] == b"HdrS", "not a bzImage"
setup = ((img[0x1f1] or 4) + 1) * 512
off, length = struct.unpack_from("<II", img, 0x248)
payload = img[setup + off:setup + off + length]
if payload[:6] == b"\xfd7zXZ\x00":
    d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    elf = d.decompress(payload)
    assert d.eof, "truncated XZ payload"
elif payload[:2] == b"\x1f\x8b":
    elf = gzip.decompress(payload)
else:
    sys.exit("unknown bzImage payload format")
assert elf[:4] == b"\x7fELF", "payload is not an ELF file"
assert len(elf) == struct.unpack("<I", payload[-4:])[0], "size mismatch"
open(sys.argv[2], "wb").write(elf)
EOF
    mv vmlinux.tmp vmlinux
    echo "fetch-linux: vmlinuz unpacked by Python -> $DIR/vmlinux ($(stat -c %s vmlinux) bytes)"
fi

if [ ! -s busybox ]; then
    deb=$(fetch_deb "$BUSYBOX")
    rm -rf pkg-busybox && mkdir pkg-busybox
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C pkg-busybox ./bin/busybox
    cp pkg-busybox/bin/busybox busybox.tmp
    mv busybox.tmp busybox
    rm -rf pkg-busybox
    echo "fetch-linux: $(basename "$deb") -> $DIR/busybox"
fi
