# SPDX-License-Identifier: MIT
# The Linux test domain: Debian's stock kernel and a busybox initramfs whose
# /init (guests/linux/init) runs the workload checks.
#
#   make linux        fetch the kernel and busybox (tools/fetch-linux.sh)
#                     and build $(BUILD)/linux/initrd.gz
#   make run-linux    boot Tern with a Linux domain on this terminal
#
# Included by the top-level Makefile, which defines BUILD, Q and IMAGE.

LINUX_OUT    := $(BUILD)/linux
LINUX_INITRD := $(LINUX_OUT)/initrd.gz
LINUX_ROOT   := $(LINUX_OUT)/initramfs

.PHONY: linux run-linux
linux:
	$(Q)tools/fetch-linux.sh $(BUILD)
	$(Q)$(MAKE) -s --no-print-directory $(LINUX_INITRD)

# The archive: busybox, /init, and the mount points /init uses.
$(LINUX_INITRD): guests/linux/init tools/mkcpio.py $(LINUX_OUT)/busybox
	@echo "  CPIO    $@"
	$(Q)rm -rf $(LINUX_ROOT)
	$(Q)mkdir -p $(LINUX_ROOT)/bin $(LINUX_ROOT)/proc $(LINUX_ROOT)/sys \
		$(LINUX_ROOT)/dev $(LINUX_ROOT)/tmp
	$(Q)cp $(LINUX_OUT)/busybox $(LINUX_ROOT)/bin/busybox
	$(Q)cp guests/linux/init $(LINUX_ROOT)/init
	$(Q)python3 tools/mkcpio.py $(LINUX_ROOT) $@

LINUX_RUN_CMDLINE := console=hvc0 tern.vcpus=1 tern.mem=256

run-linux: deps
	$(Q)$(MAKE) -s --no-print-directory $(IMAGE) linux
	$(Q)tools/qemu-run.sh -s $(RUN_SMP) -m 1024 -a "$(RUN_CMDLINE)" \
		-i "$(LINUX_OUT)/vmlinuz name=linux memory=256M cmdline=\"$(LINUX_RUN_CMDLINE)\",$(LINUX_INITRD)" \
		$(IMAGE)
