# SPDX-License-Identifier: MIT
# Host fuzzing (make fuzz) of the parsers that read guest and boot input.
#
#   make fuzz               build each target with clang's libFuzzer (ASan,
#                           UBSan) and run it FUZZ_TIME seconds (default 60)
#                           on its corpus in build/fuzz/corpus-NAME, seeded
#                           from good inputs the unit tests write
#   make fuzz-replay        rebuild the targets as plain drivers (gcc, no
#                           libFuzzer) and replay the corpus and crash files:
#                           a quick regression run where clang is missing
#
# tests/fuzz/corpus/NAME/, where it exists, holds committed inputs (found by
# fuzzing, kept as regression cases): both targets read it too.
#
# A crash leaves crash-* files in build/fuzz/; replay one with
#   build/fuzz/replay-NAME build/fuzz/crash-...
# Not part of make check: that stays fast and needs no clang.

FUZZ_CC     ?= clang
FUZZ_TIME   ?= 60
FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_NAMES  := elf-xen page-types x86-store xz inflate
FUZZ_COMMON := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude \
	-include tests/unit/host-prelude.h
FUZZ_CFLAGS := $(FUZZ_COMMON) -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
REPLAY_CFLAGS := $(FUZZ_COMMON) -DFUZZ_REPLAY -fsanitize=address,undefined \
	-fno-sanitize-recover=all
FUZZ_HDRS   := $(wildcard include/tern/*.h) tests/unit/host-prelude.h \
	tests/fuzz/replay.h tests/fuzz/decoder-promise.h \
	tests/fuzz/fuzz.mk

# The module sources each target links, and the unit test that writes
# its seed corpus when run with TERN_FUZZ_SEEDS=DIR.
$(FUZZ_DIR)/fuzz-elf-xen $(FUZZ_DIR)/replay-elf-xen: lib/elf-xen.c \
	lib/vsnprintf.c
$(FUZZ_DIR)/seeds-elf-xen: $(UNIT_DIR)/test-elf-xen
$(FUZZ_DIR)/fuzz-page-types $(FUZZ_DIR)/replay-page-types: core/page-types.c \
	tests/unit/pt-model.h
$(FUZZ_DIR)/seeds-page-types: $(UNIT_DIR)/test-page-types
$(FUZZ_DIR)/fuzz-x86-store $(FUZZ_DIR)/replay-x86-store: lib/x86-store.c
$(FUZZ_DIR)/seeds-x86-store: $(UNIT_DIR)/test-x86-store
$(FUZZ_DIR)/fuzz-xz $(FUZZ_DIR)/replay-xz: lib/xz.c lib/lzma2.c lib/crc.c
$(FUZZ_DIR)/seeds-xz: $(UNIT_DIR)/test-xz
$(FUZZ_DIR)/fuzz-inflate $(FUZZ_DIR)/replay-inflate: lib/inflate.c lib/crc.c
$(FUZZ_DIR)/seeds-inflate: $(UNIT_DIR)/test-inflate

$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(filter-out $<,$(filter %.c,$^))

$(FUZZ_DIR)/replay-%: tests/fuzz/fuzz-%.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(REPLAY_CFLAGS) -o $@ $< $(filter-out $<,$(filter %.c,$^))

$(FUZZ_DIR)/seeds-%:
	$(Q)rm -rf $@ && mkdir -p $@
	$(Q)TERN_FUZZ_SEEDS=$@ $< > /dev/null

.PHONY: fuzz fuzz-replay
ifeq ($(shell command -v $(FUZZ_CC) 2>/dev/null),)
fuzz: fuzz-replay
	@echo "fuzz: $(FUZZ_CC) not found (tools/install-deps.sh): replayed only"
else
fuzz: $(patsubst %,$(FUZZ_DIR)/fuzz-%,$(FUZZ_NAMES)) \
	$(patsubst %,$(FUZZ_DIR)/seeds-%,$(FUZZ_NAMES))
	$(Q)for n in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_DIR)/corpus-$$n; \
	    echo "  FUZZ    $$n ($(FUZZ_TIME)s)"; \
	    (cd $(FUZZ_DIR) && ./fuzz-$$n -max_total_time=$(FUZZ_TIME) \
	        -print_final_stats=1 corpus-$$n seeds-$$n \
	        $$(ls -d $(CURDIR)/tests/fuzz/corpus/$$n 2>/dev/null)) || exit 1; \
	done
endif

fuzz-replay: $(patsubst %,$(FUZZ_DIR)/replay-%,$(FUZZ_NAMES)) \
	$(patsubst %,$(FUZZ_DIR)/seeds-%,$(FUZZ_NAMES))
	$(Q)for n in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_DIR)/corpus-$$n; \
	    $(FUZZ_DIR)/replay-$$n $(FUZZ_DIR)/corpus-$$n $(FUZZ_DIR)/seeds-$$n \
	        $$(ls -d tests/fuzz/corpus/$$n 2>/dev/null) \
	        $$(ls $(FUZZ_DIR)/crash-* 2>/dev/null) || exit 1; \
	done
