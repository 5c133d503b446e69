#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the compressed test fixtures of test-xz, test-inflate, test-bzimage.

Usage: mkfixtures.py OUTDIR

Every fixture is NAME.bin (the plain data) and NAME.xz or NAME.gz made
from it by Python's lzma (liblzma) and zlib, the reference
implementations; containers the script assembles itself (multi-block XZ
streams, gzip headers with every optional field) are checked by
decompressing them with the same references before they are written, so
the C decoders are judged against liblzma and zlib, not against this
script. The data is deterministic: the same files on every run.
"""

import gzip
import lzma
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else "."


def code_like(rng, n):
    """Bytes that look like x86 code to the BCJ filter: near calls and
    jumps with small displacements (top byte 00 or ff), call/jmp opcodes
    back to back, and filler with some repetition."""
    out = bytearray()
    chunks = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12)))
              for _ in range(64)]
    while len(out) < n:
        r = rng.random()
        if r < 0.25:
            disp = rng.randrange(-0x20000, 0x20000) & 0xffffffff
            out += bytes([rng.choice((0xe8, 0xe9))]) + struct.pack("<I", disp)
        elif r < 0.30:
            out += bytes([0xe8, 0xe8, 0xe9, 0xe8]) + \
                bytes([rng.choice((0, 0xff, 0x12))]) * rng.randrange(1, 6)
        elif r < 0.75:
            out += rng.choice(chunks)
        else:
            out += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    return bytes(out[:n])


def text_like(rng, n):
    """Compressible text: words from a small vocabulary."""
    words = ["xen", "tern", "domain", "vcpu", "grant", "event", "page",
             "frame", "hypercall", "\n", "the", "of", "a", "0x", "{", "}"]
    out = []
    size = 0
    while size < n:
        w = rng.choice(words) + " "
        out.append(w)
        size += len(w)
    return "".join(out).encode()[:n]


def put(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def vli(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7f) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def xz_multiblock(parts, filters, check_id, sizes_in_header):
    """An XZ stream with one block per part, assembled here from raw
    LZMA2 data (liblzma FORMAT_RAW)."""
    crc32 = lambda b: struct.pack("<I", zlib.crc32(b) & 0xffffffff)
    flags = bytes([0, check_id])
    out = bytearray(b"\xfd7zXZ\x00" + flags + crc32(flags))
    records = []
    for data in parts:
        raw = lzma.compress(data, format=lzma.FORMAT_RAW, filters=filters)
        fl = bytearray()
        for f in filters:
            if f["id"] == lzma.FILTER_X86:
                props = struct.pack("<I", f["start_offset"]) \
                    if f.get("start_offset") else b""
                fl += vli(0x04) + vli(len(props)) + props
            else:
                props = lzma._encode_filter_properties(f)
                fl += vli(0x21) + vli(len(props)) + props
        hflags = len(filters) - 1
        body = bytearray()
        if sizes_in_header:
            hflags |= 0xc0
            body += vli(len(raw)) + vli(len(data))
        body += fl
        hsize = (2 + len(body) + 4 + 3) // 4 * 4
        hdr = bytes([hsize // 4 - 1, hflags]) + body
        hdr += b"\0" * (hsize - 4 - len(hdr))
        hdr += crc32(hdr)
        block = hdr + raw + b"\0" * (-(len(hdr) + len(raw)) % 4)
        if check_id == 1:
            check = crc32(data)
        elif check_id == 4:
            check = struct.pack("<Q", crc64(data))
        else:
            check = b""
        out += block + check
        records.append((len(hdr) + len(raw) + len(check), len(data)))
    index = bytearray(b"\0" + vli(len(records)))
    for unpadded, unc in records:
        index += vli(unpadded) + vli(unc)
    index += b"\0" * (-len(index) % 4)
    index += crc32(index)
    out += index
    tail = struct.pack("<I", len(index) // 4 - 1) + flags
    out += crc32(tail) + tail + b"YZ"
    return bytes(out)


def crc64(data):
    poly = 0xc96c5795d7870f42
    crc = 0xffffffffffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (poly if crc & 1 else 0)
    return crc ^ 0xffffffffffffffff


def gzip_member(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY,
                extra=None, name=None, comment=None, hcrc=False):
    """A gzip member with the optional header fields asked for."""
    flg = 0
    tail = bytearray()
    if extra is not None:
        flg |= 4
        tail += struct.pack("<H", len(extra)) + extra
    if name is not None:
        flg |= 8
        tail += name + b"\0"
    if comment is not None:
        flg |= 16
        tail += comment + b"\0"
    if hcrc:
        flg |= 2
    hdr = bytes([0x1f, 0x8b, 8, flg]) + struct.pack("<I", 0) + \
        bytes([0, 3]) + tail
    if hcrc:
        hdr += struct.pack("<H", zlib.crc32(hdr) & 0xffff)
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    raw = c.compress(data) + c.flush()
    return hdr + raw + struct.pack("<II", zlib.crc32(data) & 0xffffffff,
                                   len(data) & 0xffffffff)


def xz(data, check, filters):
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=check,
                         filters=filters)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20240611)
    code = code_like(rng, 48 << 10)
    text = text_like(rng, 40 << 10)
    noise = bytes(rng.randrange(256) for _ in range(20 << 10))
    big = code_like(rng, 1 << 20) + text_like(rng, 2 << 20) + noise
    small = code_like(rng, 1500) + text_like(rng, 500)
    x86 = {"id": lzma.FILTER_X86}
    lz = {"id": lzma.FILTER_LZMA2, "preset": 6}

    xzs = {
        # name: (data, check, filters)
        "x86-crc32": (code, lzma.CHECK_CRC32, [x86, lz]),
        "x86-crc64": (code, lzma.CHECK_CRC64, [x86, lz]),
        "x86-none": (code, lzma.CHECK_NONE, [x86, lz]),
        "x86-start": (code, lzma.CHECK_CRC32,
                      [{"id": lzma.FILTER_X86, "start_offset": 0x12345678},
                       lz]),
        "lzma2-text": (text, lzma.CHECK_CRC64, [lz]),
        "lzma2-noise": (noise + text[:4096], lzma.CHECK_CRC32, [lz]),
        "lzma2-lc0lp4": (text, lzma.CHECK_CRC32,
                         [{"id": lzma.FILTER_LZMA2, "lc": 0, "lp": 4,
                           "pb": 0}]),
        "lzma2-lc4pb4": (code, lzma.CHECK_CRC32,
                         [{"id": lzma.FILTER_LZMA2, "lc": 4, "lp": 0,
                           "pb": 4}]),
        "lzma2-dict4k": (text + text, lzma.CHECK_CRC32,
                         [{"id": lzma.FILTER_LZMA2, "dict_size": 4096}]),
        "x86-big": (big, lzma.CHECK_CRC32, [x86, lz]),
        "x86-small": (small, lzma.CHECK_CRC32, [x86, lz]),
        "empty": (b"", lzma.CHECK_CRC64, [lz]),
    }
    for name, (data, check, filters) in xzs.items():
        comp = xz(data, check, filters)
        assert lzma.decompress(comp) == data
        put(name + ".xz", comp)
        put(name + ".bin", data)

    # Several blocks, with and without sizes in their headers.
    parts = [code[:10000], text[:7000], b"", noise[:3000], code[20000:]]
    for name, filters, check, sizes in (
            ("multi-crc64", [x86, lz], 4, True),
            ("multi-crc32", [lz], 1, False),
            ("multi-none", [x86, lz], 0, True)):
        comp = xz_multiblock(parts, filters, check, sizes)
        assert lzma.decompress(comp) == b"".join(parts), name
        put(name + ".xz", comp)
        put(name + ".bin", b"".join(parts))

    # A small one, for truncation at every byte.
    parts = [code[:300], b"", text[:700], noise[:500]]
    comp = xz_multiblock(parts, [x86, lz], 4, True)
    assert lzma.decompress(comp) == b"".join(parts)
    put("multi-small.xz", comp)
    put("multi-small.bin", b"".join(parts))

    # A fake vmlinux for the bzImage tests, packed as Linux packs it
    # (scripts/xz_wrap.sh: x86 BCJ + LZMA2, CRC32).
    elf = b"\x7fELF" + code[:20000] + text[:10000]
    put("elf.bin", elf)
    put("elf.xz", xz(elf, lzma.CHECK_CRC32, [x86, lz]))
    put("elf.gz", gzip_member(elf, level=9))

    # Concatenated streams with stream padding between and after.
    s1 = xz(text[:5000], lzma.CHECK_CRC32, [lz])
    s2 = xz(code[:6000], lzma.CHECK_CRC64, [x86, lz])
    cat = s1 + b"\0" * 8 + s2 + b"\0" * 4 + xz(b"", lzma.CHECK_NONE, [lz])
    assert lzma.decompress(s1) == text[:5000]
    assert lzma.decompress(s2) == code[:6000]
    if shutil.which("xz"):
        # Python's lzma stops at stream padding; xz(1) reads it all.
        assert subprocess.run(["xz", "-dc"], input=cat, check=True,
                              stdout=subprocess.PIPE).stdout == \
            text[:5000] + code[:6000]
    put("concat.xz", cat)
    put("concat.bin", text[:5000] + code[:6000])

    gzs = {
        "gz-default": (code, [dict()]),
        "gz-stored": (noise, [dict(level=0)]),
        "gz-fixed": (text, [dict(strategy=zlib.Z_FIXED)]),
        "gz-huffman": (code, [dict(strategy=zlib.Z_HUFFMAN_ONLY)]),
        "gz-rle": (text, [dict(strategy=zlib.Z_RLE)]),
        "gz-big": (big, [dict(level=9)]),
        "gz-small": (small, [dict()]),
        "gz-fields": (text, [dict(extra=b"AB\x02\x00hi", name=b"vmlinux",
                                  comment=b"a comment", hcrc=True)]),
        "gz-members": (None, [dict(name=b"one"), dict(level=0),
                              dict(strategy=zlib.Z_FIXED)]),
        "gz-empty": (b"", [dict()]),
    }
    for name, (data, members) in gzs.items():
        if data is None:
            pieces = [text[:3000], noise[:2000], code[:4000]]
        else:
            pieces = [data] * len(members)
        comp = b"".join(gzip_member(p, **m) for p, m in zip(pieces, members))
        assert gzip.decompress(comp) == b"".join(pieces), name
        put(name + ".gz", comp)
        put(name + ".bin", b"".join(pieces))


if __name__ == "__main__":
    main()
