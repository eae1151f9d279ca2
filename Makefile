# SPDX-License-Identifier: MIT
#
# Loupe's one Makefile. Everything is built into build/ (git-ignored).
#
#   make            the kernel and a bootable ISO (build/loupe.iso)
#   make run        boot it in QEMU on this terminal (Ctrl-A X quits)
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
# CC=gcc (default clang), QEMU_TIMEOUT, PYTEST_ARGS.

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
	arch/x86_64/vectors.asm

KERNEL_C := \
	arch/x86_64/gdt.c \
	arch/x86_64/idt.c \
	arch/x86_64/pic.c \
	arch/x86_64/qemu.c \
	arch/x86_64/serial.c \
	arch/x86_64/timer.c \
	arch/x86_64/trap.c \
	kernel/cmdline.c \
	kernel/heap.c \
	kernel/heap_pages.c \
	kernel/lib/format.c \
	kernel/lib/string.c \
	kernel/main.c \
	kernel/multiboot2.c \
	kernel/panic.c \
	kernel/pmm.c \
	kernel/printk.c \
	kernel/selftest.c \
	kernel/vmm.c

KERNEL_OBJS := $(KERNEL_ASM:%.asm=$(BUILD)/obj/%.o) $(KERNEL_C:%.c=$(BUILD)/obj/%.o)

# Freestanding, no SSE/MMX/x87 in the kernel (user state lives in those
# registers), no red zone (interrupts would clobber it), frame pointers
# for panic backtraces, the kernel code model for the top 2 GiB.
KERNEL_CFLAGS := -std=c11 -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
	-O2 -g -Wall -Wextra -Werror -I. -MMD -MP
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

# --- root filesystem and ISO -------------------------------------------------

ROOTFS_FILES := $(shell find user/rootfs -type f 2>/dev/null)

$(BUILD)/initrd.cpio: $(ROOTFS_FILES) Makefile
	@rm -rf $(BUILD)/rootfs && mkdir -p $(BUILD)/rootfs
	@if [ -d user/rootfs ]; then cp -R user/rootfs/. $(BUILD)/rootfs/; fi
	$(call quiet,CPIO,$@)cd $(BUILD)/rootfs && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc > ../initrd.cpio

$(BUILD)/loupe.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio scripts/mkiso.sh
	scripts/mkiso.sh $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $@ "$$CMDLINE"

# --- entry points ------------------------------------------------------------

QEMU_FLAGS := -accel $(ACCEL) -m 256M -nographic -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04

.PHONY: all kernel iso run debug test unit-test qemu-test tools clean

all: $(BUILD)/kernel.elf $(BUILD)/loupe.iso

kernel: $(BUILD)/kernel.elf

iso: $(BUILD)/loupe.iso

tools:
	@scripts/check-tools.sh test

# The ISO carries the command line, so run/debug rebuild it every time.
run:
	@scripts/check-tools.sh run
	@$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@scripts/mkiso.sh $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BUILD)/loupe.iso "$$CMDLINE"
	$(QEMU) $(QEMU_FLAGS) -cdrom $(BUILD)/loupe.iso -boot d; \
	status=$$?; [ $$status -eq 0 ] || [ $$status -eq 33 ]

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

test:
	@scripts/check-tools.sh test
	@$(MAKE) --no-print-directory unit-test
	@$(MAKE) --no-print-directory qemu-test

clean:
	rm -rf $(BUILD)
