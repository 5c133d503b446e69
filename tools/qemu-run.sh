#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot Tern in QEMU on this terminal, serial console on stdio (make run).
#
# Usage: tools/qemu-run.sh [-M MACHINE] [-s CPUS] [-m MiB] [-a CMDLINE]
#                          [-i "FILE ARGS,FILE ARGS"] [-d ISO] [IMAGE] [-- QEMU ARGS]
#
#   -M  QEMU machine (default q35)        -s  CPUs (default 2)
#   -m  memory in MiB (default 512)       -a  Tern's command line
#   -i  boot modules, QEMU -initrd syntax -d  boot this GRUB ISO instead of IMAGE
# IMAGE defaults to what 'make -s image-path' prints. TCG only: KVM cannot
# run ring-0 guest code at useful speed on the machines Tern is built on.
set -euo pipefail

# Print the usage block at the top of this file.
usage() {
    sed -n '5,12s/^# \{0,1\}//p' "$0"
}

machine=q35 cpus=2 mem=512 cmdline="loglvl=all nopoweroff" initrd= iso=
while getopts "hM:s:m:a:i:d:" o; do
    case "$o" in
    M) machine=$OPTARG ;;
    s) cpus=$OPTARG ;;
    m) mem=$OPTARG ;;
    a) cmdline=$OPTARG ;;
    i) initrd=$OPTARG ;;
    d) iso=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
image=
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    image=$1
    shift
fi
[ "${1:-}" != "--" ] || shift

args=(-machine "$machine" -cpu max -smp "$cpus" -m "$mem" -nographic -no-reboot -nic none)
if [ -n "$iso" ]; then
    args+=(-cdrom "$iso" -boot d)
else
    [ -n "$image" ] || image=$(make -s --no-print-directory -C "$(dirname "$0")/.." image-path)
    args+=(-kernel "$image" -append "$cmdline")
    [ -z "$initrd" ] || args+=(-initrd "$initrd")
fi

echo "Tern in QEMU: press 'q' to power Tern off (Tern's debug keys: 'h' for help), or Ctrl-A X to quit QEMU."
exec qemu-system-x86_64 "${args[@]}" "$@"
