#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Make a GRUB rescue ISO that boots Tern with multiboot2 and boot modules.
#
# Usage: tools/mkiso.sh [-c CMDLINE] OUT.iso IMAGE ["FILE ARGS"]...
#
#   -c CMDLINE   Tern's command line (default: loglvl=all)
#   IMAGE        the multiboot ELF (build/tern), copied to /boot/tern
#   "FILE ARGS"  one boot module per argument, as for QEMU's -initrd: the
#                file is copied to /boot/mods/, ARGS follow it on the
#                module2 line (e.g. "build/guests/hello.elf name=hello memory=64M")
#
# BIOS boot (i386-pc) always; grub-mkrescue adds EFI by itself when
# grub-efi-amd64-bin is installed. GRUB talks on the serial line (COM1) so
# that its messages land in the same log as Tern's.
set -euo pipefail

cmdline="loglvl=all"
while getopts "c:" o; do
    case "$o" in
    c) cmdline=$OPTARG ;;
    *) echo "usage: $0 [-c CMDLINE] OUT.iso IMAGE [\"FILE ARGS\"]..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -lt 2 ]; then
    echo "usage: $0 [-c CMDLINE] OUT.iso IMAGE [\"FILE ARGS\"]..." >&2
    exit 2
fi
out=$1 image=$2
shift 2

command -v grub-mkrescue >/dev/null || {
    echo "mkiso: grub-mkrescue is missing: run tools/install-deps.sh" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/iso
mkdir -p "$stage/boot/grub" "$stage/boot/mods"
cp "$image" "$stage/boot/tern"

{
    echo "# Tern: made by tools/mkiso.sh"
    echo "serial --unit=0 --speed=115200"
    echo "terminal_input serial console"
    echo "terminal_output serial"
    echo "set timeout=0"
    echo "set timeout_style=hidden"
    echo
    echo "menuentry \"Tern\" {"
    echo "    multiboot2 /boot/tern $cmdline"
    for m in "$@"; do
        file=${m%% *}
        args=
        [ "$file" = "$m" ] || args=" ${m#* }"
        [ -f "$file" ] || { echo "mkiso: module '$file' not found" >&2; exit 1; }
        cp "$file" "$stage/boot/mods/"
        echo "    module2 /boot/mods/${file##*/}$args"
    done
    echo "}"
} > "$stage/boot/grub/grub.cfg"

# xorriso is chatty on success: keep its output for when it fails.
if ! grub-mkrescue -o "$out" "$stage" >"$tmp/mkrescue.log" 2>&1; then
    cat "$tmp/mkrescue.log" >&2
    exit 1
fi
echo "  ISO     $out"
