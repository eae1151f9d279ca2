#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# record.sh - record the strace golden files with the real strace on Linux.
#
#   tests/strace/record.sh           (re)write tests/strace/golden/*.txt
#   tests/strace/record.sh --check   record into a scratch directory and
#                                    compare with the committed files after
#                                    normalise.py (nothing is written)
#
# Recorded with strace 6.1 (Debian 12's strace package) on Linux x86_64,
# as root (chroot and a pid namespace need it); the script stops if
# `strace -V` names another version, since strace's format changes between
# releases. The samples are the static musl binaries the Makefile builds
# into build/rootfs/tests/strace/ (`make build/initrd.cpio` first).
#
# The run mirrors the guest as closely as Linux allows:
#   - a copy of build/rootfs is the root (chroot), so every path the
#     program and strace print is the path it has in Loupe; strace and the
#     shared libraries it needs are copied in beside it;
#   - Loupe's own /bin/sh runs the same command line the QEMU test runs,
#         strace -o /tmp/trace.txt OPTIONS /tests/strace/SAMPLE >/tmp/out 2>&1
#     with the environment init gives it in the guest (env -i, PATH only);
#   - a new pid namespace (unshare --pid --fork) and no address space
#     randomisation (setarch -R), so the pids and addresses in the raw
#     files come out the same on every run. normalise.py replaces them
#     anyway; what is left to differ between two recordings is the times
#     (-c columns, -T, -tt) and, with -f, how the lines of the two
#     processes interleave: normalise.py makes those equal too, which is
#     what --check verifies.
# ("Terminated" on the terminal is Loupe's sh reporting that the real
# strace killed itself with SIGTERM after the killed sample, as strace does.)
# The cases (sample, variant, options) are listed in cases.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
want_version=6.1

check=0
case "${1:-}" in
	--check) check=1 ;;
	"") ;;
	*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

version=$(strace -V | sed -n '1s/^strace -- version //p')
if [ "$version" != "$want_version" ]; then
	echo "record.sh: the golden files are strace $want_version's output; this is strace $version" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "record.sh: needs root (chroot, unshare --pid)" >&2
	exit 1
fi
if [ ! -d "$repo/build/rootfs/tests/strace" ]; then
	echo "record.sh: no build/rootfs/tests/strace: run \`make build/initrd.cpio\` first" >&2
	exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
cp -a "$repo/build/rootfs" "$root"
mkdir -p "$root/tmp"

# The real strace inside the root, with the libraries the dynamic linker
# will look for at the same paths.
strace_bin=$(command -v strace)
mkdir -p "$root/usr/bin"
cp "$strace_bin" "$root/usr/bin/strace"
for lib in $(ldd "$strace_bin" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

out=$repo/tests/strace/golden
if [ $check -eq 1 ]; then
	out=$scratch/golden
fi
mkdir -p "$out"

grep -v '^[[:space:]]*\(#\|$\)' "$here/cases.txt" | while read -r sample variant options; do
	rm -f "$root/tmp/trace.txt" "$root/tmp/out"
	command="/usr/bin/strace -o /tmp/trace.txt $options /tests/strace/$sample >/tmp/out 2>&1"
	# Each run is a new pid namespace: the shell is pid 1, strace 2, the sample 3.
	env -i PATH=/bin /usr/bin/setarch -R /usr/bin/unshare --pid --fork --kill-child \
		/usr/sbin/chroot "$root" /bin/sh -c "$command" </dev/null || true
	cp "$root/tmp/trace.txt" "$out/$sample.$variant.txt"
	echo "  $sample.$variant: strace -o /tmp/trace.txt $options /tests/strace/$sample"
done

if [ $check -eq 1 ]; then
	status=0
	for file in "$out"/*.txt; do
		name=$(basename "$file")
		if ! diff -u <(/usr/bin/python3 "$here/normalise.py" "$repo/tests/strace/golden/$name") \
			     <(/usr/bin/python3 "$here/normalise.py" "$file") >/dev/null; then
			echo "record.sh --check: $name differs from the committed recording:"
			diff -u <(/usr/bin/python3 "$here/normalise.py" "$repo/tests/strace/golden/$name") \
				<(/usr/bin/python3 "$here/normalise.py" "$file") || true
			status=1
		fi
	done
	exit $status
fi
