# SPDX-License-Identifier: MIT
# Host unit tests (make check): one binary per pure module, under ASan/UBSan.
#
# Each test binary is tests/unit/test-NAME.c linked with the module sources
# listed below; it prints "unit: FILE: P passed, F failed" and the check
# target sums those lines into one "N passed, N failed".

UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Iinclude \
	-include tests/unit/host-prelude.h
UNIT_DIR    := $(BUILD)/unit
UNIT_TESTS  := string vsnprintf parse cmdline domconfig multiboot \
	frame-alloc heap elf-xen page-types x86-store grant-table \
	xz inflate bzimage sched-credit2 sched-null
UNIT_BINS   := $(patsubst %,$(UNIT_DIR)/test-%,$(UNIT_TESTS))
UNIT_HDRS   := $(wildcard include/tern/*.h) $(wildcard tests/unit/*.h)

# The module sources each test links (lib/string.c is #included by its
# test under other names: on the host libc owns memcpy and friends).
$(UNIT_DIR)/test-string:      lib/string.c lib/string-extra.c
$(UNIT_DIR)/test-vsnprintf:   lib/vsnprintf.c
$(UNIT_DIR)/test-parse:       lib/parse.c
$(UNIT_DIR)/test-cmdline:     lib/cmdline.c lib/parse.c lib/string-extra.c
$(UNIT_DIR)/test-domconfig:   lib/domconfig.c lib/cpulist.c lib/cmdline.c lib/parse.c \
	lib/string-extra.c lib/vsnprintf.c
$(UNIT_DIR)/test-multiboot:   lib/multiboot.c
$(UNIT_DIR)/test-frame-alloc: core/frame-alloc.c
$(UNIT_DIR)/test-heap:        core/heap.c
$(UNIT_DIR)/test-elf-xen:     lib/elf-xen.c lib/vsnprintf.c
$(UNIT_DIR)/test-page-types:  core/page-types.c
$(UNIT_DIR)/test-grant-table: core/grant-table.c core/page-types.c
$(UNIT_DIR)/test-x86-store:   lib/x86-store.c
$(UNIT_DIR)/test-sched-credit2: core/sched-credit2.c lib/cpulist.c lib/vsnprintf.c
$(UNIT_DIR)/test-sched-null:  core/sched-null.c lib/cpulist.c lib/vsnprintf.c
$(UNIT_DIR)/test-xz:          lib/xz.c lib/lzma2.c lib/crc.c
$(UNIT_DIR)/test-inflate:     lib/inflate.c lib/crc.c
$(UNIT_DIR)/test-bzimage:     lib/bzimage.c lib/xz.c lib/lzma2.c \
	lib/inflate.c lib/crc.c lib/vsnprintf.c

# The decompressors' fixtures: made by Python's lzma and zlib (the
# reference implementations) into $(UNIT_DATA), read by the tests.
UNIT_DATA   := $(UNIT_DIR)/data
UNIT_DATA_TESTS := $(patsubst %,$(UNIT_DIR)/test-%,xz inflate bzimage)
$(UNIT_DATA_TESTS): UNIT_CFLAGS += -DUNIT_DATA='"$(abspath $(UNIT_DATA))"'
$(UNIT_DATA_TESTS): | $(UNIT_DATA)/.stamp
$(UNIT_DATA)/.stamp: tests/unit/mkfixtures.py
	@echo "  GEN     $(UNIT_DATA)"
	$(Q)python3 $< $(UNIT_DATA)
	$(Q)touch $@

# Tern's decoder on Debian's real bzImage against Python's unpacking of it
# (both from tools/fetch-linux.sh). Not part of check: it downloads.
.PHONY: bzimage-check
bzimage-check: $(UNIT_DIR)/test-bzimage
	$(Q)tools/fetch-linux.sh $(BUILD)
	$(Q)TERN_BZIMAGE=$(BUILD)/linux/vmlinuz TERN_VMLINUX=$(BUILD)/linux/vmlinux $<

$(UNIT_DIR)/test-%: tests/unit/test-%.c $(UNIT_HDRS) tests/unit/unit.mk
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(UNIT_CFLAGS) -o $@ $< \
		$(filter-out lib/string.c $<,$(filter %.c,$^))

.PHONY: check
# The fuzz targets' corpora and seeds are replayed too (tests/fuzz/fuzz.mk).
check: $(UNIT_BINS) fuzz-replay
	$(Q)pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
	    out=$$($$t); rc=$$?; \
	    line=$$(printf '%s\n' "$$out" | grep '^unit:' | tail -n 1); \
	    p=$$(printf '%s\n' "$$line" | sed -n 's/.* \([0-9]*\) passed, [0-9]* failed$$/\1/p'); \
	    f=$$(printf '%s\n' "$$line" | sed -n 's/.* \([0-9]*\) failed$$/\1/p'); \
	    if [ -z "$$p" ] || [ -z "$$f" ]; then \
	        echo "  UNIT    $${t##*/}: crashed (exit $$rc)"; \
	        fail=$$((fail + 1)); continue; \
	    fi; \
	    if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then f=1; fi; \
	    echo "  UNIT    $${t##*/}: $$p passed, $$f failed"; \
	    pass=$$((pass + p)); fail=$$((fail + f)); \
	done; \
	echo "$$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]
