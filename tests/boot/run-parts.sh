#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run make targets one after the other and sum their 'N passed, N failed'.
#
# Usage: tests/boot/run-parts.sh TARGET...   (make test: check boot-test oracle)
#
# Every target runs, whatever the ones before it did. Each must end its
# output with a line 'N passed, N failed' (more may follow on that line,
# e.g. ', N skipped'); a target without one, or that fails with 0 failed,
# counts as 1 failed. Prints one summary line per part, then the closing line
# 'N passed, N failed' of the whole; exits 1 when anything failed.
# MAKE and MAKEFLAGS come from the calling make, so BUILD=... carries over.
set -uo pipefail

make=${MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

total_pass=0 total_fail=0
summary=()
for part in "$@"; do
    echo "==== make $part"
    $make --no-print-directory "$part" 2>&1 | tee "$tmp/$part.log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/$part.log" | tail -n 1)
    if [ -z "$line" ]; then
        p=0 f=1 why="no summary line, make exit $rc"
    else
        p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
        f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
        why=$line
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1 why="$line, but make exit $rc"
        fi
    fi
    summary+=("$(printf '  %-10s %s' "$part" "$why")")
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
done

echo "==== summary"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
