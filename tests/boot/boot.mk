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

# The bzimage and linux scenarios boot Debian's stock kernel: when they are
# to run, boot-test fetches it and busybox (make linux, guests/linux/linux.mk:
# tools/fetch-linux.sh and the workload initramfs) and makes the damaged
# copies that bzimage-faults loads: one cut short, one with a byte of its XZ
# payload changed half way through.
LINUX_DIR   := $(BUILD)/linux
LINUX_BAD   := $(LINUX_DIR)/vmlinuz-truncated $(LINUX_DIR)/vmlinuz-corrupt
BOOT_LINUX  := $(strip $(if $(BOOT_TESTS),\
	$(filter bzimage% linux%,$(notdir $(basename $(BOOT_TESTS)))),all))

.PHONY: boot-test test

# The ISO is made here rather than as a prerequisite so that a GRUB problem
# fails the grub-iso scenario only.
boot-test: $(IMAGE) $(GUEST_ELFS)
	$(Q)$(MAKE) -s --no-print-directory iso || echo "boot-test: make iso failed"
ifneq ($(BOOT_LINUX),)
	$(Q)$(MAKE) -s --no-print-directory linux-kernel || \
	    echo "boot-test: fetching Debian's kernel failed"
endif
	$(Q)python3 tests/boot/runner --build $(BUILD) $(BOOT_FLAGS) $(BOOT_TESTS)

.PHONY: linux-kernel
linux-kernel:
	$(Q)$(MAKE) -s --no-print-directory linux
	$(Q)$(MAKE) -s --no-print-directory $(LINUX_BAD)

$(LINUX_DIR)/vmlinuz-truncated: $(LINUX_DIR)/vmlinuz
	$(Q)head -c 4000000 $< > $@.tmp && mv $@.tmp $@

$(LINUX_DIR)/vmlinuz-corrupt: $(LINUX_DIR)/vmlinuz
	$(Q)python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); \
	    b[4000000] ^= 0x55; open(sys.argv[2], "wb").write(b)' $< $@.tmp
	$(Q)mv $@.tmp $@

# Each part runs even when one before it failed; the closing line sums them.
test: deps
	$(Q)MAKE="$(MAKE)" tests/boot/run-parts.sh $(TEST_PARTS)
