# SPDX-License-Identifier: MIT
# Host-side tools: the GRUB ISO (make iso) and the interactive demo (make run).
#
#   make iso    build/tern.iso: GRUB (BIOS; EFI too when grub-efi-amd64-bin is
#               installed) boots Tern with multiboot2 and the hello guest
#   make run    install what is missing, build, boot Tern on this terminal
#
# Knobs: ISO_CMDLINE, RUN_SMP, RUN_MEM, RUN_CMDLINE. Included by the top-level
# Makefile, which defines BUILD, Q, IMAGE and (guests/guests.mk) GUEST_ELFS.

ISO         := $(BUILD)/tern.iso
ISO_CMDLINE ?= loglvl=all

# The hello kit guest rides along as a boot module when guests/ builds it.
HELLO_ELF   := $(filter %/hello.elf,$(GUEST_ELFS))
ISO_MODULES := $(if $(HELLO_ELF),"$(HELLO_ELF) name=hello memory=64M")

RUN_SMP     ?= 2
RUN_MEM     ?= 512
RUN_CMDLINE ?= loglvl=all nopoweroff
RUN_INITRD  := $(if $(HELLO_ELF),$(HELLO_ELF) name=hello memory=64M)

.PHONY: iso run
iso: $(ISO)

$(ISO): $(IMAGE) $(HELLO_ELF) tools/mkiso.sh tools/tools.mk
	$(Q)tools/mkiso.sh -c "$(ISO_CMDLINE)" $@ $(IMAGE) $(ISO_MODULES)

# deps first: on a fresh machine the compiler itself may be missing.
run: deps
	$(Q)$(MAKE) -s --no-print-directory $(IMAGE) $(HELLO_ELF)
	$(Q)tools/qemu-run.sh -s $(RUN_SMP) -m $(RUN_MEM) -a "$(RUN_CMDLINE)" \
		$(if $(RUN_INITRD),-i "$(RUN_INITRD)") $(IMAGE)
