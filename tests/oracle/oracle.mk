# SPDX-License-Identifier: MIT
# The oracle: every kit test guest as dom0 of Debian's Xen 4.17 in QEMU.
#
#   make oracle                      all of GUEST_ORACLE_TESTS (default: all)
#   make oracle ORACLE_TESTS="hello"  a chosen few
#   ORACLE_FLAGS="--timeout 60"       extra runner options
# Logs: $(BUILD)/oracle/NAME.log. Included by the top-level Makefile.

ORACLE_TESTS ?= $(GUEST_ORACLE_TESTS)
ORACLE_FLAGS ?=
# Guests that want a dom0 with several vCPUs (GUEST_ORACLE_VCPUS_<name> in
# their test.mk) get it, on a QEMU with 2 CPUs.
ORACLE_VCPUS = $(foreach t,$(ORACLE_TESTS),$(if $(GUEST_ORACLE_VCPUS_$(t)),--vcpus $(t)=$(GUEST_ORACLE_VCPUS_$(t))))

.PHONY: oracle
oracle: guests
	$(Q)tools/fetch-xen.sh $(BUILD)
	$(Q)python3 tests/oracle/run-oracle.py --build $(BUILD) $(ORACLE_VCPUS) $(ORACLE_FLAGS) $(ORACLE_TESTS)
