#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench.py - run user/bench/ in QEMU and print the table (make bench, make bench-compare).

    scripts/bench.py loupe      boot Loupe with the benchmarks, print one table
    scripts/bench.py compare    the same on Loupe and on Debian's Linux kernel,
                                side by side, with their ratio

The Makefile builds the programs first, each twice from the same source:
build/bench/loupe/ (build/sdk/bin/loupe-cc: musl plus the ptrace shim) and
build/bench/linux/ (musl-gcc -static). Both guests run bench_run, which
runs every benchmark and prints `bench <name> <value> <unit>` lines on the
serial console; this script collects them. Nothing here judges a timing.

Loupe: build/rootfs plus /bench/, packed into build/bench/loupe-initrd.cpio
and booted from an ISO made by scripts/mkiso.sh, `init.cmd="/bench/bench_run
..."`, QEMU (TCG, 256 MiB, one CPU) exactly as scripts/run.sh boots it.

Linux: the kernel of Debian's linux-image-<version>-amd64 (the version
linux-image-amd64 depends on), fetched with `apt-get download` into the
cache (never into the repository), and an initramfs with bench_run as
/init, the benchmarks in /bench and, when user/bin/strace builds for Linux,
that strace as /bin/strace: the same QEMU command line, with -kernel and
-initrd instead of the ISO. Without network the comparison is skipped with
a message (exit status 0).

Environment:
    BENCH_*_N, BENCH_*_ROUNDS   iteration counts, passed to the guests
                                (docs/performance.md lists them)
    BENCH_STRACE                the strace the guests run (default /bin/strace)
    BENCH_LINUX_STRACE          a static Linux strace on the host, put into the
                                Linux guest instead of building user/bin/strace
    BENCH_CACHE                 download cache (default ~/.cache/loupe, or
                                $XDG_CACHE_HOME/loupe)
    BENCH_TIMEOUT               seconds one boot may take (default 600)
    ACCEL                       QEMU accelerator (default tcg)
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build"
WORK = BUILD / "bench"

# Every knob the benchmarks read (user/bench/*.c), with its default there.
KNOBS = {
    "BENCH_SYSCALL_N": 1000000,
    "BENCH_PIPE_N": 50000,
    "BENCH_PTRACE_N": 20000,
    "BENCH_STEP_N": 20000,
    "BENCH_PEEK_ROUNDS": 1,
    "BENCH_MEM_ROUNDS": 64,
    "BENCH_STRACE_N": 200000,
    "BENCH_STRACE": "/bin/strace",  # the strace a guest runs (a path inside the guest)
}

# name, label, unit, higher_is_better: the rows of the table, in order.
ROWS = [
    ("null_syscall", "null syscall (getpid)", "ns/call", False),
    ("pipe_roundtrip", "pipe ping-pong round trip", "ns/roundtrip", False),
    ("ptrace_syscall", "traced syscall (PTRACE_SYSCALL, 2 stops)", "ns/syscall", False),
    ("ptrace_stop", "  one stop round trip", "ns/stop", False),
    ("singlestep", "PTRACE_SINGLESTEP", "steps/s", True),
    ("peekdata", "read 1 MiB: PTRACE_PEEKDATA", "MiB/s", True),
    ("procmem", "read 1 MiB: pread /proc/<pid>/mem", "MiB/s", True),
    ("process_vm_readv", "read 1 MiB: process_vm_readv", "MiB/s", True),
    ("strace_untraced", "{n} getpid, untraced", "ms", False),
    ("strace_full", "  strace -o /dev/null", "ms", False),
    ("strace_write", "  strace -e trace=write -o /dev/null", "ms", False),
]

# label, numerator, denominator, how to read it.
RATIOS = [
    ("stop round trip / pipe round trip", "ptrace_stop", "pipe_roundtrip",
     "how many context-switch floors one ptrace stop costs"),
    ("strace slowdown, full", "strace_full", "strace_untraced", "traced / untraced"),
    ("strace slowdown, -e trace=write", "strace_write", "strace_untraced", "traced / untraced"),
    ("/proc/<pid>/mem / PEEKDATA", "procmem", "peekdata", "throughput, bulk / word by word"),
]

BENCH_LINE = re.compile(r"^bench (\S+) (\S+) (\S+)\s*$")
# SeaBIOS and Linux clear the screen; the codes can share a line with ours.
TERMINAL_CODES = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[A-Za-z])")


def say(message):
    print(f"bench: {message}", flush=True)


def knob_arguments():
    """NAME=VALUE for every knob set in the environment (make bench BENCH_PIPE_N=...)."""
    return [f"{name}={os.environ[name]}" for name in KNOBS if os.environ.get(name)]


def strace_calls():
    return os.environ.get("BENCH_STRACE_N") or str(KNOBS["BENCH_STRACE_N"])


def pack_cpio(tree, out):
    """Packs a folder as a cpio (newc) archive, as the Makefile packs the rootfs."""
    names = subprocess.run(["find", ".", "-mindepth", "1"], cwd=tree, check=True,
                           capture_output=True, text=True).stdout
    listing = "".join(sorted(names.splitlines(keepends=True)))
    with open(out, "wb") as archive:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc"], cwd=tree, check=True,
                       input=listing.encode(), stdout=archive)


def run_qemu(command, log_path, what):
    """Runs one guest to the end, echoing its bench lines; returns the serial log text."""
    timeout = float(os.environ.get("BENCH_TIMEOUT") or 600)
    say(f"booting {what} (TCG; timeout {timeout:.0f} s)")
    started = time.monotonic()
    lines = []
    # timeout(1) kills QEMU even when the guest hangs without a word.
    with subprocess.Popen(["timeout", f"{timeout:.0f}"] + command, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as qemu:
        for raw in qemu.stdout:
            line = raw.decode("utf-8", "replace").replace("\r", "").rstrip("\n")
            line = TERMINAL_CODES.sub("", line)
            lines.append(line)
            if line.startswith(("bench ", "# ")) or "panic" in line.lower():
                print(f"  {what}: {line}", flush=True)
        if qemu.wait() == 124:
            say(f"{what}: timed out after {timeout:.0f} s (BENCH_TIMEOUT)")
    text = "\n".join(lines) + "\n"
    Path(log_path).write_text(text)
    say(f"{what}: {time.monotonic() - started:.0f} s; serial log in {log_path}")
    return text


def parse(log):
    """{name: (value or None for n/a, unit)} from a serial log, and whether it finished."""
    figures = {}
    for line in log.splitlines():
        match = BENCH_LINE.match(line.strip())
        if match:
            name, value, unit = match.groups()
            try:
                figures[name] = (float(value), unit)
            except ValueError:
                figures[name] = (None, unit)
    return figures, any(line.strip() == "bench-done" for line in log.splitlines())


def system_line(log):
    match = re.search(r"# system: (.*)$", log, re.M)   # may follow "Booting from ROM.."
    return match.group(1).strip() if match else "?"


# --- Loupe ---------------------------------------------------------------------

def run_loupe():
    stage = WORK / "loupe-rootfs"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(BUILD / "rootfs", stage, symlinks=True)
    (stage / "bench").mkdir()
    for program in sorted((WORK / "loupe").iterdir()):
        shutil.copy2(program, stage / "bench" / program.name)
    initrd = WORK / "loupe-initrd.cpio"
    pack_cpio(stage, initrd)

    command_line = " ".join(["/bench/bench_run"] + knob_arguments())
    iso = WORK / "loupe.iso"
    subprocess.run([str(REPO / "scripts" / "mkiso.sh"), str(BUILD / "kernel.elf"), str(initrd),
                    str(iso), f'panic=exit init.cmd="{command_line}"'], check=True)
    accel = os.environ.get("ACCEL") or "tcg"
    qemu = ["qemu-system-x86_64", "-accel", accel, "-m", "256M", "-nographic", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", str(iso), "-boot", "d"]
    return run_qemu(qemu, WORK / "loupe.log", "Loupe")


# --- Linux ---------------------------------------------------------------------

def cache_folder():
    if os.environ.get("BENCH_CACHE"):
        return Path(os.environ["BENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "loupe"


def linux_package():
    """linux-image-<version>-amd64, the package linux-image-amd64 depends on now."""
    result = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                            capture_output=True, text=True)
    match = re.search(r"Depends: (linux-image-\S+-amd64)\b", result.stdout)
    return match.group(1) if match else None


def fetch_linux_kernel():
    """Path of Debian's vmlinuz in the cache, downloading it if needed; None if impossible."""
    package = linux_package()
    if not package:
        say("cannot tell which Debian kernel is current: `apt-cache depends linux-image-amd64` "
            "names no linux-image-*-amd64 (run `apt-get update`?)")
        return None
    folder = cache_folder() / package
    found = sorted(glob.glob(str(folder / "boot" / "vmlinuz-*")))
    if found:
        say(f"Linux kernel: {found[-1]} (cached)")
        return Path(found[-1])
    folder.mkdir(parents=True, exist_ok=True)
    say(f"downloading {package} into {folder} (apt-get download)")
    download = subprocess.run(["apt-get", "download", package], cwd=folder,
                              capture_output=True, text=True)
    debs = sorted(folder.glob(f"{package}_*.deb"))
    if download.returncode != 0 or not debs:
        say(f"`apt-get download {package}` failed (no network?):\n"
            f"{download.stdout}{download.stderr}".rstrip())
        return None
    # Only /boot/vmlinuz-*: the modules in the package are hundreds of MiB unpacked.
    extract = subprocess.run(f"dpkg-deb --fsys-tarfile '{debs[-1]}' | "
                             "tar -x --wildcards './boot/vmlinuz-*'",
                             shell=True, cwd=folder, capture_output=True, text=True)
    found = sorted(glob.glob(str(folder / "boot" / "vmlinuz-*")))
    if extract.returncode != 0 or not found:
        say(f"could not extract the kernel from {debs[-1]}:\n{extract.stderr}".rstrip())
        return None
    debs[-1].unlink()                       # the kernel is all we keep
    say(f"Linux kernel: {found[-1]}")
    return Path(found[-1])


def build_linux_strace():
    """user/bin/strace built for Linux (static musl, no shim), or None."""
    if os.environ.get("BENCH_LINUX_STRACE"):
        return Path(os.environ["BENCH_LINUX_STRACE"])
    sources = sorted(glob.glob(str(REPO / "user/bin/strace/*.c")))
    if not sources and (REPO / "user/bin/strace.c").exists():
        sources = [str(REPO / "user/bin/strace.c")]
    if not sources:
        say("no user/bin/strace yet: the strace figures are n/a on Linux")
        return None
    out = WORK / "linux-strace"
    # The Linux build of the same source, without the shim: the one Loupe
    # request (the kernel filter) answers EIO there and strace filters in
    # user space, as Linux's strace does. The flags of the Makefile's user
    # programs, then with _GNU_SOURCE in case the source wants glibc's names.
    base = ["musl-gcc", "-static", "-O2", "-std=gnu11", f"-I{REPO / 'include/uapi'}",
            f"-I{REPO / 'user/bin/strace'}", "-o", str(out)]
    errors = []
    for extra in ([], ["-D_GNU_SOURCE"]):
        build = subprocess.run(base + extra + sources, capture_output=True, text=True)
        if build.returncode == 0:
            return out
        errors.append(build.stderr)
    say("user/bin/strace does not build for Linux with musl-gcc -static (set "
        "BENCH_LINUX_STRACE to a static strace to use instead); the strace figures "
        f"are n/a on Linux:\n{errors[0][-2000:]}".rstrip())
    return None


def run_linux(vmlinuz):
    stage = WORK / "linux-initramfs"
    shutil.rmtree(stage, ignore_errors=True)
    for folder in ("bench", "bin", "proc", "dev", "tmp"):
        (stage / folder).mkdir(parents=True)
    for program in sorted((WORK / "linux").iterdir()):
        shutil.copy2(program, stage / "bench" / program.name)
    shutil.copy2(WORK / "linux" / "bench_run", stage / "init")
    strace = build_linux_strace()
    if strace:
        shutil.copy2(strace, stage / "bin" / "strace")
    initramfs = WORK / "linux-initramfs.cpio"
    pack_cpio(stage, initramfs)

    # Words after `--` reach /init as its arguments.
    append = " ".join(["console=ttyS0 quiet panic=-1 --"] + knob_arguments())
    accel = os.environ.get("ACCEL") or "tcg"
    qemu = ["qemu-system-x86_64", "-accel", accel, "-m", "256M", "-nographic", "-no-reboot",
            "-kernel", str(vmlinuz), "-initrd", str(initramfs), "-append", append]
    return run_qemu(qemu, WORK / "linux.log", "Linux")


# --- the table -------------------------------------------------------------------

def number(value):
    if value is None:
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}"
    if value < 0.1:
        return f"{value:.2g}"                # 0.0032, not 0.00
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def value_of(figures, name):
    return figures.get(name, (None, None))[0]


def compared(loupe, linux, higher_is_better):
    """'2.3x slower' / '1.4x faster' for Loupe against Linux."""
    times = ratio(loupe, linux)
    if times is None:
        return "n/a"
    slower = times < 1 if higher_is_better else times > 1
    factor = 1 / times if times < 1 else times
    if abs(factor - 1) < 0.05:
        return "same"
    return f"{factor:.1f}x {'slower' if slower else 'faster'}"


def print_table(columns):
    """columns: [(title, figures)], one or two of them."""
    label_width = 42
    n = strace_calls()
    header = f"{'benchmark':<{label_width}}" + "".join(f"{title:>12}" for title, _ in columns)
    header += f"  {'unit':<13}"
    if len(columns) == 2:
        header += f"{'Loupe/Linux':>12}  Loupe is"
    header = header.rstrip()
    print()
    print(header)
    print("-" * len(header))
    for name, label, unit, higher_is_better in ROWS:
        values = [value_of(figures, name) for _, figures in columns]
        line = f"{label.format(n=n):<{label_width}}" + "".join(f"{number(v):>12}" for v in values)
        line += f"  {unit:<13}"
        if len(columns) == 2:
            line += f"{number(ratio(*values)):>12}  {compared(*values, higher_is_better)}"
        print(line.rstrip())
    print()
    header = f"{'ratio':<{label_width}}" + "".join(f"{title:>12}" for title, _ in columns)
    header += "  what it says"
    print(header)
    print("-" * len(header))
    for label, top, bottom, meaning in RATIOS:
        values = [ratio(value_of(figures, top), value_of(figures, bottom)) for _, figures in columns]
        print(f"{label:<{label_width}}" + "".join(f"{number(v):>12}" for v in values)
              + f"  {meaning}")
    print()


def host_description():
    model = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    return f"host: {os.cpu_count()} CPUs ({model}); {qemu}; accel {os.environ.get('ACCEL') or 'tcg'}"


def check_run(title, log, figures, finished):
    if not finished:
        say(f"{title}: the run did not finish (no bench-done line); the table shows what it printed")
    if not figures:
        say(f"{title}: no bench lines at all; the serial log's tail:")
        print("\n".join(log.splitlines()[-30:]))
        return False
    return True


def main():
    mode = sys.argv[1] if len(sys.argv) == 2 else ""
    if mode not in ("loupe", "compare"):
        print(f"usage: {sys.argv[0]} loupe|compare", file=sys.stderr)
        return 2
    vmlinuz = None
    if mode == "compare":
        vmlinuz = fetch_linux_kernel()
        if vmlinuz is None:
            say("no Linux kernel to compare with: skipping make bench-compare "
                "(make bench still measures Loupe alone)")
            return 0

    loupe_log = run_loupe()
    loupe, loupe_done = parse(loupe_log)
    ok = check_run("Loupe", loupe_log, loupe, loupe_done)
    columns = [("Loupe", loupe)]
    systems = [f"Loupe: {system_line(loupe_log)}"]
    if mode == "compare":
        linux_log = run_linux(vmlinuz)
        linux, linux_done = parse(linux_log)
        ok = check_run("Linux", linux_log, linux, linux_done) and ok
        columns.append(("Linux", linux))
        systems.append(f"Linux: {system_line(linux_log)} ({vmlinuz.name})")

    print()
    print(host_description())
    print("guests: " + "; ".join(systems) + "; QEMU -m 256M, one CPU")
    knobs = knob_arguments()
    print("counts: " + (" ".join(knobs) if knobs else "the defaults (docs/performance.md)"))
    print_table(columns)
    print("Emulation timings (TCG), not hardware ones; shared machines are noisy. "
          "See docs/performance.md.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
