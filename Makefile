# SPDX-License-Identifier: MIT
# Tern: the one build entry point.
#
#   make            build the hypervisor images (build/tern, build/tern-syms)
#   make run        build, install missing packages, boot the demo in QEMU
#   make check      host unit tests under ASan/UBSan
#   make test       check + every QEMU boot scenario + the Xen 4.17 oracle
#   make iso        GRUB rescue ISO (multiboot2) in build/tern.iso
#   make clean
#
# Switches: DEBUG=1 (assertions, -O0), V=1 (show commands).

BUILD   ?= build
VERSION := 0.1.0
DEBUG   ?= 0

CC      := gcc
LD      := ld
OBJCOPY := objcopy
NM      := nm

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The hypervisor: freestanding, position-independent code linked in the
# x86-64 PV hypervisor hole, so every reference is RIP-relative or 64-bit.
HV_CFLAGS := -std=gnu11 -ffreestanding -fno-builtin -fno-stack-protector \
	-fpie -fvisibility=hidden -mno-red-zone -mno-sse -mno-mmx -mno-sse2 \
	-mno-avx -mgeneral-regs-only -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wno-unused-parameter -Wvla \
	-Iinclude -I$(BUILD)/include -include include/tern/compiler.h \
	-D__TERN__ -D__XEN_INTERFACE_VERSION__=0x00040e00 \
	-DTERN_VERSION=\"$(VERSION)\" -MMD -MP
ifeq ($(DEBUG),1)
HV_CFLAGS += -O0 -g -DDEBUG
else
HV_CFLAGS += -O2 -g
endif
HV_ASFLAGS := -D__ASSEMBLY__ -Iinclude -I$(BUILD)/include -MMD -MP

# Per-folder object lists: every .c and .S in these folders is built.
HV_DIRS := arch/x86_64 arch/x86_64/boot arch/x86_64/pv core lib
HV_SRCS := $(filter-out arch/x86_64/asm-offsets.c,\
	$(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S)))
HV_OBJS := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRCS))

IMAGE     := $(BUILD)/tern
IMAGE_SYM := $(BUILD)/tern-syms

.PHONY: all run check test iso clean image-path deps cloc
all: $(IMAGE)

image-path:
	@echo $(abspath $(IMAGE))

deps:
	$(Q)tools/install-deps.sh

ASM_OFFSETS := $(BUILD)/include/asm/asm-offsets.h
$(ASM_OFFSETS): arch/x86_64/asm-offsets.c include/asm/current.h include/asm/regs.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(filter-out -MMD -MP,$(HV_CFLAGS)) -S $< -o $@.s
	$(Q)(echo '/* Generated from arch/x86_64/asm-offsets.c: do not edit. */'; \
	  sed -n 's/.*->\([A-Z_]*\) \$$\{0,1\}\([0-9]*\).*/#define \1 \2/p' $@.s) > $@

# The CPUID features a PV guest is offered, from Xen's public featureset.
CPUID_PV := $(BUILD)/include/cpuid-pv.h
XEN_FEATURESET := /usr/include/xen/arch-x86/cpufeatureset.h
$(CPUID_PV): tools/gen-cpuid-pv.py $(XEN_FEATURESET)
	@mkdir -p $(dir $@)
	$(Q)python3 tools/gen-cpuid-pv.py $(XEN_FEATURESET) $@

$(BUILD)/hv/%.c.o: %.c | $(ASM_OFFSETS) $(CPUID_PV)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hv/%.S.o: %.S | $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

# Two-pass link: the first pass has an empty symbol table, the second the
# table of the first. The table sits after all code, so text addresses are
# the same in both passes and crash reports name the right functions.
LDS := arch/x86_64/tern.lds
HV_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T $(BUILD)/tern.lds

$(BUILD)/tern.lds: $(LDS) include/asm/config.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -E -P -x c -D__ASSEMBLY__ -D__LINKER__ -Iinclude $< -o $@

$(BUILD)/syms0.S:
	@mkdir -p $(dir $@)
	$(Q)tools/gen-symbols.sh /dev/null > $@

$(BUILD)/syms%.o: $(BUILD)/syms%.S
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

$(BUILD)/tern-pass1: $(HV_OBJS) $(BUILD)/syms0.o $(BUILD)/tern.lds
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/syms0.o

$(BUILD)/syms1.S: $(BUILD)/tern-pass1 tools/gen-symbols.sh
	$(Q)$(NM) -n --defined-only $< | tools/gen-symbols.sh - > $@

$(IMAGE_SYM): $(HV_OBJS) $(BUILD)/syms1.o $(BUILD)/tern.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/syms1.o
	$(Q)tools/check-link.sh $(BUILD)/tern-pass1 $@

# The 32-bit multiboot ELF for QEMU's -kernel and for GRUB: the flat image
# (by load address) wrapped in one PT_LOAD segment, bss included.
$(IMAGE): $(IMAGE_SYM) tools/mkelf32.py
	@echo "  ELF32   $@"
	$(Q)tools/mkelf32.py $< $@

-include $(HV_OBJS:.o=.d)

# Fragments owned by their folders.
-include guests/guests.mk
-include guests/builder/builder.mk
-include guests/linux/linux.mk
-include tests/unit/unit.mk
-include tests/fuzz/fuzz.mk
-include tests/boot/boot.mk
-include tests/oracle/oracle.mk
-include tools/tools.mk
include bench/bench.mk

# Lines of code the hypervisor build compiles, headers included (bench/cloc.py).
cloc:
	$(Q)python3 bench/cloc.py --build $(BUILD) $(HV_SRCS) $(LDS) arch/x86_64/asm-offsets.c

clean:
	rm -rf $(BUILD)
