/* SPDX-License-Identifier: MIT */
/*
 * main.c - kmain, where the kernel starts after boot.asm.
 *
 * The order matters and each step says what it needs:
 *   1. the console (serial), so every later step can report trouble;
 *   2. GDT and IDT, so a fault from here on prints a report instead of
 *      silently rebooting the machine;
 *   3. the boot information from GRUB (memory map, command line, modules),
 *      parsed with bounds checks into a kernel-owned copy;
 *   4. memory: the frame allocator over the usable RAM minus everything
 *      already taken, then the final page tables (which drop the identity
 *      map), then the heap works;
 *   5. interrupts: PIC, timer, serial input, then STI;
 *   6. what the command line asks for: a self-test (`test=`), or the
 *      normal run.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/timer.h"
#include "kernel/cmdline.h"
#include "kernel/devices.h"
#include "kernel/initrd.h"
#include "kernel/page.h"
#include "kernel/proc.h"
#include "kernel/ptrace/procfs.h"
#include "kernel/ptrace/session.h"
#include "kernel/ramfs.h"
#include "kernel/random.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/tty.h"
#include "kernel/lib/string.h"
#include "kernel/main.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/vmm.h"

#define LOUPE_VERSION "0.1"

/* The largest multiboot2 information we accept; GRUB's is a few KiB. */
#define BOOT_INFO_MAX (64 * 1024)

/* The first MiB holds the BIOS data area, EBDA and ROMs: never hand it out. */
#define LOW_MEMORY_END 0x100000UL

struct boot_info boot_info;

_Static_assert(KERNEL_BASE == 0xffffffff80000000UL, "KERNEL_BASE must match linker.ld and boot.asm");
_Static_assert(KERNEL_PHYS == 0x100000UL, "KERNEL_PHYS must match linker.ld");
_Static_assert(DIRECT_MAP_BASE == 0xffff800000000000UL, "DIRECT_MAP_BASE is PML4 slot 256 in boot.asm");

static void boot_parse_info(uint32_t magic, uint32_t info_phys)
{
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("boot: bad multiboot2 magic 0x%x (boot with GRUB 2)", magic);
	if (info_phys == 0)
		panic("boot: the boot loader passed no multiboot2 information");

	/* A 32-bit address always lies inside boot.asm's 4 GiB direct map. */
	uint64_t readable = EARLY_MAP_LIMIT - info_phys;
	if (readable > BOOT_INFO_MAX)
		readable = BOOT_INFO_MAX;
	int error = mb2_parse(phys_to_virt(info_phys), readable, &boot_info);
	if (error)
		panic("boot: malformed multiboot2 information (error %d)", error);
	cmdline_unescape_grub(boot_info.cmdline);
	if (!boot_info.has_mmap)
		panic("boot: the boot loader gave no memory map");
}

static void boot_apply_cmdline(void)
{
	uint64_t level;
	char value[16];

	if (cmdline_get_u64(boot_info.cmdline, "loglevel", &level) == 0 && level <= 8)
		printk_loglevel = (int)level;
	if (cmdline_get_u64(boot_info.cmdline, "ptrace.log", &level) == 0 && level)
		trace_log = true;               /* print every stop, event and resume */
	/* Under the harness a panic must end QEMU, not sit and wait for a timeout. */
	if (cmdline_has(boot_info.cmdline, "test") ||
	    (cmdline_get(boot_info.cmdline, "panic", value, sizeof(value)) >= 0 &&
	     strcmp(value, "exit") == 0))
		panic_exits_qemu = true;
}

/*
 * Hand the frame allocator every usable range of the memory map, minus
 * what is already in use: low memory, the kernel image (with boot.asm's
 * tables), the boot information and the modules.
 */
static uint64_t memory_init(uint32_t info_phys)
{
	struct phys_range usable[MB2_MAX_MMAP];
	struct phys_range reserved[3 + MB2_MAX_MODULES];
	size_t nusable = 0, nreserved = 0;
	uint64_t usable_bytes = 0;

	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mb2_mmap_entry *entry = &boot_info.mmap[i];
		pr_debug("mmap: %p-%p %s\n", (void *)entry->base,
			 (void *)(entry->base + entry->length), mb2_mmap_type_name(entry->type));
		if (entry->type != MB2_MMAP_AVAILABLE || entry->length == 0)
			continue;
		if (entry->base + entry->length < entry->base)
			continue;               /* wraps around: a broken map entry */
		usable[nusable++] = (struct phys_range){ entry->base, entry->base + entry->length };
		usable_bytes += entry->length;
	}

	reserved[nreserved++] = (struct phys_range){ 0, LOW_MEMORY_END };
	reserved[nreserved++] = (struct phys_range){ KERNEL_PHYS, kernel_image_phys(_kernel_end) };
	reserved[nreserved++] = (struct phys_range){ info_phys, info_phys + boot_info.total_size };
	for (size_t i = 0; i < boot_info.module_count; i++)
		reserved[nreserved++] = (struct phys_range){ boot_info.modules[i].start,
							     boot_info.modules[i].end };

	int error = pmm_init(usable, nusable, reserved, nreserved, phys_to_virt);
	if (error)
		panic("memory: frame allocator setup failed (error %d)", error);
	vmm_init();
	return usable_bytes;
}

static void interrupts_init(void)
{
	pic_init();
	timer_init();
	serial_enable_rx_interrupt();
	irq_enable();
}

/*
 * pid 1: /bin/init, or the program named by `init=`. The command of
 * `init.cmd=` (what `make run CMD=...` sets) becomes init's argv[1].
 */
static void start_init(void)
{
	static char path[256], command[MB2_CMDLINE_MAX];

	if (cmdline_get(boot_info.cmdline, "init", path, sizeof(path)) < 0)
		memcpy(path, "/bin/init", sizeof("/bin/init"));
	if (cmdline_get(boot_info.cmdline, "init.cmd", command, sizeof(command)) < 0)
		command[0] = '\0';
	int error = proc_start_init(path, command);
	if (error)
		panic("cannot start init %s (error %d)", path, error);
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	serial_init();
	printk("\nLoupe " LOUPE_VERSION " - a teaching microkernel for process tracing\n");
	gdt_init();
	idt_init();
	cpu_init();

	boot_parse_info(magic, info_phys);
	boot_apply_cmdline();
	if (boot_info.cmdline[0])
		printk("command line: %s\n", boot_info.cmdline);

	uint64_t usable_bytes = memory_init(info_phys);
	printk("memory: %lu MiB usable, %lu frames free\n", usable_bytes >> 20, pmm_free_count());
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const struct mb2_module *module = &boot_info.modules[i];
		printk("module: %s at 0x%x, %u bytes\n", module->name[0] ? module->name : "(unnamed)",
		       module->start, module->end - module->start);
	}

	page_init();
	random_init();
	time_init();
	ramfs_init();
	initrd_load();
	tty_init();
	devices_init();
	procfs_init();
	proc_init();
	sched_init();
	interrupts_init();

	char test[64];
	if (cmdline_get(boot_info.cmdline, "test", test, sizeof(test)) >= 0)
		selftest_run(test);

	start_init();
	sched_idle();
}
