#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Oracle runner: boot kit guests as dom0 of Debian's Xen 4.17 in QEMU.
"""Run kit test guests under the real Xen 4.17, one QEMU per guest.

Each guest ELF is Xen's dom0 (QEMU -kernel xen-4.17 -initrd GUEST.elf).
The serial log goes to OUTDIR/NAME.log. A guest passes when its
`Test result: SUCCESS` (or SKIP) line appears and Xen then reports that
dom0 powered off; it fails on FAILURE/ERROR, a Xen panic, a dom0 crash,
QEMU exiting early, or the timeout. Xen halts but QEMU keeps running when
dom0 ends, so the runner stops its QEMU itself.

Usage: run-oracle.py [--xen IMAGE] [--outdir DIR] [--timeout S]
                     [--vcpus NAME=N ...] GUEST...
where GUEST is a path to an ELF or a test name (BUILD/guests/NAME.elf).
A guest given --vcpus NAME=N (N > 1) boots as a dom0 with N vCPUs
(dom0_max_vcpus=N) on a QEMU with 2 CPUs; the others keep one vCPU on one.
Prints PASS/FAIL/SKIP per guest and a closing line 'N passed, N failed'
(', N skipped' when any were skipped); exits non-zero on any failure.
"""

import argparse
import os
import re
import select
import shlex
import subprocess
import sys
import time

# The Xen command line. Dom0 is PV by default in 4.17; the rest keeps the
# boot short under TCG and the log complete (see tests/oracle/README.md).
XEN_CMDLINE = ("console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all "
               "noreboot dom0=pv dom0_mem=32M,max:32M dom0_max_vcpus=1 "
               "bootscrub=0")

# The dom0 console_io output is printed raw (no prefix) by Xen 4.17; allow
# a "(d0) "-style prefix too, for other versions and for Tern's multiplexer.
RESULT_RE = re.compile(r"^(?:\(d\d+\) )?Test result: (SUCCESS|SKIP|ERROR|FAILURE)\s*$")
# Lines after which nothing good can come.
PANIC_RE = re.compile(r"Panic on CPU|FATAL TRAP|Hardware Dom0 crashed|"
                      r"Domain 0 crashed|Could not set up DOM0|"
                      r"Manual reset required")
# Xen's report that dom0 ended (poweroff: "halted"; others: "shutdown").
DOM0_END_RE = re.compile(r"Hardware Dom0 (halted|shutdown|crashed)")


# A dom0 with several vCPUs runs on this many pCPUs (Xen gives dom0 as
# many vCPUs as dom0_max_vcpus says, more than there are pCPUs too).
SMP_PCPUS = 2


def qemu_command(xen, guest, cmdline, memory, smp=1):
    """The QEMU command line booting xen with guest as its dom0."""
    return ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max",
            "-m", str(memory), "-smp", str(smp), "-no-reboot",
            "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-kernel", xen, "-append", cmdline, "-initrd", guest]


def stop(proc):
    """Stop the QEMU this runner started: SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_one(name, elf, args):
    """Boot one guest; return (verdict, reason, seconds)."""
    log_path = os.path.join(args.outdir, name + ".log")
    vcpus = args.vcpus.get(name, 1)
    cmdline, smp = args.cmdline, 1
    if vcpus > 1:
        cmdline = re.sub(r"dom0_max_vcpus=\S+", "dom0_max_vcpus=%d" % vcpus, cmdline)
        smp = SMP_PCPUS
    cmd = qemu_command(args.xen, elf, cmdline, args.memory, smp)
    start = time.monotonic()
    deadline = start + args.timeout
    result = None       # the guest's result word, once seen
    ended = None        # Xen's dom0-end word, once seen
    panic = None        # the first panic line
    grace = None        # after the result: how long to wait for dom0's end
    buf = b""

    with open(log_path, "wb") as log:
        log.write(("# " + shlex.join(cmd) + "\n").encode())
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        except OSError as e:
            return "FAIL", "cannot start QEMU: %s" % e, 0.0
        try:
            while True:
                now = time.monotonic()
                limit = deadline if grace is None else min(deadline, grace)
                if now >= limit:
                    break
                ready, _, _ = select.select([proc.stdout], [], [],
                                            min(1.0, limit - now))
                if not ready:
                    if proc.poll() is not None:
                        break
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
                buf += chunk
                lines = buf.split(b"\n")
                buf = lines.pop()
                for raw in lines:
                    line = raw.decode("utf-8", "replace").strip("\r")
                    m = RESULT_RE.match(line)
                    if m and result is None:
                        result = m.group(1)
                        grace = time.monotonic() + args.grace
                    if PANIC_RE.search(line) and panic is None:
                        panic = line.strip()
                    m = DOM0_END_RE.search(line)
                    if m and ended is None:
                        ended = m.group(1)
                if ended is not None or panic is not None:
                    break
        finally:
            stop(proc)
    seconds = time.monotonic() - start

    if result in ("ERROR", "FAILURE"):
        return "FAIL", "Test result: " + result, seconds
    if panic is not None and ended != "halted":
        return "FAIL", "Xen: " + panic, seconds
    if ended == "crashed":
        return "FAIL", "dom0 crashed", seconds
    if result is None:
        if proc.returncode not in (None, 0, -15, -9) and ended is None:
            return "FAIL", "QEMU exited with %d" % proc.returncode, seconds
        return "FAIL", ("no result line (dom0 %s)" % ended if ended
                        else "timeout after %ds" % args.timeout), seconds
    if ended is None:
        return "FAIL", "Test result: %s but dom0 did not power off" % result, seconds
    return ("SKIP" if result == "SKIP" else "PASS"), "", seconds


def main():
    """Parse the arguments, run every guest, print the summary."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(root, "build"),
                   help="build directory (default: %(default)s)")
    p.add_argument("--xen", help="Xen image (default: BUILD/xen/xen-4.17)")
    p.add_argument("--outdir", help="log directory (default: BUILD/oracle)")
    p.add_argument("--timeout", type=float, default=120,
                   help="seconds per guest (default: %(default)s)")
    p.add_argument("--grace", type=float, default=20,
                   help="seconds to wait for dom0's end after the result")
    p.add_argument("--memory", type=int, default=512,
                   help="QEMU memory in MiB (default: %(default)s)")
    p.add_argument("--cmdline", default=XEN_CMDLINE,
                   help="Xen command line (default: %(default)s)")
    p.add_argument("--extra", default="",
                   help="appended to the Xen command line")
    p.add_argument("--vcpus", action="append", default=[], metavar="NAME=N",
                   help="boot guest NAME as a dom0 with N vCPUs on %d pCPUs"
                   % SMP_PCPUS)
    p.add_argument("guests", nargs="+", help="ELF paths or test names")
    args = p.parse_args()

    vcpus = {}
    for v in args.vcpus:
        name, _, n = v.partition("=")
        if not n.isdigit() or int(n) < 1:
            p.error("--vcpus wants NAME=N, got %r" % v)
        vcpus[name] = int(n)
    args.vcpus = vcpus
    args.xen = args.xen or os.path.join(args.build, "xen", "xen-4.17")
    args.outdir = args.outdir or os.path.join(args.build, "oracle")
    if args.extra:
        args.cmdline += " " + args.extra
    if not os.path.isfile(args.xen):
        print("oracle: no Xen image at %s (run tools/fetch-xen.sh)" % args.xen,
              file=sys.stderr)
        return 2
    os.makedirs(args.outdir, exist_ok=True)

    passed = failed = skipped = 0
    total_start = time.monotonic()
    for g in args.guests:
        if os.sep in g or g.endswith(".elf"):
            elf = g
            name = os.path.basename(g)
            if name.endswith(".elf"):
                name = name[:-4]
        else:
            elf, name = os.path.join(args.build, "guests", g + ".elf"), g
        if not os.path.isfile(elf):
            verdict, reason, secs = "FAIL", "no such guest " + elf, 0.0
        else:
            verdict, reason, secs = run_one(name, elf, args)
        line = "%-4s %s (%.1fs)" % (verdict, name, secs)
        if reason:
            line += ": " + reason
        log = os.path.join(args.outdir, name + ".log")
        if verdict != "PASS" and os.path.isfile(elf):
            line += " [log: %s]" % log
        print(line, flush=True)
        if verdict == "PASS":
            passed += 1
        elif verdict == "SKIP":
            skipped += 1
        else:
            failed += 1

    print("oracle: %.1fs in all" % (time.monotonic() - total_start))
    summary = "%d passed, %d failed" % (passed, failed)
    if skipped:
        summary += ", %d skipped" % skipped
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
