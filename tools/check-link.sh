#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The two link passes must agree on every text address, else the symbol
# table of the first pass would name the wrong functions in the second.
set -euo pipefail
a=$(nm -n --defined-only "$1" | awk '$2 ~ /^[Tt]$/')
b=$(nm -n --defined-only "$2" | awk '$2 ~ /^[Tt]$/')
if [ "$a" != "$b" ]; then
    echo "check-link: text symbols moved between link passes" >&2
    diff <(echo "$a") <(echo "$b") | head >&2
    exit 1
fi
