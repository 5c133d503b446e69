#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Count the lines of code that the hypervisor build compiles (make cloc).

The files are the sources the build compiles (given on the command line)
and every header they include from this tree, as the compiler's dependency
files (BUILD/hv/**/*.d, written by -MMD) list them; Xen's public headers
from libxen-dev and generated files are not Tern's and are left out. Each
line is code (anything outside a comment), comment (only comment) or blank,
as cloc counts them, for C, assembly (.S, preprocessed as C) and the linker
script. Prints a table per folder and a total next to Xen's x86 hypervisor,
about 290,000 lines of code (issue 7's figure), the ratio Tern keeps an
order of magnitude below.

Usage: cloc.py [--build DIR] [--markdown] FILE...
"""

import argparse
import glob
import os
import sys

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
# Xen 4.17's x86 hypervisor, lines of code (DESIGN.md, issue 7).
XEN_X86_LOC = 290000


def classify(text):
    """(code, comment, blank) line counts of C-like text (/* */, //)."""
    code = comment = blank = 0
    in_block = False
    for line in text.splitlines():
        has_code = has_comment = False
        i, n = 0, len(line)
        quote = None
        while i < n:
            c = line[i]
            if in_block:
                has_comment = True
                if line.startswith("*/", i):
                    in_block = False
                    i += 2
                    continue
                i += 1
                continue
            if quote:
                has_code = True
                if c == "\\":
                    i += 2
                    continue
                if c == quote:
                    quote = None
                i += 1
                continue
            if line.startswith("/*", i):
                in_block = True
                has_comment = True
                i += 2
                continue
            if line.startswith("//", i):
                has_comment = True
                break
            if c in "\"'":
                quote = c
                has_code = True
            elif not c.isspace():
                has_code = True
            i += 1
        if has_code:
            code += 1
        elif has_comment:
            comment += 1
        else:
            blank += 1
    return code, comment, blank


def dep_files(build, sources):
    """Every file the .d files of the sources name (all .d files of the
    hypervisor build when no source is given)."""
    files = set()
    if sources:
        paths = [os.path.join(build, "hv", s + ".d") for s in sources]
    else:
        paths = glob.glob(os.path.join(build, "hv", "**", "*.d"), recursive=True)
    for d in paths:
        if not os.path.isfile(d):
            continue
        with open(d, encoding="utf-8", errors="replace") as f:
            text = f.read().replace("\\\n", " ")
        for line in text.splitlines():
            if ":" not in line:
                continue
            _, _, deps = line.partition(":")
            files.update(deps.split())
    return files


def in_tree(path, build):
    """True for a file of this source tree that is not generated."""
    p = os.path.abspath(os.path.join(SRC, path))
    return p.startswith(SRC + os.sep) and \
        not p.startswith(os.path.abspath(build) + os.sep) and os.path.isfile(p)


def group_of(rel):
    """The folder a file is counted under: arch, core, lib or include."""
    top = rel.split(os.sep)[0]
    return top if top in ("arch", "core", "lib", "include") else "other"


def count(files, build):
    """{group: [files, code, comment, blank]} and the file list used."""
    chosen = sorted({os.path.relpath(os.path.abspath(os.path.join(SRC, f)), SRC)
                     for f in files if in_tree(f, build)})
    groups = {}
    for rel in chosen:
        with open(os.path.join(SRC, rel), encoding="utf-8",
                  errors="replace") as f:
            c, m, b = classify(f.read())
        g = groups.setdefault(group_of(rel), [0, 0, 0, 0])
        g[0] += 1
        g[1] += c
        g[2] += m
        g[3] += b
    return groups, chosen


def table(groups, markdown):
    """The count as text lines (a markdown table when asked)."""
    order = [g for g in ("arch", "core", "lib", "include", "other") if g in groups]
    total = [sum(groups[g][i] for g in order) for i in range(4)]
    rows = [(g + "/", *groups[g]) for g in order] + [("total", *total)]
    out = []
    if markdown:
        out.append("| folder | files | code | comment | blank |")
        out.append("|---|---:|---:|---:|---:|")
        out += ["| %s | %d | %d | %d | %d |" % r for r in rows]
    else:
        out.append("%-10s %6s %8s %8s %8s" % ("folder", "files", "code",
                                              "comment", "blank"))
        out += ["%-10s %6d %8d %8d %8d" % r for r in rows]
    code = total[1]
    out.append("")
    out.append("Tern: %d lines of code; Xen 4.17's x86 hypervisor: about %d "
               "(%.1f%%, 1/%.0f)." % (code, XEN_X86_LOC,
                                     100.0 * code / XEN_X86_LOC,
                                     XEN_X86_LOC / max(code, 1)))
    return out


def main():
    """Parse the arguments, count, print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"),
                    help="build directory with the .d files (default: %(default)s)")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    ap.add_argument("--list", action="store_true", help="list the files counted")
    ap.add_argument("files", nargs="*", help="sources the build compiles")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    deps = dep_files(build, args.files)
    if not deps:
        print("cloc: no dependency files under %s/hv: build the hypervisor "
              "first (make BUILD=%s)" % (build, os.path.relpath(build, SRC)),
              file=sys.stderr)
        return 2
    groups, chosen = count(set(args.files) | deps, build)
    if args.list:
        print("\n".join(chosen))
    print("\n".join(table(groups, args.markdown)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
