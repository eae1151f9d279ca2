# SPDX-License-Identifier: MIT
"""End-to-end tests of /bin/sh and the tools in /bin (issue 4), in QEMU.

Two kinds:

batch        boot with init.cmd="<command line>": init runs it with
             `/bin/sh -c`, the output lands in the serial log, and the
             kernel reports `loupe: init exited with status N` (the
             shell's status) before powering off. These use boot() from
             loupe_harness.py.

interactive  boot with no init.cmd: init starts an interactive /bin/sh on
             the console. SerialSession (below) runs QEMU with COM1 on its
             stdin/stdout (`-serial stdio`), waits for the `$ ` prompt and
             types lines as a user would: Enter is "\\r" (the line
             discipline's ICRNL turns it into "\\n"), ^C is "\\x03", ^D
             "\\x04". Every wait has a timeout, and a failure shows the whole
             transcript.

The expectations are what the same command lines print on Linux with the
same programs (user/bin/*.c built with musl and run under user/bin/sh):
that host run is the reference, as for the guest tests. Regexes are
anchored at line starts (re.M), because the kernel echoes its command line
(`command line: init.cmd="..."`) into the same log, and in the interactive
tests the terminal echoes what is typed.

Every test was checked twice: on Linux (the batch command lines run under
`chroot rootfs /bin/sh -c`, the interactive ones through a pty with init
and sh, exactly as here), and in QEMU on the work-in-progress kernel of
issue 4. ps reads /proc/<pid>/status; test_real_fault_is_reported runs
/tests/prog_segv, a program that really faults.
"""

import os
import re
import subprocess
import threading
import time

import pytest

from loupe_harness import (REPO, _new_workdir, _timeout_scale, boot, default_initrd, describe,
                           expect_in, expect_not_in, have_initrd, make_iso, qemu_command)

pytestmark = pytest.mark.qemu

BATCH_TIMEOUT = 180          # seconds per batch boot (times LOUPE_TIMEOUT_SCALE)
BOOT_TO_PROMPT_TIMEOUT = 180  # from QEMU start to the first `$ `
COMMAND_TIMEOUT = 30         # one typed command to its output and next prompt
INTERRUPT_TIMEOUT = 10       # ^C to the next prompt: "quickly"

INIT_STATUS = r"^loupe: init exited with status (-?\d+)\b"
ROOTFS = REPO / "build" / "rootfs"


def require_initrd():
    if not have_initrd():
        pytest.fail("build/initrd.cpio does not exist: /bin/sh and the tools live in the "
                    "initrd, build it with `make` first", pytrace=False)


def init_cmd(command):
    """The kernel parameter for a shell command line, quoted as scripts/run.sh
    does: inside "...", the kernel's parser takes \\" and \\\\."""
    escaped = command.replace("\\", "\\\\").replace('"', '\\"')
    return f'init.cmd="{escaped}"'


def run_batch(command, timeout=BATCH_TIMEOUT):
    """Boots with init running `/bin/sh -c command`; returns the BootResult."""
    require_initrd()
    result = boot(init_cmd(command), timeout=timeout)
    expect_not_in(result, r"PANIC")
    return result


def expect_init_status(result, status):
    found = int(expect_in(result, INIT_STATUS).group(1))
    assert found == status, (f"init exited with status {found}, expected {status}\n" +
                             describe(result))


def expect_lines(result, *lines):
    """Each line appears as a whole line of the log, in this order."""
    regex = r"(?s)" + r".*?".join(rf"^{re.escape(line)}$" for line in lines)
    expect_in(result, regex, re.M)


# --- batch: the shell's syntax ---------------------------------------------

def test_pipeline_of_three():
    result = run_batch("echo hi | cat | cat")
    expect_lines(result, "hi")
    expect_init_status(result, 0)


def test_pipeline_ls_wc_counts_bin():
    # `ls -l /bin` prints "total N" and one line per program.
    programs = sorted(os.listdir(ROOTFS / "bin")) if (ROOTFS / "bin").is_dir() else None
    result = run_batch("ls -l /bin | wc -l; ls /bin | wc -w")
    if programs is None:
        expect_in(result, r"^\d+$")
    else:
        expect_lines(result, str(len(programs) + 1), str(len(programs)))
    expect_init_status(result, 0)


def test_redirect_create_and_append():
    result = run_batch("echo one > /tmp/x; echo two >> /tmp/x; cat /tmp/x; "
                       "echo three > /tmp/x; cat < /tmp/x; wc -l /tmp/x")
    expect_lines(result, "one", "two", "three", "1 /tmp/x")
    expect_init_status(result, 0)


def test_redirect_stderr():
    result = run_batch("cat /nope 2>/tmp/err; echo status=$?; cat /tmp/err; "
                       "cat /nope 2>&1 | wc -l; ls /nope 2>/dev/null || echo ls-failed; "
                       "echo to-stderr >&2")
    expect_lines(result, "status=1", "cat: /nope: No such file or directory", "1",
                 "ls-failed", "to-stderr")
    # 2>/dev/null really went nowhere.
    expect_not_in(result, r"^ls: cannot access")
    expect_init_status(result, 0)


def test_and_or_lists():
    result = run_batch("true && echo and-ran; false && echo and-skipped; "
                       "false || echo or-ran; true || echo or-skipped; "
                       "false && echo x || echo chain-ran")
    expect_lines(result, "and-ran", "or-ran", "chain-ran")
    expect_not_in(result, r"^(and|or)-skipped$")
    expect_not_in(result, r"^x$")
    expect_init_status(result, 0)


def test_exit_status_variable():
    result = run_batch("false; echo status=$?; true; echo status=$?; "
                       "true | false; echo pipeline=$?; ! true; echo negated=$?")
    expect_lines(result, "status=1", "status=0", "pipeline=1", "negated=1")
    expect_init_status(result, 0)


def test_quoting_and_variables():
    result = run_batch("""A='a   b'; echo [$A]; echo "[$A]"; echo '[$A]'; """
                       """echo "x\\"y" a\\ b; B=world; echo "hello ${B}!" $$x""")
    expect_lines(result, "[a b]", "[a   b]", "[$A]", 'x"y a b')
    expect_in(result, r"^hello world! \d+x$")
    expect_init_status(result, 0)


def test_command_not_found():
    result = run_batch("nosuchcommand; echo status=$?; /tests/data; echo status=$?")
    expect_lines(result, "sh: nosuchcommand: not found", "status=127",
                 "sh: /tests/data: Permission denied", "status=126")
    expect_init_status(result, 0)


def test_exit_status_reaches_init():
    result = run_batch("echo before; exit 3; echo after")
    expect_lines(result, "before")
    expect_not_in(result, r"^after$")
    expect_init_status(result, 3)


def test_killed_by_signal_is_reported():
    # A shell that kills itself with SIGSEGV: the outer shell reports it as
    # bash does and sets $? to 128 + 11. The kill is external (/bin/kill).
    result = run_batch("sh -c 'kill -SEGV $$'; echo status=$?; "
                       "sh -c 'kill -9 $$'; echo status=$?; "
                       "sh -c 'kill -INT $$'; echo status=$?")
    expect_in(result, r"^Segmentation fault( \(core dumped\))?\nstatus=139$")
    expect_in(result, r"^Killed\nstatus=137$")
    expect_lines(result, "status=130")  # SIGINT: no message
    expect_init_status(result, 0)


@pytest.mark.skipif(not (ROOTFS / "tests" / "prog_segv").exists(),
                    reason="no /tests/prog_segv in the initrd (a program that really faults)")
def test_real_fault_is_reported():
    result = run_batch("/tests/prog_segv; echo status=$?")
    expect_in(result, r"^Segmentation fault( \(core dumped\))?\nstatus=139$")
    expect_init_status(result, 0)


def test_cd_and_pwd():
    result = run_batch("pwd; cd /tmp && pwd; cd /bin; pwd; cd; pwd; cd /nope; echo status=$?; "
                       "cd /bin; cd /tmp; cd -")
    expect_lines(result, "/", "/tmp", "/bin", "/",
                 "sh: cd: /nope: No such file or directory", "status=1", "/bin")
    expect_init_status(result, 0)


def test_export_and_env():
    result = run_batch("export GREETING=hello; LOCAL=1; PREFIXED=yes env; "
                       "echo local=$LOCAL; unset GREETING; env")
    # The first env: GREETING and PREFIXED, never LOCAL (not exported).
    expect_in(result, r"(?s)^GREETING=hello$.*^local=1$", re.M)
    expect_in(result, r"(?s)^PREFIXED=yes$.*^local=1$", re.M)
    expect_not_in(result, r"^LOCAL=")
    # After unset, the second env has no GREETING, nor the prefix assignment.
    after = result.log[result.log.find("\nlocal=1\n"):]
    assert "GREETING=" not in after and "PREFIXED=" not in after, (
        "unset or the VAR=value prefix leaked into the environment\n" + describe(result))
    expect_init_status(result, 0)


def test_background_job():
    result = run_batch("sleep 1 & echo started; echo pid=$!; sleep 2; echo done")
    expect_lines(result, "started", "done")
    expect_in(result, r"^pid=\d+$")
    expect_init_status(result, 0)


# --- batch: the tools --------------------------------------------------------

def test_file_tools():
    result = run_batch(
        "mkdir -p /tmp/a/b/c && echo data > /tmp/a/f && cp /tmp/a/f /tmp/a/g && "
        "cp /tmp/a/f /tmp/a/b && mv /tmp/a/g /tmp/a/h && mv /tmp/a/h /tmp/a/b/c && "
        "ls -1 /tmp/a /tmp/a/b /tmp/a/b/c && cat /tmp/a/b/c/h; "
        "rm /tmp/a; echo rm=$?; rm -r /tmp/a && ls /tmp/a; echo ls=$?; "
        "rm -f /tmp/nope; echo rmf=$?; mkdir /tmp; echo mkdir=$?")
    expect_lines(result, "/tmp/a:", "b", "f", "", "/tmp/a/b:", "c", "f", "",
                 "/tmp/a/b/c:", "h", "data",
                 "rm: cannot remove '/tmp/a': Is a directory", "rm=1",
                 "ls: cannot access '/tmp/a': No such file or directory", "ls=2",
                 "rmf=0", "mkdir: cannot create directory '/tmp': File exists", "mkdir=1")
    expect_init_status(result, 0)


def test_ls_long_format():
    result = run_batch("echo 12345 > /tmp/file; mkdir /tmp/dir; ls -l /tmp; ls -la /tmp/dir; "
                       "ls -l /tmp/file /dev/null")
    expect_in(result, r"^total \d+$")
    # umask 022; a date of this year shows the time, an older one the year.
    expect_in(result, r"^-rw-r--r-- +1 +root +root +6 [A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4}) file$")
    expect_in(result, r"^d[rwx-]{9} +\d+ +root +root +\d+ .* dir$")
    expect_in(result, r"^d[rwxstST-]{9} +\d+ .* \.$")
    expect_in(result, r"^d[rwxstST-]{9} +\d+ .* \.\.$")
    expect_in(result, r"^c[rwx-]{9} +1 +root +root +1, 3 .* /dev/null$")
    expect_in(result, r"^-rw-r--r-- .* /tmp/file$")
    expect_init_status(result, 0)


def test_text_tools():
    result = run_batch("echo -n no-newline; echo; echo -e 'a\\tb'; "
                       "echo one two three | wc -w; echo x | wc; "
                       "ls /bin | head -n 3 | wc -l; ls /bin | head -2 | wc -l; "
                       "cat /nope; echo cat=$?")
    expect_lines(result, "no-newline", "a\tb", "3", "      1       1       2", "3", "2",
                 "cat: /nope: No such file or directory", "cat=1")
    expect_init_status(result, 0)


def test_processes_tools():
    result = run_batch("ps; echo ps=$?; kill -l 139; kill -l TERM; kill 99999; echo kill=$?; "
                       "sleep 0.5 && echo slept; true; echo true=$?; false; echo false=$?")
    expect_lines(result, "  PID  PPID STAT COMMAND", "ps=0", "SEGV", "15",
                 "kill: (99999): No such process", "kill=1", "slept", "true=0", "false=1")
    expect_init_status(result, 0)


def test_ps_lists_processes():
    result = run_batch("ps | cat")
    expect_in(result, r"^  PID  PPID STAT COMMAND$")
    expect_in(result, r"^ +1 +0 +[RS] +init$")
    expect_in(result, r"^ +\d+ +1 +[RS] +sh$")
    expect_in(result, r"^ +\d+ +\d+ +R +ps$")
    # The other side of the pipe may not have exec'd cat yet when ps looks.
    expect_in(result, r"^ +\d+ +\d+ +[RS] +(cat|sh)$")
    expect_init_status(result, 0)


# --- interactive: typing at the serial console --------------------------------

class SerialSession:
    """QEMU with COM1 on a pipe: type into the guest's console, read what it prints.

    A reader thread collects COM1 output into `transcript` (also written to
    serial.log in the boot's work directory). expect() waits for a regex in
    the output that arrived since the last successful expect() or send.
    """

    def __init__(self, cmdline=""):
        require_initrd()
        self.workdir = _new_workdir()
        iso = make_iso(self.workdir, cmdline, default_initrd())
        command = qemu_command(iso, self.workdir / "unused-serial.log")
        serial = command.index("-serial")
        command[serial + 1] = "stdio"
        self.cmdline = cmdline
        self._raw = bytearray()
        self._lock = threading.Lock()
        self._stderr = open(self.workdir / "qemu.stderr", "wb")
        self.qemu = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.mark = 0  # expect() looks at transcript[mark:]

    def _read(self):
        while True:
            data = self.qemu.stdout.read1(4096)
            if not data:
                return
            with self._lock:
                self._raw += data

    @property
    def transcript(self):
        with self._lock:
            return self._raw.decode("utf-8", "replace").replace("\r", "")

    def describe(self, problem):
        stderr = (self.workdir / "qemu.stderr").read_text("utf-8", "replace").strip()
        state = ("still running" if self.qemu.poll() is None
                 else f"QEMU exit status {self.qemu.returncode}")
        return (f"{problem}\nboot with cmdline {self.cmdline!r}: {state}\n"
                f"files in {self.workdir}\n"
                f"----- serial transcript (Enter typed as \\r, shown without \\r) -----\n"
                f"{self.transcript}\n----- end of transcript -----"
                + (f"\n[qemu stderr]\n{stderr}" if stderr else ""))

    def expect(self, regex, timeout=COMMAND_TIMEOUT, flags=re.M):
        """Waits for regex in the output since the mark; moves the mark past it."""
        deadline = time.monotonic() + timeout * _timeout_scale()
        pattern = re.compile(regex, flags)
        while True:
            text = self.transcript
            match = pattern.search(text, self.mark)
            if match:
                self.mark = match.end()
                return match
            if self.qemu.poll() is not None and not self._reader.is_alive():
                pytest.fail(self.describe(f"QEMU ended before /{regex}/ appeared"),
                            pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(self.describe(f"no /{regex}/ within {timeout}s "
                                          f"(x{_timeout_scale()})"), pytrace=False)
            time.sleep(0.05)

    def expect_prompt(self, timeout=COMMAND_TIMEOUT):
        # The prompt is the last thing printed: "$ " at the start of a line
        # (the lookbehind may look before the mark).
        return self.expect(r"(?<![^\n])\$ \Z", timeout, flags=0)

    def type(self, text):
        """Sends text as typed: one byte at a time, a little apart, so that
        the guest sees keystrokes rather than one burst. Moves the mark to
        the end of what was printed so far."""
        self.mark = len(self.transcript)
        for byte in text.encode():
            self.qemu.stdin.write(bytes([byte]))
            self.qemu.stdin.flush()
            time.sleep(0.005)

    def run(self, line, timeout=COMMAND_TIMEOUT):
        """Types a command line and Enter; returns the output up to the next prompt."""
        self.type(line + "\r")
        start = self.mark
        # The echo of the typed line comes first; output starts after it.
        self.expect(re.escape(line) + r"\n", timeout)
        output_start = self.mark
        self.expect_prompt(timeout)
        text = self.transcript
        return text[output_start:self.mark].rsplit("$ ", 1)[0] if start <= output_start else ""

    def wait_exit(self, timeout=COMMAND_TIMEOUT):
        try:
            self.qemu.wait(timeout=timeout * _timeout_scale())
        except subprocess.TimeoutExpired:
            pytest.fail(self.describe(f"QEMU still running {timeout}s after the shell "
                                      f"should have ended"), pytrace=False)
        self._reader.join(timeout=5)
        return self.qemu.returncode

    def close(self):
        if self.qemu.poll() is None:
            self.qemu.kill()
            self.qemu.wait()
        self._reader.join(timeout=5)
        (self.workdir / "serial.log").write_text(self.transcript)
        self._stderr.close()


@pytest.fixture
def console():
    """An interactive shell on the serial console, at its first prompt."""
    session = SerialSession()
    try:
        session.expect_prompt(BOOT_TO_PROMPT_TIMEOUT)
        yield session
    finally:
        session.close()


def expect_output(session, line, expected_lines):
    output = session.run(line)
    got = output.strip("\n").split("\n") if output.strip("\n") else []
    assert got == expected_lines, session.describe(
        f"`{line}` printed {got!r}, expected {expected_lines!r}")


def test_interactive_echo_and_exit_status(console):
    expect_output(console, "echo hello", ["hello"])
    expect_output(console, "echo a b | wc -w", ["2"])
    console.type("exit 3\r")
    console.expect(INIT_STATUS.replace("(-?\\d+)", "3"))
    console.wait_exit()


def test_interactive_cat_until_ctrl_d(console):
    console.type("cat > /tmp/x\r")
    console.expect(r"cat > /tmp/x\n")
    console.type("first line\r")
    console.expect(r"first line\n")
    console.type("second line\r")
    console.expect(r"second line\n")
    console.type("\x04")  # ^D at the start of a line: end of file for cat
    console.expect_prompt()
    expect_output(console, "cat /tmp/x", ["first line", "second line"])
    expect_output(console, "wc -l /tmp/x", ["2 /tmp/x"])


def test_interactive_ctrl_c_kills_foreground_job(console):
    console.type("sleep 100\r")
    console.expect(r"sleep 100\n")
    time.sleep(1)  # let sleep start and take the terminal
    started = time.monotonic()
    console.type("\x03")
    console.expect_prompt(INTERRUPT_TIMEOUT)
    elapsed = time.monotonic() - started
    assert elapsed < INTERRUPT_TIMEOUT * _timeout_scale(), console.describe(
        f"the prompt came back {elapsed:.1f}s after ^C")
    expect_output(console, "echo $?", ["130"])
    # The shell itself survived ^C and still works; so does a pipeline.
    console.type("sleep 100 | cat\r")
    console.expect(r"sleep 100 \| cat\n")
    time.sleep(1)
    console.type("\x03")
    console.expect_prompt(INTERRUPT_TIMEOUT)
    expect_output(console, "echo $?", ["130"])


def test_interactive_ctrl_c_at_prompt_discards_line(console):
    console.type("echo this is never run")
    console.type("\x03")
    console.expect_prompt(INTERRUPT_TIMEOUT)
    expect_output(console, "echo $?", ["130"])
    assert "\nthis is never run" not in console.transcript, console.describe(
        "the interrupted line ran")


def test_interactive_signal_death_reported(console):
    expect_output(console, "sh -c 'kill -SEGV $$'", ["Segmentation fault"])
    expect_output(console, "echo $?", ["139"])


def test_interactive_ctrl_d_exits_with_last_status(console):
    expect_output(console, "false", [])
    console.type("\x04")  # ^D at an empty prompt: the shell exits, like dash
    console.expect(INIT_STATUS.replace("(-?\\d+)", "1"))
    console.wait_exit()


def test_interactive_pipeline_and_redirection(console):
    programs = sorted(os.listdir(ROOTFS / "bin")) if (ROOTFS / "bin").is_dir() else None
    output = console.run("ls -l /bin | wc -l")
    if programs is not None:
        assert output.strip() == str(len(programs) + 1), console.describe(
            f"`ls -l /bin | wc -l` printed {output!r}, expected {len(programs) + 1}")
    expect_output(console, "echo one > /tmp/y; echo two >> /tmp/y; cat /tmp/y", ["one", "two"])
    expect_output(console, "cd /tmp; pwd", ["/tmp"])
    expect_output(console, "export X=1; env | wc -l > /dev/null; echo $X", ["1"])
