# SPDX-License-Identifier: MIT
"""Normalise strace output so that two correct traces of the same program
compare equal, whichever kernel ran it.

    /usr/bin/python3 tests/strace/normalise.py [FILE]   (stdin without FILE)

or, from Python, normalise(text) -> text. Used by tests/qemu/test_strace.py
on both the golden file (real strace on Linux) and Loupe's output, and by
tests/strace/record.sh --check.

It replaces only what legitimately depends on the environment, never what
strace decodes: every rule below says why it is there. What it does:

  1. pids (line prefixes, fork/clone/getpid/wait4... results, kill/wait4
     arguments, si_pid=) become PID1, PID2, ... in order of appearance;
  2. addresses the kernel chooses (stack, mmap; 0x10000000 and up) become
     ADDR; addresses inside the static sample's own image stay;
  3. the execve environment count becomes N;
  4. -t/-tt timestamps and -T durations become placeholders;
  5. the padding before " = result" is redone on the normalised text,
     when the original padding followed strace's column-40 rule;
  6. with -f: a call split into "<unfinished ...>" and "<... resumed>" is
     joined into one line, and the lines are grouped by process;
  7. a -c table keeps only calls, errors and the syscall name, sorted by
     name.
"""

import re
import sys

RESULT_COLUMN = 40  # strace's default -a: " = " ends at column 40

# A line's prefixes: with -f and -o FILE strace writes "%-5d " before every
# line; with -f to stderr "[pid %5u] " once several tracees exist.
PREFIX = re.compile(r"^(?:(?P<bare>\d+) +|\[pid +(?P<bracket>\d+)\] )")

# Calls whose result is a pid (or tid, the same number for these programs).
PID_RESULT_CALLS = ("fork", "vfork", "clone", "clone3", "getpid", "gettid",
                    "set_tid_address", "wait4", "waitid")
# Calls whose first argument is a pid.
PID_ARG_CALLS = ("kill", "tkill", "tgkill", "wait4", "getpgid", "getsid",
                 "setpgid", "prlimit64")

# The result at the end of a syscall line: "= 0", "= -1 ENOENT (...)",
# "= ?", "= 0x7f...", "= 3 (flags ...)", "= PID2".
RESULT_TAIL = re.compile(r"= (?:-?\d+|0x[0-9a-f]+|\?|PID\d+|ADDR)(?: .*)?$")


class PidMap:
    """Numbers the pids of one trace in the order they first appear.

    Why: pids are whatever the kernel hands out. Linux in a fresh pid
    namespace and Loupe after booting both give small numbers, but not the
    same ones (Loupe's init and shell start differently), so only the
    pattern matters: the same process has the same name on every line.
    """

    def __init__(self):
        self.names = {}

    def name(self, pid):
        pid = int(pid)
        if pid <= 0:  # -1 "any child", 0 "my group": not a process
            return str(pid)
        if pid not in self.names:
            self.names[pid] = f"PID{len(self.names) + 1}"
        return self.names[pid]


def _split_prefix(line):
    """(pid or None, prefix text, rest of the line)."""
    match = PREFIX.match(line)
    if not match:
        return None, "", line
    return match.group("bare") or match.group("bracket"), match.group(0), line[match.end():]


def _replace_pids(body, pids):
    # kill(5, SIGTERM), wait4(6, ...): the first argument is a pid.
    body = re.sub(r"^((?:<\.\.\. )?(?:%s)\()(-?\d+)" % "|".join(PID_ARG_CALLS),
                  lambda m: m.group(1) + pids.name(m.group(2)), body)
    # fork() = 6, getpid() = 5, "<... wait4 resumed>...) = 6": the result is a pid.
    match = re.match(r"^(?:<\.\.\. )?(%s)\b" % "|".join(PID_RESULT_CALLS), body)
    if match:
        body = re.sub(r"(\) += )(\d+)$", lambda m: m.group(1) + pids.name(m.group(2)), body)
    # --- SIGCHLD {..., si_pid=6, ...} ---: the sender's pid.
    body = re.sub(r"\bsi_pid=(\d+)", lambda m: "si_pid=" + pids.name(m.group(1)), body)
    # "Process 5 attached" (-p): strace's own messages about a pid.
    body = re.sub(r"^(Process )(\d+)", lambda m: m.group(1) + pids.name(m.group(2)), body)
    return body


def _replace_addresses(body):
    # The stack, mmap areas and the vDSO are placed by the kernel (and by
    # ASLR on Linux), and Loupe's layout is its own: their addresses cannot
    # match. The samples are static non-PIE programs loaded at 0x400000, so
    # addresses in their own image (handlers, TLS, set_tid_address) are the
    # same bytes on both kernels and are kept: a difference there is a bug.
    return re.sub(r"\b0x([0-9a-f]+)\b",
                  lambda m: "ADDR" if int(m.group(1), 16) >= 0x10000000 else m.group(0),
                  body)


def _split_times(text):
    """(timestamp, body, duration) of a line without its pid prefix.

    Why they go: -t/-tt/-ttt put the time of day before the call, -T the
    time the call took (" <0.000123>") after its result. Both are
    measurements; the normalised line says only that they were there.
    """
    stamp = ""
    match = re.match(r"^(?:\d\d:\d\d:\d\d(?:\.\d+)?|\d+\.\d+) ", text)
    if match:
        stamp, text = match.group(0), text[match.end():]
    duration = ""
    match = re.search(r" <\d+\.\d+>$", text)
    if match:
        duration, text = match.group(0), text[:match.start()]
    return stamp, text, duration


def _replace_execve_env(body):
    # The environment the program starts with is whatever the shell that
    # ran strace had (init's on Loupe, env -i's on Linux): its pointer
    # (already ADDR) and its size differ, and with the size "var" or "vars".
    return re.sub(r"^(execve\(.*, )(\S+) /\* \d+ vars? \*/\)",
                  lambda m: f"{m.group(1)}{m.group(2)} /* N vars */)", body)


def _result_split(text):
    """(before, padding, "= result") of a syscall line, or None.

    The last ") = result" whose tail looks like a result: a string
    argument may itself contain ") = ".
    """
    for match in reversed(list(re.finditer(r"\)( +)= ", text))):
        if RESULT_TAIL.fullmatch(text, match.end(1)):
            return text[:match.end(0) - len(match.group(1)) - 2], match.group(1), \
                text[match.end(1):]
    return None


def _padding(width):
    """strace's padding after width characters: " = " ends at column 40."""
    return " " * max(1, RESULT_COLUMN - width)


def _padding_ok(prefix, body):
    """True when the line's " = " sits where strace puts it (the prefix
    counts: strace pads the whole line)."""
    parts = _result_split(body)
    return not parts or parts[1] == _padding(len(prefix) + len(parts[0]))


def _repad(body):
    """Pads the normalised body as strace pads a line without prefix.

    Why: replacing a pid or an address by a name of another width moves
    strace's padding, and so does a prefix whose width depends on the pid.
    Only lines whose original padding followed strace's rule are repadded
    (see normalise()), so a strace that pads wrongly still shows up.
    """
    parts = _result_split(body)
    if not parts:
        return body
    return parts[0] + _padding(len(parts[0])) + parts[2]


def _join_unfinished(lines):
    """Joins "name(args <unfinished ...>" with its "<... name resumed>rest".

    Why: with -f, strace splits a call in two when another tracee's event
    arrives while the call is in progress, which depends on how the two
    processes happen to be scheduled. The joined line is the call as strace
    prints it when nothing comes in between; it takes the place of the
    "resumed" half (the call's end).
    """
    pending = {}  # pid -> (index of the unfinished line, its prefix, its text)
    out = []
    for pid, prefix, body in lines:
        if body.endswith(" <unfinished ...>") and pid is not None:
            pending[pid] = (len(out), prefix, body[: -len(" <unfinished ...>")])
            out.append(None)
            continue
        match = re.match(r"^<\.\.\. (\S+) resumed>(.*)$", body)
        if match and pid in pending:
            _, _, head = pending.pop(pid)
            # strace ends the head after "args, " or "args"; the resumed half
            # starts where it stopped.
            body = _repad(head + match.group(2))
        out.append((pid, prefix, body))
    # A call still unfinished at the end (the process was killed in it).
    for pid, (index, prefix, head) in pending.items():
        out[index] = (pid, prefix, head + " <unfinished ...>")
    return [line for line in out if line is not None]


def _group_by_process(lines):
    """Orders the lines process by process, each in its own order.

    Why: how the lines of processes running at the same time interleave
    is up to the scheduler, on Linux as on Loupe; each process's own
    sequence is what strace must get right. Lines without a prefix (before
    a second tracee exists) belong to the first process.
    """
    order, groups = [], {}
    first = next((pid for pid, _, _ in lines if pid is not None), None)
    for pid, prefix, body in lines:
        key = pid if pid is not None else first
        if key not in groups:
            order.append(key)
            groups[key] = []
        groups[key].append((pid, prefix, body))
    return [line for key in order for line in groups[key]]


def _normalise_summary(lines):
    """A -c table: "calls errors syscall" rows, sorted by name.

    Why: the time columns are measurements, and strace sorts the rows by
    time, so the order is a measurement too. The calls and errors per
    syscall are what the program did.
    """
    rows, total = [], None
    for line in lines:
        fields = line.split()
        if not fields or fields[0].startswith("%") or set(line.strip()) <= {"-", " "}:
            continue
        # "% time seconds usecs/call calls [errors] syscall": errors may be blank.
        if len(fields) == 6:
            calls, errors, name = fields[3], fields[4], fields[5]
        elif len(fields) == 5:
            calls, errors, name = fields[3], "0", fields[4]
        else:
            rows.append(line)  # not a table row: keep it as it is
            continue
        row = f"{calls:>9} {errors:>9} {name}"
        if name == "total":
            total = row
        else:
            rows.append(row)
    header = f"{'calls':>9} {'errors':>9} syscall"
    return [header] + sorted(rows, key=lambda r: r.split()[-1]) + ([total] if total else [])


def is_summary(text):
    return bool(re.search(r"^% time +seconds +usecs/call +calls +errors +syscall$", text, re.M))


def normalise(text):
    """The normalised text of one strace output."""
    raw_lines = text.splitlines()
    if is_summary(text):
        return "\n".join(_normalise_summary(raw_lines)) + "\n"

    pids = PidMap()
    lines, multi = [], False
    for raw in raw_lines:
        pid, prefix, rest = _split_prefix(raw)
        multi = multi or pid is not None
        stamp, body, duration = _split_times(rest)
        padding_ok = _padding_ok(prefix + stamp, body)
        body = _replace_addresses(body)
        body = _replace_execve_env(body)
        body = _replace_pids(body, pids)
        if padding_ok:
            body = _repad(body)
        if pid is not None:
            pid = pids.name(pid)
            # The prefix's own form (and width) depends on -o and on the
            # pid's digits: written in one fixed form.
            prefix = f"[{pid}] "
        prefix += "HH:MM:SS " if stamp else ""
        lines.append((pid, prefix, body + (" <TIME>" if duration else "")))

    if multi:
        lines = _group_by_process(_join_unfinished(lines))
    return "".join(prefix + body + "\n" for _, prefix, body in lines)


def main(argv):
    if len(argv) > 2:
        print("usage: normalise.py [FILE]", file=sys.stderr)
        return 2
    if len(argv) == 2:
        with open(argv[1], encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    else:
        text = sys.stdin.read()
    sys.stdout.write(normalise(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
