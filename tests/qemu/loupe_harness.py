# SPDX-License-Identifier: MIT
"""Boot Loupe in QEMU with a chosen kernel command line and judge the run.

Each boot() builds its own ISO with scripts/mkiso.sh (build/kernel.elf plus
build/initrd.cpio, both relative to the repository root) into a fresh
directory, runs QEMU with COM1 going to a file, and waits for the guest to
leave through the isa-debug-exit device:

    guest writes to port 0xf4   QEMU exit status   meaning
    0x10                        33                 the guest reports success
    0x11                        35                 the guest reports failure
    (nothing: reboot, triple    0 or other         neither: a broken kernel
     fault with -no-reboot)

The expect_*() helpers put the whole serial log into their assertion
message, so a failing test always shows what the kernel printed.

Environment:
    LOUPE_ACCEL (or ACCEL)  QEMU accelerator, default tcg (KVM guests hang on
                            the project machines: only ever opt in)
    LOUPE_TIMEOUT_SCALE     multiplies every boot timeout (slow machines)
    LOUPE_KERNEL            kernel ELF to boot instead of build/kernel.elf
    LOUPE_INITRD            initrd to load instead of build/initrd.cpio

The other half of the exit convention lives in the kernel (the code that
writes to port 0xf4); the QEMU tests themselves are in test_*.py here.
"""

import bisect
import dataclasses
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MKISO = REPO / "scripts" / "mkiso.sh"

EXIT_SUCCESS = 33  # guest wrote 0x10: (0x10 << 1) | 1
EXIT_FAILURE = 35  # guest wrote 0x11: (0x11 << 1) | 1

# The banner, "Loupe 0.1 - a teaching microkernel ...", not "Loupe is up."
BANNER = re.compile(r"^Loupe \S+ - ", re.M)


def kernel_path():
    return Path(os.environ.get("LOUPE_KERNEL") or REPO / "build" / "kernel.elf")


def default_initrd():
    return Path(os.environ.get("LOUPE_INITRD") or REPO / "build" / "initrd.cpio")


def have_initrd():
    """True when boot() without an initrd argument loads an initrd module."""
    return default_initrd().is_file()


@dataclasses.dataclass
class BootResult:
    cmdline: str
    exit_code: int  # QEMU's exit status (-9 or so when we killed it)
    timed_out: bool
    workdir: Path  # holds the ISO, serial.log and qemu.stderr
    log: str = dataclasses.field(repr=False)  # all of COM1, without \r

    @property
    def passed(self):
        """The guest reported success through isa-debug-exit."""
        return not self.timed_out and self.exit_code == EXIT_SUCCESS

    @property
    def guest_failed(self):
        """The guest reported failure (a panic, a failed selftest)."""
        return not self.timed_out and self.exit_code == EXIT_FAILURE


# Set by conftest.py to the running test's tmp_path, so that every boot of
# a test lands in that test's own directory.
_tmp_root = None
_boot_count = 0


def set_tmp_root(path):
    global _tmp_root, _boot_count
    _tmp_root, _boot_count = path, 0


def _new_workdir():
    global _boot_count
    if _tmp_root is None:
        return Path(tempfile.mkdtemp(prefix="loupe-boot-"))
    _boot_count += 1
    workdir = Path(_tmp_root) / f"boot{_boot_count}"
    workdir.mkdir()
    return workdir


def _accel():
    return os.environ.get("LOUPE_ACCEL") or os.environ.get("ACCEL") or "tcg"


def _timeout_scale():
    return float(os.environ.get("LOUPE_TIMEOUT_SCALE") or 1)


def make_iso(workdir, cmdline, initrd):
    """Runs scripts/mkiso.sh; returns the ISO path or fails the test."""
    kernel = kernel_path()
    if not kernel.is_file():
        pytest.fail(f"{kernel} does not exist: run `make` first", pytrace=False)
    iso = workdir / "loupe.iso"
    run = subprocess.run(
        [str(MKISO), str(kernel), str(initrd or ""), str(iso), cmdline],
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )
    if run.returncode != 0:
        pytest.fail(f"mkiso.sh failed ({run.returncode}):\n{run.stdout}{run.stderr}",
                    pytrace=False)
    return iso


def qemu_command(iso, serial_log):
    return [
        "qemu-system-x86_64",
        "-accel", _accel(),
        "-m", "256M",
        "-nodefaults",  # no NIC, no default serial/monitor/parallel
        "-display", "none",
        "-vga", "none",
        "-monitor", "none",
        "-no-reboot",  # a reboot or triple fault exits QEMU with status 0
        "-serial", f"file:{serial_log}",  # COM1, complete even when killed
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-cdrom", str(iso),
        "-boot", "d",
    ]


def boot(cmdline="", timeout=60, initrd=None):
    """Boots Loupe once and returns a BootResult.

    cmdline: the kernel command line, any string without a newline.
    timeout: seconds before QEMU is killed (times LOUPE_TIMEOUT_SCALE).
    initrd:  path of the initrd to load; None loads build/initrd.cpio when it
             exists, "" loads none.

    Unless the command line says otherwise, `panic=exit` is added, so a
    kernel panic ends QEMU at once instead of waiting for the timeout.
    """
    if "panic=" not in cmdline:
        cmdline = ("panic=exit " + cmdline).strip()
    if initrd is None:
        initrd = default_initrd() if have_initrd() else ""
    workdir = _new_workdir()
    iso = make_iso(workdir, cmdline, initrd)
    serial_log = workdir / "serial.log"
    qemu_stderr = workdir / "qemu.stderr"
    with open(qemu_stderr, "wb") as stderr:
        qemu = subprocess.Popen(qemu_command(iso, serial_log),
                                stdin=subprocess.DEVNULL,
                                stdout=stderr, stderr=stderr)
        timed_out = False
        try:
            exit_code = qemu.wait(timeout=timeout * _timeout_scale())
        except subprocess.TimeoutExpired:
            qemu.kill()
            exit_code = qemu.wait()
            timed_out = True
    log = serial_log.read_bytes().decode("utf-8", "replace") if serial_log.exists() else ""
    errors = qemu_stderr.read_text("utf-8", "replace").strip()
    if errors:  # QEMU's own complaints (missing BIOS, bad option) belong in the story
        log += f"\n[qemu stderr]\n{errors}\n"
    return BootResult(cmdline=cmdline, exit_code=exit_code,
                      log=log.replace("\r", ""), timed_out=timed_out,
                      workdir=workdir)


# --- assertions that always show the serial log ----------------------------

def describe(result):
    """The result and its whole serial log, for an assertion message."""
    how = ("timed out (killed)" if result.timed_out else
           f"QEMU exit status {result.exit_code}" +
           {EXIT_SUCCESS: " (guest success)", EXIT_FAILURE: " (guest failure)",
            0: " (no isa-debug-exit: reboot, triple fault or plain shutdown)"}
           .get(result.exit_code, ""))
    return (f"boot with cmdline {result.cmdline!r}: {how}\n"
            f"files in {result.workdir}\n"
            f"----- serial log -----\n{result.log}\n----- end of serial log -----")


def expect_pass(result):
    """The guest reported success."""
    assert result.passed, "expected the guest to report success\n" + describe(result)


def expect_guest_failure(result):
    """The guest reported failure itself (exit 35), not a hang or reset."""
    assert result.guest_failed, ("expected the guest to report failure "
                                 "through isa-debug-exit\n" + describe(result))


def expect_in(result, regex, flags=re.M):
    """The log matches regex (multiline by default); returns the match."""
    match = re.search(regex, result.log, flags)
    assert match, f"expected /{regex}/ in the serial log\n" + describe(result)
    return match


def expect_not_in(result, regex, flags=re.M):
    match = re.search(regex, result.log, flags)
    assert not match, (f"did not expect /{regex}/ in the serial log, found "
                       f"{match.group(0)!r}\n" + describe(result))


def expect_count(result, regex, count, flags=re.M):
    found = len(re.findall(regex, result.log, flags))
    assert found == count, (f"expected /{regex}/ {count} time(s) in the serial "
                            f"log, found {found}\n" + describe(result))


def expect_banner_once(result):
    """Exactly one boot: no reboot after a panic, no silent reset."""
    expect_count(result, BANNER.pattern, 1)


# --- kernel symbols ---------------------------------------------------------

_symbol_cache = {}


def _symbols():
    """[(start, size, name)] sorted by start, from `nm -S` of the kernel."""
    kernel = kernel_path()
    key = (str(kernel), kernel.stat().st_mtime_ns)
    if key not in _symbol_cache:
        out = subprocess.run(["nm", "-S", "--defined-only", str(kernel)],
                             capture_output=True, text=True, check=True).stdout
        symbols = []
        for line in out.splitlines():
            fields = line.split()
            if len(fields) == 4:  # address size type name
                symbols.append((int(fields[0], 16), int(fields[1], 16), fields[3]))
            elif len(fields) == 3:  # address type name: no size (asm labels)
                symbols.append((int(fields[0], 16), 0, fields[2]))
        symbols.sort()
        _symbol_cache.clear()
        _symbol_cache[key] = symbols
    return _symbol_cache[key]


def kernel_symbol(name):
    """(start, size) of a symbol in the kernel ELF; KeyError if absent."""
    for start, size, symbol in _symbols():
        if symbol == name:
            return start, size
    raise KeyError(f"{name} is not a symbol of {kernel_path()}")


def symbolize(addr):
    """'function+0xoffset' for a kernel address, or None when no symbol
    covers it. A symbol without a size (a NASM label) covers up to the
    next symbol."""
    symbols = _symbols()
    starts = [start for start, _, _ in symbols]
    i = bisect.bisect_right(starts, addr) - 1
    # Several symbols may share one address; prefer one that has a size.
    while i >= 0:
        start, size, name = symbols[i]
        end = start + size if size else (starts[i + 1] if i + 1 < len(starts) else start)
        if start <= addr < end:
            return f"{name}+{addr - start:#x}"
        if i == 0 or starts[i - 1] != start:
            return None
        i -= 1
    return None
