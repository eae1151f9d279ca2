# SPDX-License-Identifier: MIT
"""strace (issue 8): Loupe's /bin/strace against the real one.

Golden tests. tests/strace/cases.txt lists (sample, variant, options);
tests/strace/record.sh ran the real strace on Linux as

    strace -o /tmp/trace.txt OPTIONS /tests/strace/SAMPLE >/tmp/out 2>&1

for each, on the same static binaries the Makefile puts into the initrd,
and kept /tmp/trace.txt as tests/strace/golden/SAMPLE.VARIANT.txt. Here one
boot per sample runs the same command lines with Loupe's /bin/strace and
cats each trace between marker lines on the serial console (the program's
own output goes to /tmp/out, so it cannot mix in). Both sides go through
tests/strace/normalise.py and must then be equal line by line; a mismatch
shows a unified diff and the serial log.

Host tests. strace's source also builds for Linux (plain musl, no shim):
a smoke test builds it and traces /bin/true on this machine, and, where
the real strace is installed, each case's options are compared with it
on the host too.

The guest runs also check strace's exit status (the program's, or 128 +
the signal that killed it, as the shell reports it). The host runs compare
how a parent sees strace end, which the shell cannot show.

Option errors. A bad option and a bad pid give strace's messages and exit
status 1 in the guest.

Known bugs (reported, not hidden in the normaliser) become strict xfails
through KNOWN_BUGS (golden cases) and HOST_STATUS_BUGS; none is known now.
"""

import difflib
import functools
import importlib.util
import re
import shutil
import subprocess

import pytest

from loupe_harness import REPO, boot, describe, expect_in, expect_not_in, have_initrd

pytestmark = pytest.mark.qemu

STRACE_DIR = REPO / "tests" / "strace"
GOLDEN_DIR = STRACE_DIR / "golden"
ROOTFS = REPO / "build" / "rootfs"
BOOT_TIMEOUT = 120  # seconds per boot; a sample's boot takes a few under TCG

_spec = importlib.util.spec_from_file_location("normalise", STRACE_DIR / "normalise.py")
normalise = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(normalise)


def read_cases():
    """[(sample, variant, [options])] from tests/strace/cases.txt."""
    cases = []
    for line in (STRACE_DIR / "cases.txt").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        sample, variant, *options = line.split()
        cases.append((sample, variant, options))
    return cases


CASES = read_cases()

# Differences from the real strace that are bugs in Loupe (kernel, shim or
# strace), reported and not yet fixed: each case still runs and must fail
# (strict), so the mark has to go when the bug is fixed.
KNOWN_BUGS = {
    # Empty: the cases that were here are fixed. A known bug goes here as
    # "sample.variant": "why", which makes its case a strict xfail.
}


def case_params(cases):
    return [pytest.param(s, v, o, id=f"{s}.{v}",
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[f"{s}.{v}"])]
                         if f"{s}.{v}" in KNOWN_BUGS else [])
            for s, v, o in cases]


def require_initrd():
    if not have_initrd():
        pytest.fail("build/initrd.cpio does not exist: build it with `make` first",
                    pytrace=False)


# strace exits with its program's status, or kills itself with the signal
# that killed the program (the shell then says 128 + 15): the real strace's
# statuses for the samples, as record.sh's runs give them.
EXIT_STATUS = {"hello": 0, "files": 0, "pipe_fork": 0, "signal": 7, "killed": 128 + 15}


def guest_command(sample, variant, options):
    """The shell command for one case: the same as record.sh's, between markers."""
    return (f"echo BEGIN {sample}.{variant}; "
            f"/bin/strace -o /tmp/trace.txt {' '.join(options)} /tests/strace/{sample} "
            f">/tmp/out 2>&1; echo status=$?; cat /tmp/trace.txt; rm /tmp/trace.txt; "
            f"echo END {sample}.{variant}")


# The kernel keeps 1024 bytes of command line (MB2_CMDLINE_MAX): the cases
# of one boot must fit, with room for the harness's "panic=exit ".
CMDLINE_BUDGET = 900


def cmdline_of(commands):
    return f'init.cmd="{"; ".join(commands)}"'


def plan_boots():
    """{(sample, variant): the cases that share its boot}: a sample's cases
    packed in order into as few command lines as fit the budget."""
    plan, group = {}, []
    for index, (sample, variant, options) in enumerate(CASES):
        group.append((sample, variant, tuple(options)))
        last = index + 1 == len(CASES) or CASES[index + 1][0] != sample
        next_fits = not last and len(cmdline_of(
            [guest_command(*case) for case in group + [tuple(CASES[index + 1])]])) <= CMDLINE_BUDGET
        if last or not next_fits:
            for case in group:
                plan[case[:2]] = tuple(group)
            group = []
    return plan


BOOT_PLAN = plan_boots()


@functools.lru_cache(maxsize=None)
def boot_cases(cases):
    """Boots once for several cases; cached, so their tests share the boot
    (its files stay in the first test's directory)."""
    cmdline = cmdline_of([guest_command(*case) for case in cases])
    assert len(cmdline) <= CMDLINE_BUDGET or len(cases) == 1, cmdline
    return boot(cmdline, timeout=BOOT_TIMEOUT)


def guest_trace(result, sample, variant):
    """(strace's exit status, the trace) printed between the case's markers,
    or fails the test."""
    # The shell may report a killed job ("Terminated") before the status line.
    match = re.search(rf"^BEGIN {re.escape(sample)}\.{re.escape(variant)}\n"
                      rf"(?:Terminated\n)?status=(\d+)\n(.*?)^END {re.escape(sample)}\.{re.escape(variant)}$",
                      result.log, re.M | re.S)
    assert match, (f"no BEGIN/status/END {sample}.{variant} lines in the serial log: the "
                   "command line did not run to the end\n" + describe(result))
    return int(match.group(1)), match.group(2)


def compare(expected_text, actual_text, what, context=""):
    """Normalises both and asserts equality, with a unified diff."""
    expected = normalise.normalise(expected_text).splitlines()
    actual = normalise.normalise(actual_text).splitlines()
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected, actual, "real strace (normalised)",
                                              what + " (normalised)", lineterm=""))
        pytest.fail(f"{what} differs from real strace:\n{diff}\n\n"
                    f"----- {what}, as printed -----\n{actual_text}"
                    f"----- end -----\n{context}", pytrace=False)


@pytest.mark.parametrize("sample,variant,options", case_params(CASES))
def test_golden(sample, variant, options):
    require_initrd()
    golden = GOLDEN_DIR / f"{sample}.{variant}.txt"
    assert golden.is_file(), f"{golden} is missing: run tests/strace/record.sh"
    result = boot_cases(BOOT_PLAN[(sample, variant)])
    expect_not_in(result, r"PANIC")
    status, trace = guest_trace(result, sample, variant)
    compare(golden.read_text(), trace,
            f"Loupe's strace {' '.join(options)} /tests/strace/{sample}",
            describe(result))
    assert status == EXIT_STATUS[sample], (f"strace exited with {status}, the real one "
                                           f"with {EXIT_STATUS[sample]}\n" + describe(result))


def test_every_golden_file_has_a_case():
    # A golden file that no case names would silently test nothing.
    named = {f"{s}.{v}.txt" for s, v, _ in CASES}
    files = {path.name for path in GOLDEN_DIR.glob("*.txt")}
    assert files == named, f"only files: {files - named}, only cases: {named - files}"


# --- on the host: the same source built for Linux ---------------------------

@functools.lru_cache(maxsize=None)
def host_strace(build_dir):
    """Builds user/bin/strace for Linux (musl, static, no shim)."""
    musl = shutil.which("musl-gcc")
    if musl is None:
        pytest.skip("musl-gcc is not installed")
    binary = build_dir / "strace-linux"
    sources = sorted(str(p) for p in (REPO / "user" / "bin" / "strace").glob("*.c"))
    run = subprocess.run([musl, "-static", "-O2", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                          f"-I{REPO / 'include' / 'uapi'}", "-o", str(binary), *sources],
                         capture_output=True, text=True)
    assert run.returncode == 0, "strace does not build for Linux:\n" + run.stderr
    return binary


@pytest.fixture(scope="module")
def host_build(tmp_path_factory):
    return host_strace(tmp_path_factory.mktemp("strace-host"))


def run_traced(strace, options, program, tmp_path, name):
    """Runs `strace -o FILE OPTIONS program` on the host; (status, trace, stderr)."""
    trace = tmp_path / f"{name}.txt"
    run = subprocess.run([str(strace), "-o", str(trace), *options, str(program)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, timeout=30, env={"PATH": "/usr/bin:/bin"})
    text = trace.read_text(errors="replace") if trace.exists() else ""
    return run.returncode, text, run.stderr.decode(errors="replace")


def test_host_smoke(host_build, tmp_path):
    """make test builds strace for the host and runs it there (issue 8, point 1)."""
    program = ROOTFS / "bin" / "true"
    if not program.is_file():
        pytest.fail(f"{program} does not exist: run `make` first", pytrace=False)
    # -s 4096: argv strings are cut at 32 characters, and the checkout's path may be longer.
    status, trace, stderr = run_traced(host_build, ["-s", "4096"], program, tmp_path, "true")
    lines = trace.splitlines()
    assert status == 0, f"strace exited with {status}\n{stderr}{trace}"
    assert lines and re.match(rf'^execve\("{re.escape(str(program))}", \["{re.escape(str(program))}"\], '
                              r'0x[0-9a-f]+ /\* \d+ vars? \*/\) += 0$', lines[0]), trace
    assert lines[-1] == "+++ exited with 0 +++", trace
    assert any(line.startswith("exit_group(0)") for line in lines), trace


def require_real_strace():
    real = shutil.which("strace")
    if real is None:
        pytest.skip("the real strace is not installed on this host")
    return real


@pytest.mark.parametrize("sample,variant,options", CASES,
                         ids=[f"{s}.{v}" for s, v, _ in CASES])
def test_host_against_real_strace(host_build, tmp_path, sample, variant, options):
    """Our strace built for Linux and the real one, same program, same host."""
    real = require_real_strace()
    program = ROOTFS / "tests" / "strace" / sample
    _, expected, _ = run_traced(real, options, program, tmp_path, "real")
    _, actual, stderr = run_traced(host_build, options, program, tmp_path, "ours")
    compare(expected, actual, f"our strace on Linux, {' '.join(options)} {sample}", stderr)


# When its program is killed by a signal, the real strace kills itself with
# that signal (its parent sees WIFSIGNALED); ours exits with 128 + signal
# (user/bin/strace/main.c), which a shell's $? cannot tell apart, so the
# guest tests pass, but a parent using wait() sees the difference.
HOST_STATUS_BUGS = {}                   # sample: "why" (none known)


@pytest.mark.parametrize("sample", [
    pytest.param(sample, marks=[pytest.mark.xfail(strict=True, reason=HOST_STATUS_BUGS[sample])]
                 if sample in HOST_STATUS_BUGS else [])
    for sample in sorted(EXIT_STATUS)])
def test_host_exit_status(host_build, tmp_path, sample):
    """strace's own exit status (or death) is the real one's, as a parent sees it."""
    real = require_real_strace()
    program = ROOTFS / "tests" / "strace" / sample
    real_status, _, _ = run_traced(real, [], program, tmp_path, "real")
    status, _, _ = run_traced(host_build, [], program, tmp_path, "ours")
    assert status == real_status, (f"our strace: {status}, the real one: {real_status} "
                                   "(negative: killed by that signal)")


# --- option errors, in the guest ----------------------------------------------

OPTION_ERRORS = [
    # (arguments, strace's message on stderr)
    ("-j /bin/true", "strace: invalid option -- 'j'\nTry 'strace -h' for more information."),
    ("-p 4000000", "strace: attach: ptrace(PTRACE_SEIZE, 4000000): No such process"),
    ("-p abc", "strace: Invalid process id: 'abc'"),
    ("-s xyz /bin/true", "strace: invalid -s argument: 'xyz'\n"
                         "Try 'strace -h' for more information."),
    ("", "strace: must have PROG [ARGS] or -p PID\nTry 'strace -h' for more information."),
    ("/no/such", "strace: Can't stat '/no/such': No such file or directory"),
]

# Called by another name, strace names itself so: real strace prints its
# argv[0] (program_invocation_name), ours always "strace".
ARGV0_ERROR = ("/bin/strace -j", "/bin/strace: invalid option -- 'j'\n"
               "Try '/bin/strace -h' for more information.")


@functools.lru_cache(maxsize=None)
def boot_option_errors():
    # `strace`, found in PATH: real strace names itself by its argv[0].
    commands = [f"echo BEGIN {i}; strace {args} 2>&1; echo status=$?; echo END {i}"
                for i, (args, _) in enumerate(OPTION_ERRORS)]
    commands.append(f"echo BEGIN argv0; {ARGV0_ERROR[0]} 2>&1; echo status=$?; echo END argv0")
    return boot(f'init.cmd="{"; ".join(commands)}"', timeout=BOOT_TIMEOUT)


@pytest.mark.parametrize("index", range(len(OPTION_ERRORS)),
                         ids=[args or "no-arguments" for args, _ in OPTION_ERRORS])
def test_option_error(index):
    require_initrd()
    args, message = OPTION_ERRORS[index]
    result = boot_option_errors()
    expect_not_in(result, r"PANIC")
    output = expect_in(result, rf"(?s)^BEGIN {index}\n(.*?)^END {index}$").group(1)
    expected = f"{message}\nstatus=1\n"
    assert output == expected, (f"`strace {args}`: expected\n{expected}got\n{output}\n" +
                                describe(result))


def test_option_error_names_argv0():
    require_initrd()
    result = boot_option_errors()
    output = expect_in(result, r"(?s)^BEGIN argv0\n(.*?)^END argv0$").group(1)
    expected = f"{ARGV0_ERROR[1]}\nstatus=1\n"
    assert output == expected, (f"`{ARGV0_ERROR[0]}`: expected\n{expected}got\n{output}\n" +
                                describe(result))


def test_option_errors_match_real_strace():
    """The messages above are the real strace's (checked when it is installed)."""
    real = shutil.which("strace")
    if real is None:
        pytest.skip("the real strace is not installed on this host")
    for args, message in OPTION_ERRORS:
        # argv[0] "strace", as the guest runs it: strace starts its messages
        # with the name it was called by.
        run = subprocess.run(["strace", *args.split()], executable=real, capture_output=True,
                             text=True, stdin=subprocess.DEVNULL, timeout=30)
        assert (run.stderr, run.returncode) == (message + "\n", 1), (args, run.stderr)
    args, message = ARGV0_ERROR
    program, *rest = args.split()
    run = subprocess.run([program, *rest], executable=real, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=30)
    assert (run.stderr, run.returncode) == (message + "\n", 1), (args, run.stderr)
