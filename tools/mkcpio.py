#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a directory tree as a gzip-compressed newc cpio archive (an initramfs).

Usage: tools/mkcpio.py DIR OUT.cpio.gz

Files keep their mode; owners are root; symlinks are kept. The archive is
reproducible: entries are sorted and every mtime is 0.
"""
import gzip
import os
import stat
import sys


def entry(out, name, mode, data, ino, nlink=1):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
    out.write(hdr.encode() + name_b)
    out.write(b"\0" * (-(110 + len(name_b)) % 4))
    out.write(data)
    out.write(b"\0" * (-len(data) % 4))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    root, dest = sys.argv[1], sys.argv[2]
    paths = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs + files):
            paths.append(os.path.join(d, n))
    with gzip.GzipFile(dest, "wb", mtime=0) as out:
        for ino, p in enumerate(sorted(paths), 1):
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(p).encode()
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    data = f.read()
            else:
                data = b""
            entry(out, rel, st.st_mode, data, ino, 2 if stat.S_ISDIR(st.st_mode) else 1)
        entry(out, "TRAILER!!!", 0, b"", 0)


if __name__ == "__main__":
    main()
