#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check-tools.sh: make sure this Debian 12 host has every tool that building
# and booting Loupe (`run`) or also testing it (`test`) needs.
#
# Usage: scripts/check-tools.sh [run|test]
#
# Silent and exit 0 when everything is there. Otherwise, as root, it installs
# the missing Debian packages and checks again; as anyone else it prints the
# apt-get line to run and exits 1. Called by `make run`, `make test` and
# `make bench`; .ci/run relies on it too.
#
# Notes on the table:
# - grub-mkrescue (grub-common) only makes a BIOS-bootable ISO when the
#   i386-pc modules from grub-pc-bin are present; it never says so itself.
# - qemu-system-x86 hard-depends on seabios and ipxe-qemu, so even
#   --no-install-recommends brings the firmware a -nodefaults boot needs.
# - musl-gcc is a wrapper around gcc (musl-dev depends on it), so gcc comes
#   along even when clang compiles the kernel.
set -euo pipefail

mode=${1:-run}
case $mode in
run | test) ;;
*) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

# shellcheck disable=SC2317 # called through eval below
have() { command -v "$1" >/dev/null 2>&1; }

# Debian package    check that passes when it is installed
run_tools=(
	"make            have make"
	"nasm            have nasm"
	"clang           have clang || have gcc"
	"lld             have ld.lld"
	"grub-common     have grub-mkrescue"
	"grub-pc-bin     test -d /usr/lib/grub/i386-pc"
	"xorriso         have xorriso"
	"mtools          have mformat"
	"qemu-system-x86 have qemu-system-x86_64"
	"musl-tools      have musl-gcc"
	"cpio            have cpio"
)
test_tools=(
	"libcmocka-dev   test -f /usr/include/cmocka.h"
	"python3-pytest  /usr/bin/python3 -c 'import pytest' 2>/dev/null"
	"binutils        have nm"
)

rows=("${run_tools[@]}")
[ "$mode" = test ] && rows+=("${test_tools[@]}")

# Prints the packages whose check fails, space-separated.
missing_packages() {
	local row pkg check absent=()
	for row in "${rows[@]}"; do
		read -r pkg check <<<"$row"
		eval "$check" || absent+=("$pkg")
	done
	echo "${absent[*]}"
}

missing=$(missing_packages)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "check-tools: installing $missing" >&2
	apt-get update >&2
	# shellcheck disable=SC2086 # $missing is a word list on purpose
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2
	missing=$(missing_packages)
	[ -z "$missing" ] && exit 0
	echo "check-tools: still missing after install: $missing" >&2
	exit 1
fi

printf 'Missing tools. Install them with:\n  sudo apt-get install -y %s\n' "$missing" >&2
exit 1
