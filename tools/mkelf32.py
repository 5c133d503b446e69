#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Wrap Tern's 64-bit ELF into the 32-bit multiboot ELF that QEMU's -kernel
and GRUB load: one PT_LOAD segment holding the image as laid out by load
(physical) address, bss included in the memory size, and the 32-bit entry."""
import struct
import sys


def main(src, dst):
    data = open(src, 'rb').read()
    if data[:4] != b'\x7fELF' or data[4] != 2:
        sys.exit(f'mkelf32: {src} is not a 64-bit ELF')
    (e_entry, e_phoff) = struct.unpack_from('<QQ', data, 24)
    (e_phentsize, e_phnum) = struct.unpack_from('<HH', data, 54)
    segs = []
    for i in range(e_phnum):
        (p_type, _flags, p_offset, _vaddr, p_paddr, p_filesz, p_memsz,
         _align) = struct.unpack_from('<IIQQQQQQ', data, e_phoff + i * e_phentsize)
        if p_type == 1 and p_memsz:
            segs.append((p_paddr, p_offset, p_filesz, p_memsz))
    if not segs:
        sys.exit('mkelf32: no loadable segment')
    base = min(s[0] for s in segs)
    file_end = max(s[0] + s[2] for s in segs)
    mem_end = max(s[0] + s[3] for s in segs)
    if mem_end > 0xffffffff or not base <= e_entry < file_end:
        sys.exit('mkelf32: image or entry does not fit a 32-bit multiboot load')
    image = bytearray(file_end - base)
    for (paddr, off, filesz, _memsz) in segs:
        image[paddr - base:paddr - base + filesz] = data[off:off + filesz]
    # The multiboot headers must be in the first 8 KiB: start the image at 4 KiB.
    off = 0x1000
    ehdr = struct.pack('<4sBBBB8sHHIIIIIHHHHHH', b'\x7fELF', 1, 1, 1, 0, b'\0' * 8,
                       2, 3, 1, e_entry, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack('<IIIIIIII', 1, off, base, base, len(image),
                       mem_end - base, 7, 0x1000)
    out = ehdr + phdr
    out += b'\0' * (off - len(out)) + image
    open(dst, 'wb').write(out)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
