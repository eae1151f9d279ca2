# SPDX-License-Identifier: MIT
"""QEMU tests for the foundation: boot, memory, and the panic report.

Each test boots Loupe with `test=NAME` on the command line; the kernel runs
that built-in self-test and leaves through isa-debug-exit (0x10 success,
0x11 failure). The fault tests make the kernel fault on purpose inside
selftest_fault_<kind>() and check that the panic report says what a
person debugging it would need: which exception, where (RIP inside that
function), the registers, and a backtrace.

Run one group with e.g. `-k fault` or `-m fault`.
"""

import re

import pytest

from loupe_harness import (boot, describe, expect_banner_once, expect_guest_failure,
                           expect_in, expect_not_in, expect_pass, have_initrd,
                           kernel_symbol, symbolize)

pytestmark = pytest.mark.qemu

HEX16 = r"0x([0-9a-fA-F]{16})"
GENERAL_REGISTERS = ["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
                     "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"]


def test_boot_banner_memory_modules():
    result = boot("test=boot")
    expect_pass(result)
    expect_banner_once(result)
    expect_in(result, r"^memory: \d+ MiB usable, \d+ frames free")
    if have_initrd():
        expect_in(result, r"^module: initrd .* bytes")
    expect_in(result, r"^selftest boot: PASS$")
    expect_not_in(result, r"PANIC")


def test_pmm_heap_stress():
    result = boot("test=pmm-heap")
    expect_in(result, r"^selftest pmm-heap: PASS$")
    expect_pass(result)
    expect_not_in(result, r"PANIC")


def test_unknown_selftest_fails():
    result = boot("test=no-such-test")
    expect_in(result, r"^selftest no-such-test: unknown test")
    expect_guest_failure(result)


# --- panic reports ----------------------------------------------------------

FAULTS = {
    "pf": r"#PF page fault \(vector 14\)",
    "gp": r"#GP general protection fault \(vector 13\)",
    "ud": r"#UD invalid opcode \(vector 6\)",
    "de": r"#DE divide error \(vector 0\)",
}


def expect_panic_report(result, exception):
    """The common part of every panic report; returns the RIP."""
    expect_guest_failure(result)
    expect_banner_once(result)
    expect_in(result, r"^PANIC: \S")
    expect_in(result, r"^exception: " + exception + r"$")
    for register in GENERAL_REGISTERS:
        # One or more spaces: the kernel aligns "R8:  0x..." with "R10: 0x...".
        expect_in(result, rf"\b{register}: +0x[0-9a-fA-F]+")
    expect_in(result, r"^backtrace:.*\n  0x[0-9a-fA-F]+")
    return int(expect_in(result, r"\bRIP: " + HEX16).group(1), 16)


def backtrace(result):
    """The addresses listed under `backtrace:`: the RIP, then return
    addresses."""
    lines = result.log.split("backtrace:", 1)[1].split("\n")[1:]
    addresses = []
    for line in lines:
        match = re.match(r"  0x([0-9a-fA-F]+)", line)
        if not match:
            break
        addresses.append(int(match.group(1), 16))
    return addresses


def backtrace_functions(result):
    """Backtrace addresses to symbolize: a return address can point just
    past its function (after a call to a noreturn function), so look up
    the call instruction's last byte instead, as every debugger does."""
    addresses = backtrace(result)
    return addresses[:1] + [address - 1 for address in addresses[1:]]


@pytest.mark.fault
@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_fault_report(kind):
    result = boot(f"test=fault-{kind}")
    rip = expect_panic_report(result, FAULTS[kind])

    function = f"selftest_fault_{kind}"
    start, size = kernel_symbol(function)
    assert start <= rip < start + size, (
        f"RIP {rip:#018x} ({symbolize(rip)}) is not inside {function} "
        f"[{start:#x}, {start + size:#x})\n" + describe(result))

    for address in backtrace_functions(result):
        assert symbolize(address), (
            f"backtrace address {address:#x} is not in any kernel function\n" + describe(result))


@pytest.mark.fault
def test_fault_backtrace_reaches_the_caller():
    # A backtrace that stops at the faulting function explains nothing: the
    # frame-pointer walk must get past selftest_fault_pf into its caller.
    result = boot("test=fault-pf")
    expect_panic_report(result, FAULTS["pf"])
    frames = [symbolize(address) for address in backtrace_functions(result)]
    callers = [frame for frame in frames[1:]
               if frame and not frame.startswith("selftest_fault_pf+")]
    assert callers, f"backtrace {frames} never leaves selftest_fault_pf\n" + describe(result)


@pytest.mark.fault
def test_fault_pf_reports_cr2_and_error_code():
    result = boot("test=fault-pf")
    expect_panic_report(result, FAULTS["pf"])
    # selftest_fault_pf reads the NULL-ish address 0x10.
    expect_in(result, r"\bCR2: 0x0000000000000010\b")
    expect_in(result, r"\berror: 0x[0-9a-fA-F]+ \(.+\)")


@pytest.mark.fault
def test_fault_stack_overflow_is_a_double_fault():
    # Without a separate #DF stack this triple-faults: with -no-reboot QEMU
    # then exits with status 0, which expect_guest_failure rejects.
    result = boot("test=fault-stack-overflow")
    expect_panic_report(result, r"#DF double fault \(vector 8\)")
