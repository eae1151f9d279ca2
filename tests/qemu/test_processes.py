# SPDX-License-Identifier: MIT
"""QEMU tests for processes in ring 3 (issue 3): the guest test programs,
and a few end-to-end runs of /bin/hello.

Each guest program tests/guest/test_<name>.c is built into the initrd as
/tests/test_<name> (see tests/guest/README.md). One pytest test per
program boots Loupe with `init.cmd=/tests/test_<name>`: init runs it, the
kernel prints `loupe: init exited with status N` and leaves QEMU with 33
when N is 0, 35 otherwise. The program prints TAP and ends with
`N passed, M failed[, S skipped]`.

A run passes when the summary says 0 failed, every planned test printed
an `ok` line, no line starts with `not ok` (a guest test that cannot
report through its exit status, like the orphan check, prints one
itself), the kernel did not panic, and init exited with status 0.

The programs are discovered from tests/guest/test_*.c, so a new program
gets its QEMU test without an edit here; EXTRA_EXPECTATIONS adds the
lines a program is known to print along the way.
"""

import os
import re
import shutil
import subprocess

import pytest

from loupe_harness import (REPO, boot, describe, expect_guest_failure, expect_in,
                           expect_not_in, expect_pass, have_initrd)

pytestmark = pytest.mark.qemu

GUEST_DIR = REPO / "tests" / "guest"
GUEST_PROGRAMS = sorted(path.stem for path in GUEST_DIR.glob("test_*.c"))

# Seconds per boot (times LOUPE_TIMEOUT_SCALE). test_process runs 205
# fork/exec/exit cycles, a 50-process stress test and waits out 2-second
# sleepers at the process limit; under TCG that takes a while.
TIMEOUTS = {"test_process": 600, "test_cpu": 300, "test_memory": 300}
DEFAULT_TIMEOUT = 180

# Lines a guest program prints besides its TAP results, as regexes.
EXTRA_EXPECTATIONS = {
    "test_process": [
        r"^hello from test_process$",        # execve of /bin/hello
        r"^# orphan: reparented to 1$",      # the grandchild's own report
    ],
    "test_cpu": [
        # prog_regs_at_entry runs twice: from a clean and a dirty process.
        r"(?s)prog_regs_at_entry: the entry state is as Linux gives it.*"
        r"prog_regs_at_entry: the entry state is as Linux gives it",
    ],
}

INIT_STATUS = r"^loupe: init exited with status (-?\d+)\b"


def require_initrd():
    if not have_initrd():
        pytest.fail("build/initrd.cpio does not exist: the guest programs live in the "
                    "initrd, build it with `make` first", pytrace=False)


def tap_report(result):
    """(planned, ok lines, not-ok lines, summary match) from the serial log."""
    plan = re.search(r"^1\.\.(\d+)$", result.log, re.M)
    oks = re.findall(r"^ok \d+ - .*$", result.log, re.M)
    not_oks = re.findall(r"^not ok\b.*$", result.log, re.M)
    summary = re.search(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$", result.log, re.M)
    return (int(plan.group(1)) if plan else None), oks, not_oks, summary


def expect_tap_success(result):
    planned, oks, not_oks, summary = tap_report(result)
    assert planned is not None, "no TAP plan line `1..N` in the serial log\n" + describe(result)
    assert not not_oks, ("failed guest tests:\n  " + "\n  ".join(not_oks) + "\n" +
                         describe(result))
    assert summary, ("no summary line `N passed, M failed`: the test program did not "
                     "finish\n" + describe(result))
    passed, failed = int(summary.group(1)), int(summary.group(2))
    skipped = int(summary.group(3) or 0)
    assert failed == 0, f"{failed} guest test(s) failed\n" + describe(result)
    assert passed + skipped == planned, (
        f"the plan says {planned} tests, the summary counts {passed} passed and "
        f"{skipped} skipped\n" + describe(result))
    assert len(oks) == planned, (
        f"the plan says {planned} tests, found {len(oks)} `ok` lines\n" + describe(result))


def expect_init_status(result, status):
    found = int(expect_in(result, INIT_STATUS).group(1))
    assert found == status, (f"init exited with status {found}, expected {status}\n" +
                             describe(result))


@pytest.mark.parametrize("program", GUEST_PROGRAMS)
def test_guest_program(program):
    require_initrd()
    result = boot(f"init.cmd=/tests/{program}",
                  timeout=TIMEOUTS.get(program, DEFAULT_TIMEOUT))
    expect_not_in(result, r"PANIC")
    expect_tap_success(result)
    for regex in EXTRA_EXPECTATIONS.get(program, []):
        expect_in(result, regex)
    expect_init_status(result, 0)
    expect_pass(result)


def test_guest_programs_found():
    # A typo in the glob would silently test nothing.
    assert {"test_syscalls", "test_process", "test_memory", "test_faults",
            "test_cpu"} <= set(GUEST_PROGRAMS), GUEST_PROGRAMS


# --- end to end -------------------------------------------------------------

def test_hello_world():
    require_initrd()
    # Quoted, as `make run CMD=...` passes it (scripts/run.sh): unquoted,
    # "world" would be a kernel parameter of its own.
    result = boot('init.cmd="/bin/hello world"', timeout=DEFAULT_TIMEOUT)
    expect_not_in(result, r"PANIC")
    expect_in(result, r"^hello world$")
    expect_init_status(result, 0)
    expect_pass(result)


def test_missing_program_fails():
    require_initrd()
    result = boot("init.cmd=/bin/no-such-program", timeout=DEFAULT_TIMEOUT)
    expect_not_in(result, r"PANIC")
    status = int(expect_in(result, INIT_STATUS).group(1))
    assert status != 0, "init reported success for a missing program\n" + describe(result)
    expect_guest_failure(result)


def test_non_elf_program_fails():
    require_initrd()
    result = boot("init.cmd=/tests/data/not-elf", timeout=DEFAULT_TIMEOUT)
    expect_not_in(result, r"PANIC")
    status = int(expect_in(result, INIT_STATUS).group(1))
    assert status != 0, "init reported success for a text file\n" + describe(result)
    expect_guest_failure(result)


def test_reboot_powers_off():
    """reboot(RB_POWER_OFF) ends the machine at once, before init sees its child exit."""
    require_initrd()
    result = boot("init.cmd=/tests/prog_poweroff", timeout=DEFAULT_TIMEOUT)
    expect_not_in(result, r"PANIC")
    expect_in(result, r"^prog_poweroff: powering off$")
    expect_in(result, r"^loupe: power off requested by pid \d+ \(prog_poweroff\)$")
    expect_not_in(result, INIT_STATUS)
    expect_pass(result)


def test_batch_mode_exit_status(tmp_path):
    """`make run CMD=... ADD=...` (scripts/run.sh) returns the program's own status."""
    musl = shutil.which("musl-gcc")
    if musl is None:
        pytest.skip("musl-gcc is not installed")
    source = tmp_path / "seven.c"
    source.write_text('#include <stdio.h>\nint main(int c, char **v)'
                      '{ printf("seven %s\\n", v[1]); return 7; }\n')
    program = tmp_path / "seven"
    subprocess.run([musl, "-static", "-O2", "-o", str(program), str(source)], check=True)
    run = subprocess.run([str(REPO / "scripts" / "run.sh")], cwd=REPO, capture_output=True,
                         text=True, timeout=300,
                         env={**os.environ, "CMD": "/bin/seven arg",
                              "ADD": str(program), "RUN_TIMEOUT": "120"})
    output = run.stdout.replace("\r", "")
    assert "seven arg\n" in output, output + run.stderr
    assert run.returncode == 7, f"status {run.returncode}\n{output}{run.stderr}"
