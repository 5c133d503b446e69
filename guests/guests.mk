# SPDX-License-Identifier: MIT
# Guests: the kit (guests/kit/) and one PV kernel per guests/tests/NAME/.
#
#   make guests     build every test guest to $(BUILD)/guests/NAME.elf
#
# A test directory holds main.c (and any other .c/.S: all are built) and,
# optionally, test.mk with a few lines of make:
#   GUEST_CFLAGS_<name> += ...      extra compiler flags for that test
#   GUEST_ORACLE_<name> := no       keep it out of the Xen 4.17 oracle
#   GUEST_ORACLE_VCPUS_<name> := N  run it there as a dom0 with N vCPUs
# Included by the top-level Makefile, which defines BUILD, Q, CC and LD.

GUEST_TESTS := $(sort $(notdir $(patsubst %/,%,$(wildcard guests/tests/*/))))
GUEST_ELFS  := $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_TESTS))

-include $(wildcard guests/tests/*/test.mk)

# Tests the oracle runs: all but those with GUEST_ORACLE_<name> := no.
GUEST_ORACLE_TESTS := $(foreach t,$(GUEST_TESTS),$(if $(filter no,$(GUEST_ORACLE_$(t))),,$(t)))

# Freestanding, non-PIC, linked at -2 GiB like Linux (mcmodel=kernel).
GUEST_CFLAGS := -std=gnu11 -ffreestanding -nostdlib -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-common \
	-O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter \
	-D__XEN_INTERFACE_VERSION__=0x00040e00 -Iguests/kit/include -MMD -MP
GUEST_ASFLAGS := -D__ASSEMBLY__ -D__XEN_INTERFACE_VERSION__=0x00040e00 \
	-Iguests/kit/include -MMD -MP
GUEST_LDS := guests/kit/kit.lds
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 \
	-z noexecstack --build-id=none -T $(GUEST_LDS)

KIT_SRCS := $(wildcard guests/kit/*.c guests/kit/*.S)
KIT_OBJS := $(patsubst %,$(BUILD)/guests/obj/%.o,$(KIT_SRCS))

.PHONY: guests guest-list guest-oracle-list
guests: $(GUEST_ELFS)

guest-list:
	@echo $(GUEST_TESTS)

guest-oracle-list:
	@echo $(GUEST_ORACLE_TESTS)

# Per-test flags: GUEST_CFLAGS_<name>, <name> being the 3rd path element.
$(BUILD)/guests/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_$(word 3,$(subst /, ,$<))) -c $< -o $@

$(BUILD)/guests/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

# One link rule per test: its own objects plus the kit's.
define GUEST_template
GUEST_OBJS_$(1) := $$(patsubst %,$(BUILD)/guests/obj/%.o,$$(wildcard guests/tests/$(1)/*.c guests/tests/$(1)/*.S))
$(BUILD)/guests/$(1).elf: $$(GUEST_OBJS_$(1)) $(KIT_OBJS) $(GUEST_LDS)
	@echo "  LD      $$@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $$@ $$(GUEST_OBJS_$(1)) $(KIT_OBJS)
-include $$(GUEST_OBJS_$(1):.o=.d)
endef
$(foreach t,$(GUEST_TESTS),$(eval $(call GUEST_template,$(t))))

-include $(KIT_OBJS:.o=.d)
