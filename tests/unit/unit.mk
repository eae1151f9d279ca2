# SPDX-License-Identifier: MIT
#
# tests/unit/unit.mk - build and run the host unit tests.
#
# The pure kernel modules (no hardware, no asm) are compiled for the host
# together with one cmocka test program each, into build/unit/, and every
# program is run; `unit-test` fails if any of them failed, after running
# all of them. Paths are relative to the repository root.
#
#   included by the top-level Makefile:  make unit-test
#   standalone, from the repository root: make -f tests/unit/unit.mk unit-test
#
# Knobs: HOSTCC (default cc), UNIT_SANITIZE (AddressSanitizer and UBSan by
# default; set it empty to build without them).
# Needs Debian's libcmocka-dev.

# Including this file must not change the including Makefile's default
# goal, so remember it here and restore it at the bottom. Everything
# defined here is prefixed unit_/UNIT_ to stay out of the includer's way.
unit_saved_default_goal := $(.DEFAULT_GOAL)

HOSTCC ?= cc
UNIT_BUILD_DIR ?= build/unit
UNIT_SANITIZE ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                 -fno-omit-frame-pointer
# _DEFAULT_SOURCE: strnlen is POSIX, not C11, in the host's <string.h>.
UNIT_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -DLOUPE_HOST_TEST \
               -D_DEFAULT_SOURCE -I. $(UNIT_SANITIZE)
UNIT_LDLIBS := -lcmocka

UNIT_TESTS := format cmdline multiboot2 pmm heap cpio elf sysret
UNIT_BINARIES := $(UNIT_TESTS:%=$(UNIT_BUILD_DIR)/test_%)
UNIT_HEADERS := $(wildcard kernel/*.h kernel/lib/*.h tests/unit/*.h)

# Each test program: its test file plus the module(s) under test.
# Tests of code that may panic also link the catchable test panic().
$(UNIT_BUILD_DIR)/test_format: tests/unit/test_format.c kernel/lib/format.c
$(UNIT_BUILD_DIR)/test_cmdline: tests/unit/test_cmdline.c kernel/cmdline.c
$(UNIT_BUILD_DIR)/test_multiboot2: tests/unit/test_multiboot2.c \
                                   kernel/multiboot2.c
$(UNIT_BUILD_DIR)/test_pmm: tests/unit/test_pmm.c kernel/pmm.c \
                            tests/unit/test_panic.c
$(UNIT_BUILD_DIR)/test_heap: tests/unit/test_heap.c kernel/heap.c \
                             tests/unit/test_panic.c
$(UNIT_BUILD_DIR)/test_cpio: tests/unit/test_cpio.c kernel/cpio.c
$(UNIT_BUILD_DIR)/test_elf: tests/unit/test_elf.c kernel/elf.c
$(UNIT_BUILD_DIR)/test_sysret: tests/unit/test_sysret.c arch/x86_64/sysret.c \
                               $(wildcard arch/x86_64/*.h)

$(UNIT_BINARIES): $(UNIT_HEADERS) tests/unit/unit.mk
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^) $(UNIT_LDLIBS)

.PHONY: unit-test
unit-test: $(UNIT_BINARIES)
	@failed=""; \
	for test in $(abspath $(UNIT_BINARIES)); do \
		$$test || failed="$$failed $$test"; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "unit tests FAILED:$$failed"; exit 1; \
	fi; \
	echo "unit tests: all $(words $(UNIT_BINARIES)) programs passed"

# Standalone (make -f tests/unit/unit.mk), unit-test is the default goal.
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),unit.mk)
.DEFAULT_GOAL := unit-test
else
.DEFAULT_GOAL := $(unit_saved_default_goal)
endif
