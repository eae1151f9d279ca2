#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkiso.sh: wrap a Loupe kernel and its initrd into a BIOS-bootable GRUB ISO.
#
# Usage: scripts/mkiso.sh KERNEL_ELF INITRD_CPIO OUT_ISO [KERNEL_CMDLINE...]
#
# An empty INITRD_CPIO ("") boots the kernel without the initrd module.
# The command line words are joined with spaces into one string, which may
# hold anything but a newline: quotes, backslashes, dollars, runs of spaces.
#
# How the command line gets through GRUB. Two layers of quoting sit between
# this script and the kernel:
#
#  1. grub.cfg is parsed like a shell script: ' " \ $ are special. Inside
#     single quotes nothing is special except the closing quote, so we split
#     the string at every single space and write each piece as '...', with
#     an embedded ' written the sh way: '\''. Splitting at each space (not
#     at runs of spaces) gives empty pieces for repeated spaces, so the
#     spacing survives.
#  2. GRUB's multiboot2 command then joins its arguments into the string the
#     kernel sees (grub_create_loader_cmdline): one space between arguments,
#     each \ ' " preceded by a backslash, and an argument that contains a
#     space wrapped in "..." (ours never do, thanks to the split).
#
# So the kernel receives the original string with a backslash in front of
# every \ ' and ". The kernel undoes that by dropping each backslash and
# keeping the character after it; a command line without those three
# characters arrives untouched.
set -euo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 KERNEL_ELF INITRD_CPIO OUT_ISO [KERNEL_CMDLINE...]" >&2
	exit 2
fi
kernel=$1 initrd=$2 out_iso=$3
shift 3
cmdline="$*"

case $cmdline in
*$'\n'*) echo "mkiso: the kernel command line must not contain a newline" >&2; exit 2 ;;
esac

# Prints the command line as grub.cfg words, per step 1 above.
grub_words() {
	local rest=$1 word quote="'\\''"
	[ -z "$rest" ] && return 0
	while :; do
		word=${rest%% *}
		printf " '%s'" "${word//\'/$quote}"
		[[ $rest == *' '* ]] || break
		rest=${rest#* }
	done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/iso log=$work/grub-mkrescue.log

mkdir -p "$tree/boot/grub"
cp "$kernel" "$tree/boot/loupe.elf"
module=""
if [ -n "$initrd" ]; then
	cp "$initrd" "$tree/boot/initrd.cpio"
	module="module2 /boot/initrd.cpio initrd"
fi
cat >"$tree/boot/grub/grub.cfg" <<EOF
set timeout=0
set default=0

menuentry "Loupe" {
	multiboot2 /boot/loupe.elf$(grub_words "$cmdline")
	$module
	boot
}
EOF

# grub-mkrescue is chatty even when all is well: keep its output for failures.
if ! grub-mkrescue -o "$out_iso" "$tree" >"$log" 2>&1; then
	cat "$log" >&2
	echo "mkiso: grub-mkrescue failed" >&2
	exit 1
fi
