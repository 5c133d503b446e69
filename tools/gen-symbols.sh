#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Turn `nm -n` output (file or - for stdin) into the assembly of Tern's
# symbol table: text symbols in the hypervisor hole, sorted by address.
set -euo pipefail
in=${1:--}
awk '
BEGIN { n = 0 }
($2 == "T" || $2 == "t") && $1 ~ /^ffff8/ && $3 !~ /^\./ {
    addr[n] = $1; name[n] = $3; n++
}
END {
    print "\t.section .symbols, \"a\""
    print "\t.balign 8"
    print "\t.globl symbols_count, symbols_addrs, symbols_offsets, symbols_names"
    print "symbols_count:\n\t.quad " n
    print "symbols_addrs:"
    for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
    print "symbols_offsets:"
    off = 0
    for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
    print "symbols_names:"
    for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}' "$in"
