# SPDX-License-Identifier: MIT
# The dom0 builder (guests/builder/): a kit guest that runs as Xen 4.17's
# dom0 and builds kit guests as domUs from a domain list module
# (tools/mkdomlist.py), so the bench and the oracle can run several domains
# under Xen as they do under Tern.
#
#   make builder    build it to $(BUILD)/guests/builder.elf
#
# It reads the domain strings and the guests' ELF images with Tern's own
# parsers (lib/domconfig.c, lib/elf-xen.c and what they use), compiled as
# guest code. Included by the top-level Makefile after guests/guests.mk.

BUILDER_ELF  := $(BUILD)/guests/builder.elf
BUILDER_LIB  := lib/domconfig.c lib/cmdline.c lib/cpulist.c lib/parse.c \
	lib/string-extra.c lib/vsnprintf.c lib/elf-xen.c
BUILDER_OBJS := $(patsubst %,$(BUILD)/builder/obj/%.o,\
	$(wildcard guests/builder/*.c) $(BUILDER_LIB))
BUILDER_CFLAGS := $(GUEST_CFLAGS) -D__XEN_TOOLS__ -Iinclude \
	-include include/tern/compiler.h

.PHONY: builder
builder: $(BUILDER_ELF)

$(BUILD)/builder/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (builder)"
	$(Q)$(CC) $(BUILDER_CFLAGS) -c $< -o $@

$(BUILDER_ELF): $(BUILDER_OBJS) $(KIT_OBJS) $(GUEST_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $@ $(BUILDER_OBJS) $(KIT_OBJS)

-include $(BUILDER_OBJS:.o=.d)
