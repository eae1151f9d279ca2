# SPDX-License-Identifier: MIT
#
# Loupe's one Makefile. Everything is built into build/ (git-ignored).
#
#   make            the kernel and a bootable ISO (build/loupe.iso)
#   make run        boot it in QEMU on this terminal (Ctrl-A X quits)
#   make demo       boot and run the strace tour (user/etc/demo.sh), then power off
#   make bench      the benchmarks in QEMU; make bench-compare: beside Linux
#   make test       host unit tests, then the QEMU tests
#   make debug      boot halted, waiting for gdb (prints the gdb command)
#   make clean      remove build/
#
# `make run` and `make test` first check for their tools
# (scripts/check-tools.sh): as root they install what is missing with
# apt-get, otherwise they print the apt-get command and stop.
#
# Knobs: ACCEL=kvm (default tcg: KVM guests hang on the machines Loupe is
# built on), CMDLINE='loglevel=7 ...' (kernel command line for run/debug),
# CMD='/bin/hello world' (batch mode: run it, exit with its status),
# ADD='prog ...' (extra programs in /bin for this run), CC=gcc (default
# clang), PYTEST_ARGS.

CC        ?= clang
ifeq ($(origin CC),default)
CC        := clang
endif
LD        := ld.lld
NASM      := nasm
QEMU      := qemu-system-x86_64
PYTHON    := /usr/bin/python3
ACCEL     ?= tcg
CMDLINE   ?=
BUILD     := build
V         ?= 0
ifeq ($(V),0)
quiet      = @echo "  $(1)	$(2)";
endif
# Passed to the shell through the environment, so quotes inside survive.
export CMDLINE

# --- kernel ------------------------------------------------------------------

KERNEL_ASM := \
	arch/x86_64/boot.asm \
	arch/x86_64/switch.asm \
	arch/x86_64/syscall.asm \
	arch/x86_64/vectors.asm

KERNEL_C := \
	arch/x86_64/cpu.c \
	arch/x86_64/fpu.c \
	arch/x86_64/gdt.c \
	arch/x86_64/idt.c \
	arch/x86_64/pic.c \
	arch/x86_64/qemu.c \
	arch/x86_64/serial.c \
	arch/x86_64/sysret.c \
	arch/x86_64/timer.c \
	arch/x86_64/trap.c \
	kernel/addrspace.c \
	kernel/cmdline.c \
	kernel/cpio.c \
	kernel/devices.c \
	kernel/elf.c \
	kernel/exec.c \
	kernel/exit.c \
	kernel/file.c \
	kernel/fork.c \
	kernel/heap.c \
	kernel/heap_pages.c \
	kernel/initrd.c \
	kernel/lib/format.c \
	kernel/lib/string.c \
	kernel/main.c \
	kernel/multiboot2.c \
	kernel/page.c \
	kernel/panic.c \
	kernel/pipe.c \
	kernel/pmm.c \
	kernel/poll.c \
	kernel/printk.c \
	kernel/proc.c \
	kernel/ptrace/handle.c \
	kernel/ptrace/mem.c \
	kernel/ptrace/perm.c \
	kernel/ptrace/procfs.c \
	kernel/ptrace/regs.c \
	kernel/ptrace/session.c \
	kernel/ptrace/stop.c \
	kernel/ramfs.c \
	kernel/random.c \
	kernel/sched.c \
	kernel/selftest.c \
	kernel/signal.c \
	kernel/sys_file.c \
	kernel/sys_fs.c \
	kernel/sys_info.c \
	kernel/sys_mem.c \
	kernel/sys_proc.c \
	kernel/sys_signal.c \
	kernel/sys_time.c \
	kernel/syscall.c \
	kernel/time.c \
	kernel/tty.c \
	kernel/usercopy.c \
	kernel/vfs.c \
	kernel/vmm.c

KERNEL_OBJS := $(KERNEL_ASM:%.asm=$(BUILD)/obj/%.o) $(KERNEL_C:%.c=$(BUILD)/obj/%.o)

# Freestanding, no SSE/MMX/x87 in the kernel (user state lives in those
# registers), no red zone (interrupts would clobber it), frame pointers
# for panic backtraces, the kernel code model for the top 2 GiB.
KERNEL_CFLAGS := -std=c11 -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
	-O2 -g -Wall -Wextra -Werror -I. -Iinclude/uapi -MMD -MP
ifneq ($(findstring clang,$(CC)),)
KERNEL_CFLAGS += --target=x86_64-unknown-none-elf
endif
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 --no-dynamic-linker

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.asm arch/x86_64/trapframe.inc
	@mkdir -p $(@D)
	$(call quiet,NASM,$<)$(NASM) -f elf64 -g -F dwarf -I. -o $@ $<

$(BUILD)/kernel.elf: $(KERNEL_OBJS) linker.ld
	$(call quiet,LD,$@)$(LD) $(KERNEL_LDFLAGS) -T linker.ld -o $@ $(KERNEL_OBJS)

-include $(KERNEL_OBJS:.o=.d)

# --- user programs and the root filesystem ----------------------------------
#
# Every program is a static Linux x86_64 executable built with musl, so the
# same binary also runs on Linux. The root filesystem is build/rootfs/,
# packed into build/initrd.cpio (cpio newc) and loaded by GRUB as a module.

USER_CC       := musl-gcc
UAPI_HEADERS  := $(wildcard include/uapi/loupe/*.h)
USER_CFLAGS   := -static -O2 -g -std=gnu11 -Wall -Wextra -Werror -Iinclude/uapi
ROOTFS        := $(BUILD)/rootfs

USER_PROGRAMS := hello sh echo cat ls mkdir rm cp mv ps kill sleep true false env wc head
# Every tests/guest/test_*.c is a guest test program (tests/qemu/test_processes.py
# finds them the same way, so a new file needs no edit in either place).
GUEST_TESTS   := $(basename $(notdir $(wildcard tests/guest/test_*.c)))
GUEST_DATA    := $(notdir $(wildcard tests/guest/data/*))

# --- strace golden tests
# The sample programs strace is compared on (tests/strace/README.md): built
# into /tests/strace/ like any program; tests/strace/record.sh traces the
# same binaries with the real strace on Linux.
STRACE_SAMPLES := $(basename $(notdir $(wildcard tests/strace/samples/*.c)))

$(ROOTFS)/tests/strace/%: tests/strace/samples/%.c
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) $(USER_CFLAGS) -o $@ $<
# --- end of strace golden tests

ROOTFS_FILES := \
	$(ROOTFS)/bin/init \
	$(ROOTFS)/bin/strace \
	$(ROOTFS)/etc/motd \
	$(ROOTFS)/etc/demo.sh \
	$(USER_PROGRAMS:%=$(ROOTFS)/bin/%) \
	$(GUEST_TESTS:%=$(ROOTFS)/tests/%) \
	$(ROOTFS)/tests/prog_regs_at_entry \
	$(ROOTFS)/tests/prog_poweroff \
	$(ROOTFS)/tests/prog_segv \
	$(GUEST_DATA:%=$(ROOTFS)/tests/data/%) \
	$(ROOTFS)/tests/data/truncated-elf \
	$(ROOTFS)/tests/data/corrupt-elf \
	$(STRACE_SAMPLES:%=$(ROOTFS)/tests/strace/%)

$(ROOTFS)/bin/init: user/init/init.c
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) $(USER_CFLAGS) -o $@ $<

$(ROOTFS)/etc/%: user/etc/%
	@mkdir -p $(@D)
	cp $< $@

# The shell is big enough for a folder of its own.
SH_SOURCES := $(wildcard user/bin/sh/*.c)
$(ROOTFS)/bin/sh: $(SH_SOURCES) $(wildcard user/bin/sh/*.h)
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,user/bin/sh)$(USER_CC) $(USER_CFLAGS) -o $@ $(SH_SOURCES)

$(ROOTFS)/bin/%: user/bin/%.c $(UAPI_HEADERS)
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) $(USER_CFLAGS) -o $@ $<

# --- the ptrace shim and the SDK ----------------------------------------------
#
# user/lib/ rebuilds Linux's ptrace() and waitpid() over /proc/<pid>/ files;
# programs that trace link it before musl's libc.a (build/sdk/bin/loupe-cc
# does that for users' own programs).

SHIM_SOURCES := user/lib/ptrace.c user/lib/tracee.c user/lib/wait.c
SHIM_OBJECTS := $(SHIM_SOURCES:user/lib/%.c=$(BUILD)/lib/%.o)
SHIM_LIB     := $(BUILD)/lib/libloupe.a
SDK          := $(BUILD)/sdk

$(BUILD)/lib/%.o: user/lib/%.c user/lib/shim.h $(wildcard include/uapi/loupe/*.h)
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(SHIM_LIB): $(SHIM_OBJECTS)
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(SDK)/bin/loupe-cc: scripts/loupe-cc $(SHIM_LIB) $(wildcard include/uapi/loupe/*.h)
	@mkdir -p $(SDK)/bin $(SDK)/lib $(SDK)/include/loupe
	cp $(SHIM_LIB) $(SDK)/lib/
	cp include/uapi/loupe/*.h $(SDK)/include/loupe/
	cp scripts/loupe-cc $@
	chmod 755 $@

.PHONY: sdk
sdk: $(SDK)/bin/loupe-cc

# strace: written against Linux's ptrace API, so it links the shim here
# (and builds unchanged for Linux: see tests/qemu/test_strace.py).
STRACE_SOURCES := $(wildcard user/bin/strace/*.c)
$(ROOTFS)/bin/strace: $(STRACE_SOURCES) $(wildcard user/bin/strace/*.h) $(SHIM_LIB)
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,user/bin/strace)$(USER_CC) $(USER_CFLAGS) -o $@ $(STRACE_SOURCES) $(SHIM_LIB)

# Guest tests written against Linux's ptrace API: linked with the shim here,
# and built for Linux with the host's compiler by `make linux-test`.
PTRACE_TEST_BINS := $(patsubst tests/guest/%.c,$(ROOTFS)/tests/%,$(wildcard tests/guest/test_ptrace*.c))
$(PTRACE_TEST_BINS): $(ROOTFS)/tests/%: tests/guest/%.c $(wildcard tests/guest/*.h) $(UAPI_HEADERS) $(SHIM_LIB)
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) $(USER_CFLAGS) -Itests/guest -o $@ $< $(SHIM_LIB)

# Header changes rebuild the programs (the rootfs must not get .d files).
$(ROOTFS)/tests/%: tests/guest/%.c $(wildcard tests/guest/*.h) $(UAPI_HEADERS)
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) $(USER_CFLAGS) -Itests/guest -o $@ $<

$(ROOTFS)/tests/prog_%: tests/guest/prog_%.c
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) $(USER_CFLAGS) -o $@ $<

# No libc at all: its own _start records the registers exactly as exec left them.
$(ROOTFS)/tests/prog_regs_at_entry: tests/guest/regs_at_entry.S tests/guest/prog_regs_at_entry.c
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(USER_CC) -static -nostdlib -ffreestanding -fno-stack-protector -O2 \
		-Wall -Wextra -Werror -o $@ $^

$(ROOTFS)/tests/data/%: tests/guest/data/%
	@mkdir -p $(@D)
	cp -p $< $@

# Broken programs for execve's ENOEXEC tests: cut short, and with the
# program header table pointing past the end of the file.
$(ROOTFS)/tests/data/truncated-elf: $(ROOTFS)/bin/hello
	@mkdir -p $(@D)
	head -c 200 $< > $@
	chmod 755 $@                    # executable: execve must fail for the content, not the mode

$(ROOTFS)/tests/data/corrupt-elf: $(ROOTFS)/bin/hello
	@mkdir -p $(@D)
	cp -p $< $@
	printf '\000\000\000\177\000\000\000\000' | dd of=$@ bs=1 seek=32 conv=notrunc status=none

$(BUILD)/initrd.cpio: $(ROOTFS_FILES)
	$(call quiet,CPIO,$@)cd $(ROOTFS) && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc > ../initrd.cpio

$(BUILD)/loupe.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio scripts/mkiso.sh
	scripts/mkiso.sh $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $@ "$$CMDLINE"

# --- entry points ------------------------------------------------------------

QEMU_FLAGS := -accel $(ACCEL) -m 256M -nographic -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04

.PHONY: all kernel iso run demo debug test unit-test qemu-test linux-test tools clean

all: $(BUILD)/kernel.elf $(BUILD)/loupe.iso sdk

kernel: $(BUILD)/kernel.elf

iso: $(BUILD)/loupe.iso

tools:
	@scripts/check-tools.sh test

# The ISO carries the command line, so run/debug rebuild it every time.
# CMD='prog args' (batch mode), ADD='files', CMDLINE=...: see scripts/run.sh.
export CMD ADD ACCEL
run:
	@scripts/check-tools.sh run
	@$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@scripts/run.sh

# The tour: strace on a program, across a pipeline, -c, -e, and -p (user/etc/demo.sh).
demo:
	@scripts/check-tools.sh run
	@$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@CMD='/bin/sh /etc/demo.sh' scripts/run.sh

debug:
	@scripts/check-tools.sh run
	@$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@scripts/mkiso.sh $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BUILD)/loupe.iso "$$CMDLINE"
	@echo "QEMU waits for gdb on localhost:1234. In another terminal run:"
	@echo "  gdb $(BUILD)/kernel.elf -ex 'target remote localhost:1234' -ex 'break kmain' -ex continue"
	$(QEMU) $(QEMU_FLAGS) -cdrom $(BUILD)/loupe.iso -boot d -s -S

include tests/unit/unit.mk

qemu-test: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	$(PYTHON) -m pytest -q tests/qemu $(PYTEST_ARGS)

# The ptrace tests on Linux itself: the expected behaviour, checked against the real thing.
PTRACE_TESTS := $(basename $(notdir $(wildcard tests/guest/test_ptrace*.c)))
HOSTCC ?= cc

# A copy of the guest's root, with the host builds in /tests (a test may exec itself).
linux-test: $(BUILD)/initrd.cpio
	@rm -rf $(BUILD)/linux && mkdir -p $(BUILD)/linux && cp -R $(ROOTFS) $(BUILD)/linux/root
	@failed=""; for test in $(PTRACE_TESTS); do \
		$(HOSTCC) -std=gnu11 -O2 -no-pie -Wall -Wextra -Werror -Itests/guest -o $(BUILD)/linux/root/tests/$$test \
			tests/guest/$$test.c || exit 1; \
		echo "== $$test on Linux"; \
		LOUPE_ROOT=$(CURDIR)/$(BUILD)/linux/root $(BUILD)/linux/root/tests/$$test || failed="$$failed $$test"; \
	done; \
	if [ -n "$$failed" ]; then echo "linux-test FAILED:$$failed"; exit 1; fi

test:
	@scripts/check-tools.sh test
	@$(MAKE) --no-print-directory unit-test
	@$(MAKE) --no-print-directory $(BUILD)/initrd.cpio
	@$(MAKE) --no-print-directory linux-test
	@$(MAKE) --no-print-directory qemu-test

clean:
	rm -rf $(BUILD)

# --- benchmarks ----------------------------------------------------------------
#
#   make bench           user/bench/ on Loupe in QEMU (TCG): one table
#   make bench-compare   the same on Debian's own Linux kernel in the same QEMU,
#                        beside Loupe's figures (apt-get download of
#                        linux-image-*-amd64 into BENCH_CACHE, default
#                        ~/.cache/loupe: never into the repository)
#
# Each benchmark is built twice from the same source: for Loupe with the SDK
# (musl plus the ptrace shim), for Linux with plain musl-gcc -static.
# Iteration counts: make bench BENCH_PIPE_N=5000 ... (docs/performance.md).
# Timings are never asserted, so none of this is part of `make test`.

BENCH_PROGRAMS := $(basename $(notdir $(wildcard user/bench/*.c)))
BENCH_HEADERS  := $(wildcard user/bench/*.h)
BENCH_CFLAGS   := -O2 -g -std=gnu11 -Wall -Wextra -Werror
BENCH_LOUPE    := $(BENCH_PROGRAMS:%=$(BUILD)/bench/loupe/%)
BENCH_LINUX    := $(BENCH_PROGRAMS:%=$(BUILD)/bench/linux/%)

$(BUILD)/bench/loupe/%: user/bench/%.c $(BENCH_HEADERS) $(SDK)/bin/loupe-cc
	@mkdir -p $(@D)
	$(call quiet,LOUPECC,$<)$(SDK)/bin/loupe-cc $(BENCH_CFLAGS) -o $@ $<

$(BUILD)/bench/linux/%: user/bench/%.c $(BENCH_HEADERS)
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$<)$(USER_CC) -static $(BENCH_CFLAGS) -o $@ $<

.PHONY: bench bench-compare

bench:
	@scripts/check-tools.sh run
	@$(MAKE) --no-print-directory -s $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BENCH_LOUPE)
	@$(PYTHON) scripts/bench.py loupe

bench-compare:
	@scripts/check-tools.sh run
	@$(MAKE) --no-print-directory -s $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BENCH_LOUPE) $(BENCH_LINUX)
	@$(PYTHON) scripts/bench.py compare
