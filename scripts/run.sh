#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh - boot Loupe in QEMU: what `make run` does once everything is built.
#
#   CMD='prog args'   batch mode: init runs this command line, QEMU exits when
#                     it ends, and this script exits with the command's status
#                     (`make run` itself then exits 0, or 2 for any failure:
#                     make cannot pass on other codes; this script prints it)
#   ADD='f1 f2'       host files (static x86_64 Linux programs) put into /bin
#                     of the image for this run only
#   CMDLINE='...'     extra kernel command line (loglevel=7, ...)
#   ACCEL=kvm         opt-in; tcg is the default (KVM guests hang on the
#                     machines Loupe is built on)
#   RUN_TIMEOUT=300   seconds a batch run may take before QEMU is killed
#
# Without CMD the session is interactive on this terminal (Ctrl-A X quits).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
kernel=$build/kernel.elf
initrd=$build/initrd.cpio
accel=${ACCEL:-tcg}
cmdline=${CMDLINE:-}

if [ -n "${ADD:-}" ]; then
	# A private copy of the root filesystem with the extra programs in /bin.
	stage=$build/run-rootfs
	rm -rf "$stage"
	cp -R "$build/rootfs" "$stage"
	for file in $ADD; do
		if [ ! -f "$file" ]; then
			echo "run: ADD: no such file: $file" >&2
			exit 2
		fi
		cp "$file" "$stage/bin/"
	done
	initrd=$build/run-initrd.cpio
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc) > "$initrd"
fi

if [ -n "${CMD:-}" ]; then
	# init.cmd="...": the kernel's command-line parser takes \" and \\ inside quotes.
	escaped=${CMD//\\/\\\\}
	escaped=${escaped//\"/\\\"}
	cmdline="${cmdline:+$cmdline }init.cmd=\"$escaped\""
fi

iso=$build/run.iso
scripts/mkiso.sh "$kernel" "$initrd" "$iso" "$cmdline"

qemu=(qemu-system-x86_64 -accel "$accel" -m 256M -nographic -no-reboot
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" -boot d)

if [ -z "${CMD:-}" ]; then
	status=0
	"${qemu[@]}" || status=$?
	# 33: the guest reported success through isa-debug-exit; 0: QEMU quit normally.
	[ $status -eq 0 ] || [ $status -eq 33 ]
	exit
fi

log=$build/run.log
status=0
timeout "${RUN_TIMEOUT:-300}" "${qemu[@]}" < /dev/null | tee "$log" || status=$?
code=$(tr -d '\r' < "$log" | sed -n 's/^loupe: init exited with status \([0-9]*\).*/\1/p' | tail -1)
if [ -z "$code" ]; then
	echo "run: the guest did not report an exit status (QEMU status $status); see $log" >&2
	exit 1
fi
# GNU make can only report 0 or 2 for a recipe, so say the exact status too.
[ "$code" -eq 0 ] || echo "run: the command exited with status $code" >&2
exit "$code"
