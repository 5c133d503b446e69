# SPDX-License-Identifier: MIT
# Boot tests (make boot-test) and the whole test suite (make test).
#
#   make boot-test                         every scenario in tests/boot/scenarios/
#   make boot-test BOOT_TESTS="mb1-smp1"   a chosen few
#   BOOT_FLAGS="--timeout-scale 2"         extra runner options (slow hosts)
#   make test                              deps, then check + boot-test + oracle
#
# Logs: $(BUILD)/boot/NAME.log. Included by the top-level Makefile.

BOOT_TESTS ?=
BOOT_FLAGS ?=
TEST_PARTS ?= check boot-test oracle

.PHONY: boot-test test
# The ISO is made here rather than as a prerequisite so that a GRUB problem
# fails the grub-iso scenario only.
boot-test: $(IMAGE) $(GUEST_ELFS)
	$(Q)$(MAKE) -s --no-print-directory iso || echo "boot-test: make iso failed"
	$(Q)python3 tests/boot/runner --build $(BUILD) $(BOOT_FLAGS) $(BOOT_TESTS)

# Each part runs even when one before it failed; the closing line sums them.
test: deps
	$(Q)MAKE="$(MAKE)" tests/boot/run-parts.sh $(TEST_PARTS)
