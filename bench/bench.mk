# SPDX-License-Identifier: MIT
# Benchmarks: Tern side by side with Debian's Xen 4.17 in the same QEMU.
#
#   make bench                        every bench guest on both, the table
#   make bench BENCH_ONLY="hypercall,evtchn"   a chosen few
#   BENCH_FLAGS="--no-icount --repeat 5"       extra runner options
#   make bench-guests                 build the bench guests only
#   make bench-linux                  fetch Linux (tools/fetch-linux.sh) and
#                                     build the bench initramfs
#   make cloc                         lines of code of the hypervisor build
#
# The bench guests are kit guests in guests/bench/NAME/ (bench_main() in
# main.c), linked with guests/bench/lib/ and the kit into
# $(BUILD)/bench/guests/NAME.elf. They are not tests: make test and the
# oracle never run them. The report goes to $(BUILD)/bench/report.md,
# bench/results/report.md and stdout (bench/run-bench.py; docs/bench.md).
# The Linux rows boot Debian's kernel (guests/linux/linux.mk) with an
# initramfs of their own, $(BUILD)/bench/linux/initrd.gz: its /init is
# guests/linux/bench-init.c, a static program without libc (it reads the
# TSC, times fork + exec of /bin/true, runs busybox poweroff -f); busybox
# and /bin/true (a link to it) are the only other files. The tests'
# initramfs (guests/linux/init) is not used.
# Included by the top-level Makefile, which defines BUILD, Q, CC, LD, IMAGE
# and (guests/guests.mk) GUEST_CFLAGS, GUEST_LDFLAGS, GUEST_LDS, KIT_OBJS.

BENCH_DIR     := $(BUILD)/bench
BENCH_GUESTS  := $(filter-out lib,$(sort $(notdir $(patsubst %/,%,$(wildcard guests/bench/*/)))))
BENCH_ELFS    := $(patsubst %,$(BENCH_DIR)/guests/%.elf,$(BENCH_GUESTS))
BENCH_LIB_OBJS := $(patsubst %,$(BENCH_DIR)/obj/%.o,$(wildcard guests/bench/lib/*.c))
BENCH_ONLY    ?=
BENCH_FLAGS   ?=
BENCH_RESULTS ?= bench/results
BENCH_LINUX_DIR    := $(BENCH_DIR)/linux
BENCH_LINUX_INIT   := $(BENCH_LINUX_DIR)/init
BENCH_LINUX_INITRD := $(BENCH_LINUX_DIR)/initrd.gz
# The Linux rows are wanted unless BENCH_ONLY leaves them out.
BENCH_WANT_LINUX := $(if $(BENCH_ONLY),$(findstring linux,$(BENCH_ONLY)),linux)

.PHONY: bench bench-guests bench-linux
bench-guests: $(BENCH_ELFS) $(BENCH_DIR)/fwbase.elf $(BENCH_LINUX_INIT) $(BUILDER_ELF)

# The firmware baseline of the boot rows: a bare 32-bit multiboot kernel.
$(BENCH_DIR)/fwbase.elf: bench/fwbase.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) -m32 -c $< -o $(BENCH_DIR)/fwbase.o
	$(Q)$(LD) -m elf_i386 -nostdlib -static -z noexecstack -Ttext=0x100000 \
		-e _start --build-id=none -o $@ $(BENCH_DIR)/fwbase.o

# The bench /init: static, no libc, no PIE; -Werror as the rest of the tree.
$(BENCH_LINUX_INIT): guests/linux/bench-init.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) -m64 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin \
		-fno-stack-protector -fno-pie -no-pie -fno-asynchronous-unwind-tables \
		-nostdlib -static -Wl,--build-id=none -o $@ $<

$(BENCH_LINUX_INITRD): $(BENCH_LINUX_INIT) tools/mkcpio.py $(LINUX_OUT)/busybox
	@echo "  CPIO    $@"
	$(Q)rm -rf $(BENCH_LINUX_DIR)/root
	$(Q)mkdir -p $(BENCH_LINUX_DIR)/root/bin $(BENCH_LINUX_DIR)/root/dev
	$(Q)cp $(LINUX_OUT)/busybox $(BENCH_LINUX_DIR)/root/bin/busybox
	$(Q)ln -s busybox $(BENCH_LINUX_DIR)/root/bin/true
	$(Q)cp $(BENCH_LINUX_INIT) $(BENCH_LINUX_DIR)/root/init
	$(Q)python3 tools/mkcpio.py $(BENCH_LINUX_DIR)/root $@

bench-linux:
	$(Q)tools/fetch-linux.sh $(BUILD)
	$(Q)$(MAKE) -s --no-print-directory $(BENCH_LINUX_INITRD)

$(BENCH_DIR)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -Iguests/bench/lib -c $< -o $@

# One link rule per bench guest: its objects, the bench library, the kit.
define BENCH_template
BENCH_OBJS_$(1) := $$(patsubst %,$(BENCH_DIR)/obj/%.o,$$(wildcard guests/bench/$(1)/*.c))
$(BENCH_DIR)/guests/$(1).elf: $$(BENCH_OBJS_$(1)) $(BENCH_LIB_OBJS) $(KIT_OBJS) $(GUEST_LDS)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $$@ $$(BENCH_OBJS_$(1)) $(BENCH_LIB_OBJS) $(KIT_OBJS)
-include $$(BENCH_OBJS_$(1):.o=.d)
endef
$(foreach g,$(BENCH_GUESTS),$(eval $(call BENCH_template,$(g))))
-include $(BENCH_LIB_OBJS:.o=.d)

# deps first, as make test does: on a fresh machine QEMU may be missing.
# The runner checks again and stops at once, naming what is missing.
bench: deps
	$(Q)$(MAKE) -s --no-print-directory $(IMAGE) bench-guests \
		$(if $(BENCH_WANT_LINUX),bench-linux)
	$(Q)tools/fetch-xen.sh $(BUILD)
	$(Q)python3 bench/run-bench.py --build $(BUILD) --results "$(BENCH_RESULTS)" \
		$(if $(BENCH_ONLY),--only "$(BENCH_ONLY)") $(BENCH_FLAGS)

# make cloc reads the compiler's dependency files of every object.
cloc: $(HV_OBJS)
