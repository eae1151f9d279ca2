#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Builds the guest test programs with musl-gcc and runs them on this Linux
# host, against a copy of the Loupe root filesystem in a temporary folder
# (LOUPE_ROOT), for comparison with the run inside Loupe. Loupe-only
# checks report SKIP here.
#
#   tests/guest/run-on-linux.sh               all test_*.c programs
#   tests/guest/run-on-linux.sh test_memory   one of them
#   OPT=-O0 tests/guest/run-on-linux.sh       another optimisation level
#
# /bin/hello is the lead's user/bin/hello.c when it exists, otherwise a
# stand-in with the same behaviour. Exits non-zero if any program fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/loupe-groot.XXXXXX")
trap 'rm -rf "$root"' EXIT
CFLAGS="-static ${OPT:--O2} -std=gnu11 -Wall -Wextra -Werror -I$here -I$repo/include/uapi"

mkdir -p "$root/bin" "$root/tests/data"
cp -p "$here"/data/* "$root/tests/data/"

if [ -f "$repo/user/bin/hello.c" ]; then
	musl-gcc $CFLAGS -o "$root/bin/hello" "$repo/user/bin/hello.c"
else
	cat > "$root/hello.c" <<'HELLO'
#include <stdio.h>
int main(int argc, char **argv)
{
	fputs("hello", stdout);
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	putchar('\n');
	return 0;
}
HELLO
	musl-gcc $CFLAGS -o "$root/bin/hello" "$root/hello.c"
fi

# The two broken ELF files the Makefile makes: the first 200 bytes of
# hello, and hello with e_phoff (offset 32) pointing 1 MiB into the file.
head -c 200 "$root/bin/hello" > "$root/tests/data/truncated-elf"
chmod 755 "$root/tests/data/truncated-elf"
cp "$root/bin/hello" "$root/tests/data/corrupt-elf"
printf '\000\000\020\000\000\000\000\000' |
	dd of="$root/tests/data/corrupt-elf" bs=1 seek=32 conv=notrunc status=none

# Helper programs that are not TAP tests.
musl-gcc -static -nostdlib -ffreestanding -fno-stack-protector -fno-builtin -O2 \
	-Wall -Wextra -Werror -o "$root/tests/prog_regs_at_entry" \
	"$here/regs_at_entry.S" "$here/prog_regs_at_entry.c"

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(cd "$here" && ls test_*.c | sed 's/\.c$//')
fi

failed=""
for name in $names; do
	musl-gcc $CFLAGS -o "$root/tests/$name" "$here/$name.c"
	echo "=== $name"
	if ! LOUPE_ROOT="$root" "$root/tests/$name"; then
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all guest test programs passed on $(uname -sr)"
