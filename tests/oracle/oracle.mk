# SPDX-License-Identifier: MIT
# The oracle: every kit test guest as dom0 of Debian's Xen 4.17 in QEMU.
#
#   make oracle                      all of GUEST_ORACLE_TESTS (default: all)
#   make oracle ORACLE_TESTS="hello"  a chosen few
#   ORACLE_FLAGS="--timeout 60"       extra runner options
# Logs: $(BUILD)/oracle/NAME.log. Included by the top-level Makefile.

ORACLE_TESTS ?= $(GUEST_ORACLE_TESTS)
ORACLE_FLAGS ?=

.PHONY: oracle
oracle: guests
	$(Q)tools/fetch-xen.sh $(BUILD)
	$(Q)python3 tests/oracle/run-oracle.py --build $(BUILD) $(ORACLE_FLAGS) $(ORACLE_TESTS)
