#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pack guest kernels and their settings into one domain list module.

The dom0 builder (guests/builder/) runs as the initial domain of Xen 4.17
and builds the domUs the list names; Xen gives dom0 only one module beside
its kernel (the "initrd"), so the kernels travel in it. Each domain is
given as Tern's boot module string: a path and xl.cfg words,

    mkdomlist.py OUT 'build/bench/guests/xdom.elf name=ping memory=32M cmdline="role=ping peer=2"' ...

Format (all text up to the blank line, then the images):

    TERN-DOMLIST
    OFFSET SIZE STRING          one line per domain, in build order
                                (empty line)
    image bytes at each OFFSET (4 KiB aligned, from the start of the file)

OFFSET and SIZE are decimal; STRING is the module string as given (its
path is only a label there). The builder parses STRING as Tern does
(lib/domconfig.c).
"""

import shlex
import sys

MAGIC = "TERN-DOMLIST"
ALIGN = 4096


def pack(specs):
    """The list module's bytes for module strings specs."""
    images = []
    for spec in specs:
        path = shlex.split(spec)[0]
        with open(path, "rb") as f:
            images.append(f.read())
        if "\n" in spec:
            raise ValueError("a module string may not hold a newline: %r" % spec)
    # The header's length depends on the offsets: settle it by iterating.
    start = ALIGN
    while True:
        offsets, off = [], start
        for img in images:
            offsets.append(off)
            off = (off + len(img) + ALIGN - 1) // ALIGN * ALIGN
        header = MAGIC + "\n" + "".join(
            "%d %d %s\n" % (o, len(img), s)
            for o, img, s in zip(offsets, images, specs)) + "\n"
        need = (len(header) + ALIGN - 1) // ALIGN * ALIGN
        if need <= start:
            break
        start = need
    out = bytearray(header.encode())
    for o, img in zip(offsets, images):
        out += bytes(o - len(out)) + img
    return bytes(out)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: mkdomlist.py OUT 'PATH key=value ...' ...\n")
        return 2
    try:
        data = pack(argv[2:])
    except (OSError, ValueError, IndexError) as e:
        sys.stderr.write("mkdomlist.py: %s\n" % e)
        return 1
    with open(argv[1], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
