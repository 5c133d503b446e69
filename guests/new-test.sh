#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scaffold a new kit test guest: guests/new-test.sh NAME
#
# Creates guests/tests/NAME/main.c with a test_main() that passes; the
# guests.mk fragment finds the directory by itself, so `make guests` builds
# build/guests/NAME.elf and `make oracle` runs it under Xen 4.17.
set -euo pipefail

if [ $# -ne 1 ] || ! [[ "$1" =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
    echo "usage: $0 NAME   (lower-case letters, digits and '-')" >&2
    exit 2
fi
name=$1
dir=$(dirname "$0")/tests/$name
if [ -e "$dir" ]; then
    echo "$0: $dir exists" >&2
    exit 1
fi
mkdir -p "$dir"
cat > "$dir/main.c" <<EOT
/* SPDX-License-Identifier: MIT */
/* Test guest $name: TODO say what it checks. */
#include <kit/kit.h>

/* TODO: check something; kit_test_failure() on every fault found. */
void test_main(const start_info_t *si)
{
    kit_printf("$name: nr_pages %lu\n", si->nr_pages);
    kit_test_success();
}
EOT
echo "created $dir/main.c (optional: $dir/test.mk, see guests/guests.mk)"
