#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmarks: the bench guests on Tern and on Xen 4.17, in the same QEMU.

Every bench guest (guests/bench/NAME, built to BUILD/bench/guests/NAME.elf)
boots once as a Tern domU and once as the dom0 of Debian's Xen 4.17, in
the same QEMU machine (q35, one CPU, 512 MiB, -icount shift=0,sleep=off
when this QEMU has TCG: the TSC then counts guest instructions and every
kit guest's figure repeats exactly; Linux's nearly). A guest in GUEST_VCPUS gets that many vCPUs
(Tern's vcpus=N, Xen's dom0_max_vcpus=N) and as many QEMU CPUs (-smp N);
every other guest runs on -smp 1; a run in VARIANTS boots a guest's ELF
with other vCPU and QEMU CPU counts (ipi-1p: two vCPUs on one pCPU). The
guests print `BENCH key ...` lines (see guests/bench/lib/bench.h); the mem
guest holds still while the runner asks each hypervisor for its memory
report on the serial line; a bare multiboot kernel (bench/fwbase.S) gives
the firmware's share of the boot figures. The dom-build run boots the boot
guest again, Xen with console_timestamps=raw, for the TSC where each
hypervisor starts building the domain. The linux run boots Debian's kernel
(BUILD/linux/vmlinuz) with the bench initramfs (BUILD/bench/linux/initrd.gz,
whose /init is guests/linux/bench-init.c) as Tern's domU and as Xen's dom0,
256 MiB and one vCPU each, on -smp 1, two boots each (LINUX_ICOUNT_BOOTS).
The runner prints a markdown table (metric, Tern, Xen 4.17, Tern/Xen) and
writes it to BUILD/bench/report.md and, unless --results '', to
bench/results/report.md;
the raw figures go to BUILD/bench/results.json and every serial log to
BUILD/bench/logs/.

Without -icount (--no-icount, or a QEMU without TCG) each boot is repeated
(--repeat, default 3) and the median of the runs is reported with the
spread (max - min) of the runs.

No figure is a pass or a fail: the exit status is 0 when the table was
written, 1 when some run failed (its rows say so), 2 when QEMU, Xen, Tern
or the guests are missing.

Usage: run-bench.py [--build DIR] [--only NAME,...] [--no-icount]
                    [--repeat N] [--timeout S] [--results DIR]
"""

import argparse
import datetime
import json
import os
import re
import select
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import cloc  # noqa: E402  (bench/cloc.py, next to this file)
sys.path.insert(0, os.path.join(SRC, "tools"))
import mkdomlist  # noqa: E402  (tools/mkdomlist.py: the dom0 builder's module)

QEMU = "qemu-system-x86_64"
# The machine both hypervisors get. x2APIC is off: with it, QEMU 10's
# icount stops Xen 4.17 at boot ("Bad icount read", an APIC timer read by
# RDMSR); Tern uses the xAPIC either way. The RTC runs on the virtual clock
# from a whole second: Xen waits for its next second at boot, which would
# otherwise depend on the host's clock.
MACHINE = ["-machine", "q35", "-cpu", "max,-x2apic", "-m", "512", "-smp", "1",
           "-rtc", "base=2025-01-01T00:00:00,clock=vm"]
FIXED = ["-no-reboot", "-display", "none", "-monitor", "none",
         "-serial", "stdio", "-nic", "none"]
ICOUNT = ["-icount", "shift=0,sleep=off"]
# As tests/oracle/run-oracle.py boots Xen, and tests/boot boots Tern.
XEN_CMDLINE = ("console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all "
               "noreboot dom0=pv dom0_mem=32M,max:32M dom0_max_vcpus=1 "
               "bootscrub=0")
TERN_CMDLINE = "loglvl=all"
DOMAIN_MEM = "32M"          # each Tern domU, as Xen's dom0_mem
MEM_DOMAINS = 4             # Tern's run with several domains

# The bench guests (guests/bench/NAME), in run order.
GUESTS = ["boot", "hypercall", "multicall", "evtchn", "ipi", "timer",
          "mmu-update", "uvm", "pin-l4", "gnttab", "xdom", "mem"]
# Guests that run as several domains: run -> the module strings of its
# domains (Tern's syntax, ELF path first). Tern boots them as its domUs
# 1, 2, ...; Xen's dom0 is the builder (guests/builder), which builds them
# as its domUs 1, 2, ... from a domain list (tools/mkdomlist.py).
MULTI = {"xdom": ['{elf} name=ping memory=%s cmdline="role=ping peer=2"',
                  '{elf} name=pong memory=%s cmdline="role=pong peer=1"']}
# Guests with more than one vCPU: vCPUs (and QEMU CPUs) each gets.
GUEST_VCPUS = {"ipi": 2}
# Further runs of a guest's ELF: run -> (guest, vCPUs, QEMU CPUs).
VARIANTS = {"ipi-1p": ("ipi", 2, 1)}
# Every run --only can name, in run order (after the guests).
RUNS = GUESTS + list(VARIANTS) + ["dom-build", "linux"]
# The builder's line with the pages its own domain (dom0) owns.
BUILDER_PAGES_RE = re.compile(r"^builder: dom0 owns (\d+) pages")

# The Linux run: Debian's kernel, the bench initramfs, as on both sides.
LINUX_MEM = "256M"
LINUX_CMDLINE = "console=hvc0"
LINUX_TIMEOUT_FACTOR = 10   # its time limit: --timeout x this (600 s)
# Boots of the linux run under -icount: Linux's figures vary there by a few
# parts in a million from boot to boot (the kit guests' do not), so two
# boots show the spread; without -icount, --repeat as for the others.
LINUX_ICOUNT_BOOTS = 2
# Tern's line where its builder starts (core/dom-build.c; see docs/bench.md)
# and Xen's first line of dom0's build, with console_timestamps=raw.
TERN_BUILD_RE = re.compile(r"\(TERN\) d\d+ '[^']*': building, tsc=(\d+)")
XEN_BUILD_RE = re.compile(r"\(XEN\) \[([0-9a-f]{16})\] \*\*\* Building a PV Dom0")

# Table rows of the timed benchmarks: guest, key, label, unit.
TIMED_ROWS = [
    ("hypercall", "hypercall.page", "null hypercall (xen_version), hypercall page", "ticks"),
    ("hypercall", "hypercall.syscall", "null hypercall (xen_version), SYSCALL", "ticks"),
    ("multicall", "multicall.32", "multicall of 32 null calls", "ticks"),
    ("evtchn", "evtchn.self", "event channel send to self + upcall + iret", "ticks"),
    ("ipi", "evtchn.ipi", "event channel IPI round trip between two vCPUs of a "
     "domain, each on its own pCPU (bind_ipi, SCHEDOP_poll; -smp 2)", "ticks"),
    ("ipi-1p", "evtchn.ipi", "context switch: the same round trip with both vCPUs "
     "on one pCPU (-smp 1): two vCPU switches through the scheduler; within a "
     "domain", "ticks"),
    ("timer", "timer.fire", "one-shot timer: arm (deadline passed), fire, upcall", "ticks"),
    ("timer", "timer.wake", "one-shot timer +100 us, block: late by", "ns"),
    ("mmu-update", "mmu.update512", "mmu_update of a 512-PTE batch", "ticks"),
    ("uvm", "uvm.invlpg", "update_va_mapping + UVMF_INVLPG", "ticks"),
    ("pin-l4", "mmu.pin-l4", "pin + unpin of an L4 tree (7 tables, 2048 PTEs)", "ticks"),
    ("gnttab", "gnttab.map-unmap", "grant map + unmap of 4 KiB (own grant, "
     "GNTMAP_host_map)", "ticks"),
    ("gnttab", "gnttab.copy", "grant copy of 4 KiB (own grant to a local frame)",
     "ticks"),
    ("xdom", "xdom.evtchn", "context switch between domains: event channel "
     "round trip between two domains on one pCPU (-smp 1; SCHEDOP_poll)",
     "ticks"),
    ("xdom", "xdom.gnttab-map-unmap", "grant map + unmap of 4 KiB of another "
     "domain's grant (GNTMAP_host_map)", "ticks"),
    ("xdom", "xdom.gnttab-copy", "grant copy of 4 KiB from another domain's "
     "grant to a local frame", "ticks"),
]
BOOT_ROWS = [
    ("boot", "boot.main", "power-on to the guest's test_main", "ticks"),
    ("boot", "boot.result", "power-on to the guest's result line", "ticks"),
]
# The Linux rows: key, label, unit, field.
LINUX_ROWS = [
    ("linux.init", "power-on to /init's first instruction (its RDTSC)", "ticks",
     "value"),
    ("linux.printk-init", "Linux's own clock at \"Run /init\" (printk time: "
     "from the kernel's clock set-up)", "ns", "value"),
    ("linux.fork-exec", "fork + exec of /bin/true + wait4, from /init (100 "
     "timed)", "ticks", "median"),
]
# Rows issue 7 asks for that wait on features still to land, and why.
LATER_ROWS = []
# The domain-build row goes here instead while Tern prints no TSC stamp.
BUILD_LABEL = ("domain build start to the guest's test_main (Tern: builder "
               "stamp; Xen: \"Building a PV Dom0\", console_timestamps=raw)")

BENCH_RE = re.compile(r"^(?:\(d\d+\) )?BENCH (\S+) (.*)$")
HOLD_RE = re.compile(r"^(?:\(d\d+\) )?BENCH hold\s*$")
RESULT_RE = re.compile(r"^(?:\(d\d+\) )?Test result: (\w+)")
# The bench /init's last line, and Linux's printk line before it runs.
LINUX_DONE_RE = re.compile(r"^(?:\(d\d+\) )?bench: init done")
LINUX_RUN_INIT_RE = re.compile(r"^(?:\(d\d+\) )?\[ *(\d+)\.(\d{6})\] Run /init as "
                               r"init process")
LINUX_FATAL_RE = re.compile(r"Kernel panic|Attempted to kill init|BUG:|Oops")
# Lines after which a run is lost.
FATAL_RE = re.compile(r"Tern crash|Panic on CPU|FATAL TRAP|Dom0 crashed|"
                      r"Domain 0 crashed|Could not set up DOM0|crashed:|"
                      r"Bad icount read|Manual reset required")


def stop(proc):
    """Stop a QEMU this runner started: SIGTERM, then SIGKILL."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Run:
    """One QEMU boot: feeds lines to on_line() until it says done."""

    def __init__(self, name, cmd, log_path, timeout):
        self.name = name
        self.cmd = cmd
        self.log_path = log_path
        self.timeout = timeout
        self.bench = {}         # key -> {field: value}
        self.lines = []
        self.error = None
        self.done = False
        self.proc = None
        self.seconds = 0.0

    def send(self, data):
        """Type data on the serial line."""
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except OSError:
            pass

    def on_line(self, line):
        """Keep BENCH lines; end on the result line or a fatal line."""
        m = BENCH_RE.match(line)
        if m and not HOLD_RE.match(line) and m.group(1) not in self.bench:
            fields = {}
            for word in m.group(2).split():
                k, _, v = word.partition("=")
                fields[k] = v
            if m.group(2).startswith("n/a"):
                fields = {"na": m.group(2)[len("n/a reason="):]}
            self.bench[m.group(1)] = fields
        if FATAL_RE.search(line):
            self.error = line.strip()
            self.done = True
            return
        m = RESULT_RE.match(line)
        if m:
            if m.group(1) not in ("SUCCESS", "SKIP"):
                self.error = "Test result: " + m.group(1)
            self.done = True

    def execute(self):
        """Boot, follow the serial line, stop QEMU; sets error on failure."""
        start = time.monotonic()
        deadline = start + self.timeout
        with open(self.log_path, "wb") as log:
            log.write(("# " + shlex.join(self.cmd) + "\n").encode())
            try:
                self.proc = subprocess.Popen(self.cmd, cwd=SRC,
                                             stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT)
            except OSError as e:
                self.error = "cannot start QEMU: %s" % e
                return
            buf = b""
            try:
                fd = self.proc.stdout.fileno()
                while not self.done:
                    now = time.monotonic()
                    if now >= deadline:
                        self.error = "timeout after %gs" % self.timeout
                        break
                    ready, _, _ = select.select([fd], [], [],
                                                min(0.5, deadline - now))
                    if not ready:
                        continue
                    data = os.read(fd, 65536)
                    if not data:
                        status = self.proc.wait()
                        if buf:
                            self.on_line(buf.decode("utf-8", "replace"))
                        if not self.done:
                            tail = self.lines[-1] if self.lines else ""
                            self.error = ("QEMU exited (status %s) early; last "
                                          "line: %s" % (status, tail.strip()))
                        break
                    log.write(data)
                    buf += data
                    *lines, buf = buf.split(b"\n")
                    for raw in lines:
                        line = raw.decode("utf-8", "replace").rstrip("\r")
                        self.lines.append(line)
                        self.on_line(line)
                        if self.done:
                            break
            finally:
                stop(self.proc)
                log.flush()
        self.seconds = time.monotonic() - start


class MultiRun(Run):
    """Several domains: done once each has printed its result line."""

    def __init__(self, name, cmd, log_path, timeout, domains):
        super().__init__(name, cmd, log_path, timeout)
        self.domains = domains
        self.results = 0

    def on_line(self, line):
        super().on_line(line)
        if RESULT_RE.match(line):
            self.results += 1
            self.done = self.error is not None or self.results >= self.domains


class MemRun(Run):
    """The mem guest: once `domains` domains hold, ask for the memory report."""

    def __init__(self, name, cmd, log_path, timeout, hv, domains):
        super().__init__(name, cmd, log_path, timeout)
        self.hv = hv
        self.domains = domains
        self.holding = 0
        self.asked = False
        self.focus = "Tern"     # who gets serial input (Tern's focus line)
        self.mem = {}

    def on_line(self, line):
        if HOLD_RE.match(line):
            self.holding += 1
        m = BENCH_RE.match(line)
        if m and m.group(1) == "mem.domain-pages":
            self.mem.setdefault("domain_pages", []).append(
                int(dict(w.partition("=")[::2] for w in m.group(2).split())["value"]))
        if FATAL_RE.search(line):
            self.error = line.strip()
            self.done = True
            return
        if RESULT_RE.match(line):
            self.error = "the mem guest ended: " + line.strip()
            self.done = True
            return
        if self.hv == "tern":
            self.tern_line(line)
        else:
            self.xen_line(line)

    def tern_line(self, line):
        """Tern's boot line and its debug key 'm' report."""
        m = re.search(r"Memory: (\d+) KiB usable RAM", line)
        if m:
            self.mem["usable_kib"] = int(m.group(1))
        m = re.search(r"free: (\d+) KiB of (\d+) KiB at boot; frame table and "
                      r"allocator: (\d+) KiB", line)
        if m and self.asked:
            self.mem["free_kib"] = int(m.group(1))
            self.mem["boot_free_kib"] = int(m.group(2))
            self.mem["frame_table_kib"] = int(m.group(3))
        m = re.search(r"image: (\d+) KiB; heap: (\d+) bytes in use, (\d+) KiB "
                      r"held", line)
        if m and self.asked:
            self.mem["image_kib"] = int(m.group(1))
            self.mem["heap_bytes"] = int(m.group(2))
            self.mem["heap_held_kib"] = int(m.group(3))
            self.done = "free_kib" in self.mem
        # Input goes to Tern's debug keys unless a domain has the focus
        # (three CTRL-a move it on, as on Xen): get it back to Tern first.
        focus = re.search(r"\*\*\* Serial input to (Tern|d\d+)", line)
        if focus:
            self.focus = focus.group(1)
            if self.asked:
                self.send(b"m" if self.focus == "Tern" else b"\x01\x01\x01")
        if not self.asked and self.holding >= self.domains:
            self.asked = True
            self.send(b"m" if self.focus == "Tern" else b"\x01\x01\x01")

    def xen_line(self, line):
        """Xen's boot lines, then CTRL-a x3 and its debug key 'm'."""
        m = re.search(r"System RAM: \d+MB \((\d+)kB\)", line)
        if m:
            self.mem["usable_kib"] = int(m.group(1))
        m = BUILDER_PAGES_RE.match(line)
        if m:
            self.mem.setdefault("domain_pages", []).append(int(m.group(1)))
        if not self.asked and self.holding >= self.domains:
            self.asked = True
            self.send(b"\x01\x01\x01")
        if "Serial input to Xen" in line:
            self.send(b"m")
        m = re.search(r"Xen heap: (\d+)kB free", line)
        if m:
            self.mem["free_kib"] = int(m.group(1))
        m = re.search(r"heap\[\d+\]: (\d+)kB free", line)
        if m:
            self.mem["free_kib"] = self.mem.get("free_kib", 0) + int(m.group(1))
        if re.search(r"Dom heap: \d+kB free", line):
            self.done = True


class LinuxRun(Run):
    """A Linux boot: BENCH lines from the bench /init; ends when it is done."""

    def on_line(self, line):
        m = BENCH_RE.match(line)
        if m and m.group(1) not in self.bench:
            fields = dict(w.partition("=")[::2] for w in m.group(2).split())
            if m.group(2).startswith("n/a"):
                fields = {"na": m.group(2)[len("n/a reason="):]}
            self.bench[m.group(1)] = fields
        m = LINUX_RUN_INIT_RE.match(line)
        if m:
            ns = int(m.group(1)) * 10**9 + int(m.group(2)) * 1000
            self.bench["linux.printk-init"] = {"value": str(ns)}
        if FATAL_RE.search(line) or LINUX_FATAL_RE.search(line):
            self.error = line.strip()
            self.done = True
        elif LINUX_DONE_RE.match(line):
            self.done = True


class BuildRun(Run):
    """The boot guest with TSC stamps where the hypervisor starts the build."""

    def on_line(self, line):
        m = TERN_BUILD_RE.search(line) or XEN_BUILD_RE.search(line)
        if m and "build.start" not in self.bench:
            base = 16 if m.re is XEN_BUILD_RE else 10
            self.bench["build.start"] = {"value": str(int(m.group(1), base))}
        super().on_line(line)


class FwRun(Run):
    """The firmware baseline: a bare multiboot kernel prints its first TSC."""

    def on_line(self, line):
        m = re.search(r"FWBASE 0x([0-9a-f]+)", line)
        if m:
            self.bench["fw.entry"] = {"value": str(int(m.group(1), 16))}
            self.done = True


def linux_version(bzimage):
    """The version string of a bzImage (its kernel_version field), or '?'."""
    try:
        with open(bzimage, "rb") as f:
            head = f.read(0x10000)
        off = struct.unpack_from("<H", head, 0x20e)[0] + 0x200
        return head[off:head.index(b"\0", off)].decode().split()[0]
    except (OSError, ValueError, struct.error, UnicodeDecodeError):
        return "?"


def elf_memsz(path):
    """Sum of the PT_LOAD segments' memory sizes of an ELF (32 or 64 bit)."""
    with open(path, "rb") as f:
        data = f.read(1 << 16)
    if data[:4] != b"\x7fELF":
        return None
    is64 = data[4] == 2
    if is64:
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    else:
        phoff, = struct.unpack_from("<I", data, 0x1c)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x2a)
    total = 0
    for i in range(phnum):
        off = phoff + i * phentsize
        p_type, = struct.unpack_from("<I", data, off)
        if p_type != 1:
            continue
        if is64:
            memsz, = struct.unpack_from("<Q", data, off + 0x28)
        else:
            memsz, = struct.unpack_from("<I", data, off + 0x14)
        total += memsz
    return total


def qemu_version():
    """QEMU's first version line, or None when QEMU is missing."""
    try:
        out = subprocess.run([QEMU, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.splitlines()[0] if out.returncode == 0 else None


def qemu_has_tcg():
    """True when this QEMU has the TCG accelerator (and so -icount)."""
    try:
        out = subprocess.run([QEMU, "-accel", "help"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "tcg" in out.stdout.split()


class Bench:
    """All the runs of one make bench, and the report."""

    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.outdir = os.path.join(self.build, "bench")
        self.logdir = os.path.join(self.outdir, "logs")
        self.guestdir = os.path.join(self.outdir, "guests")
        self.tern = args.tern or os.path.join(self.build, "tern")
        self.xen = args.xen or os.path.join(self.build, "xen", "xen-4.17")
        self.fwbase = os.path.join(self.outdir, "fwbase.elf")
        self.builder = os.path.join(self.build, "guests", "builder.elf")
        self.icount = args.icount
        self.repeat = args.repeat
        self.runs = {}          # (hv, guest) -> [Run]
        self.failures = []
        self.versions = {}
        self.hung = {}          # hv -> the run that timed out

    def domlist(self, tag, specs):
        """Xen's modules for domains given by Tern module strings: the
        builder as dom0 and a domain list (written to BUILD/bench/) of
        them."""
        path = os.path.join(self.outdir, "domlist-%s" % tag)
        with open(path, "wb") as f:
            f.write(mkdomlist.pack(specs))
        return "%s,%s" % (self.builder, path)

    def qemu_cmd(self, hv, initrd, vcpus=1, cpus=None, dom0_mem=None,
                 xen_extra=""):
        """The whole QEMU command line of one boot: the domain has vcpus
        vCPUs, QEMU -smp cpus (default: as many); Xen's dom0 dom0_mem
        (default: DOMAIN_MEM) and xen_extra on Xen's command line."""
        machine = list(MACHINE)
        machine[machine.index("-smp") + 1] = str(cpus or vcpus)
        cmd = [QEMU] + machine + (ICOUNT if self.icount else []) + FIXED
        if hv == "tern":
            return cmd + ["-kernel", self.tern, "-append", TERN_CMDLINE,
                          "-initrd", initrd]
        xen_cmdline = XEN_CMDLINE.replace("dom0_max_vcpus=1",
                                          "dom0_max_vcpus=%d" % vcpus)
        if dom0_mem:
            xen_cmdline = xen_cmdline.replace(
                "dom0_mem=%s,max:%s" % (DOMAIN_MEM, DOMAIN_MEM),
                "dom0_mem=%s,max:%s" % (dom0_mem, dom0_mem))
        if xen_extra:
            xen_cmdline += " " + xen_extra
        return cmd + ["-kernel", self.xen, "-append", xen_cmdline,
                      "-initrd", initrd]

    def linux_files(self):
        """The kernel and the bench initramfs of the linux run."""
        return (os.path.join(self.build, "linux", "vmlinuz"),
                os.path.join(self.outdir, "linux", "initrd.gz"))

    def elf(self, guest):
        """The ELF of a bench guest."""
        return os.path.join(self.guestdir, guest + ".elf")

    def one(self, hv, tag, run):
        """Execute a run, note its versions and failure, print a line. Once
        a run of a hypervisor timed out, its other runs are skipped: the
        whole bench stays a few minutes long however broken it is."""
        if hv in self.hung:
            run.error = "skipped: %s timed out before" % self.hung[hv]
        else:
            run.execute()
            if run.error and run.error.startswith("timeout"):
                self.hung[hv] = tag
        for line in run.lines[:3]:
            m = re.search(r"\(TERN\) (Tern \S+)", line)
            if m:
                self.versions["tern"] = m.group(1).rstrip(":")
            m = re.search(r"\(XEN\) Xen version (\S+ \([^)]*\))", line)
            if m:
                self.versions["xen"] = "Xen " + m.group(1)
        status = "ok" if not run.error else "FAILED: " + run.error
        print("  %-5s %-22s %5.1fs  %s" % (hv, tag, run.seconds, status),
              flush=True)
        if run.error:
            self.failures.append("%s %s: %s (log: %s)" % (
                hv, tag, run.error, os.path.relpath(run.log_path, SRC)))
        self.runs.setdefault((hv, tag), []).append(run)

    def run_all(self):
        """Every guest on both hypervisors, then the memory runs."""
        os.makedirs(self.logdir, exist_ok=True)
        wanted = self.args.only or RUNS
        if "boot" in wanted:
            # Same machine and module as the boot guest's runs.
            cmd = ([QEMU] + MACHINE + (ICOUNT if self.icount else []) + FIXED +
                   ["-kernel", self.fwbase, "-initrd", self.elf("boot")])
            for r in range(self.repeat):
                suffix = "" if self.repeat == 1 else "-r%d" % (r + 1)
                log = os.path.join(self.logdir, "firmware%s.log" % suffix)
                self.one("qemu", "firmware",
                         FwRun("firmware", cmd, log, self.args.timeout))
        runs = [g for g in GUESTS if g != "mem"] + list(VARIANTS) + ["dom-build"]
        for tag in [t for t in runs if t in wanted]:
            if tag in MULTI:
                self.run_multi(tag)
                continue
            guest, vcpus, cpus = VARIANTS.get(tag, (tag, GUEST_VCPUS.get(tag, 1),
                                                    GUEST_VCPUS.get(tag, 1)))
            if tag == "dom-build":
                guest = "boot"
            for hv in ("tern", "xen"):
                for r in range(self.repeat):
                    suffix = "" if self.repeat == 1 else "-r%d" % (r + 1)
                    log = os.path.join(self.logdir, "%s-%s%s.log" % (hv, tag, suffix))
                    if hv == "tern":
                        initrd = "%s name=%s memory=%s" % (self.elf(guest), guest,
                                                           DOMAIN_MEM)
                        if vcpus > 1:
                            initrd += " vcpus=%d" % vcpus
                    else:
                        initrd = self.elf(guest)
                    if tag == "dom-build":
                        cmd = self.qemu_cmd(hv, initrd,
                                            xen_extra="console_timestamps=raw")
                        run = BuildRun(tag, cmd, log, self.args.timeout)
                    else:
                        run = Run(tag, self.qemu_cmd(hv, initrd, vcpus, cpus),
                                  log, self.args.timeout)
                    self.one(hv, tag, run)
        if "mem" in wanted:
            self.run_mem()
        if "linux" in wanted:
            self.run_linux()

    def run_multi(self, tag):
        """A guest as several domains (MULTI): Tern's domUs, and Xen's domUs
        built by the dom0 builder; -smp 1 on both."""
        specs = [m.format(elf=self.elf(tag)) % DOMAIN_MEM for m in MULTI[tag]]
        for hv in ("tern", "xen"):
            for r in range(self.repeat):
                suffix = "" if self.repeat == 1 else "-r%d" % (r + 1)
                log = os.path.join(self.logdir, "%s-%s%s.log" % (hv, tag, suffix))
                initrd = (",".join(specs) if hv == "tern"
                          else self.domlist(tag, specs))
                self.one(hv, tag, MultiRun(tag, self.qemu_cmd(hv, initrd), log,
                                           self.args.timeout, len(specs)))

    def run_linux(self):
        """Debian's kernel with the bench /init, Tern's domU and Xen's dom0:
        LINUX_MEM, one vCPU, -smp 1, the same kernel command line."""
        kernel, initrd = self.linux_files()
        boots = LINUX_ICOUNT_BOOTS if self.icount else self.repeat
        for hv in ("tern", "xen"):
            for r in range(boots):
                suffix = "" if boots == 1 else "-r%d" % (r + 1)
                log = os.path.join(self.logdir, "%s-linux%s.log" % (hv, suffix))
                if hv == "tern":
                    mods = '%s name=linux memory=%s cmdline="%s",%s' % (
                        kernel, LINUX_MEM, LINUX_CMDLINE, initrd)
                else:
                    mods = "%s %s,%s" % (kernel, LINUX_CMDLINE, initrd)
                cmd = self.qemu_cmd(hv, mods, dom0_mem=LINUX_MEM)
                self.one(hv, "linux", LinuxRun(
                    "linux", cmd, log, self.args.timeout * LINUX_TIMEOUT_FACTOR))

    def run_mem(self):
        """The mem guest: Tern with 1 and MEM_DOMAINS domains, Xen's dom0."""
        elf = self.elf("mem")
        for hv, n in (("tern", 1), ("tern", MEM_DOMAINS), ("xen", 1),
                      ("xen", MEM_DOMAINS)):
            tag = "mem-%dd" % n
            log = os.path.join(self.logdir, "%s-%s.log" % (hv, tag))
            specs = ["%s name=mem%d memory=%s" % (elf, i + 1, DOMAIN_MEM)
                     for i in range(n)]
            holders = n
            if hv == "tern":
                initrd = ",".join(specs)
            elif n == 1:
                initrd = elf            # the mem guest is Xen's dom0
            else:
                # The builder is dom0, the n-th domain: n - 1 mem domUs.
                holders = n - 1
                initrd = self.domlist(tag, specs[:holders])
            self.one(hv, tag, MemRun(tag, self.qemu_cmd(hv, initrd), log,
                                     self.args.timeout, hv, holders))

    # ---- figures -------------------------------------------------------

    def figure(self, hv, guest, key, field):
        """(value, spread) of a key over the runs, or (None, reason)."""
        vals = []
        reason = None
        for run in self.runs.get((hv, guest), []):
            f = run.bench.get(key)
            if f is None:
                reason = "failed" if run.error else "no figure"
                continue
            if "na" in f:
                reason = "n/a: " + f["na"]
                continue
            try:
                vals.append(float(f[field]))
            except (KeyError, ValueError):
                reason = "bad line"
        if not vals:
            return None, reason or "not run"
        return statistics.median(vals), (max(vals) - min(vals)) if len(vals) > 1 else None

    def mem_figures(self):
        """Memory rows: {name: (tern, xen)} in KiB."""
        def used(run):
            m = run.mem
            if run.error or "free_kib" not in m or "usable_kib" not in m:
                return None
            return m["usable_kib"] - m["free_kib"] - 4 * sum(m.get("domain_pages", []))

        t1 = self.runs.get(("tern", "mem-1d"), [None])[0]
        tn = self.runs.get(("tern", "mem-%dd" % MEM_DOMAINS), [None])[0]
        x1 = self.runs.get(("xen", "mem-1d"), [None])[0]
        xn = self.runs.get(("xen", "mem-%dd" % MEM_DOMAINS), [None])[0]
        out = {}
        t_boot = None
        if t1 and "boot_free_kib" in t1.mem and "usable_kib" in t1.mem:
            t_boot = t1.mem["usable_kib"] - t1.mem["boot_free_kib"]
        out["boot"] = (t_boot, None)
        u_t1 = used(t1) if t1 else None
        u_tn = used(tn) if tn else None
        u_x1 = used(x1) if x1 else None
        u_xn = used(xn) if xn else None
        out["one"] = (u_t1, u_x1)
        out["many"] = (u_tn, u_xn)

        def per(one, many):
            if one is None or many is None:
                return None
            return (many - one) / (MEM_DOMAINS - 1)
        out["per"] = (per(u_t1, u_tn), per(u_x1, u_xn))
        out["heap1"] = (t1.mem.get("heap_bytes") / 1024.0
                        if t1 and "heap_bytes" in t1.mem else None, None)
        out["heapn"] = (tn.mem.get("heap_bytes") / 1024.0
                        if tn and "heap_bytes" in tn.mem else None, None)
        out["ftable"] = (t1.mem.get("frame_table_kib") if t1 else None, None)
        return out

    # ---- report --------------------------------------------------------

    @staticmethod
    def fmt(v, spread=None):
        """A figure with thousands separators (one decimal below 100)."""
        if v is None:
            return None
        s = ("%.1f" % v) if abs(v) < 100 and v != int(v) else "{:,}".format(int(round(v)))
        if spread:
            s += " ±{:,}".format(int(round(spread / 2)))
        return s

    def cell(self, v, extra):
        """figure() output as a table cell: the figure, or why there is none."""
        if v is None:
            return extra or "–"
        return self.fmt(v, extra)

    @staticmethod
    def row(label, unit, tern, xen, t=None, x=None):
        """A table row; the ratio when both figures t and x are there."""
        ratio = "%.3g×" % (t / x) if t is not None and x else "–"
        return "| %s | %s | %s | %s | %s |" % (label, unit, tern or "–",
                                               xen or "–", ratio)

    def report(self):
        """The markdown report as a list of lines."""
        now = datetime.datetime.now(datetime.timezone.utc)
        flags = MACHINE + (ICOUNT if self.icount else [])
        lines = [
            "# Tern vs Xen 4.17: benchmarks",
            "",
            "- date: %s" % now.strftime("%Y-%m-%d %H:%M UTC"),
            "- QEMU: %s" % self.versions.get("qemu", "?"),
            "- QEMU flags (both): `%s`" % " ".join(flags),
            "- vCPUs: one, on `-smp 1`, except %s" % ", ".join(
                ["`%s`: %d (Tern `vcpus=%d`, Xen `dom0_max_vcpus=%d`, `-smp %d`)"
                 % (g, n, n, n, n) for g, n in sorted(GUEST_VCPUS.items())] +
                ["`%s` (the `%s` guest): %d on `-smp %d`" % (t, g, n, c)
                 for t, (g, n, c) in sorted(VARIANTS.items())]),
            "- Tern: %s, `-append \"%s\"`, each domain `memory=%s`" % (
                self.versions.get("tern", "Tern"), TERN_CMDLINE, DOMAIN_MEM),
            "- Xen: %s as dom0's hypervisor, `-append \"%s\"`" % (
                self.versions.get("xen", "Xen 4.17"), XEN_CMDLINE),
            "- Linux: Debian's kernel (%s), the same bzImage on both: Tern's "
            "domU `memory=%s` and Xen's dom0 `dom0_mem=%s,max:%s`, one vCPU, "
            "`-smp 1`, kernel command line `%s`, the bench initramfs "
            "(`/init` = guests/linux/bench-init.c)" % (
                self.versions.get("linux", "?"), LINUX_MEM, LINUX_MEM,
                LINUX_MEM, LINUX_CMDLINE),
        ]
        if self.icount:
            lines.append("- timing: `-icount shift=0,sleep=off`: the TSC counts "
                         "guest instructions (1 GHz; idle time is skipped but "
                         "counted), so 1 tick = 1 instruction = 1 ns of virtual "
                         "time and the figures repeat exactly; a timed figure "
                         "is the median of %d rounds" % 5)
        else:
            lines.append("- timing: no -icount: TSC ticks of the emulated CPU, "
                         "not repeatable; median of %d boots, ± half the "
                         "spread between boots" % self.repeat)
        lines += [
            "- ratio: Tern / Xen (below 1: Tern is faster or smaller)",
            "",
            "| metric | unit | Tern | Xen 4.17 | Tern/Xen |",
            "|---|---|---:|---:|---:|",
            "| **hypercalls and events** (per operation) | | | | |",
        ]
        for guest, key, label, unit in TIMED_ROWS:
            t, ts = self.figure("tern", guest, key, "median")
            x, xs = self.figure("xen", guest, key, "median")
            lines.append(self.row(label, unit, self.cell(t, ts),
                                  self.cell(x, xs), t, x))

        lines.append("| **boot** (from power-on) | | | | |")
        fw = None
        if ("qemu", "firmware") in self.runs:
            fw, fws = self.figure("qemu", "firmware", "fw.entry", "value")
            lines.append(self.row("firmware + multiboot loader (a bare kernel's "
                                  "first instruction)", "ticks",
                                  self.cell(fw, fws), self.cell(fw, fws)))
        for guest, key, label, unit in BOOT_ROWS:
            t, ts = self.figure("tern", guest, key, "value")
            x, xs = self.figure("xen", guest, key, "value")
            lines.append(self.row(label, unit, self.cell(t, ts),
                                  self.cell(x, xs), t, x))
        if fw is not None:
            t, _ = self.figure("tern", "boot", "boot.main", "value")
            x, _ = self.figure("xen", "boot", "boot.main", "value")
            t = t - fw if t is not None else None
            x = x - fw if x is not None else None
            lines.append(self.row("hypervisor boot + domain build (test_main "
                                  "less firmware)", "ticks", self.fmt(t),
                                  self.fmt(x), t, x))

        build_row = self.build_row()
        if build_row[0] is not None:
            lines.append(self.row(BUILD_LABEL, "ticks", self.fmt(build_row[0]),
                                  self.fmt(build_row[1]), *build_row))

        if ("tern", "linux") in self.runs or ("xen", "linux") in self.runs:
            lines.append("| **Linux PV** (Debian's kernel, %s, one vCPU, "
                         "`-smp 1`; Tern's domU, Xen's dom0) | | | | |" % LINUX_MEM)
            for key, label, unit, field in LINUX_ROWS:
                t, ts = self.figure("tern", "linux", key, field)
                x, xs = self.figure("xen", "linux", key, field)
                lines.append(self.row(label, unit, self.cell(t, ts),
                                      self.cell(x, xs), t, x))

        lines.append("| **memory** | | | | |")
        tern_img = elf_memsz(self.tern) if os.path.isfile(self.tern) else None
        xen_img = elf_memsz(self.xen) if os.path.isfile(self.xen) else None
        t = tern_img / 1024 if tern_img else None
        x = xen_img / 1024 if xen_img else None
        lines.append(self.row("image loaded (text, data, bss: the ELF's PT_LOAD)",
                              "KiB", self.fmt(t), self.fmt(x), t, x))
        if any(tag.startswith("mem-") for _, tag in self.runs):
            mf = self.mem_figures()
            no_dom0less = "n/a (no boot without dom0)"
            t = mf["boot"][0]
            lines.append(self.row("RAM held by the hypervisor when its frame "
                                  "allocator starts", "KiB",
                                  self.fmt(t) or "failed", no_dom0less))
            t, x = mf["one"]
            lines.append(self.row("RAM held by the hypervisor with 1 domain "
                                  "(not free, not the domain's)", "KiB",
                                  self.fmt(t) or "failed",
                                  self.fmt(x) or "failed", t, x))
            t, x = mf["many"]
            lines.append(self.row("RAM held by the hypervisor with %d domains "
                                  "(Xen: dom0 builder + %d domUs)"
                                  % (MEM_DOMAINS, MEM_DOMAINS - 1), "KiB",
                                  self.fmt(t) or "failed",
                                  self.fmt(x) or "failed", t, x))
            t, x = mf["per"]
            lines.append(self.row("frames each further domain costs beyond its "
                                  "RAM", "KiB", self.fmt(t) or "failed",
                                  self.fmt(x) or "failed", t, x))
            lines.append(self.row("Tern's heap in use with 1 / %d domains"
                                  % MEM_DOMAINS, "KiB", "%s / %s" % (
                                      self.fmt(mf["heap1"][0]) or "?",
                                      self.fmt(mf["heapn"][0]) or "?"), "–"))
            lines.append(self.row("Tern's frame table and allocator", "KiB",
                                  self.fmt(mf["ftable"][0]) or "?", "–"))

        lines.append("| **size** | | | | |")
        loc = self.loc()
        lines.append(self.row("lines of code the hypervisor build compiles "
                              "(make cloc)", "lines", self.fmt(loc) or "no build",
                              "~{:,} (x86, issue 7)".format(cloc.XEN_X86_LOC),
                              loc, cloc.XEN_X86_LOC))

        later = list(LATER_ROWS)
        if build_row[0] is None and build_row[1]:
            later.append((BUILD_LABEL, build_row[1]))
        if later:
            lines.append("| **not yet measurable** | | | | |")
        for label, why in later:
            lines.append("| %s | – | %s | – | – |" % (label, why))
        lines += [
            "",
            "Notes:",
            "- Timed rows: TSC ticks read by the guest around each timed loop, "
            "divided by the operations in it; guests/bench/NAME/main.c says "
            "what one operation is. The same ELF runs as Tern's domU and as "
            "Xen's dom0 (PV, no XPTI, no PV L1TF shadowing on Xen), except "
            "xdom's: two domUs on both (below).",
            "- Boot rows: the guest's TSC on entry to test_main() (after the "
            "kit's start of day) and just before its result line. Both "
            "hypervisors print their whole boot log (loglvl=all), as the tests "
            "run them. Xen 4.17 waits for the CMOS clock's next second at boot; "
            "the RTC runs on the virtual clock (-rtc clock=vm) from a whole "
            "second, so that wait is always the same.",
            "- Memory rows: usable RAM as each hypervisor reports it, less its "
            "free RAM (Tern's debug key 'm'; Xen's 'm' after CTRL-a x3) and "
            "less the pages the domains own (XENMEM_current_reservation), "
            "while the mem guests block. With 1 domain: Xen's dom0 (the mem "
            "guest), Tern's one domU of the same size. With %d: Tern's %d "
            "domUs; Xen's dom0 builder (%s, which says what it owns) and %d "
            "mem domUs it built. A further domain's cost is the difference "
            "over %d." % (MEM_DOMAINS, MEM_DOMAINS, DOMAIN_MEM, MEM_DOMAINS - 1,
                          MEM_DOMAINS - 1),
            "- Xen's domUs (the xdom and memory runs): built by the dom0 "
            "builder, guests/builder: a kit guest as Xen's dom0 (%s, one "
            "vCPU) that builds each domU as a toolstack does (domctl, "
            "populate_physmap, foreign mappings, hypercall page, pinned L4) "
            "from a domain list module (tools/mkdomlist.py) and serves their "
            "console rings; it waits in SCHEDOP_poll while they run, so it "
            "takes a pCPU only to copy their console output. The same "
            "strings give Tern its domUs." % DOMAIN_MEM,
            "- x2APIC is off in the CPU model: with it, QEMU's icount stops Xen "
            "at boot (\"Bad icount read\").",
            "- Context switch row: the ipi guest's round trip with its two vCPUs "
            "on one pCPU: each waits in SCHEDOP_poll, so every round trip blocks "
            "and wakes each vCPU once, two switches between vCPUs of one "
            "domain through the scheduler (credit2 on both). Between domains: "
            "the xdom row, the same round trip between two domUs (an "
            "inter-domain channel; the pong side finds the ping side's port "
            "by binding, no xenstore), timed by the ping side; its grant rows "
            "are timed by the pong side on the ping side's grant.",
            "- Linux rows: /init is a static program without libc whose first "
            "instruction reads the TSC. User-mode RDTSC is native on both "
            "(CR4.TSD clear): Tern neither sets TSD nor emulates RDTSC (/init "
            "would fault and Linux panic), and Xen 4.17 never emulates the "
            "TSC of a PV dom0 (no vtsc, so no TSD). The TSC counts "
            "from power-on on both: Tern never writes it; Xen 4.17's one write "
            "(its TSC writability probe) has no effect under QEMU's TCG (its "
            "log says \"TSC only partially writable\"), and its first stamp "
            "after the CMOS second (at 1 s of virtual time) reads 1.000e9. "
            "The span includes each hypervisor unpacking the bzImage's XZ "
            "payload and building the domain, and Linux booting as a domU on "
            "Tern but as dom0 on Xen (dom0 also sets up ACPI, PCI and the "
            "I/O APIC through Xen). The printk row is Linux's own clock at "
            "\"Run /init\". fork + exec is 5 rounds of 20 after 5 warm-up "
            "runs, the median round per operation. Unlike the kit guests', "
            "Linux's figures do not repeat exactly under -icount (they vary "
            "by a few parts in a million at /init, under 0.1%% for fork + "
            "exec; the cause is not pinned down, the kernel's entropy from "
            "the host through RDRAND being one candidate): each is the "
            "median of %d boots ± half their spread." % (
                LINUX_ICOUNT_BOOTS if self.icount else self.repeat),
        ]
        if self.failures:
            lines += ["", "Failed runs:"] + ["- " + f for f in self.failures]
        return lines

    def build_row(self):
        """(tern, xen) ticks from the build stamp to the guest's test_main,
        or (None, why) when a side has no figure."""
        got = {}
        for hv in ("tern", "xen"):
            start, _ = self.figure(hv, "dom-build", "build.start", "value")
            main, _ = self.figure(hv, "dom-build", "boot.main", "value")
            got[hv] = main - start if start is not None and main is not None else None
        if ("tern", "dom-build") not in self.runs:
            return None, None
        if got["tern"] is not None and got["xen"] is not None:
            return got["tern"], got["xen"]
        why = []
        if got["tern"] is None:
            why.append("Tern prints no TSC stamp where its builder starts "
                       "(core/dom-build.c; docs/bench.md)")
        if got["xen"] is None:
            why.append("no Xen figure")
        else:
            why.append("Xen: %s ticks" % self.fmt(got["xen"]))
        return None, "; ".join(why)

    def loc(self):
        """Tern's lines of code as make cloc counts them, or None."""
        srcs = []
        for d in ("arch/x86_64", "arch/x86_64/boot", "arch/x86_64/pv", "core", "lib"):
            full = os.path.join(SRC, d)
            if os.path.isdir(full):
                srcs += [os.path.join(d, f) for f in sorted(os.listdir(full))
                         if f.endswith((".c", ".S"))]
        srcs.append("arch/x86_64/tern.lds")
        deps = cloc.dep_files(self.build, srcs)
        if not deps:
            return None
        groups, _ = cloc.count(set(srcs) | deps, self.build)
        return sum(g[1] for g in groups.values())

    def json(self):
        """The raw figures of every run."""
        out = {"versions": self.versions, "icount": self.icount, "runs": []}
        for (hv, tag), runs in sorted(self.runs.items()):
            for run in runs:
                out["runs"].append({"hv": hv, "run": tag, "error": run.error,
                                    "seconds": round(run.seconds, 2),
                                    "bench": run.bench,
                                    "mem": getattr(run, "mem", None),
                                    "log": os.path.relpath(run.log_path, SRC)})
        return out


def main():
    """Check what is needed, run everything, print and write the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"),
                    help="build directory (default: %(default)s)")
    ap.add_argument("--tern", help="Tern image (default: BUILD/tern)")
    ap.add_argument("--xen", help="Xen image (default: BUILD/xen/xen-4.17)")
    ap.add_argument("--only", type=lambda s: [w for w in s.replace(",", " ").split()],
                    help="comma-separated runs (default: all: %s)"
                    % ",".join(RUNS))
    ap.add_argument("--no-icount", dest="icount", action="store_false",
                    default=None, help="run without -icount")
    ap.add_argument("--repeat", type=int,
                    help="boots per guest and hypervisor (default: 1 with "
                    "-icount, 3 without)")
    ap.add_argument("--timeout", type=float, default=60,
                    help="seconds per boot (default: %(default)s)")
    ap.add_argument("--results", default=os.path.join(SRC, "bench", "results"),
                    help="folder that also gets report.md ('' for none; "
                    "default: %(default)s)")
    args = ap.parse_args()

    qv = qemu_version()
    if qv is None:
        print("bench: %s not found or not working: install it with 'make deps' "
              "(tools/install-deps.sh)" % QEMU, file=sys.stderr)
        return 2
    if args.icount is None:
        args.icount = qemu_has_tcg()
        if not args.icount:
            print("bench: this QEMU has no TCG, so no -icount: figures are "
                  "medians of repeated boots", file=sys.stderr)
    if args.repeat is None:
        args.repeat = 1 if args.icount else 3
    if args.only:
        bad = [g for g in args.only if g not in RUNS]
        if bad:
            print("bench: no such benchmark: %s (have: %s)" % (
                ", ".join(bad), ", ".join(RUNS)), file=sys.stderr)
            return 2

    b = Bench(args)
    b.versions["qemu"] = qv
    missing = []
    if not os.path.isfile(b.xen):
        missing.append("no Xen 4.17 image at %s: run tools/fetch-xen.sh %s" % (
            b.xen, os.path.relpath(b.build, SRC)))
    if not os.path.isfile(b.tern):
        missing.append("no Tern image at %s: run make BUILD=%s" % (
            b.tern, os.path.relpath(b.build, SRC)))
    if "boot" in (args.only or RUNS) and not os.path.isfile(b.fwbase):
        missing.append("no firmware baseline %s: run make BUILD=%s bench-guests" % (
            b.fwbase, os.path.relpath(b.build, SRC)))
    wanted = args.only or RUNS
    elfs = set()
    for g in wanted:
        if g != "linux":
            elfs.add("boot" if g == "dom-build" else VARIANTS.get(g, (g,))[0])
    for g in sorted(elfs):
        if not os.path.isfile(b.elf(g)):
            missing.append("no bench guest %s: run make BUILD=%s bench-guests" % (
                b.elf(g), os.path.relpath(b.build, SRC)))
    if any(g in MULTI or g == "mem" for g in wanted) and not os.path.isfile(b.builder):
        missing.append("no dom0 builder %s: run make BUILD=%s bench-guests" % (
            b.builder, os.path.relpath(b.build, SRC)))
    if "linux" in wanted:
        for f in b.linux_files():
            if not os.path.isfile(f):
                missing.append("no %s: run make BUILD=%s bench-linux" % (
                    f, os.path.relpath(b.build, SRC)))
        b.versions["linux"] = linux_version(b.linux_files()[0])
    if missing:
        for m in missing:
            print("bench: " + m, file=sys.stderr)
        return 2

    print("bench: %s, %s" % (qv, "-icount shift=0,sleep=off" if args.icount
                              else "no -icount, %d boots each" % args.repeat),
          flush=True)
    start = time.monotonic()
    b.run_all()
    print("bench: %.1fs in all" % (time.monotonic() - start), flush=True)

    lines = b.report()
    text = "\n".join(lines) + "\n"
    os.makedirs(b.outdir, exist_ok=True)
    with open(os.path.join(b.outdir, "report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(b.outdir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(b.json(), f, indent=1)
    written = [os.path.join(b.outdir, "report.md")]
    if args.results:
        os.makedirs(args.results, exist_ok=True)
        shutil.copyfile(written[0], os.path.join(args.results, "report.md"))
        written.append(os.path.join(args.results, "report.md"))
    print()
    print(text, end="")
    print()
    print("bench: report in %s" % ", ".join(os.path.relpath(w, SRC) for w in written))
    if b.failures:
        print("bench: %d run(s) failed, see above" % len(b.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
